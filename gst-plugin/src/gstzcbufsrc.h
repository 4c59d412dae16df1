/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zcbufsrc: a V4L2 capture source that imports the memory it captures into. */
#ifndef GST_ZCBUF_SRC_H
#define GST_ZCBUF_SRC_H

#include <gst/base/gstpushsrc.h>
#include <gst/video/video.h>
#include <zcbuf/zcbuf.h>

#include "zcbuf-common.h"
#include "zcbuf-lender.h"

G_BEGIN_DECLS

#define GST_TYPE_ZCBUF_SRC (gst_zcbuf_src_get_type())
G_DECLARE_FINAL_TYPE(GstZcbufSrc, gst_zcbuf_src, GST, ZCBUF_SRC, GstPushSrc)

/* Where the buffers vivid captures into come from. */
typedef enum {
	GST_ZCBUF_SOURCE_V4L2,	  /* the device's own MMAP buffers, exported */
	GST_ZCBUF_SOURCE_DMA_HEAP, /* a dma-heap (property heap) */
	GST_ZCBUF_SOURCE_UDMABUF,  /* memfd pages through /dev/udmabuf */
	GST_ZCBUF_SOURCE_DRM_DUMB, /* vgem dumb buffers */
} GstZcbufBufferSource;

#define GST_ZCBUF_SRC_MAX_SLOTS 8

struct _GstZcbufSrc {
	GstPushSrc parent;
	struct zcbuf_common common;
	GstZcbufBufferSource buffer_source;
	gchar *heap;

	/* between start and stop, streaming thread only */
	struct zcbuf_ctx *ctx;
	struct zcbuf_device *dev;
	struct zcbuf_queue *queue;
	GstCaps *device_caps;
	GstAllocator *dmabuf_allocator;
	GstVideoInfo info;
	struct zcbuf_buffer *slots[GST_ZCBUF_SRC_MAX_SLOTS];
	guint n_slots;
	guint queued;		/* slots the driver has */
	struct zcbuf_lender *lender;
	GstClockTime frame_duration;	/* at the device's rate; NONE if variable */
	guint64 offset;		/* frames pushed since the caps were set */
	gint flushing;		/* atomic: unlock() was called */
};

gboolean gst_zcbuf_src_register(GstPlugin *plugin);

G_END_DECLS

#endif
