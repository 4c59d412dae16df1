// SPDX-License-Identifier: LGPL-2.1-or-later
/* libzcbuf buffers as GstBuffers of dma-buf memory, and back; other memory by its mapping. */
#include "zcbuf-gstbuffer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

/*
 * The planes of @buf where its GstVideoMeta (else @info) puts them: offset
 * in the buffer, stride and length; fd -1. FALSE for a format outside the
 * table or a stride that is not positive.
 */
static gboolean planes_of(GstBuffer *buf, const GstVideoInfo *info, struct zcbuf_format *fmt,
			  struct zcbuf_plane *planes, guint *n)
{
	GstVideoMeta *meta = gst_buffer_get_video_meta(buf);
	guint p;

	*n = GST_VIDEO_INFO_N_PLANES(info);
	if (*n > ZCBUF_MAX_PLANES || !zcbuf_video_info_to_format(info, fmt))
		return FALSE;
	for (p = 0; p < *n; p++) {
		gint stride = meta ? meta->stride[p] : GST_VIDEO_INFO_PLANE_STRIDE(info, p);

		if (stride <= 0)
			return FALSE;
		planes[p].fd = -1;
		planes[p].offset = meta ? meta->offset[p] : GST_VIDEO_INFO_PLANE_OFFSET(info, p);
		planes[p].stride = (uint32_t)stride;
		planes[p].length = (uint64_t)stride * plane_lines(info, p);
	}
	return TRUE;
}

int zcbuf_gst_buffer_wrap(struct zcbuf_ctx *ctx, GstBuffer *buf, const GstVideoInfo *info,
			  struct zcbuf_buffer **zb)
{
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	struct zcbuf_format fmt;
	guint n, p;

	if (!planes_of(buf, info, &fmt, planes, &n))
		return -EINVAL;
	for (p = 0; p < n; p++) {
		guint idx, len;
		gsize skip;
		GstMemory *mem;

		if (!gst_buffer_find_memory(buf, planes[p].offset, 1, &idx, &len, &skip))
			return -EINVAL;
		mem = gst_buffer_peek_memory(buf, idx);
		planes[p].fd = gst_dmabuf_memory_get_fd(mem);
		planes[p].offset = mem->offset + skip;
	}
	return zcbuf_buffer_wrap(ctx, &fmt, planes, n, zb);
}

int zcbuf_gst_mapping_wrap(struct zcbuf_ctx *ctx, GstBuffer *buf, const GstVideoInfo *info,
			   struct zcbuf_gst_mapping *m, const gchar **why)
{
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	struct zcbuf_format fmt;
	guint n;
	int ret;

	memset(m, 0, sizeof(*m));
	*why = NULL;
	/* more than one memory would be merged into a copy by gst_buffer_map() */
	if (gst_buffer_n_memory(buf) != 1)
		*why = "the buffer is not one GstMemory";
	else if (!planes_of(buf, info, &fmt, planes, &n))
		*why = "the buffer's planes are not those of a format of the table";
	else if (!gst_buffer_map(buf, &m->map, GST_MAP_READ))
		*why = "the buffer cannot be mapped for reading";
	if (*why)
		return -EINVAL;
	m->buf = buf;
	ret = zcbuf_buffer_wrap_memory(ctx, &fmt, m->map.data, m->map.size, planes, n, &m->zb);
	if (ret)
		zcbuf_gst_mapping_release(m);
	return ret;
}

void zcbuf_gst_mapping_release(struct zcbuf_gst_mapping *m)
{
	zcbuf_buffer_free(m->zb);
	m->zb = NULL;
	if (m->buf)
		gst_buffer_unmap(m->buf, &m->map);
	m->buf = NULL;
}
