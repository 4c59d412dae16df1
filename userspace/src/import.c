// SPDX-License-Identifier: MIT
/*
 * Import: which memory type a queue takes a buffer's dma-bufs with, found
 * by trying (once per queue, exporter and memory type), and the setup that
 * follows from it: DMABUF, USERPTR, or, only where the caller allowed it,
 * the driver's MMAP buffers and a counted copy. Ordinary memory (exporter
 * "memory") has no DMABUF to try: its probe is refused on sight, so auto
 * takes USERPTR.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "v4l2.h"

/* Which memory types the probes of @exporter failed with, for -EXDEV's message. */
static void reasons(const struct zcbuf_queue *q, const char *exporter, char *out, size_t len)
{
	static const enum zcbuf_memory order[] = { ZCBUF_MEMORY_DMABUF, ZCBUF_MEMORY_USERPTR };
	size_t used = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < ZC_ARRAY_SIZE(order) && used < len; i++) {
		const struct zcbuf_probe *p = zc_probe_find(&q->probes, exporter, order[i]);

		if (p && p->error)
			used += (size_t)snprintf(out + used, len - used, "%s%s: %s", used ? "; " : "",
						 zcbuf_memory_name(order[i]), p->reason);
	}
}

/* REQBUFS 1, QBUF @buf, REQBUFS 0: 0 or the negative errno, the reason in @r. */
static int try_import(struct zcbuf_queue *q, struct zcbuf_buffer *buf, enum zcbuf_memory memory,
		      struct zcbuf_probe *r)
{
	struct zcbuf_ctx *ctx = q->dev->ctx;
	uint64_t queued = q->stats.queued;
	int ret;

	r->tried = 1;
	ret = zc_queue_reqbufs(q, memory, 1);
	if (ret >= 0) {
		ret = zc_queue_qbuf(q, 0, memory, buf, 0);
		q->stats.queued = queued;	/* a probe is not a frame */
		/* frees the buffer the queue holds, with its import */
		zc_queue_reqbufs(q, memory, 0);
	}
	if (ret < 0)
		snprintf(r->reason, sizeof(r->reason), "%s", zcbuf_last_error(ctx));
	return ret < 0 ? ret : 0;
}

/*
 * Linux 6.1 pins a USERPTR range with FOLL_LONGTERM, which migrates pages
 * out of CMA first; a CMA heap's pages cannot move, and the pin retries for
 * ever. A kernel that imports mapped dma-bufs never pins them: try USERPTR
 * of a CMA heap buffer only once such an import was seen, on a system-heap
 * buffer (PFN-mapped, which pinning refuses at once) if need be.
 */
static bool kernel_imports_mappings(struct zcbuf_queue *q)
{
	struct zcbuf_ctx *ctx = q->dev->ctx;
	struct zcbuf_buffer *sys = NULL;
	struct zc_dev_format df;
	char msg[sizeof(ctx->msg)];
	int err = ctx->err;

	if (ctx->dmabuf_userptr)
		return true;
	memcpy(msg, ctx->msg, sizeof(msg));
	if (!zc_get_format(ctx, q->dev->fd, q->type, &df) && df.num_mem == 1 &&
	    !zcbuf_heap_alloc(ctx, "system", NULL, df.sizeimage[0], &sys))
		zcbuf_queue_probe(q, sys, ZCBUF_MEMORY_USERPTR, NULL);
	zcbuf_buffer_free(sys);
	/* this side probe is not the caller's error */
	memcpy(ctx->msg, msg, sizeof(msg));
	ctx->err = err;
	return ctx->dmabuf_userptr;
}

int zcbuf_queue_probe(struct zcbuf_queue *queue, struct zcbuf_buffer *buf,
		      enum zcbuf_memory memory, struct zcbuf_probe *result)
{
	const struct zcbuf_probe *known;
	struct zcbuf_probe r;
	struct zcbuf_ctx *ctx;
	const char *exporter;
	struct zc_what w;
	int ret;

	if (!queue)
		return -EINVAL;
	ctx = queue->dev->ctx;
	w = zc_queue_what(queue);
	if (!buf || (memory != ZCBUF_MEMORY_DMABUF && memory != ZCBUF_MEMORY_USERPTR))
		return zc_fail_msg(ctx, EINVAL, "%s: probe needs a buffer and DMABUF or USERPTR "
				   "(not %s)", w.s, zcbuf_memory_name(memory));
	if (queue->count || queue->streaming)
		return zc_fail_msg(ctx, EBUSY, "%s: probing needs a queue without buffers", w.s);
	zcbuf_buffer_get_exporter(buf, &exporter);
	memset(&r, 0, sizeof(r));
	r.memory = memory;
	snprintf(r.exporter, sizeof(r.exporter), "%s", exporter);
	if (memory == ZCBUF_MEMORY_DMABUF && zc_buffer_is_ordinary(buf)) {
		/* nothing to try, whatever the format: on record, so that auto goes on */
		r.error = -EINVAL;
		snprintf(r.reason, sizeof(r.reason), ZC_NO_DMABUF);
		zc_probe_record(&queue->probes, &r);
		goto out;
	}
	ret = zcbuf_queue_check_buffer(queue, buf);
	if (ret)
		return ret;
	known = zc_probe_find(&queue->probes, exporter, memory);
	if (known) {
		r = *known;
		goto out;
	}
	/* a queue without USERPTR says so at REQBUFS 0, before any guard */
	if (memory == ZCBUF_MEMORY_USERPTR && zc_exporter_is_cma_heap(exporter) &&
	    zc_queue_reqbufs(queue, memory, 0) < 0) {
		r.tried = 1;
		r.error = zcbuf_last_errno(ctx);
		snprintf(r.reason, sizeof(r.reason), "%s", zcbuf_last_error(ctx));
	} else if (memory == ZCBUF_MEMORY_USERPTR && zc_exporter_is_cma_heap(exporter) &&
		   !kernel_imports_mappings(queue)) {
		r.error = -EDEADLK;
		snprintf(r.reason, sizeof(r.reason), "not tried: this kernel was not seen to import "
			 "mapped dma-bufs through USERPTR, and pinning the CMA heap's pages "
			 "instead loops for ever on Linux 6.1");
	} else {
		r.error = try_import(queue, buf, memory, &r);
	}
	if (!r.error && memory == ZCBUF_MEMORY_USERPTR && zc_exporter_needs_dmabuf_userptr(exporter))
		ctx->dmabuf_userptr = true;
	zc_probe_record(&queue->probes, &r);
out:
	if (result)
		*result = r;
	if (r.error && zc_buffer_is_ordinary(buf))
		return zc_fail_msg(ctx, -r.error, "%s: %s import of ordinary memory: %s", w.s,
				   zcbuf_memory_name(memory), r.reason);
	if (r.error)
		return zc_fail_msg(ctx, -r.error, "%s: %s import of a '%s' dma-buf: %s", w.s,
				   zcbuf_memory_name(memory), r.exporter, r.reason);
	return 0;
}

int zcbuf_queue_probe_at(const struct zcbuf_queue *queue, unsigned int index,
			 struct zcbuf_probe *result)
{
	if (!queue || !result)
		return -EINVAL;
	if (index >= queue->probes.n)
		return -ENOENT;
	*result = queue->probes.p[index];
	return 0;
}

/* The driver's buffers, exported and mapped, to copy frames through. */
static int setup_copying(struct zcbuf_queue *q, unsigned int count)
{
	unsigned int i;
	int n, ret;

	n = zc_queue_reqbufs(q, ZCBUF_MEMORY_MMAP, count);
	if (n < 0)
		return n;
	q->count = (unsigned int)n;
	q->memory = ZCBUF_MEMORY_MMAP;
	q->copying = true;
	zc_cache_init(&q->cache, (unsigned int)n);
	for (i = 0; i < (unsigned int)n; i++) {
		ret = zcbuf_queue_export(q, i, &q->mmap[i]);
		if (!ret)
			ret = zcbuf_buffer_map(q->mmap[i]);
		if (ret) {
			zc_prefix(q->dev->ctx, ret, "copying setup");
			return ret;
		}
	}
	return n;
}

int zcbuf_queue_setup(struct zcbuf_queue *queue, enum zcbuf_memory memory, unsigned int count,
		      struct zcbuf_buffer *sample, unsigned int flags)
{
	enum zcbuf_memory chosen = memory;
	struct zcbuf_ctx *ctx;
	const char *exporter = "";
	struct zc_what w;
	char why[600];
	int ret, n;

	if (!queue)
		return -EINVAL;
	ctx = queue->dev->ctx;
	w = zc_queue_what(queue);
	if (flags & ~ZCBUF_SETUP_ALLOW_COPY)
		return zc_fail_msg(ctx, EINVAL, "%s: unknown setup flags 0x%x", w.s, flags);
	if (!count || count > ZC_MAX_BUFFERS)
		return zc_fail_msg(ctx, EINVAL, "%s: %u buffers (1 to %d)", w.s, count,
				   ZC_MAX_BUFFERS);
	if (memory != ZCBUF_MEMORY_AUTO && memory != ZCBUF_MEMORY_MMAP &&
	    memory != ZCBUF_MEMORY_USERPTR && memory != ZCBUF_MEMORY_DMABUF)
		return zc_fail_msg(ctx, EINVAL, "%s: unknown memory type %d", w.s, (int)memory);
	if (memory == ZCBUF_MEMORY_AUTO && !sample)
		return zc_fail_msg(ctx, EINVAL, "%s: auto needs a sample buffer to probe with", w.s);
	/* not a refusal to copy around: this memory never is a dma-buf */
	if (memory == ZCBUF_MEMORY_DMABUF && sample && zc_buffer_is_ordinary(sample))
		return zc_fail_msg(ctx, EINVAL, "%s: dmabuf: " ZC_NO_DMABUF, w.s);
	if (queue->streaming)
		return zc_fail_msg(ctx, EBUSY, "%s: setup while streaming", w.s);
	ret = zcbuf_queue_release(queue);
	if (ret)
		return ret;
	queue->stats = (struct zcbuf_queue_stats){ 0 };

	/* MMAP with copies allowed: the caller asks for the copying queue itself */
	if (memory == ZCBUF_MEMORY_MMAP && (flags & ZCBUF_SETUP_ALLOW_COPY)) {
		n = setup_copying(queue, count);
		if (n < 0)
			zcbuf_queue_release(queue);
		return n;
	}
	if (sample && memory != ZCBUF_MEMORY_MMAP) {
		zcbuf_buffer_get_exporter(sample, &exporter);
		if (memory == ZCBUF_MEMORY_AUTO) {
			/* both, so that both results are on record */
			ret = zcbuf_queue_probe(queue, sample, ZCBUF_MEMORY_DMABUF, NULL);
			if (ret != -EINVAL || zc_probe_find(&queue->probes, exporter,
							    ZCBUF_MEMORY_DMABUF))
				ret = zcbuf_queue_probe(queue, sample, ZCBUF_MEMORY_USERPTR, NULL);
			if (ret && !zc_probe_find(&queue->probes, exporter, ZCBUF_MEMORY_USERPTR))
				return ret;	/* the sample does not fit: nothing was probed */
			zc_probe_choose(&queue->probes, exporter, &chosen);
		} else {
			ret = zcbuf_queue_probe(queue, sample, memory, NULL);
			if (ret && !zc_probe_find(&queue->probes, exporter, memory))
				return ret;
			if (ret)
				chosen = ZCBUF_MEMORY_MMAP;
		}
		if (chosen == ZCBUF_MEMORY_MMAP) {
			reasons(queue, exporter, why, sizeof(why));
			if (!(flags & ZCBUF_SETUP_ALLOW_COPY) && zc_buffer_is_ordinary(sample))
				return zc_fail_msg(ctx, EXDEV, "%s: no zero-copy path for ordinary "
						   "memory (%s) and copies are not allowed", w.s,
						   why);
			if (!(flags & ZCBUF_SETUP_ALLOW_COPY))
				return zc_fail_msg(ctx, EXDEV, "%s: no zero-copy path for '%s' "
						   "dma-bufs (%s) and copies are not allowed", w.s,
						   exporter, why);
			n = setup_copying(queue, count);
			if (n < 0)
				zcbuf_queue_release(queue);
			return n;
		}
	}
	n = zc_queue_reqbufs(queue, chosen, count);
	if (n < 0)
		return n;
	queue->count = (unsigned int)n;
	queue->memory = chosen;
	zc_cache_init(&queue->cache, (unsigned int)n);
	return n;
}

/* Copy @n lines of @bpl bytes from rows @sstride apart to rows @dstride apart. */
static void copy_rows(uint8_t *dst, uint32_t dstride, const uint8_t *src, uint32_t sstride,
		      uint64_t n, uint32_t bpl)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		memcpy(dst + i * dstride, src + i * sstride, bpl);
}

int zc_copy_frame(struct zcbuf_ctx *ctx, struct zcbuf_buffer *src, struct zcbuf_buffer *dst,
		  uint64_t *bytes)
{
	int np = zcbuf_buffer_num_planes(src), p, ret;

	if (np != zcbuf_buffer_num_planes(dst))
		return zc_fail_msg(ctx, EINVAL, "copy: %d planes into %d", np,
				   zcbuf_buffer_num_planes(dst));
	ret = zcbuf_buffer_map(src);
	if (!ret)
		ret = zcbuf_buffer_map(dst);
	if (!ret)
		ret = zcbuf_buffer_begin_cpu(src, ZCBUF_CPU_READ);
	if (ret)
		return zc_prefix(ctx, ret, "copy");
	ret = zcbuf_buffer_begin_cpu(dst, ZCBUF_CPU_WRITE);
	if (ret) {
		zcbuf_buffer_end_cpu(src);
		return zc_prefix(ctx, ret, "copy");
	}
	for (p = 0; p < np; p++) {
		struct zcbuf_plane sp, dp;
		void *s, *d;
		uint64_t len;

		zcbuf_buffer_get_plane(src, (unsigned int)p, &sp);
		zcbuf_buffer_get_plane(dst, (unsigned int)p, &dp);
		zcbuf_buffer_plane_data(src, (unsigned int)p, &s);
		zcbuf_buffer_plane_data(dst, (unsigned int)p, &d);
		len = sp.length < dp.length ? sp.length : dp.length;
		if (sp.stride == dp.stride || !sp.stride || !dp.stride) {
			memcpy(d, s, len);
			*bytes += len;
		} else {
			uint32_t bpl = sp.stride < dp.stride ? sp.stride : dp.stride;
			uint64_t rows = sp.length / sp.stride < dp.length / dp.stride ?
					sp.length / sp.stride : dp.length / dp.stride;

			copy_rows(d, dp.stride, s, sp.stride, rows, bpl);
			*bytes += rows * bpl;
		}
	}
	ret = zcbuf_buffer_end_cpu(dst);
	if (zcbuf_buffer_end_cpu(src) && !ret)
		ret = zcbuf_last_errno(ctx);
	return ret;
}
