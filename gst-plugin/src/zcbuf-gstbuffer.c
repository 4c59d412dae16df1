// SPDX-License-Identifier: LGPL-2.1-or-later
/* libzcbuf buffers as GstBuffers of dma-buf memory, and back. */
#include "zcbuf-gstbuffer.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gst/allocators/gstdmabuf.h>

#include "zcbuf-video.h"

/* One GstMemory over dma-buf @fd, of @used bytes; NULL on failure. */
static GstMemory *dmabuf_memory(GstAllocator *allocator, int fd, gsize used)
{
	off_t size = lseek(fd, 0, SEEK_END);
	int dup_fd = size > 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	GstMemory *mem;

	if (dup_fd < 0)
		return NULL;
	/* the allocator owns the duplicate and closes it */
	mem = gst_dmabuf_allocator_alloc(allocator, dup_fd, (gsize)size);
	/*
	 * size: what the frame uses; maxsize: the whole (page-rounded) dma-buf.
	 * Importers queue the size as bytesused, and V4L2 refuses a bytesused
	 * beyond the buffer length it expects (v4l2convert: EINVAL).
	 */
	if (used > 0 && used < (gsize)size)
		gst_memory_resize(mem, 0, used);
	return mem;
}

GstBuffer *zcbuf_gst_buffer_new(GstAllocator *dmabuf_allocator, struct zcbuf_buffer *zb,
				const GstVideoInfo *info)
{
	gsize offsets[GST_VIDEO_MAX_PLANES] = { 0 };
	gint strides[GST_VIDEO_MAX_PLANES] = { 0 };
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	int fds[ZCBUF_MAX_PLANES], mem_of[ZCBUF_MAX_PLANES];
	gsize used[ZCBUF_MAX_PLANES] = { 0 }, start = 0;
	int n = zcbuf_buffer_num_planes(zb), n_fds = 0, p, m;
	GstBuffer *buf = gst_buffer_new();

	/* planes that share a dma-buf share its fd and its GstMemory */
	for (p = 0; p < n; p++) {
		zcbuf_buffer_get_plane(zb, p, &planes[p]);
		for (m = 0; m < n_fds && fds[m] != planes[p].fd; m++)
			;
		if (m == n_fds)
			fds[n_fds++] = planes[p].fd;
		mem_of[p] = m;
		used[m] = MAX(used[m], planes[p].offset + planes[p].length);
	}
	for (m = 0; m < n_fds; m++) {
		GstMemory *mem = dmabuf_memory(dmabuf_allocator, fds[m], used[m]);

		if (!mem) {
			gst_buffer_unref(buf);
			return NULL;
		}
		gst_buffer_append_memory(buf, mem);
		for (p = 0; p < n; p++)
			if (mem_of[p] == m)
				offsets[p] = start + planes[p].offset;
		start += mem->size;
	}
	for (p = 0; p < n; p++)
		strides[p] = (gint)planes[p].stride;
	gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(info),
				       GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info),
				       (guint)n, offsets, strides);
	return buf;
}

gboolean zcbuf_gst_buffer_is_dmabuf(GstBuffer *buf)
{
	guint i, n = gst_buffer_n_memory(buf);

	for (i = 0; i < n; i++)
		if (!gst_is_dmabuf_memory(gst_buffer_peek_memory(buf, i)))
			return FALSE;
	return n > 0;
}

/* Lines of plane @p: those of its first component. */
static guint plane_lines(const GstVideoInfo *info, guint p)
{
	gint comps[GST_VIDEO_MAX_COMPONENTS];

	gst_video_format_info_component(info->finfo, p, comps);
	return GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(info->finfo, comps[0],
						  GST_VIDEO_INFO_HEIGHT(info));
}

int zcbuf_gst_buffer_wrap(struct zcbuf_ctx *ctx, GstBuffer *buf, const GstVideoInfo *info,
			  struct zcbuf_buffer **zb)
{
	GstVideoMeta *meta = gst_buffer_get_video_meta(buf);
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	guint n = GST_VIDEO_INFO_N_PLANES(info), p;
	struct zcbuf_format fmt;

	if (n > ZCBUF_MAX_PLANES || !zcbuf_video_info_to_format(info, &fmt))
		return -EINVAL;
	for (p = 0; p < n; p++) {
		gsize offset = meta ? meta->offset[p] : GST_VIDEO_INFO_PLANE_OFFSET(info, p);
		gint stride = meta ? meta->stride[p] : GST_VIDEO_INFO_PLANE_STRIDE(info, p);
		guint idx, len;
		gsize skip;
		GstMemory *mem;

		if (!gst_buffer_find_memory(buf, offset, 1, &idx, &len, &skip) || stride <= 0)
			return -EINVAL;
		mem = gst_buffer_peek_memory(buf, idx);
		planes[p].fd = gst_dmabuf_memory_get_fd(mem);
		planes[p].offset = mem->offset + skip;
		planes[p].stride = (uint32_t)stride;
		planes[p].length = (uint64_t)stride * plane_lines(info, p);
	}
	return zcbuf_buffer_wrap(ctx, &fmt, planes, n, zb);
}
