/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzcbuf buffers as GstBuffers and back: a zcbuf_buffer becomes one
 * GstDmaBufAllocator memory per dma-buf (an fd of its own, so the GstBuffer
 * may outlive the zcbuf_buffer) with a GstVideoMeta; a GstBuffer of dma-buf
 * memory becomes a zcbuf_buffer of duplicated fds, so upstream's fds stay
 * upstream's (GStreamer 1.22.0's v4l2 allocator closed foreign fds); a
 * GstBuffer of other memory becomes a zcbuf_buffer of its mapping, for
 * USERPTR, mapped as long as the device may read it.
 */
#ifndef ZCBUF_GSTBUFFER_H
#define ZCBUF_GSTBUFFER_H

#include <gst/video/video.h>
#include <zcbuf/zcbuf.h>

G_BEGIN_DECLS

/* A GstBuffer over @zb's dma-bufs, NULL when an fd cannot be duplicated. */
GstBuffer *zcbuf_gst_buffer_new(GstAllocator *dmabuf_allocator, struct zcbuf_buffer *zb,
				const GstVideoInfo *info);

/* Is every memory of @buf dma-buf memory? */
gboolean zcbuf_gst_buffer_is_dmabuf(GstBuffer *buf);

/*
 * A zcbuf_buffer over the dma-bufs of @buf (zcbuf_gst_buffer_is_dmabuf()),
 * planes where its GstVideoMeta (else @info) puts them: 0 or the negative
 * errno of zcbuf_buffer_wrap() (the reason in @ctx); -EINVAL when a plane
 * is outside the buffer's memories.
 */
int zcbuf_gst_buffer_wrap(struct zcbuf_ctx *ctx, GstBuffer *buf, const GstVideoInfo *info,
			  struct zcbuf_buffer **zb);

/* A GstBuffer's memory, mapped for reading, as a zcbuf_buffer of ordinary memory. */
struct zcbuf_gst_mapping {
	GstBuffer *buf;		/* NULL when not mapped */
	GstMapInfo map;
	struct zcbuf_buffer *zb;
};

/*
 * Map @buf (one GstMemory) for reading and wrap the mapping with
 * zcbuf_buffer_wrap_memory(), planes where its GstVideoMeta (else @info)
 * puts them. 0, or a negative errno with the reason in *@why (a static
 * text) or, when *@why is NULL, in @ctx. Nothing stays mapped on failure.
 * @buf must live until zcbuf_gst_mapping_release().
 */
int zcbuf_gst_mapping_wrap(struct zcbuf_ctx *ctx, GstBuffer *buf, const GstVideoInfo *info,
			   struct zcbuf_gst_mapping *m, const gchar **why);

/* Free the zcbuf_buffer and unmap: once no queue holds it. A zeroed @m is a no-op. */
void zcbuf_gst_mapping_release(struct zcbuf_gst_mapping *m);

G_END_DECLS

#endif
