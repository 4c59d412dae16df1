// SPDX-License-Identifier: MIT
/*
 * A queue's format: get, set with a check of what the driver did, and the
 * renegotiation of the stride when a buffer's differs (GStreamer's
 * gst_v4l2_object_match_buffer_layout()).
 */
#include <errno.h>
#include <string.h>

#include <linux/videodev2.h>

#include "v4l2.h"

int zcbuf_queue_get_type(const struct zcbuf_queue *queue)
{
	return queue ? (int)queue->type : -EINVAL;
}

static void to_public(const struct zc_dev_format *df, struct zcbuf_queue_format *qf)
{
	unsigned int m;

	memset(qf, 0, sizeof(*qf));
	qf->fmt = df->fmt;
	qf->num_mem_planes = df->num_mem;
	for (m = 0; m < df->num_mem; m++) {
		qf->bytesperline[m] = df->bpl[m];
		qf->sizeimage[m] = df->sizeimage[m];
	}
}

int zcbuf_queue_get_format(struct zcbuf_queue *queue, struct zcbuf_queue_format *qf)
{
	struct zc_dev_format df;
	int ret;

	if (!queue)
		return -EINVAL;
	if (!qf)
		return zc_fail_msg(queue->dev->ctx, EINVAL, "%s: no result (NULL)",
				   zc_queue_what(queue).s);
	ret = zc_get_format(queue->dev->ctx, queue->dev->fd, queue->type, &df);
	if (!ret)
		to_public(&df, qf);
	return ret;
}

/* The driver's bytesperline and sizeimage must hold the table's layout of its format. */
static int check_sizes(struct zcbuf_ctx *ctx, const char *what, const struct zc_dev_format *df)
{
	const struct zcbuf_format_info *info;
	struct zcbuf_layout l;
	unsigned int m;
	int ret;

	if (zcbuf_format_info_get(df->fmt.fourcc, &info))
		return 0;	/* not in the table: the driver knows best */
	if (info->num_mem_planes != df->num_mem)
		return zc_fail_msg(ctx, EINVAL, "%s: %s has %u memory planes, the driver says %u",
				   what, info->name, info->num_mem_planes, df->num_mem);
	ret = zcbuf_format_layout(ctx, &df->fmt, df->bpl, &l);
	if (ret)
		return zc_prefix(ctx, ret, what);
	for (m = 0; m < df->num_mem; m++)
		if (df->sizeimage[m] < l.mem_size[m])
			return zc_fail_msg(ctx, EINVAL, "%s: sizeimage %u of memory plane %u is "
					   "smaller than %s %ux%u with bytesperline %u needs (%llu)",
					   what, df->sizeimage[m], m, info->name, df->fmt.width,
					   df->fmt.height, df->bpl[m],
					   (unsigned long long)l.mem_size[m]);
	return 0;
}

int zcbuf_queue_set_format(struct zcbuf_queue *queue, const struct zcbuf_format *fmt,
			   const uint32_t *strides, struct zcbuf_queue_format *qf)
{
	struct v4l2_format f = { .type = 0 };
	struct zcbuf_ctx *ctx;
	struct zc_dev_format got;
	struct zc_what w;
	unsigned int m, n = 1;

	if (!queue)
		return -EINVAL;
	ctx = queue->dev->ctx;
	w = zc_queue_what(queue);
	if (!fmt)
		return zc_fail_msg(ctx, EINVAL, "%s: no format (NULL)", w.s);
	f.type = queue->type;
	if (zc_type_is_mplane(queue->type)) {
		const struct zcbuf_format_info *info;

		if (!zcbuf_format_info_get(fmt->fourcc, &info))
			n = info->num_mem_planes;
		f.fmt.pix_mp.pixelformat = fmt->fourcc;
		f.fmt.pix_mp.width = fmt->width;
		f.fmt.pix_mp.height = fmt->height;
		f.fmt.pix_mp.field = V4L2_FIELD_NONE;
		f.fmt.pix_mp.num_planes = (uint8_t)n;
		for (m = 0; strides && m < n; m++)
			f.fmt.pix_mp.plane_fmt[m].bytesperline = strides[m];
	} else {
		f.fmt.pix.pixelformat = fmt->fourcc;
		f.fmt.pix.width = fmt->width;
		f.fmt.pix.height = fmt->height;
		f.fmt.pix.field = V4L2_FIELD_NONE;
		f.fmt.pix.bytesperline = strides ? strides[0] : 0;
	}
	if (zc_xioctl(queue->dev->fd, VIDIOC_S_FMT, &f))
		return zc_fail(ctx, errno, "%s: VIDIOC_S_FMT %ux%u %s", w.s, fmt->width,
			       fmt->height, zc_fourcc_str(fmt->fourcc).s);
	zc_from_v4l2_format(&f, &got);
	queue->probes.n = 0;	/* a probe holds for the format it was made with */
	if (got.fmt.fourcc != fmt->fourcc || got.fmt.width != fmt->width ||
	    got.fmt.height != fmt->height)
		return zc_fail_msg(ctx, EINVAL, "%s: asked for %ux%u %s, the driver chose %ux%u %s",
				   w.s, fmt->width, fmt->height, zc_fourcc_str(fmt->fourcc).s,
				   got.fmt.width, got.fmt.height, zc_fourcc_str(got.fmt.fourcc).s);
	for (m = 0; strides && m < got.num_mem && m < n; m++)
		if (strides[m] && strides[m] != got.bpl[m])
			return zc_fail_msg(ctx, EINVAL, "%s: the driver did not accept the stride: "
					   "asked for bytesperline %u of memory plane %u, it chose %u",
					   w.s, strides[m], m, got.bpl[m]);
	if (check_sizes(ctx, w.s, &got))
		return zcbuf_last_errno(ctx);
	if (qf)
		to_public(&got, qf);
	return 0;
}

/* The queue's current format and @buf's layout, to compare them. */
static int queue_and_buffer(struct zcbuf_queue *queue, const struct zcbuf_buffer *buf,
			    struct zc_dev_format *df, struct zc_fit_buffer *fb)
{
	int ret;

	if (!queue)
		return -EINVAL;
	if (!buf)
		return zc_fail_msg(queue->dev->ctx, EINVAL, "%s: no buffer (NULL)",
				   zc_queue_what(queue).s);
	ret = zc_get_format(queue->dev->ctx, queue->dev->fd, queue->type, df);
	if (!ret)
		zc_fit_buffer_of(buf, fb);
	return ret;
}

int zcbuf_queue_check_buffer(struct zcbuf_queue *queue, const struct zcbuf_buffer *buf)
{
	struct zc_fit_buffer fb;
	struct zc_dev_format df;
	struct zc_fit fit;
	int ret;

	ret = queue_and_buffer(queue, buf, &df, &fb);
	if (ret)
		return ret;
	return zc_fit_check(queue->dev->ctx, zc_queue_what(queue).s, &df, &fb, &fit);
}

int zcbuf_queue_match_buffer(struct zcbuf_queue *queue, const struct zcbuf_buffer *buf)
{
	uint32_t strides[ZCBUF_MAX_PLANES] = { 0 };
	struct zc_fit_buffer fb;
	struct zc_dev_format df;
	unsigned int m, n;
	bool same;
	int ret;

	ret = queue_and_buffer(queue, buf, &df, &fb);
	if (ret)
		return ret;
	n = zc_fit_strides(&fb, strides);
	same = !fb.fmt.fourcc || (!memcmp(&fb.fmt, &df.fmt, sizeof(fb.fmt)) && n == df.num_mem);
	for (m = 0; same && m < n; m++)
		same = !fb.fmt.fourcc || strides[m] == df.bpl[m];
	if (!same) {
		ret = zcbuf_queue_set_format(queue, &fb.fmt, strides, NULL);
		if (ret)
			return ret;
	}
	return zcbuf_queue_check_buffer(queue, buf);
}
