// SPDX-License-Identifier: MIT
/*
 * The fourcc table (V4L2 <-> DRM) and the V4L2 plane layout rules.
 *
 * Where the codes differ the layouts still match byte for byte: V4L2 names
 * formats by their bytes in memory (RGB24: R, G, B), DRM by a little-endian
 * word (BGR888: [23:0] B:G:R, so R, G, B in memory). That is the trap:
 * V4L2 RGB24 'RGB3' is DRM BGR888 'BG24', and DRM RGB888 'RG24' is V4L2
 * BGR24 'BGR3'. The 32-bit RGB formats share codes on purpose (V4L2 XBGR32
 * 'XR24' is DRM XRGB8888 'XR24').
 */
#include <errno.h>
#include <string.h>

#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include "private.h"

#define YUV ZCBUF_FORMAT_YUV
#define RGB ZCBUF_FORMAT_RGB
#define DEPRECATED ZCBUF_FORMAT_DEPRECATED

/*
 * V4L2 name, DRM name (DRM_FORMAT_<name>), colour planes, memory planes,
 * bytes per block of each plane, pixels per block, subsampling, flags.
 */
#define FMT_BE(n, d, p, m, c0, c1, c2, bw, h, vd, f, be)                             \
	{ .v4l2_fourcc = V4L2_PIX_FMT_##n, .drm_fourcc = DRM_FORMAT_##d | (be),      \
	  .name = #n, .drm_name = (be) ? #d "_BE" : #d, .num_planes = (p),          \
	  .num_mem_planes = (m), .cpp = { (c0), (c1), (c2), 0 }, .block_w = (bw),   \
	  .hdiv = (h), .vdiv = (vd), .flags = (f) }
#define FMT(n, d, p, m, c0, c1, c2, bw, h, vd, f) FMT_BE(n, d, p, m, c0, c1, c2, bw, h, vd, f, 0)

static const struct zcbuf_format_info formats[] = {
	/* packed YUV 4:2:2: one block is 2 pixels in 4 bytes */
	FMT(YUYV, YUYV, 1, 1, 4, 0, 0, 2, 2, 1, YUV),
	FMT(UYVY, UYVY, 1, 1, 4, 0, 0, 2, 2, 1, YUV),
	FMT(YVYU, YVYU, 1, 1, 4, 0, 0, 2, 2, 1, YUV),
	FMT(VYUY, VYUY, 1, 1, 4, 0, 0, 2, 2, 1, YUV),
	/* semi-planar: Y, then interleaved CbCr (or CrCb) */
	FMT(NV12, NV12, 2, 1, 1, 2, 0, 1, 2, 2, YUV),
	FMT(NV21, NV21, 2, 1, 1, 2, 0, 1, 2, 2, YUV),
	FMT(NV16, NV16, 2, 1, 1, 2, 0, 1, 2, 1, YUV),
	FMT(NV61, NV61, 2, 1, 1, 2, 0, 1, 2, 1, YUV),
	FMT(NV24, NV24, 2, 1, 1, 2, 0, 1, 1, 1, YUV),
	FMT(NV42, NV42, 2, 1, 1, 2, 0, 1, 1, 1, YUV),
	FMT(NV12M, NV12, 2, 2, 1, 2, 0, 1, 2, 2, YUV),
	FMT(NV21M, NV21, 2, 2, 1, 2, 0, 1, 2, 2, YUV),
	FMT(NV16M, NV16, 2, 2, 1, 2, 0, 1, 2, 1, YUV),
	FMT(NV61M, NV61, 2, 2, 1, 2, 0, 1, 2, 1, YUV),
	/* planar: Y, Cb, Cr (or Y, Cr, Cb) */
	FMT(YUV420, YUV420, 3, 1, 1, 1, 1, 1, 2, 2, YUV),
	FMT(YVU420, YVU420, 3, 1, 1, 1, 1, 1, 2, 2, YUV),
	FMT(YUV422P, YUV422, 3, 1, 1, 1, 1, 1, 2, 1, YUV),
	FMT(YUV420M, YUV420, 3, 3, 1, 1, 1, 1, 2, 2, YUV),
	FMT(YVU420M, YVU420, 3, 3, 1, 1, 1, 1, 2, 2, YUV),
	FMT(YUV422M, YUV422, 3, 3, 1, 1, 1, 1, 2, 1, YUV),
	FMT(YVU422M, YVU422, 3, 3, 1, 1, 1, 1, 2, 1, YUV),
	FMT(YUV444M, YUV444, 3, 3, 1, 1, 1, 1, 1, 1, YUV),
	FMT(YVU444M, YVU444, 3, 3, 1, 1, 1, 1, 1, 1, YUV),
	FMT(GREY, R8, 1, 1, 1, 0, 0, 1, 1, 1, YUV),
	/* RGB: the codes differ for 16 and 24 bits */
	FMT(RGB565, RGB565, 1, 1, 2, 0, 0, 1, 1, 1, RGB),
	FMT_BE(RGB565X, RGB565, 1, 1, 2, 0, 0, 1, 1, 1, RGB, DRM_FORMAT_BIG_ENDIAN),
	FMT(RGB24, BGR888, 1, 1, 3, 0, 0, 1, 1, 1, RGB),
	FMT(BGR24, RGB888, 1, 1, 3, 0, 0, 1, 1, 1, RGB),
	/* RGB: the same codes for 32 bits */
	FMT(XBGR32, XRGB8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(ABGR32, ARGB8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(XRGB32, BGRX8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(ARGB32, BGRA8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(RGBX32, XBGR8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(RGBA32, ABGR8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(BGRX32, RGBX8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	FMT(BGRA32, RGBA8888, 1, 1, 4, 0, 0, 1, 1, 1, RGB),
	/* deprecated by V4L2 (is the fourth byte alpha or padding?): one way */
	FMT(BGR32, XRGB8888, 1, 1, 4, 0, 0, 1, 1, 1,
	    RGB | DEPRECATED),
	FMT(RGB32, BGRX8888, 1, 1, 4, 0, 0, 1, 1, 1,
	    RGB | DEPRECATED),
};

int zcbuf_format_info_get(uint32_t v4l2_fourcc, const struct zcbuf_format_info **info)
{
	size_t i;

	if (!info)
		return -EINVAL;
	for (i = 0; i < ZC_ARRAY_SIZE(formats); i++) {
		if (formats[i].v4l2_fourcc == v4l2_fourcc) {
			*info = &formats[i];
			return 0;
		}
	}
	return -ENOENT;
}

int zcbuf_format_info_at(unsigned int index, const struct zcbuf_format_info **info)
{
	if (!info)
		return -EINVAL;
	if (index >= ZC_ARRAY_SIZE(formats))
		return -ENOENT;
	*info = &formats[index];
	return 0;
}

int zcbuf_fourcc_v4l2_to_drm(uint32_t v4l2_fourcc, uint32_t *drm_fourcc)
{
	const struct zcbuf_format_info *info;
	int ret;

	if (!drm_fourcc)
		return -EINVAL;
	ret = zcbuf_format_info_get(v4l2_fourcc, &info);
	if (ret)
		return ret;
	*drm_fourcc = info->drm_fourcc;
	return 0;
}

int zcbuf_fourcc_drm_to_v4l2(uint32_t drm_fourcc, unsigned int flags, uint32_t *v4l2_fourcc)
{
	bool mplane = flags & ZCBUF_FOURCC_MPLANE;
	size_t i;

	if (!v4l2_fourcc || (flags & ~ZCBUF_FOURCC_MPLANE))
		return -EINVAL;
	for (i = 0; i < ZC_ARRAY_SIZE(formats); i++) {
		const struct zcbuf_format_info *f = &formats[i];

		if (f->drm_fourcc != drm_fourcc || (f->flags & DEPRECATED))
			continue;
		/* one memory plane, or one per colour plane when asked for */
		if ((f->num_mem_planes > 1) != (mplane && f->num_planes > 1))
			continue;
		*v4l2_fourcc = f->v4l2_fourcc;
		return 0;
	}
	return -ENOENT;
}

static int parse_code(const char *str, uint32_t *code)
{
	size_t len = strlen(str), i;
	char c[4] = { ' ', ' ', ' ', ' ' };

	/* DRM pads short codes with spaces: "R8" is 'R8  ' */
	if (len < 2 || len > 4)
		return -ENOENT;
	for (i = 0; i < len; i++)
		c[i] = str[i];
	*code = v4l2_fourcc(c[0], c[1], c[2], c[3]);
	return 0;
}

int zcbuf_fourcc_parse(struct zcbuf_ctx *ctx, const char *str, uint32_t *v4l2_fourcc)
{
	uint32_t code;
	size_t i;

	if (!str || !v4l2_fourcc)
		return zc_fail_msg(ctx, EINVAL, "fourcc: no text to parse (NULL)");
	for (i = 0; i < ZC_ARRAY_SIZE(formats); i++) {
		if (!strcmp(formats[i].name, str)) {
			*v4l2_fourcc = formats[i].v4l2_fourcc;
			return 0;
		}
	}
	if (parse_code(str, &code))
		return zc_fail_msg(ctx, ENOENT, "fourcc '%s': not a V4L2 format of the table "
				   "(zcbuf formats lists them)", str);
	for (i = 0; i < ZC_ARRAY_SIZE(formats); i++) {
		if (formats[i].v4l2_fourcc == code) {
			*v4l2_fourcc = code;
			return 0;
		}
	}
	/* the trap: a DRM code given where a V4L2 one is wanted */
	for (i = 0; i < ZC_ARRAY_SIZE(formats); i++) {
		const struct zcbuf_format_info *f = &formats[i];

		if (f->drm_fourcc == code && !(f->flags & DEPRECATED))
			return zc_fail_msg(ctx, ENOENT, "fourcc '%s': not a V4L2 format; it is a DRM "
					   "code, whose layout V4L2 calls %s '%s'", str, f->name,
					   zc_fourcc_str(f->v4l2_fourcc).s);
	}
	return zc_fail_msg(ctx, ENOENT, "fourcc '%s': not a V4L2 format of the table "
			   "(zcbuf formats lists them)", str);
}

static uint64_t div_round_up(uint64_t n, uint64_t d)
{
	return n / d + (n % d != 0);
}

int zcbuf_format_layout(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
			const uint32_t *mem_strides, struct zcbuf_layout *layout)
{
	const struct zcbuf_format_info *f;
	struct zcbuf_layout l;
	const char *name;
	uint32_t p;

	if (!fmt || !layout)
		return zc_fail_msg(ctx, EINVAL, "layout: no format or no layout (NULL)");
	if (zcbuf_format_info_get(fmt->fourcc, &f))
		return zc_fail_msg(ctx, ENOENT, "layout: fourcc %s is not in the table",
				   zc_fourcc_str(fmt->fourcc).s);
	name = f->name;
	if (!fmt->width || !fmt->height)
		return zc_fail_msg(ctx, EINVAL, "layout: %s %ux%u is empty", name,
				   fmt->width, fmt->height);
	/* V4L2 has no half chroma samples nor half blocks */
	if (fmt->width % (f->num_planes > 1 ? f->hdiv : f->block_w) ||
	    fmt->height % (f->num_planes > 1 ? f->vdiv : 1))
		return zc_fail_msg(ctx, EINVAL, "layout: %s %ux%u: the width must be a multiple "
				   "of %u and the height of %u", name, fmt->width, fmt->height,
				   f->num_planes > 1 ? f->hdiv : f->block_w,
				   f->num_planes > 1 ? f->vdiv : 1);

	memset(&l, 0, sizeof(l));
	l.num_planes = f->num_planes;
	l.num_mem_planes = f->num_mem_planes;
	for (p = 0; p < f->num_planes; p++) {
		struct zcbuf_plane_layout *pl = &l.plane[p];
		uint64_t width = p ? fmt->width / f->hdiv : fmt->width;
		uint64_t lines = p ? fmt->height / f->vdiv : fmt->height;
		uint64_t min = div_round_up(width, p ? 1 : f->block_w) * f->cpp[p];
		uint64_t stride = min, end;
		uint32_t mem = f->num_mem_planes > 1 ? p : 0;

		if (p == 0 || f->num_mem_planes > 1) {
			if (mem_strides && mem_strides[mem])
				stride = mem_strides[mem];
		} else {
			/* chroma in the same memory plane follows plane 0's stride */
			uint64_t num = (uint64_t)l.plane[0].stride * f->cpp[p];
			uint64_t den = (uint64_t)f->cpp[0] * f->hdiv;

			if (num % den)
				return zc_fail_msg(ctx, EINVAL, "layout: %s stride %u leaves plane %u "
						   "lines of %llu/%llu bytes", name,
						   l.plane[0].stride, p,
						   (unsigned long long)num,
						   (unsigned long long)den);
			stride = num / den;
		}
		if (min > UINT32_MAX || stride > UINT32_MAX)
			return zc_fail_msg(ctx, EOVERFLOW, "layout: %s %ux%u: plane %u lines of "
					   "%llu bytes do not fit the 32 bits of a stride", name,
					   fmt->width, fmt->height, p,
					   (unsigned long long)(min > stride ? min : stride));
		if (stride < min)
			return zc_fail_msg(ctx, EINVAL, "layout: %s %ux%u: plane %u stride %llu is "
					   "below the %llu bytes a line needs", name, fmt->width,
					   fmt->height, p, (unsigned long long)stride,
					   (unsigned long long)min);
		pl->mem = mem;
		pl->stride = (uint32_t)stride;
		pl->offset = l.mem_size[mem];
		if (__builtin_mul_overflow(stride, lines, &pl->size) ||
		    __builtin_add_overflow(pl->offset, pl->size, &end))
			return zc_fail_msg(ctx, EOVERFLOW, "layout: %s %ux%u stride %llu: plane %u "
					   "does not fit 64 bits", name, fmt->width, fmt->height,
					   (unsigned long long)stride, p);
		l.mem_size[mem] = end;
	}
	*layout = l;
	return 0;
}
