// SPDX-License-Identifier: MIT
/*
 * Host tests of buffers of ordinary memory (zcbuf_buffer_wrap_memory):
 * what they are (no dma-buf, fd -1, exporter "memory"), CPU access to the
 * caller's own bytes without syncs, and that queues take them by USERPTR
 * only. Linked against the internals: the queues are made up (no device,
 * fd -1), so every refusal checked here comes before any ioctl.
 */
#include <errno.h>
#include <string.h>

#include <linux/videodev2.h>

#include "tap.h"
#include "v4l2.h"

#define NO_DMABUF "v4l2 /dev/made-up (video output queue): dmabuf: ordinary memory has no " \
		  "dma-buf: USERPTR only"

static _Alignas(4096) unsigned char mem[2][64 * 48 * 3 / 2];

static struct zcbuf_buffer *nv12_of(struct zcbuf_ctx *ctx, unsigned char *m)
{
	struct zcbuf_format nv12 = { V4L2_PIX_FMT_NV12, 64, 48 };
	struct zcbuf_plane pl[2] = {
		{ .fd = -1, .stride = 64, .offset = 0, .length = 64 * 48 },
		{ .fd = -1, .stride = 64, .offset = 64 * 48, .length = 64 * 24 },
	};
	struct zcbuf_buffer *buf = NULL;

	zcbuf_buffer_wrap_memory(ctx, &nv12, m, sizeof(mem[0]), pl, 2, &buf);
	return buf;
}

static void what_it_is(struct zcbuf_ctx *ctx)
{
	struct zcbuf_buffer *buf = nv12_of(ctx, mem[0]);
	struct zcbuf_plane pl = { .fd = 7 };
	const char *name = "x", *exp = NULL;
	int ret;

	if (!tap_result(buf != NULL, "wrap memory: NV12 64x48 in 4608 bytes%s%s", buf ? "" : ": ",
			buf ? "" : zcbuf_last_error(ctx)))
		return;
	tap_result(zcbuf_buffer_num_dmabufs(buf) == 0 && zcbuf_buffer_num_planes(buf) == 2,
		   "no dma-buf, two planes");
	tap_result(!zcbuf_buffer_get_plane(buf, 1, &pl) && pl.fd == -1 && pl.offset == 3072 &&
		   pl.stride == 64 && pl.length == 1536, "plane 1: fd -1, offset 3072 from the "
		   "address, as given");
	ret = zcbuf_buffer_get_exporter(buf, &exp);
	tap_result(!ret && !strcmp(exp, "memory"), "exporter: \"%s\"", exp);
	tap_result(zcbuf_buffer_get_name(buf, &name) == -ENODATA && !name, "no name");
	tap_result(zcbuf_buffer_set_name(buf, "zcbuf:x") == -EINVAL &&
		   !strcmp(zcbuf_last_error(ctx), "buffer: ordinary memory has no dma-buf to name"),
		   "set_name: -EINVAL, \"%s\"", zcbuf_last_error(ctx));
	zcbuf_buffer_free(buf);
}

static void cpu_access(struct zcbuf_ctx *ctx)
{
	struct zcbuf_buffer *buf = nv12_of(ctx, mem[0]);
	void *y = NULL, *uv = NULL;
	uint64_t sum = 0;
	int ret;

	if (!buf)
		return;
	tap_result(zcbuf_buffer_plane_data(buf, 0, &y) == -EINVAL, "plane data before map: -EINVAL");
	tap_result(!zcbuf_buffer_map(buf) && !zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ |
								     ZCBUF_CPU_WRITE),
		   "map, begin READ|WRITE: no fd, no sync, no error");
	tap_result(!zcbuf_buffer_plane_data(buf, 0, &y) && !zcbuf_buffer_plane_data(buf, 1, &uv) &&
		   y == (void *)mem[0] && uv == (void *)(mem[0] + 3072),
		   "plane data: the caller's address, and address + 3072 for CbCr");
	memset(uv, 0x80, 1536);
	tap_result(!zcbuf_buffer_end_cpu(buf) && zcbuf_buffer_end_cpu(buf) == -EINVAL,
		   "end: 0, then -EINVAL (none open)");
	ret = zcbuf_buffer_checksum(buf, &sum);
	tap_result(!ret && sum != 0, "checksum through the CPU access: 0x%016llx",
		   (unsigned long long)sum);
	tap_result(!zcbuf_buffer_unmap(buf) && !zcbuf_buffer_map(buf) &&
		   !zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ) &&
		   !zcbuf_buffer_plane_data(buf, 0, &y) && y == (void *)mem[0] &&
		   !zcbuf_buffer_end_cpu(buf), "unmap and map again: the same address");
	zcbuf_buffer_free(buf);
	tap_result(mem[0][3072] == 0x80 && mem[0][4607] == 0x80,
		   "free leaves the caller's memory mapped, with what was written");
}

/* A queue of a device that is not there: everything before an ioctl works. */
static void made_up_queue(struct zcbuf_device *dev, struct zcbuf_ctx *ctx)
{
	memset(dev, 0, sizeof(*dev));
	dev->ctx = ctx;
	dev->fd = -1;
	snprintf(dev->info.path, sizeof(dev->info.path), "/dev/made-up");
	dev->queue[ZCBUF_OUTPUT].dev = dev;
	dev->queue[ZCBUF_OUTPUT].type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
}

static void queues(struct zcbuf_ctx *ctx)
{
	struct zcbuf_buffer *a = nv12_of(ctx, mem[0]), *b = nv12_of(ctx, mem[1]);
	struct zcbuf_device dev;
	struct zcbuf_queue *q = &dev.queue[ZCBUF_OUTPUT];
	struct zcbuf_probe r;
	enum zcbuf_memory m = ZCBUF_MEMORY_AUTO;
	int ret;

	if (!a || !b)
		goto out;
	made_up_queue(&dev, ctx);
	q->memory = ZCBUF_MEMORY_DMABUF;
	q->count = 2;
	zc_cache_init(&q->cache, 2);
	ret = zcbuf_queue_put(q, a, 0);
	tap_result(ret == -EINVAL && !strcmp(zcbuf_last_error(ctx), NO_DMABUF) &&
		   !q->cache.misses, "put on a DMABUF queue: %d, \"%s\"", ret,
		   zcbuf_last_error(ctx));
	ret = zcbuf_queue_setup(q, ZCBUF_MEMORY_DMABUF, 2, a, ZCBUF_SETUP_ALLOW_COPY);
	tap_result(ret == -EINVAL && !strcmp(zcbuf_last_error(ctx), NO_DMABUF) && q->count == 2,
		   "setup DMABUF with a memory sample, copies allowed: %d, nothing changed", ret);

	q->count = 0;
	q->memory = ZCBUF_MEMORY_AUTO;
	ret = zcbuf_queue_probe(q, a, ZCBUF_MEMORY_DMABUF, &r);
	tap_result(ret == -EINVAL && r.error == -EINVAL && !r.tried &&
		   !strcmp(r.exporter, "memory") &&
		   !strcmp(r.reason, "ordinary memory has no dma-buf: USERPTR only") &&
		   strstr(zcbuf_last_error(ctx), "dmabuf import of ordinary memory: ordinary memory "
			  "has no dma-buf"), "probe DMABUF: %d, not tried, \"%s\"", ret,
		   zcbuf_last_error(ctx));
	tap_result(!zcbuf_queue_probe_at(q, 0, &r) && r.memory == ZCBUF_MEMORY_DMABUF &&
		   zcbuf_queue_probe_at(q, 1, &r) == -ENOENT, "probe DMABUF: on record");
	r = (struct zcbuf_probe){ .memory = ZCBUF_MEMORY_USERPTR, .exporter = "memory",
				  .tried = 1 };
	zc_probe_record(&q->probes, &r);
	tap_result(!zc_probe_choose(&q->probes, "memory", &m) && m == ZCBUF_MEMORY_USERPTR,
		   "auto: DMABUF refused on sight, USERPTR imports: USERPTR");
	tap_result(!zc_exporter_needs_dmabuf_userptr("memory"),
		   "pinning ordinary memory proves nothing about dma-buf USERPTR import");

	/* USERPTR: the index comes from the cache before QBUF (which fails: no device) */
	q->memory = ZCBUF_MEMORY_USERPTR;
	q->count = 2;
	zc_cache_init(&q->cache, 2);
	zcbuf_queue_put(q, a, 0);
	zcbuf_queue_put(q, a, 0);
	zcbuf_queue_put(q, b, 0);
	tap_result(q->cache.misses == 2 && q->cache.hits == 1 && q->cache.e[0].key.n == 0 &&
		   q->cache.e[0].key.addr == (uintptr_t)mem[0] &&
		   q->cache.e[0].key.len == sizeof(mem[0]) &&
		   q->cache.e[1].key.addr == (uintptr_t)mem[1],
		   "USERPTR puts: keyed by address and length, the same memory hits (%llu hits, "
		   "%llu misses)", (unsigned long long)q->cache.hits,
		   (unsigned long long)q->cache.misses);
out:
	zcbuf_buffer_free(a);
	zcbuf_buffer_free(b);
}

static void cache_keys(void)
{
	struct zc_cache c;
	struct zc_cache_key k = { .addr = 0x10000, .len = 4608 }, shorter = k, dmabuf = { .n = 1 };

	shorter.len = 4096;
	zc_cache_init(&c, 4);
	zc_cache_get(&c, &k);
	zc_cache_put(&c, 0);
	tap_result(zc_cache_get(&c, &k) == 0 && c.hits == 1, "cache: the same range hits");
	tap_result(zc_cache_get(&c, &shorter) == 1 && c.misses == 2,
		   "cache: the same address, another length: another index (vb2 pins anew)");
	tap_result(zc_cache_get(&c, &dmabuf) == 2 && c.misses == 3,
		   "cache: a dma-buf key is never a memory range");
}

int main(void)
{
	struct zcbuf_ctx *ctx;

	zcbuf_ctx_new(&ctx);
	what_it_is(ctx);
	cpu_access(ctx);
	queues(ctx);
	cache_keys();
	zcbuf_ctx_free(ctx);
	return tap_done();
}
