/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * V4L2 pixel formats as GStreamer video formats, and the caps a V4L2 queue
 * offers (VIDIOC_ENUM_FMT, VIDIOC_ENUM_FRAMESIZES), each structure twice:
 * with the memory:DMABuf feature first, then as system memory.
 */
#ifndef ZCBUF_VIDEO_H
#define ZCBUF_VIDEO_H

#include <gst/video/video.h>
#include <zcbuf/zcbuf.h>

G_BEGIN_DECLS

/* The formats of the table, for pad templates: "{ RGB, BGR, ... }". */
GstCaps *zcbuf_video_template_caps(void);

/* The V4L2 fourcc of @format, or 0. */
guint32 zcbuf_video_to_fourcc(GstVideoFormat format);

/* The GStreamer format of a V4L2 fourcc, or GST_VIDEO_FORMAT_UNKNOWN. */
GstVideoFormat zcbuf_video_from_fourcc(guint32 fourcc);

/*
 * The caps @queue can take: every format of the table it enumerates, at the
 * frame sizes it enumerates; the template caps' formats when it says nothing.
 * With @rates (a capture device), the frame rates it offers at each size;
 * else any rate (a mem2mem queue runs at the rate it is fed).
 */
GstCaps *zcbuf_video_queue_caps(struct zcbuf_queue *queue, int fd, gboolean rates);

/*
 * Ask capture queue @type of @fd for @fps_n/@fps_d frames per second
 * (VIDIOC_S_PARM) where the device can be told; @got_n / @got_d: the rate
 * it runs at. A rate of 0 (variable) asks nothing. 0 or -errno.
 */
int zcbuf_video_set_rate(int fd, guint32 type, gint fps_n, gint fps_d, gint *got_n,
			 gint *got_d);

/* @caps with every structure in both memory kinds, DMABuf first. */
GstCaps *zcbuf_video_both_memories(GstCaps *caps);

/* The zcbuf format of @info: FALSE for a format outside the table. */
gboolean zcbuf_video_info_to_format(const GstVideoInfo *info, struct zcbuf_format *fmt);

G_END_DECLS

#endif
