/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zcbufconvert: a V4L2 mem2mem converter that imports its input. */
#ifndef GST_ZCBUF_CONVERT_H
#define GST_ZCBUF_CONVERT_H

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <zcbuf/zcbuf.h>

#include "zcbuf-common.h"
#include "zcbuf-lender.h"

G_BEGIN_DECLS

#define GST_TYPE_ZCBUF_CONVERT (gst_zcbuf_convert_get_type())
G_DECLARE_FINAL_TYPE(GstZcbufConvert, gst_zcbuf_convert, GST, ZCBUF_CONVERT, GstBaseTransform)

#define GST_ZCBUF_CONVERT_SLOTS 4 /* capture buffers, and copy buffers for input */

struct _GstZcbufConvert {
	GstBaseTransform parent;
	struct zcbuf_common common;

	/* between start and stop, streaming thread only */
	struct zcbuf_ctx *ctx;
	struct zcbuf_device *dev;
	struct zcbuf_queue *in_queue;	/* the device's OUTPUT queue */
	struct zcbuf_queue *out_queue;	/* its CAPTURE queue */
	GstCaps *sink_caps, *src_caps;	/* what the device enumerates */
	GstAllocator *dmabuf_allocator;
	GstVideoInfo in_info, out_info;
	struct zcbuf_buffer *cap_slots[GST_ZCBUF_CONVERT_SLOTS];
	guint n_cap;
	guint64 cap_free;		/* capture slots neither queued nor lent */
	struct zcbuf_lender *lender;
	gboolean in_ready;		/* the input queue is set up */
	gboolean in_memory;		/* it takes upstream's memory (not dma-buf) by USERPTR */
	struct zcbuf_buffer *copy_slots[GST_ZCBUF_CONVERT_SLOTS]; /* input copied into */
	guint n_copy, next_copy;
	gboolean streaming;
	guint64 own_copies, own_bytes;
};

gboolean gst_zcbuf_convert_register(GstPlugin *plugin);

G_END_DECLS

#endif
