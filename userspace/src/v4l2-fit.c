// SPDX-License-Identifier: MIT
/*
 * Does a buffer fit a queue's format? The checks GStreamer's
 * gst_v4l2_object_try_import() makes before it queues a foreign buffer
 * (plane count, strides, offsets), plus the sizes vb2 checks at QBUF, so
 * that a mismatch is reported with its reason instead of a bare EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "v4l2.h"

void zc_fit_buffer_of(const struct zcbuf_buffer *buf, struct zc_fit_buffer *fb)
{
	unsigned int p, m;

	memset(fb, 0, sizeof(*fb));
	zcbuf_buffer_get_format(buf, &fb->fmt);
	fb->num_planes = (unsigned int)zcbuf_buffer_num_planes(buf);
	fb->num_mem = zc_buffer_num_mem(buf);
	for (p = 0; p < fb->num_planes; p++) {
		struct zcbuf_plane pl;

		zcbuf_buffer_get_plane(buf, p, &pl);
		fb->plane[p] = (struct zc_fit_plane){ zc_buffer_plane_mem(buf, p), pl.stride,
						      pl.offset, pl.length };
	}
	for (m = 0; m < fb->num_mem; m++) {
		struct zc_mem_info mi;

		zc_buffer_mem(buf, m, &mi);
		fb->mem_size[m] = mi.size;
	}
}

unsigned int zc_fit_strides(const struct zc_fit_buffer *fb, uint32_t *strides)
{
	const struct zcbuf_format_info *info;
	unsigned int p, n = 0;

	/* one V4L2 plane per dma-buf: the stride of its first colour plane */
	if (fb->fmt.fourcc && !zcbuf_format_info_get(fb->fmt.fourcc, &info) &&
	    info->num_mem_planes == 1) {
		strides[0] = fb->plane[0].stride;
		return 1;
	}
	for (p = 0; p < fb->num_planes && n < ZCBUF_MAX_PLANES; p++)
		strides[n++] = fb->plane[p].stride;
	return n;
}

static int too_small(struct zcbuf_ctx *ctx, const char *what, const struct zc_dev_format *df,
		     const struct zc_fit_buffer *fb, const struct zc_fit *fit, unsigned int m)
{
	uint64_t size = fb->mem_size[fit->mem[m]], off = fit->data_offset[m];
	uint64_t avail = off < size ? size - off : 0;

	if (avail >= df->sizeimage[m])
		return 0;
	return zc_fail_msg(ctx, EINVAL, "%s: buffer too small: memory plane %u has %llu bytes "
			   "from offset %llu, the driver's sizeimage is %u", what, m,
			   (unsigned long long)avail, (unsigned long long)fit->data_offset[m],
			   df->sizeimage[m]);
}

/* A format outside the table (or raw bytes): one colour plane per V4L2 plane. */
static int fit_raw(struct zcbuf_ctx *ctx, const char *what, const struct zc_dev_format *df,
		   const struct zc_fit_buffer *fb, struct zc_fit *fit)
{
	unsigned int m;

	if (fb->num_planes != df->num_mem || fb->num_mem != df->num_mem)
		return zc_fail_msg(ctx, EINVAL, "%s: planes: the buffer has %u planes in %u "
				   "dma-bufs, the queue %u memory planes", what, fb->num_planes,
				   fb->num_mem, df->num_mem);
	for (m = 0; m < df->num_mem; m++) {
		if (fb->fmt.fourcc && fb->plane[m].stride != df->bpl[m])
			return zc_fail_msg(ctx, EINVAL, "%s: stride of plane %u is %u, the "
					   "driver's bytesperline %u", what, m,
					   fb->plane[m].stride, df->bpl[m]);
		fit->mem[m] = fb->plane[m].mem;
		fit->data_offset[m] = fb->plane[m].offset;
	}
	return 0;
}

int zc_fit_check(struct zcbuf_ctx *ctx, const char *what, const struct zc_dev_format *df,
		 const struct zc_fit_buffer *fb, struct zc_fit *fit)
{
	const struct zcbuf_format_info *info;
	struct zcbuf_layout l;
	unsigned int p, m;
	int ret;

	memset(fit, 0, sizeof(*fit));
	fit->num_mem = df->num_mem;
	if (fb->fmt.fourcc && (fb->fmt.fourcc != df->fmt.fourcc ||
			       fb->fmt.width != df->fmt.width || fb->fmt.height != df->fmt.height))
		return zc_fail_msg(ctx, EINVAL, "%s: format: the buffer is %ux%u %s, the queue "
				   "%ux%u %s", what, fb->fmt.width, fb->fmt.height,
				   zc_fourcc_str(fb->fmt.fourcc).s, df->fmt.width, df->fmt.height,
				   zc_fourcc_str(df->fmt.fourcc).s);
	if (!fb->fmt.fourcc || zcbuf_format_info_get(df->fmt.fourcc, &info) ||
	    info->num_mem_planes != df->num_mem) {
		ret = fit_raw(ctx, what, df, fb, fit);
		goto sizes;
	}
	ret = zcbuf_format_layout(ctx, &df->fmt, df->bpl, &l);
	if (ret)
		return zc_prefix(ctx, ret, what);
	if (fb->num_planes != l.num_planes || fb->num_mem != l.num_mem_planes)
		return zc_fail_msg(ctx, EINVAL, "%s: planes: the buffer has %u planes in %u "
				   "dma-bufs, %s needs %u in %u", what, fb->num_planes, fb->num_mem,
				   info->name, l.num_planes, l.num_mem_planes);
	for (p = 0; p < l.num_planes; p++) {
		const struct zc_fit_plane *bp = &fb->plane[p];
		const struct zcbuf_plane_layout *lp = &l.plane[p];

		if (bp->stride != lp->stride)
			return zc_fail_msg(ctx, EINVAL, "%s: stride of plane %u is %u, the driver "
					   "wants %u", what, p, bp->stride, lp->stride);
		if (lp->offset == 0) {	/* the first plane of V4L2 memory plane lp->mem */
			fit->mem[lp->mem] = bp->mem;
			fit->data_offset[lp->mem] = bp->offset;
			continue;
		}
		/* later planes of a memory plane sit where V4L2 puts them */
		if (bp->mem != fit->mem[lp->mem] ||
		    bp->offset != fit->data_offset[lp->mem] + lp->offset)
			return zc_fail_msg(ctx, EINVAL, "%s: offset of plane %u is %llu, V4L2 "
					   "puts it at %llu after plane 0", what, p,
					   (unsigned long long)bp->offset,
					   (unsigned long long)lp->offset);
	}
sizes:
	if (ret)
		return ret;
	for (m = 0; m < fit->num_mem; m++) {
		ret = too_small(ctx, what, df, fb, fit, m);
		if (ret)
			return ret;
	}
	return 0;
}
