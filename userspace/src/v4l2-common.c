// SPDX-License-Identifier: MIT
/* Helpers every V4L2 file of the library uses: names, ioctls, formats. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "private.h"

struct zc_path zc_fd_path(int fd)
{
	struct zc_path p;
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, p.s, sizeof(p.s) - 1);
	if (n <= 0)
		n = snprintf(p.s, sizeof(p.s), "fd %d", fd);
	p.s[n] = '\0';
	return p;
}

const char *zc_type_name(uint32_t type)
{
	switch (type) {
	case V4L2_BUF_TYPE_VIDEO_CAPTURE: return "video capture";
	case V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE: return "video capture mplane";
	case V4L2_BUF_TYPE_VIDEO_OUTPUT: return "video output";
	case V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE: return "video output mplane";
	default: return "other";
	}
}

bool zc_type_is_mplane(uint32_t type)
{
	return type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE ||
	       type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

bool zc_type_is_video(uint32_t type)
{
	return zc_type_is_mplane(type) || type == V4L2_BUF_TYPE_VIDEO_CAPTURE ||
	       type == V4L2_BUF_TYPE_VIDEO_OUTPUT;
}

int zc_xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret && errno == EINTR);
	return ret;
}

void zc_from_v4l2_format(const struct v4l2_format *f, struct zc_dev_format *df)
{
	uint32_t p;

	memset(df, 0, sizeof(*df));
	if (zc_type_is_mplane(f->type)) {
		const struct v4l2_pix_format_mplane *mp = &f->fmt.pix_mp;

		df->fmt = (struct zcbuf_format){ mp->pixelformat, mp->width, mp->height };
		df->num_mem = mp->num_planes;
		if (df->num_mem > ZCBUF_MAX_PLANES)
			df->num_mem = ZCBUF_MAX_PLANES;
		for (p = 0; p < df->num_mem; p++) {
			df->bpl[p] = mp->plane_fmt[p].bytesperline;
			df->sizeimage[p] = mp->plane_fmt[p].sizeimage;
			df->total += mp->plane_fmt[p].sizeimage;
		}
	} else {
		const struct v4l2_pix_format *pix = &f->fmt.pix;

		df->fmt = (struct zcbuf_format){ pix->pixelformat, pix->width, pix->height };
		df->num_mem = 1;
		df->bpl[0] = pix->bytesperline;
		df->sizeimage[0] = pix->sizeimage;
		df->total = pix->sizeimage;
	}
}

int zc_get_format(struct zcbuf_ctx *ctx, int fd, uint32_t type, struct zc_dev_format *df)
{
	struct v4l2_format f = { .type = type };

	if (!zc_type_is_video(type))
		return zc_fail_msg(ctx, EINVAL, "v4l2 %s: queue type %u is not a video capture or "
				   "output queue", zc_fd_path(fd).s, type);
	if (zc_xioctl(fd, VIDIOC_G_FMT, &f))
		return zc_fail(ctx, errno, "v4l2 %s: VIDIOC_G_FMT (%s queue)", zc_fd_path(fd).s,
			       zc_type_name(type));
	zc_from_v4l2_format(&f, df);
	if (!df->num_mem)
		return zc_fail_msg(ctx, EINVAL, "v4l2 %s: VIDIOC_G_FMT (%s queue) gave no planes",
				   zc_fd_path(fd).s, zc_type_name(type));
	return 0;
}
