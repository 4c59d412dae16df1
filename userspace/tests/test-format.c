// SPDX-License-Identifier: MIT
/*
 * The fourcc table both ways, the traps where V4L2 and DRM codes differ,
 * parsing, and the V4L2 plane layout math including its overflow checks.
 * Expected values are written out by hand from the V4L2 and DRM
 * documentation, not computed from the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>
#include <linux/videodev2.h>
#include <zcbuf/zcbuf.h>

#include "tap.h"

static void table_invariants(void)
{
	const struct zcbuf_format_info *f, *g;
	unsigned int i, j, p, bad = 0, n;

	for (n = 0; !zcbuf_format_info_at(n, &f); n++) {
		bool ok = f->name && *f->name && f->num_planes >= 1 && f->num_planes <= 3 &&
			  (f->num_mem_planes == 1 || f->num_mem_planes == f->num_planes) &&
			  f->block_w >= 1 && f->hdiv >= 1 && f->vdiv >= 1 &&
			  f->drm_name && *f->drm_name;

		for (p = 0; p < f->num_planes; p++)
			ok &= f->cpp[p] > 0;
		for (j = 0; j < n; j++) {
			zcbuf_format_info_at(j, &g);
			ok &= g->v4l2_fourcc != f->v4l2_fourcc && strcmp(g->name, f->name);
		}
		if (!ok) {
			tap_diag("bad row %s", f->name ? f->name : "(null)");
			bad++;
		}
	}
	tap_result(n >= 30 && !bad, "table: %u rows, each well formed, V4L2 codes and names unique", n);
	tap_result(zcbuf_format_info_at(n, &f) == -ENOENT && zcbuf_format_info_at(0, NULL) == -EINVAL,
		   "table: -ENOENT past the end, -EINVAL without a result");

	/* both ways, for every row */
	bad = 0;
	for (i = 0; !zcbuf_format_info_at(i, &f); i++) {
		uint32_t drm = 0, v4l2 = 0;
		unsigned int flags = f->num_mem_planes > 1 ? ZCBUF_FOURCC_MPLANE : 0;

		if (zcbuf_fourcc_v4l2_to_drm(f->v4l2_fourcc, &drm) || drm != f->drm_fourcc) {
			tap_diag("%s: V4L2 -> DRM gave 0x%08x", f->name, drm);
			bad++;
		}
		if (f->flags & ZCBUF_FORMAT_DEPRECATED)
			continue;
		if (zcbuf_fourcc_drm_to_v4l2(f->drm_fourcc, flags, &v4l2) || v4l2 != f->v4l2_fourcc) {
			tap_diag("%s: DRM -> V4L2 gave 0x%08x", f->name, v4l2);
			bad++;
		}
	}
	tap_result(!bad, "table: every row V4L2 -> DRM, and back (deprecated rows one way)");

	/* a code that is both a V4L2 and a DRM code means the same bytes */
	bad = 0;
	for (i = 0; !zcbuf_format_info_at(i, &f); i++)
		for (j = 0; !zcbuf_format_info_at(j, &g); j++)
			if (g->drm_fourcc == f->v4l2_fourcc && f->drm_fourcc != f->v4l2_fourcc) {
				tap_diag("V4L2 %s is DRM code of %s", f->name, g->name);
				bad++;
			}
	tap_result(!bad, "table: no code means one layout in V4L2 and another in DRM");
}

static void pairs(void)
{
	const struct zcbuf_format_info *info;
	static const struct {
		uint32_t v4l2, drm;
		const char *what;
	} known[] = {
		{ V4L2_PIX_FMT_RGB24, DRM_FORMAT_BGR888, "RGB24 'RGB3' is DRM BGR888 'BG24'" },
		{ V4L2_PIX_FMT_BGR24, DRM_FORMAT_RGB888, "BGR24 'BGR3' is DRM RGB888 'RG24'" },
		{ V4L2_PIX_FMT_XBGR32, DRM_FORMAT_XRGB8888, "XBGR32 'XR24' is DRM XRGB8888 'XR24'" },
		{ V4L2_PIX_FMT_ABGR32, DRM_FORMAT_ARGB8888, "ABGR32 'AR24' is DRM ARGB8888 'AR24'" },
		{ V4L2_PIX_FMT_XRGB32, DRM_FORMAT_BGRX8888, "XRGB32 'BX24' is DRM BGRX8888" },
		{ V4L2_PIX_FMT_RGBA32, DRM_FORMAT_ABGR8888, "RGBA32 'AB24' is DRM ABGR8888" },
		{ V4L2_PIX_FMT_BGRA32, DRM_FORMAT_RGBA8888, "BGRA32 'RA24' is DRM RGBA8888" },
		{ V4L2_PIX_FMT_GREY, DRM_FORMAT_R8, "GREY is DRM R8" },
		{ V4L2_PIX_FMT_RGB565, DRM_FORMAT_RGB565, "RGB565 'RGBP' is DRM RGB565 'RG16'" },
		{ V4L2_PIX_FMT_RGB565X, DRM_FORMAT_RGB565 | DRM_FORMAT_BIG_ENDIAN,
		  "RGB565X is DRM RGB565 big endian" },
		{ V4L2_PIX_FMT_YUV422P, DRM_FORMAT_YUV422, "YUV422P '422P' is DRM YUV422 'YU16'" },
		{ V4L2_PIX_FMT_YUV420, DRM_FORMAT_YUV420, "YUV420 'YU12' is DRM YUV420 'YU12'" },
		{ V4L2_PIX_FMT_YVU420, DRM_FORMAT_YVU420, "YVU420 'YV12' is DRM YVU420 'YV12'" },
		{ V4L2_PIX_FMT_NV12M, DRM_FORMAT_NV12, "NV12M is DRM NV12" },
		{ V4L2_PIX_FMT_YUV420M, DRM_FORMAT_YUV420, "YUV420M is DRM YUV420" },
		{ V4L2_PIX_FMT_YUYV, DRM_FORMAT_YUYV, "YUYV is DRM YUYV" },
		{ V4L2_PIX_FMT_UYVY, DRM_FORMAT_UYVY, "UYVY is DRM UYVY" },
		{ V4L2_PIX_FMT_NV24, DRM_FORMAT_NV24, "NV24 is DRM NV24" },
		{ V4L2_PIX_FMT_BGR32, DRM_FORMAT_XRGB8888, "deprecated BGR32 'BGR4' is DRM XRGB8888" },
	};
	uint32_t out;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		out = 0;
		tap_result(!zcbuf_fourcc_v4l2_to_drm(known[i].v4l2, &out) && out == known[i].drm,
			   "V4L2 -> DRM: %s", known[i].what);
	}
	tap_result(!zcbuf_format_info_get(V4L2_PIX_FMT_RGB24, &info) &&
		   !strcmp(info->drm_name, "BGR888") &&
		   !zcbuf_format_info_get(V4L2_PIX_FMT_RGB565X, &info) &&
		   !strcmp(info->drm_name, "RGB565_BE"), "names: RGB24 is DRM BGR888, RGB565X RGB565_BE");
	tap_result(!zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_RGB888, 0, &out) &&
		   out == V4L2_PIX_FMT_BGR24, "DRM -> V4L2: RGB888 'RG24' is BGR24, not RGB24");
	tap_result(!zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_BGR888, 0, &out) &&
		   out == V4L2_PIX_FMT_RGB24, "DRM -> V4L2: BGR888 'BG24' is RGB24");
	tap_result(!zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_XRGB8888, 0, &out) &&
		   out == V4L2_PIX_FMT_XBGR32, "DRM -> V4L2: XRGB8888 is XBGR32, not the deprecated BGR32");
	tap_result(!zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_NV12, 0, &out) && out == V4L2_PIX_FMT_NV12 &&
		   !zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_NV12, ZCBUF_FOURCC_MPLANE, &out) &&
		   out == V4L2_PIX_FMT_NV12M, "DRM -> V4L2: NV12 is NV12, or NV12M multi-planar");
	tap_result(!zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_YUV420, ZCBUF_FOURCC_MPLANE, &out) &&
		   out == V4L2_PIX_FMT_YUV420M, "DRM -> V4L2: YUV420 multi-planar is YUV420M");
	tap_result(!zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_YUYV, ZCBUF_FOURCC_MPLANE, &out) &&
		   out == V4L2_PIX_FMT_YUYV, "DRM -> V4L2: packed YUYV stays YUYV multi-planar");
	tap_result(zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_YVU422, 0, &out) == -ENOENT &&
		   !zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_YVU422, ZCBUF_FOURCC_MPLANE, &out) &&
		   out == V4L2_PIX_FMT_YVU422M,
		   "DRM -> V4L2: YVU422 exists only as V4L2 YVU422M: -ENOENT single-planar");
	tap_result(zcbuf_fourcc_v4l2_to_drm(v4l2_fourcc('R', 'G', '2', '4'), &out) == -ENOENT,
		   "V4L2 -> DRM: 'RG24' is no V4L2 code: -ENOENT");
	tap_result(zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_NV12, 2, &out) == -EINVAL &&
		   zcbuf_fourcc_drm_to_v4l2(DRM_FORMAT_NV12, 0, NULL) == -EINVAL &&
		   zcbuf_fourcc_v4l2_to_drm(V4L2_PIX_FMT_NV12, NULL) == -EINVAL,
		   "conversions: -EINVAL for unknown flags and NULL results");
}

static void parse(void)
{
	struct zcbuf_ctx *ctx;
	uint32_t f = 0;

	zcbuf_ctx_new(&ctx);
	tap_result(!zcbuf_fourcc_parse(ctx, "NV12", &f) && f == V4L2_PIX_FMT_NV12, "parse: NV12");
	tap_result(!zcbuf_fourcc_parse(ctx, "NM12", &f) && f == V4L2_PIX_FMT_NV12M &&
		   !zcbuf_fourcc_parse(ctx, "NV12M", &f) && f == V4L2_PIX_FMT_NV12M,
		   "parse: NM12 by code, NV12M by name");
	tap_result(!zcbuf_fourcc_parse(ctx, "YUV420", &f) && f == V4L2_PIX_FMT_YUV420 &&
		   !zcbuf_fourcc_parse(ctx, "YU12", &f) && f == V4L2_PIX_FMT_YUV420,
		   "parse: YUV420 by name, YU12 by code");
	tap_result(!zcbuf_fourcc_parse(ctx, "RGB24", &f) && f == V4L2_PIX_FMT_RGB24 &&
		   !zcbuf_fourcc_parse(ctx, "RGB3", &f) && f == V4L2_PIX_FMT_RGB24,
		   "parse: RGB24 by name, RGB3 by code");
	tap_result(!zcbuf_fourcc_parse(ctx, "XR24", &f) && f == V4L2_PIX_FMT_XBGR32,
		   "parse: XR24 is V4L2 XBGR32 (the same code as DRM XRGB8888)");
	tap_result(zcbuf_fourcc_parse(ctx, "RG24", &f) == -ENOENT &&
		   strstr(zcbuf_last_error(ctx), "BGR24") &&
		   strstr(zcbuf_last_error(ctx), "'RG24'"),
		   "parse: DRM 'RG24' is refused, the message points to BGR24: %s",
		   zcbuf_last_error(ctx));
	tap_result(zcbuf_fourcc_parse(ctx, "R8", &f) == -ENOENT &&
		   strstr(zcbuf_last_error(ctx), "GREY"),
		   "parse: DRM 'R8' is refused, the message points to GREY: %s", zcbuf_last_error(ctx));
	tap_result(zcbuf_fourcc_parse(ctx, "nv12", &f) == -ENOENT &&
		   zcbuf_fourcc_parse(ctx, "", &f) == -ENOENT &&
		   zcbuf_fourcc_parse(ctx, "NV12NV12", &f) == -ENOENT &&
		   zcbuf_fourcc_parse(NULL, "ABCD", &f) == -ENOENT,
		   "parse: case, empty, too long and unknown codes: -ENOENT");
	tap_result(zcbuf_fourcc_parse(ctx, NULL, &f) == -EINVAL &&
		   zcbuf_fourcc_parse(ctx, "NV12", NULL) == -EINVAL, "parse: NULL: -EINVAL");
	zcbuf_ctx_free(ctx);
}

/* Layout of @fourcc @w x @h with @s0/@s1 strides (0: minimal): 0 or -errno. */
static int lay(struct zcbuf_ctx *ctx, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t s0,
	       uint32_t s1, struct zcbuf_layout *l)
{
	struct zcbuf_format fmt = { fourcc, w, h };
	uint32_t strides[ZCBUF_MAX_PLANES] = { s0, s1, 0, 0 };

	memset(l, 0xa5, sizeof(*l));
	return zcbuf_format_layout(ctx, &fmt, s0 || s1 ? strides : NULL, l);
}

#define PL(l, i, m, s, o, z) \
	((l).plane[i].mem == (m) && (l).plane[i].stride == (s) && (l).plane[i].offset == (o) && \
	 (l).plane[i].size == (z))

static void layout(void)
{
	struct zcbuf_ctx *ctx;
	struct zcbuf_layout l;
	int ret;

	zcbuf_ctx_new(&ctx);
	ret = lay(ctx, V4L2_PIX_FMT_YUYV, 640, 480, 0, 0, &l);
	tap_result(!ret && l.num_planes == 1 && l.num_mem_planes == 1 &&
		   PL(l, 0, 0, 1280, 0, 614400) && l.mem_size[0] == 614400,
		   "layout: YUYV 640x480: stride 1280, 614400 bytes");
	ret = lay(ctx, V4L2_PIX_FMT_NV12, 640, 480, 0, 0, &l);
	tap_result(!ret && l.num_planes == 2 && l.num_mem_planes == 1 && PL(l, 0, 0, 640, 0, 307200) &&
		   PL(l, 1, 0, 640, 307200, 153600) && l.mem_size[0] == 460800,
		   "layout: NV12 640x480: Y 640x480, CbCr 640x240 after it, 460800 bytes");
	ret = lay(ctx, V4L2_PIX_FMT_NV12, 640, 480, 704, 0, &l);
	tap_result(!ret && PL(l, 0, 0, 704, 0, 337920) && PL(l, 1, 0, 704, 337920, 168960) &&
		   l.mem_size[0] == 506880, "layout: NV12 640x480 stride 704: chroma follows the stride");
	ret = lay(ctx, V4L2_PIX_FMT_NV12M, 640, 480, 0, 0, &l);
	tap_result(!ret && l.num_mem_planes == 2 && PL(l, 0, 0, 640, 0, 307200) &&
		   PL(l, 1, 1, 640, 0, 153600) && l.mem_size[0] == 307200 && l.mem_size[1] == 153600,
		   "layout: NV12M 640x480: two memory planes");
	ret = lay(ctx, V4L2_PIX_FMT_NV12M, 640, 480, 704, 768, &l);
	tap_result(!ret && PL(l, 0, 0, 704, 0, 337920) && PL(l, 1, 1, 768, 0, 184320),
		   "layout: NV12M strides 704 and 768: one stride per memory plane");
	ret = lay(ctx, V4L2_PIX_FMT_YUV420, 640, 480, 0, 0, &l);
	tap_result(!ret && l.num_planes == 3 && PL(l, 0, 0, 640, 0, 307200) &&
		   PL(l, 1, 0, 320, 307200, 76800) && PL(l, 2, 0, 320, 384000, 76800) &&
		   l.mem_size[0] == 460800, "layout: YUV420 640x480: Y, Cb, Cr at half stride");
	ret = lay(ctx, V4L2_PIX_FMT_YUV420, 640, 480, 642, 0, &l);
	tap_result(!ret && PL(l, 1, 0, 321, 308160, 77040), "layout: YUV420 stride 642: chroma 321");
	ret = lay(ctx, V4L2_PIX_FMT_YUV420, 640, 480, 641, 0, &l);
	tap_result(ret == -EINVAL && strstr(zcbuf_last_error(ctx), "stride 641"),
		   "layout: YUV420 stride 641 leaves half-byte chroma lines: -EINVAL: %s",
		   zcbuf_last_error(ctx));
	ret = lay(ctx, V4L2_PIX_FMT_YUV422P, 640, 480, 0, 0, &l);
	tap_result(!ret && PL(l, 1, 0, 320, 307200, 153600) && PL(l, 2, 0, 320, 460800, 153600) &&
		   l.mem_size[0] == 614400, "layout: YUV422P 640x480: full-height chroma");
	ret = lay(ctx, V4L2_PIX_FMT_NV24, 640, 480, 0, 0, &l);
	tap_result(!ret && PL(l, 1, 0, 1280, 307200, 614400) && l.mem_size[0] == 921600,
		   "layout: NV24 640x480: chroma lines twice as long");
	ret = lay(ctx, V4L2_PIX_FMT_NV16, 640, 480, 0, 0, &l);
	tap_result(!ret && PL(l, 1, 0, 640, 307200, 307200), "layout: NV16 640x480");
	ret = lay(ctx, V4L2_PIX_FMT_YUV444M, 64, 48, 0, 0, &l);
	tap_result(!ret && l.num_mem_planes == 3 && PL(l, 2, 2, 64, 0, 3072),
		   "layout: YUV444M: three memory planes");
	ret = lay(ctx, V4L2_PIX_FMT_RGB24, 641, 3, 0, 0, &l);
	tap_result(!ret && PL(l, 0, 0, 1923, 0, 5769), "layout: RGB24 641x3: odd sizes are fine");
	ret = lay(ctx, V4L2_PIX_FMT_GREY, 65536, 65536, 0, 0, &l);
	tap_result(!ret && l.mem_size[0] == 4294967296ull, "layout: GREY 65536x65536: 4 GiB in 64 bits");

	ret = lay(ctx, V4L2_PIX_FMT_YUYV, 641, 480, 0, 0, &l);
	tap_result(ret == -EINVAL, "layout: YUYV 641 wide (half a macropixel): -EINVAL: %s",
		   zcbuf_last_error(ctx));
	ret = lay(ctx, V4L2_PIX_FMT_NV12, 640, 479, 0, 0, &l);
	tap_result(ret == -EINVAL, "layout: NV12 479 lines (4:2:0): -EINVAL");
	ret = lay(ctx, V4L2_PIX_FMT_NV12, 640, 480, 600, 0, &l);
	tap_result(ret == -EINVAL && strstr(zcbuf_last_error(ctx), "below"),
		   "layout: NV12 stride 600 < 640: -EINVAL: %s", zcbuf_last_error(ctx));
	ret = lay(ctx, V4L2_PIX_FMT_NV12, 0, 480, 0, 0, &l);
	tap_result(ret == -EINVAL && lay(ctx, V4L2_PIX_FMT_NV12, 640, 0, 0, 0, &l) == -EINVAL,
		   "layout: zero width or height: -EINVAL");
	ret = lay(ctx, v4l2_fourcc('Z', 'Z', 'Z', 'Z'), 640, 480, 0, 0, &l);
	tap_result(ret == -ENOENT && strstr(zcbuf_last_error(ctx), "ZZZZ"),
		   "layout: a fourcc not in the table: -ENOENT: %s", zcbuf_last_error(ctx));
	tap_result(zcbuf_format_layout(ctx, NULL, NULL, &l) == -EINVAL &&
		   zcbuf_format_layout(NULL, &(struct zcbuf_format){ V4L2_PIX_FMT_NV12, 2, 2 },
				       NULL, NULL) == -EINVAL, "layout: NULL: -EINVAL");

	/* overflow */
	ret = lay(ctx, V4L2_PIX_FMT_XBGR32, 0x40000000, 1, 0, 0, &l);
	tap_result(ret == -EOVERFLOW, "layout: XBGR32 2^30 wide: a 2^32 byte stride: -EOVERFLOW: %s",
		   zcbuf_last_error(ctx));
	ret = lay(ctx, V4L2_PIX_FMT_RGB24, 0xffffffff, 1, 0, 0, &l);
	tap_result(ret == -EOVERFLOW, "layout: RGB24 2^32-1 wide: -EOVERFLOW");
	ret = lay(ctx, V4L2_PIX_FMT_XBGR32, 0x3fffffff, 1, 0, 0, &l);
	tap_result(!ret && l.plane[0].stride == 0xfffffffc,
		   "layout: XBGR32 2^30-1 wide: stride 0xfffffffc still fits");
	ret = lay(ctx, V4L2_PIX_FMT_NV24, 16, 16, 0xffffffff, 0, &l);
	tap_result(ret == -EOVERFLOW, "layout: NV24 stride 2^32-1: chroma stride past 32 bits: "
		   "-EOVERFLOW");
	ret = lay(ctx, V4L2_PIX_FMT_NV12, 2, 0xfffffffe, 0xffffffff, 0, &l);
	tap_result(ret == -EOVERFLOW && strstr(zcbuf_last_error(ctx), "64 bits"),
		   "layout: NV12 stride 2^32-1, 2^32-2 lines: the sum of planes past 64 bits: "
		   "-EOVERFLOW: %s", zcbuf_last_error(ctx));
	ret = lay(ctx, V4L2_PIX_FMT_GREY, 1, 0xffffffff, 0xffffffff, 0, &l);
	tap_result(!ret && l.mem_size[0] == 0xfffffffe00000001ull,
		   "layout: GREY stride 2^32-1, 2^32-1 lines: the largest product fits");
	zcbuf_ctx_free(ctx);
}

int main(void)
{
	table_invariants();
	pairs();
	parse();
	layout();
	return tap_done();
}
