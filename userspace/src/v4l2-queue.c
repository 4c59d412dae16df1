// SPDX-License-Identifier: MIT
/*
 * A queue's buffers: REQBUFS, QBUF by DMABUF, USERPTR or MMAP (with the
 * dma-buf -> index cache), DQBUF, streaming, counters.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include <linux/videodev2.h>

#include "v4l2.h"

static const char *const memory_names[] = {
	[ZCBUF_MEMORY_AUTO] = "auto",
	[ZCBUF_MEMORY_MMAP] = "mmap",
	[ZCBUF_MEMORY_USERPTR] = "userptr",
	[ZCBUF_MEMORY_DMABUF] = "dmabuf",
};

const char *zcbuf_memory_name(enum zcbuf_memory memory)
{
	if ((unsigned int)memory < ZC_ARRAY_SIZE(memory_names) && memory_names[memory])
		return memory_names[memory];
	return "unknown";
}

int zcbuf_memory_parse(const char *str, enum zcbuf_memory *memory)
{
	unsigned int i;

	if (!str || !memory)
		return -EINVAL;
	for (i = 0; i < ZC_ARRAY_SIZE(memory_names); i++) {
		if (memory_names[i] && !strcmp(str, memory_names[i])) {
			*memory = (enum zcbuf_memory)i;
			return 0;
		}
	}
	return -EINVAL;
}

int zc_queue_reqbufs(struct zcbuf_queue *q, enum zcbuf_memory memory, unsigned int count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = q->type, .memory = memory,
	};

	if (zc_xioctl(q->dev->fd, VIDIOC_REQBUFS, &req))
		return zc_fail(q->dev->ctx, errno, "%s: VIDIOC_REQBUFS %u %s", zc_queue_what(q).s,
			       count, zcbuf_memory_name(memory));
	if (count && !req.count)
		return zc_fail_msg(q->dev->ctx, ENOMEM, "%s: VIDIOC_REQBUFS %u %s gave no buffer",
				   zc_queue_what(q).s, count, zcbuf_memory_name(memory));
	return (int)req.count;
}

int zc_queue_qbuf(struct zcbuf_queue *q, unsigned int index, enum zcbuf_memory memory,
		  struct zcbuf_buffer *buf, uint32_t bytesused)
{
	struct zcbuf_ctx *ctx = q->dev->ctx;
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	bool mplane = zc_type_is_mplane(q->type), out = V4L2_TYPE_IS_OUTPUT(q->type);
	struct zc_fit_buffer fb;
	struct zc_dev_format df;
	struct v4l2_buffer vb;
	struct zc_fit fit;
	struct zc_what w = zc_queue_what(q);
	unsigned int m;
	int ret;

	memset(&vb, 0, sizeof(vb));
	memset(planes, 0, sizeof(planes));
	vb.type = q->type;
	vb.memory = memory;
	vb.index = index;
	ret = zc_get_format(ctx, q->dev->fd, q->type, &df);
	if (ret)
		return ret;
	fit.num_mem = df.num_mem;
	if (buf) {
		zc_fit_buffer_of(buf, &fb);
		ret = zc_fit_check(ctx, w.s, &df, &fb, &fit);
		if (ret)
			return ret;
		if (memory == ZCBUF_MEMORY_USERPTR && zcbuf_buffer_map(buf))
			return zc_prefix(ctx, zcbuf_last_errno(ctx), w.s);
	}
	for (m = 0; m < df.num_mem; m++) {
		struct v4l2_plane *vp = &planes[m];
		uint64_t off = buf ? fit.data_offset[m] : 0;
		struct zc_mem_info mi = { .fd = -1 };

		if (buf)
			zc_buffer_mem(buf, fit.mem[m], &mi);
		/* vb2 takes data_offset only from output buffers, and single-planar has none */
		if (memory == ZCBUF_MEMORY_DMABUF && off && (!mplane || !out))
			return zc_fail_msg(ctx, EINVAL, "%s: offset: memory plane %u starts %llu bytes "
					   "into its dma-buf; DMABUF takes a data_offset only on "
					   "multi-planar output queues", w.s, m,
					   (unsigned long long)off);
		if (memory == ZCBUF_MEMORY_DMABUF) {
			vp->m.fd = mi.fd;
			vp->length = (uint32_t)mi.size;
			vp->data_offset = (uint32_t)off;
		} else if (memory == ZCBUF_MEMORY_USERPTR) {
			vp->m.userptr = (unsigned long)((char *)mi.map + off);
			vp->length = (uint32_t)(mi.end - off);
		}
		/* the payload counts from the start of the plane, data_offset included */
		vp->bytesused = (uint32_t)off + (bytesused ? bytesused : df.sizeimage[m]);
	}
	if (mplane) {
		vb.m.planes = planes;
		vb.length = df.num_mem;
	} else {
		vb.bytesused = planes[0].bytesused;
		vb.length = planes[0].length;
		if (memory == ZCBUF_MEMORY_DMABUF)
			vb.m.fd = planes[0].m.fd;
		else if (memory == ZCBUF_MEMORY_USERPTR)
			vb.m.userptr = planes[0].m.userptr;
	}
	if (!out)
		vb.bytesused = 0;
	if (zc_xioctl(q->dev->fd, VIDIOC_QBUF, &vb))
		return zc_fail(ctx, errno, "%s: VIDIOC_QBUF %s index %u", w.s,
			       zcbuf_memory_name(memory), index);
	q->stats.queued++;
	return 0;
}

static void free_mmap(struct zcbuf_queue *q)
{
	unsigned int i;

	for (i = 0; i < ZC_MAX_BUFFERS; i++) {
		zcbuf_buffer_free(q->mmap[i]);
		q->mmap[i] = NULL;
	}
}

int zcbuf_queue_release(struct zcbuf_queue *queue)
{
	int ret = 0;

	if (!queue)
		return -EINVAL;
	if (queue->streaming)
		ret = zcbuf_queue_stop(queue);
	free_mmap(queue);
	zc_userptr_forget(queue);
	if (queue->count) {
		int r = zc_queue_reqbufs(queue, queue->memory, 0);

		if (r < 0 && !ret)
			ret = r;
	}
	queue->count = 0;
	queue->memory = ZCBUF_MEMORY_AUTO;
	queue->copying = false;
	memset(queue->slot, 0, sizeof(queue->slot));
	zc_cache_init(&queue->cache, 0);
	return ret;
}

int zcbuf_queue_start(struct zcbuf_queue *queue)
{
	int type;

	if (!queue)
		return -EINVAL;
	type = (int)queue->type;
	if (zc_xioctl(queue->dev->fd, VIDIOC_STREAMON, &type))
		return zc_fail(queue->dev->ctx, errno, "%s: VIDIOC_STREAMON",
			       zc_queue_what(queue).s);
	queue->streaming = true;
	return 0;
}

int zcbuf_queue_stop(struct zcbuf_queue *queue)
{
	int type;
	unsigned int i;

	if (!queue)
		return -EINVAL;
	type = (int)queue->type;
	queue->streaming = false;
	/* STREAMOFF returns every buffer, whether or not the ioctl works (a gone device) */
	for (i = 0; i < queue->cache.n; i++)
		zc_cache_put(&queue->cache, i);
	memset(queue->slot, 0, sizeof(queue->slot));
	if (zc_xioctl(queue->dev->fd, VIDIOC_STREAMOFF, &type))
		return zc_fail(queue->dev->ctx, errno, "%s: VIDIOC_STREAMOFF",
			       zc_queue_what(queue).s);
	return 0;
}

int zcbuf_queue_get_memory(const struct zcbuf_queue *queue, enum zcbuf_memory *memory,
			   int *copying)
{
	if (!queue || !memory)
		return -EINVAL;
	*memory = queue->memory;
	if (copying)
		*copying = queue->copying;
	return 0;
}

int zcbuf_queue_get_stats(const struct zcbuf_queue *queue, struct zcbuf_queue_stats *stats)
{
	if (!queue || !stats)
		return -EINVAL;
	*stats = queue->stats;
	stats->cache_hits = queue->cache.hits;
	stats->cache_misses = queue->cache.misses;
	return 0;
}

static void key_of(const struct zcbuf_buffer *buf, struct zc_cache_key *key)
{
	unsigned int m;

	memset(key, 0, sizeof(*key));
	if (zc_buffer_is_ordinary(buf)) {
		struct zc_mem_info mi;

		zc_buffer_mem(buf, 0, &mi);
		key->addr = (uint64_t)(uintptr_t)mi.map;
		key->len = mi.end;
		return;
	}
	key->n = (unsigned int)zcbuf_buffer_num_dmabufs(buf);
	for (m = 0; m < key->n; m++) {
		struct zc_mem_info mi;

		zc_buffer_mem(buf, m, &mi);
		key->id[m] = mi.id;
	}
}

int zcbuf_queue_put(struct zcbuf_queue *queue, struct zcbuf_buffer *buf, uint32_t bytesused)
{
	struct zcbuf_ctx *ctx;
	struct zc_cache_key key;
	struct zc_what w;
	int index, ret;

	if (!queue)
		return -EINVAL;
	ctx = queue->dev->ctx;
	w = zc_queue_what(queue);
	if (!buf)
		return zc_fail_msg(ctx, EINVAL, "%s: no buffer (NULL)", w.s);
	if (!queue->count)
		return zc_fail_msg(ctx, EINVAL, "%s: no buffers set up (zcbuf_queue_setup)", w.s);
	if (queue->memory == ZCBUF_MEMORY_MMAP && !queue->copying)
		return zc_fail_msg(ctx, EXDEV, "%s: an MMAP queue takes its own buffers "
				   "(zcbuf_queue_put_index); putting another one means a copy, "
				   "which this setup does not allow", w.s);
	if (queue->memory == ZCBUF_MEMORY_DMABUF && zc_buffer_is_ordinary(buf))
		return zc_fail_msg(ctx, EINVAL, "%s: dmabuf: " ZC_NO_DMABUF, w.s);
	if (zc_buffer_cpu_open(buf))
		return zc_fail_msg(ctx, EBUSY, "%s: the buffer has a CPU access open "
				   "(zcbuf_buffer_end_cpu first)", w.s);
	key_of(buf, &key);
	index = zc_cache_get(&queue->cache, &key);
	if (index == -EEXIST)
		return zc_fail_msg(ctx, EBUSY, "%s: this buffer's %s queued already", w.s,
				   zc_buffer_is_ordinary(buf) ? "memory is" : "dma-bufs are");
	if (index < 0)
		return zc_fail_msg(ctx, EBUSY, "%s: all %u buffers are queued", w.s,
				   queue->cache.n);
	if (queue->copying) {
		uint64_t bytes = 0;

		ret = 0;
		if (V4L2_TYPE_IS_OUTPUT(queue->type)) {
			ret = zc_copy_frame(ctx, buf, queue->mmap[index], &bytes);
			if (!ret) {
				queue->stats.copied_frames++;
				queue->stats.copied_bytes += bytes;
			}
		}
		if (!ret)
			ret = zc_queue_qbuf(queue, (unsigned int)index, ZCBUF_MEMORY_MMAP, NULL,
					    bytesused);
	} else {
		struct zcbuf_buffer *queued = buf;

		ret = 0;
		if (queue->memory == ZCBUF_MEMORY_USERPTR && !zc_buffer_is_ordinary(buf))
			ret = zc_userptr_keep(queue, (unsigned int)index, buf, &queued);
		if (!ret)
			ret = zc_queue_qbuf(queue, (unsigned int)index, queue->memory, queued,
					    bytesused);
	}
	if (ret) {
		zc_cache_put(&queue->cache, (unsigned int)index);
		return ret;
	}
	queue->slot[index] = buf;
	return index;
}

int zcbuf_queue_put_index(struct zcbuf_queue *queue, unsigned int index, uint32_t bytesused)
{
	struct zc_what w;
	int ret;

	if (!queue)
		return -EINVAL;
	w = zc_queue_what(queue);
	if (queue->memory != ZCBUF_MEMORY_MMAP || queue->copying)
		return zc_fail_msg(queue->dev->ctx, EINVAL, "%s: queuing by index needs a queue "
				   "set up for MMAP", w.s);
	ret = zc_cache_take(&queue->cache, index);
	if (ret)
		return zc_fail_msg(queue->dev->ctx, -ret, "%s: index %u is %s", w.s, index,
				   ret == -EBUSY ? "queued already" : "past the queue's buffers");
	ret = zc_queue_qbuf(queue, index, ZCBUF_MEMORY_MMAP, NULL, bytesused);
	if (ret) {
		zc_cache_put(&queue->cache, index);
		return ret;
	}
	queue->slot[index] = NULL;
	return (int)index;
}

int zcbuf_queue_export(struct zcbuf_queue *queue, unsigned int index, struct zcbuf_buffer **buf)
{
	if (!queue)
		return -EINVAL;
	return zcbuf_v4l2_export(queue->dev->ctx, queue->dev->fd, queue->type, index, buf);
}

int zcbuf_queue_get(struct zcbuf_queue *queue, int timeout_ms, struct zcbuf_frame *frame)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct zcbuf_ctx *ctx;
	struct v4l2_buffer vb;
	struct pollfd pfd;
	struct zc_what w;
	unsigned int m;
	int ret;

	if (!queue)
		return -EINVAL;
	ctx = queue->dev->ctx;
	w = zc_queue_what(queue);
	if (!frame)
		return zc_fail_msg(ctx, EINVAL, "%s: no result (NULL)", w.s);
	pfd = (struct pollfd){ .fd = queue->dev->fd,
			       .events = V4L2_TYPE_IS_OUTPUT(queue->type) ? POLLOUT : POLLIN };
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return zc_fail(ctx, errno, "%s: poll", w.s);
	if (!ret)
		return zc_fail_msg(ctx, ETIMEDOUT, "%s: no buffer came back within %d ms", w.s,
				   timeout_ms);
	memset(&vb, 0, sizeof(vb));
	memset(planes, 0, sizeof(planes));
	vb.type = queue->type;
	vb.memory = queue->copying ? ZCBUF_MEMORY_MMAP : queue->memory;
	if (zc_type_is_mplane(queue->type)) {
		vb.m.planes = planes;
		vb.length = VIDEO_MAX_PLANES;
	}
	if (zc_xioctl(queue->dev->fd, VIDIOC_DQBUF, &vb))
		return zc_fail(ctx, errno, "%s: VIDIOC_DQBUF", w.s);
	queue->stats.dequeued++;
	memset(frame, 0, sizeof(*frame));
	frame->index = vb.index;
	frame->sequence = vb.sequence;
	frame->flags = vb.flags;
	frame->timestamp_ns = (uint64_t)vb.timestamp.tv_sec * 1000000000ull +
			      (uint64_t)vb.timestamp.tv_usec * 1000ull;
	if (zc_type_is_mplane(queue->type)) {
		frame->num_mem_planes = vb.length < ZCBUF_MAX_PLANES ? vb.length : ZCBUF_MAX_PLANES;
		for (m = 0; m < frame->num_mem_planes; m++) {
			frame->bytesused[m] = planes[m].bytesused;
			frame->data_offset[m] = planes[m].data_offset;
		}
	} else {
		frame->num_mem_planes = 1;
		frame->bytesused[0] = vb.bytesused;
	}
	if (vb.index < ZC_MAX_BUFFERS) {
		frame->buf = queue->slot[vb.index];
		queue->slot[vb.index] = NULL;
		zc_cache_put(&queue->cache, vb.index);
	}
	if (vb.flags & V4L2_BUF_FLAG_ERROR)
		return zc_fail_msg(ctx, EIO, "%s: buffer %u came back with V4L2_BUF_FLAG_ERROR",
				   w.s, vb.index);
	if (queue->copying && frame->buf && !V4L2_TYPE_IS_OUTPUT(queue->type)) {
		uint64_t bytes = 0;

		ret = zc_copy_frame(ctx, queue->mmap[vb.index], frame->buf, &bytes);
		if (ret)
			return ret;
		queue->stats.copied_frames++;
		queue->stats.copied_bytes += bytes;
	}
	return 0;
}
