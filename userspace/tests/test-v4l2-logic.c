// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the V4L2 side's pure logic, linked against the
 * library's internals: the dma-buf -> index cache, the probe table and
 * what auto takes from it, and the check that a buffer fits a queue's
 * format (strides, offsets, sizes, planes).
 */
#include <errno.h>
#include <string.h>

#include <linux/videodev2.h>

#include "tap.h"
#include "pipeline.h"

static struct zc_cache_key key(uint64_t ino)
{
	return (struct zc_cache_key){ .n = 1, .id = { { 7, ino } } };
}

static void cache(void)
{
	struct zc_cache c;
	struct zc_cache_key a = key(1), b = key(2), d = key(3), two = key(1);
	int ia, ib, id;

	two.n = 2;
	two.id[1] = (struct zc_dmabuf_id){ 7, 9 };
	zc_cache_init(&c, 2);
	ia = zc_cache_get(&c, &a);
	ib = zc_cache_get(&c, &b);
	tap_result(ia == 0 && ib == 1 && c.misses == 2 && c.hits == 0,
		   "cache: two new buffers take indexes 0 and 1, two misses (%d, %d)", ia, ib);
	tap_result(zc_cache_get(&c, &d) == -EBUSY, "cache: a third while both are queued: -EBUSY");
	tap_result(zc_cache_get(&c, &a) == -EEXIST, "cache: the same dma-bufs twice: -EEXIST");
	zc_cache_put(&c, (unsigned int)ib);
	zc_cache_put(&c, (unsigned int)ia);
	tap_result(zc_cache_get(&c, &b) == ib && zc_cache_get(&c, &a) == ia && c.hits == 2 &&
		   c.misses == 2, "cache: requeued in the other order, each keeps its index (hits)");
	tap_result(zc_cache_put(&c, 5) == -EINVAL && zc_cache_put(&c, 0) == 0 &&
		   zc_cache_put(&c, 0) == -EINVAL, "cache: putting back a free or unknown index: -EINVAL");
	zc_cache_put(&c, 1);
	/* a buffer with a second dma-buf is another identity */
	id = zc_cache_get(&c, &two);
	/* b took index 1 before a took index 0: index 1 was used longest ago */
	tap_result(id == 1 && c.misses == 3, "cache: a key with one more dma-buf misses, evicts "
		   "the index used longest ago (%d)", id);
	zc_cache_put(&c, (unsigned int)id);
	tap_result(zc_cache_get(&c, &a) == 0 && c.hits == 3, "cache: a still has its index 0");
	tap_result(zc_cache_get(&c, &b) == 1 && c.misses == 4, "cache: b lost index 1: a miss");
	zc_cache_init(&c, 64);
	tap_result(c.n == ZC_MAX_BUFFERS, "cache: at most %d indexes", ZC_MAX_BUFFERS);
	tap_result(zc_cache_take(&c, 3) == 0 && zc_cache_take(&c, 3) == -EBUSY &&
		   zc_cache_take(&c, 40) == -EINVAL && zc_cache_get(&c, &a) == 0,
		   "cache: MMAP indexes taken by number; a keyed get skips them");
}

static struct zcbuf_probe probe(const char *exp, enum zcbuf_memory m, int err)
{
	struct zcbuf_probe p = { .memory = m, .error = err, .tried = 1 };

	snprintf(p.exporter, sizeof(p.exporter), "%s", exp);
	return p;
}

static void probes(void)
{
	struct zc_probe_table t = { 0 };
	struct zcbuf_probe p;
	enum zcbuf_memory m = ZCBUF_MEMORY_AUTO;
	unsigned int i;

	tap_result(zc_probe_choose(&t, "system", &m) == -ENOENT, "probes: nothing on record: -ENOENT");
	p = probe("system", ZCBUF_MEMORY_DMABUF, -EFAULT);
	zc_probe_record(&t, &p);
	tap_result(zc_probe_choose(&t, "system", &m) == -ENOENT,
		   "probes: DMABUF refused, USERPTR not on record: -ENOENT");
	p = probe("system", ZCBUF_MEMORY_USERPTR, 0);
	zc_probe_record(&t, &p);
	tap_result(!zc_probe_choose(&t, "system", &m) && m == ZCBUF_MEMORY_USERPTR,
		   "probes: DMABUF refused, USERPTR imports: auto takes USERPTR");
	p = probe("system", ZCBUF_MEMORY_DMABUF, 0);
	zc_probe_record(&t, &p);
	tap_result(t.n == 2 && !zc_probe_choose(&t, "system", &m) && m == ZCBUF_MEMORY_DMABUF,
		   "probes: a new result replaces the old one; DMABUF first");
	p = probe("udmabuf", ZCBUF_MEMORY_DMABUF, -EFAULT);
	zc_probe_record(&t, &p);
	p = probe("udmabuf", ZCBUF_MEMORY_USERPTR, -EFAULT);
	zc_probe_record(&t, &p);
	tap_result(!zc_probe_choose(&t, "udmabuf", &m) && m == ZCBUF_MEMORY_MMAP,
		   "probes: both refused: MMAP (a copy)");
	tap_result(zc_probe_find(&t, "udmabuf", ZCBUF_MEMORY_USERPTR)->error == -EFAULT &&
		   !zc_probe_find(&t, "vgem", ZCBUF_MEMORY_DMABUF),
		   "probes: kept per exporter and memory type");
	for (i = 0; i < ZC_MAX_PROBES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "x%u", i);
		p = probe(name, ZCBUF_MEMORY_DMABUF, 0);
		zc_probe_record(&t, &p);
	}
	tap_result(t.n == ZC_MAX_PROBES && !zc_probe_find(&t, "system", ZCBUF_MEMORY_USERPTR) &&
		   zc_probe_find(&t, "x15", ZCBUF_MEMORY_DMABUF),
		   "probes: full, the oldest result goes first");
	tap_result(!zc_exporter_needs_dmabuf_userptr("udmabuf") &&
		   !zc_exporter_needs_dmabuf_userptr("videobuf2_vmalloc") &&
		   !zc_exporter_needs_dmabuf_userptr("") &&
		   zc_exporter_needs_dmabuf_userptr("system") &&
		   zc_exporter_needs_dmabuf_userptr("vgem"),
		   "probes: pinnable exporters prove nothing about dma-buf USERPTR import");
}

static struct zc_dev_format devfmt(uint32_t fourcc, uint32_t w, uint32_t h, uint32_t bpl,
				   uint32_t size)
{
	return (struct zc_dev_format){ .fmt = { fourcc, w, h }, .num_mem = 1, .bpl = { bpl },
				       .sizeimage = { size }, .total = size };
}

static void fit(void)
{
	struct zcbuf_ctx *ctx;
	struct zc_dev_format nv12 = devfmt(V4L2_PIX_FMT_NV12, 64, 32, 64, 64 * 48);
	struct zc_dev_format nv12m = {
		.fmt = { V4L2_PIX_FMT_NV12M, 64, 32 }, .num_mem = 2, .bpl = { 64, 64 },
		.sizeimage = { 64 * 32, 64 * 16 },
	};
	struct zc_fit_buffer b = {
		.fmt = nv12.fmt, .num_planes = 2, .num_mem = 1,
		.plane = { { 0, 64, 0, 64 * 32 }, { 0, 64, 64 * 32, 64 * 16 } },
		.mem_size = { 4096 },
	};
	struct zc_fit_buffer m = {
		.fmt = nv12m.fmt, .num_planes = 2, .num_mem = 2,
		.plane = { { 0, 64, 256, 64 * 32 }, { 1, 64, 0, 64 * 16 } },
		.mem_size = { 4096, 1024 },
	};
	struct zc_fit f;
	struct zc_fit_buffer x;
	uint32_t strides[ZCBUF_MAX_PLANES];

	zcbuf_ctx_new(&ctx);
	tap_result(!zc_fit_check(ctx, "q", &nv12, &b, &f) && f.num_mem == 1 && f.mem[0] == 0 &&
		   f.data_offset[0] == 0, "fit: NV12 in one dma-buf fits an NV12 queue");
	x = b;
	x.plane[1].offset += 64;
	tap_result(zc_fit_check(ctx, "q", &nv12, &x, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "offset of plane 1 is 2112, V4L2 puts it at 2048"),
		   "fit: a gap before CbCr: %s", zcbuf_last_error(ctx));
	x = b;
	x.plane[0].stride = x.plane[1].stride = 128;
	tap_result(zc_fit_check(ctx, "q", &nv12, &x, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "stride of plane 0 is 128, the driver wants 64"),
		   "fit: another stride: %s", zcbuf_last_error(ctx));
	tap_result(zc_fit_strides(&x, strides) == 1 && strides[0] == 128,
		   "fit: NV12's one V4L2 plane takes plane 0's stride for renegotiation");
	x = b;
	x.mem_size[0] = 3000;
	tap_result(zc_fit_check(ctx, "q", &nv12, &x, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "buffer too small: memory plane 0 has 3000 bytes "
			  "from offset 0, the driver's sizeimage is 3072"),
		   "fit: too small: %s", zcbuf_last_error(ctx));
	x = b;
	x.fmt.width = 32;
	tap_result(zc_fit_check(ctx, "q", &nv12, &x, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "format: the buffer is 32x32 NV12, the queue 64x32"),
		   "fit: another size: %s", zcbuf_last_error(ctx));
	tap_result(!zc_fit_check(ctx, "q", &nv12m, &m, &f) && f.num_mem == 2 && f.mem[0] == 0 &&
		   f.data_offset[0] == 256 && f.mem[1] == 1 && f.data_offset[1] == 0,
		   "fit: NV12M in two dma-bufs: data_offset 256 in the first");
	tap_result(zc_fit_strides(&m, strides) == 2 && strides[0] == 64 && strides[1] == 64,
		   "fit: NV12M: one stride per V4L2 plane");
	tap_result(zc_fit_check(ctx, "q", &nv12m, &b, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "format"), "fit: NV12 on an NV12M queue: %s",
		   zcbuf_last_error(ctx));
	x = m;
	x.mem_size[0] = 256 + 2000;
	tap_result(zc_fit_check(ctx, "q", &nv12m, &x, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "has 2000 bytes from offset 256"),
		   "fit: the offset counts against the size: %s", zcbuf_last_error(ctx));
	x = (struct zc_fit_buffer){ .num_planes = 1, .num_mem = 1,
				    .plane = { { 0, 0, 0, 3072 } }, .mem_size = { 3072 } };
	tap_result(!zc_fit_check(ctx, "q", &nv12, &x, &f), "fit: raw bytes of sizeimage fit");
	x.mem_size[0] = x.plane[0].length = 3071;
	tap_result(zc_fit_check(ctx, "q", &nv12, &x, &f) == -EINVAL, "fit: raw bytes one short do not");
	tap_result(zc_fit_check(ctx, "q", &nv12m, &x, &f) == -EINVAL &&
		   strstr(zcbuf_last_error(ctx), "planes"), "fit: one raw plane for two: %s",
		   zcbuf_last_error(ctx));
	zcbuf_ctx_free(ctx);
}

static void names(void)
{
	enum zcbuf_memory m = ZCBUF_MEMORY_MMAP;
	static const char *const all[] = { "auto", "mmap", "userptr", "dmabuf" };
	unsigned int i;
	bool ok = true;

	for (i = 0; i < 4; i++)
		ok &= !zcbuf_memory_parse(all[i], &m) && !strcmp(zcbuf_memory_name(m), all[i]);
	tap_result(ok && m == ZCBUF_MEMORY_DMABUF && V4L2_MEMORY_DMABUF == 4 &&
		   (int)ZCBUF_MEMORY_USERPTR == (int)V4L2_MEMORY_USERPTR, "memory names both ways, V4L2's values");
	tap_result(zcbuf_memory_parse("DMABUF", &m) == -EINVAL && zcbuf_memory_parse(NULL, &m) ==
		   -EINVAL && !strcmp(zcbuf_memory_name((enum zcbuf_memory)3), "unknown"),
		   "memory names: case-sensitive, unknown values named so");
}

/* The pipeline's totals: copies summed over the stages, frames per second of streaming time. */
static void pipeline_totals(void)
{
	struct zcbuf_pipeline_stats s = { .frames = 300, .elapsed_ns = 12000000000ull };

	s.stage[ZCBUF_STAGE_CAPTURE].queue.copied_frames = 0;
	s.stage[ZCBUF_STAGE_M2M_OUTPUT].queue = (struct zcbuf_queue_stats){
		.copied_frames = 302, .copied_bytes = 302ull * 172800 };
	s.stage[ZCBUF_STAGE_M2M_CAPTURE].queue = (struct zcbuf_queue_stats){
		.copied_frames = 300, .copied_bytes = 300ull * 172800 };
	s.copied_frames = 99;	/* stale: recomputed */
	zc_pipeline_totals(&s);
	tap_result(s.copied_frames == 602 && s.copied_bytes == 602ull * 172800 && s.fps == 25.0,
		   "pipeline totals: 602 frames and %llu bytes copied, 25 fps (%llu, %llu, %g)",
		   602ull * 172800, (unsigned long long)s.copied_frames,
		   (unsigned long long)s.copied_bytes, s.fps);
	s = (struct zcbuf_pipeline_stats){ .frames = 0, .elapsed_ns = 0, .fps = 3 };
	zc_pipeline_totals(&s);
	tap_result(s.fps == 0 && !s.copied_frames && !s.copied_bytes,
		   "pipeline totals: nothing streamed yet, 0 fps (no division by zero)");
	s = (struct zcbuf_pipeline_stats){ .frames = 1, .elapsed_ns = 3 };
	zc_pipeline_totals(&s);
	tap_result(s.fps > 333333333.0 && s.fps < 333333334.0,
		   "pipeline totals: one frame in 3 ns is 333333333.3 fps (%f)", s.fps);
}

int main(void)
{
	cache();
	probes();
	fit();
	names();
	pipeline_totals();
	return tap_done();
}
