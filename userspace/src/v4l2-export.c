// SPDX-License-Identifier: MIT
/* Source: V4L2 MMAP buffers exported as dma-bufs (VIDIOC_EXPBUF). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "private.h"

int zcbuf_v4l2_expbuf(struct zcbuf_ctx *ctx, int video_fd, uint32_t type, uint32_t index,
		      uint32_t plane, uint32_t flags)
{
	struct v4l2_exportbuffer exp = {
		.type = type, .index = index, .plane = plane, .flags = flags,
	};

	if (!ctx)
		return -EINVAL;
	if (zc_xioctl(video_fd, VIDIOC_EXPBUF, &exp))
		return zc_fail(ctx, errno, "v4l2 %s: VIDIOC_EXPBUF (%s queue, index %u, plane %u)",
			       zc_fd_path(video_fd).s, zc_type_name(type), index, plane);
	return exp.fd;
}

/* Colour planes of the device's buffer: by the table's layout, or one raw plane per memory plane. */
static int device_planes(struct zcbuf_ctx *ctx, int fd, const struct zc_dev_format *df,
			 const uint32_t *lengths, const int *fds, struct zcbuf_plane *planes,
			 unsigned int *n)
{
	const struct zcbuf_format_info *info;
	struct zcbuf_layout l;
	uint32_t p;
	int ret;

	if (zcbuf_format_info_get(df->fmt.fourcc, &info) || info->num_mem_planes != df->num_mem) {
		for (p = 0; p < df->num_mem; p++)
			planes[p] = (struct zcbuf_plane){ fds[p], df->bpl[p], 0, lengths[p] };
		*n = df->num_mem;
		return 0;
	}
	ret = zcbuf_format_layout(ctx, &df->fmt, df->bpl, &l);
	if (ret)
		return ret;
	for (p = 0; p < l.num_mem_planes; p++)
		if (l.mem_size[p] > lengths[p])
			return zc_fail_msg(ctx, EINVAL, "v4l2 %s: memory plane %u of %u bytes is "
					   "smaller than %s %ux%u needs (%llu)", zc_fd_path(fd).s, p,
					   lengths[p], info->name, df->fmt.width, df->fmt.height,
					   (unsigned long long)l.mem_size[p]);
	for (p = 0; p < l.num_planes; p++)
		planes[p] = (struct zcbuf_plane){ fds[l.plane[p].mem], l.plane[p].stride,
						  l.plane[p].offset, l.plane[p].size };
	*n = l.num_planes;
	return 0;
}

int zcbuf_v4l2_export(struct zcbuf_ctx *ctx, int video_fd, uint32_t type, uint32_t index,
		      struct zcbuf_buffer **buf)
{
	int fds[ZCBUF_MAX_PLANES] = { -1, -1, -1, -1 };
	struct v4l2_plane vplanes[VIDEO_MAX_PLANES];
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	uint32_t lengths[ZCBUF_MAX_PLANES], p;
	struct v4l2_buffer vb;
	struct zc_dev_format df;
	unsigned int n = 0;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!buf)
		return zc_fail_msg(ctx, EINVAL, "v4l2: no result (NULL)");
	ret = zc_get_format(ctx, video_fd, type, &df);
	if (ret)
		return ret;
	memset(&vb, 0, sizeof(vb));
	memset(vplanes, 0, sizeof(vplanes));
	vb.type = type;
	vb.index = index;
	if (zc_type_is_mplane(type)) {
		vb.m.planes = vplanes;
		vb.length = VIDEO_MAX_PLANES;
	}
	if (zc_xioctl(video_fd, VIDIOC_QUERYBUF, &vb))
		return zc_fail(ctx, errno, "v4l2 %s: VIDIOC_QUERYBUF (%s queue, index %u)",
			       zc_fd_path(video_fd).s, zc_type_name(type), index);
	if (vb.memory != V4L2_MEMORY_MMAP)
		return zc_fail_msg(ctx, EINVAL, "v4l2 %s: %s queue buffer %u is not an MMAP "
				   "buffer (memory %u): nothing to export", zc_fd_path(video_fd).s,
				   zc_type_name(type), index, vb.memory);
	if (zc_type_is_mplane(type) && vb.length != df.num_mem)
		return zc_fail_msg(ctx, EINVAL, "v4l2 %s: buffer %u has %u planes, the format %u",
				   zc_fd_path(video_fd).s, index, vb.length, df.num_mem);
	for (p = 0; p < df.num_mem; p++)
		lengths[p] = zc_type_is_mplane(type) ? vplanes[p].length : vb.length;

	for (p = 0; p < df.num_mem; p++) {
		fds[p] = zcbuf_v4l2_expbuf(ctx, video_fd, type, index, p, O_RDWR | O_CLOEXEC);
		if (fds[p] < 0) {
			ret = fds[p];
			goto out;
		}
	}
	ret = device_planes(ctx, video_fd, &df, lengths, fds, planes, &n);
	if (ret)
		goto out;
	ret = zc_buffer_new(ctx, &df.fmt, planes, n, true, buf);
	if (!ret)
		zc_buffer_name_quietly(*buf, "v4l2");
out:
	if (ret)
		zc_close_fds(fds, ZC_ARRAY_SIZE(fds));
	return ret;
}

/* Capture if the device has it, else output; multi-planar if it is. */
static int pick_queue(struct zcbuf_ctx *ctx, int fd, const char *path, uint32_t *type)
{
	struct v4l2_capability cap;
	uint32_t caps;

	memset(&cap, 0, sizeof(cap));
	if (zc_xioctl(fd, VIDIOC_QUERYCAP, &cap))
		return zc_fail(ctx, errno, "v4l2 %s: VIDIOC_QUERYCAP", path);
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	if (!(caps & V4L2_CAP_STREAMING))
		return zc_fail_msg(ctx, EOPNOTSUPP, "v4l2 %s (%s): no streaming I/O", path,
				   (const char *)cap.card);
	if (caps & (V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_VIDEO_M2M_MPLANE))
		*type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	else if (caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_M2M))
		*type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	else if (caps & V4L2_CAP_VIDEO_OUTPUT_MPLANE)
		*type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
	else if (caps & V4L2_CAP_VIDEO_OUTPUT)
		*type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	else
		return zc_fail_msg(ctx, EOPNOTSUPP, "v4l2 %s (%s): no video capture or output "
				   "queue", path, (const char *)cap.card);
	return 0;
}

static int set_format(struct zcbuf_ctx *ctx, int fd, const char *path, uint32_t type,
		      const struct zcbuf_format *want)
{
	struct v4l2_format f = { .type = type };
	struct zc_dev_format got;

	if (zc_type_is_mplane(type)) {
		f.fmt.pix_mp.pixelformat = want->fourcc;
		f.fmt.pix_mp.width = want->width;
		f.fmt.pix_mp.height = want->height;
		f.fmt.pix_mp.field = V4L2_FIELD_NONE;
	} else {
		f.fmt.pix.pixelformat = want->fourcc;
		f.fmt.pix.width = want->width;
		f.fmt.pix.height = want->height;
		f.fmt.pix.field = V4L2_FIELD_NONE;
	}
	if (zc_xioctl(fd, VIDIOC_S_FMT, &f))
		return zc_fail(ctx, errno, "v4l2 %s: VIDIOC_S_FMT %ux%u %s (%s queue)", path,
			       want->width, want->height, zc_fourcc_str(want->fourcc).s,
			       zc_type_name(type));
	zc_from_v4l2_format(&f, &got);
	if (got.fmt.fourcc != want->fourcc || got.fmt.width != want->width ||
	    got.fmt.height != want->height)
		return zc_fail_msg(ctx, EINVAL, "v4l2 %s: asked for %ux%u %s, the driver chose "
				   "%ux%u %s", path, want->width, want->height,
				   zc_fourcc_str(want->fourcc).s, got.fmt.width, got.fmt.height,
				   zc_fourcc_str(got.fmt.fourcc).s);
	return 0;
}

int zc_v4l2_alloc(struct zcbuf_ctx *ctx, const char *path, const struct zcbuf_format *fmt,
		  uint64_t size, struct zcbuf_buffer **buf)
{
	struct v4l2_requestbuffers req;
	uint32_t type = 0;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return zc_fail(ctx, errno, "v4l2 %s: open", path);
	ret = pick_queue(ctx, fd, path, &type);
	if (ret)
		goto out;
	if (fmt) {
		ret = set_format(ctx, fd, path, type, fmt);
		if (ret)
			goto out;
	}
	if (size) {
		struct zc_dev_format df;

		ret = zc_get_format(ctx, fd, type, &df);
		if (ret)
			goto out;
		if (df.total < size) {
			ret = zc_fail_msg(ctx, EINVAL, "v4l2 %s: %ux%u %s buffers hold %llu bytes, "
					  "not %llu", path, df.fmt.width, df.fmt.height,
					  zc_fourcc_str(df.fmt.fourcc).s,
					  (unsigned long long)df.total, (unsigned long long)size);
			goto out;
		}
	}
	memset(&req, 0, sizeof(req));
	req.count = 1;
	req.type = type;
	req.memory = V4L2_MEMORY_MMAP;
	if (zc_xioctl(fd, VIDIOC_REQBUFS, &req)) {
		ret = zc_fail(ctx, errno, "v4l2 %s: VIDIOC_REQBUFS 1 MMAP buffer (%s queue)", path,
			      zc_type_name(type));
		goto out;
	}
	if (!req.count) {
		ret = zc_fail_msg(ctx, ENOMEM, "v4l2 %s: VIDIOC_REQBUFS gave no MMAP buffer", path);
		goto out;
	}
	/* closing the device orphans the buffer: its dma-bufs keep the memory */
	ret = zcbuf_v4l2_export(ctx, fd, type, 0, buf);
out:
	close(fd);
	return ret;
}
