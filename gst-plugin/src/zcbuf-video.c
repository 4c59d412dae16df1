// SPDX-License-Identifier: LGPL-2.1-or-later
/* V4L2 pixel formats as GStreamer video formats and a queue's caps. */
#include "zcbuf-video.h"

#include <gst/allocators/gstdmabuf.h>

#include <errno.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>

/* Formats with the same bytes in memory on both sides, no padding rules. */
static const struct {
	guint32 fourcc;
	GstVideoFormat format;
} formats[] = {
	{ V4L2_PIX_FMT_RGB24, GST_VIDEO_FORMAT_RGB },
	{ V4L2_PIX_FMT_BGR24, GST_VIDEO_FORMAT_BGR },
	{ V4L2_PIX_FMT_YUYV, GST_VIDEO_FORMAT_YUY2 },
	{ V4L2_PIX_FMT_UYVY, GST_VIDEO_FORMAT_UYVY },
	{ V4L2_PIX_FMT_RGB565, GST_VIDEO_FORMAT_RGB16 },
	{ V4L2_PIX_FMT_GREY, GST_VIDEO_FORMAT_GRAY8 },
	{ V4L2_PIX_FMT_NV12, GST_VIDEO_FORMAT_NV12 },
	{ V4L2_PIX_FMT_NV21, GST_VIDEO_FORMAT_NV21 },
	{ V4L2_PIX_FMT_YUV420, GST_VIDEO_FORMAT_I420 },
	{ V4L2_PIX_FMT_YVU420, GST_VIDEO_FORMAT_YV12 },
	{ V4L2_PIX_FMT_XBGR32, GST_VIDEO_FORMAT_BGRx },
};

guint32 zcbuf_video_to_fourcc(GstVideoFormat format)
{
	for (guint i = 0; i < G_N_ELEMENTS(formats); i++)
		if (formats[i].format == format)
			return formats[i].fourcc;
	return 0;
}

GstVideoFormat zcbuf_video_from_fourcc(guint32 fourcc)
{
	for (guint i = 0; i < G_N_ELEMENTS(formats); i++)
		if (formats[i].fourcc == fourcc)
			return formats[i].format;
	return GST_VIDEO_FORMAT_UNKNOWN;
}

static GstStructure *raw_structure(GstVideoFormat format)
{
	return gst_structure_new("video/x-raw", "format", G_TYPE_STRING,
				 gst_video_format_to_string(format), NULL);
}

/* Any frame rate: a mem2mem queue converts at whatever rate it is fed. */
static void set_any_rate(GstStructure *s)
{
	gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, G_MAXINT, 1, NULL);
}

/* The rate of a V4L2 frame interval (seconds per frame); FALSE for 0. */
static gboolean interval_to_rate(const struct v4l2_fract *ival, GValue *rate)
{
	if (!ival->numerator || !ival->denominator)
		return FALSE;
	g_value_init(rate, GST_TYPE_FRACTION);
	gst_value_set_fraction(rate, (gint)ival->denominator, (gint)ival->numerator);
	return TRUE;
}

/*
 * The frame rates a capture device offers at one size: its discrete
 * intervals (VIDIOC_ENUM_FRAMEINTERVALS), a range for stepwise ones, the
 * current rate (VIDIOC_G_PARM) when it lists none, else 0/1 (variable).
 */
static void set_capture_rates(GstStructure *s, int fd, guint32 type, guint32 fourcc,
			      guint32 width, guint32 height)
{
	struct v4l2_frmivalenum fi = { .pixel_format = fourcc, .width = width,
				       .height = height };
	struct v4l2_streamparm parm = { .type = type };
	GValue list = G_VALUE_INIT, rate = G_VALUE_INIT;

	g_value_init(&list, GST_TYPE_LIST);
	for (fi.index = 0; ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) == 0; fi.index++) {
		if (fi.type != V4L2_FRMIVAL_TYPE_DISCRETE) {
			/* the longest interval is the lowest rate */
			if (fi.stepwise.max.numerator && fi.stepwise.min.numerator) {
				g_value_unset(&list);
				gst_structure_set(s, "framerate", GST_TYPE_FRACTION_RANGE,
						  (gint)fi.stepwise.max.denominator,
						  (gint)fi.stepwise.max.numerator,
						  (gint)fi.stepwise.min.denominator,
						  (gint)fi.stepwise.min.numerator, NULL);
				return;
			}
			break;
		}
		if (interval_to_rate(&fi.discrete, &rate))
			gst_value_list_append_and_take_value(&list, &rate);
	}
	if (gst_value_list_get_size(&list) == 0 && ioctl(fd, VIDIOC_G_PARM, &parm) == 0 &&
	    interval_to_rate(&parm.parm.capture.timeperframe, &rate))
		gst_value_list_append_and_take_value(&list, &rate);
	if (gst_value_list_get_size(&list) == 1) {
		gst_structure_set_value(s, "framerate", gst_value_list_get_value(&list, 0));
		g_value_unset(&list);
	} else if (gst_value_list_get_size(&list) > 1) {
		gst_structure_take_value(s, "framerate", &list);
	} else {
		g_value_unset(&list);
		gst_structure_set(s, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
	}
}

GstCaps *zcbuf_video_both_memories(GstCaps *caps)
{
	GstCaps *dmabuf = gst_caps_copy(caps);
	GstCaps *sysmem = gst_caps_copy(caps);

	gst_caps_set_features_simple(dmabuf,
				     gst_caps_features_new(GST_CAPS_FEATURE_MEMORY_DMABUF, NULL));
	gst_caps_set_features_simple(sysmem, gst_caps_features_new_empty());
	gst_caps_unref(caps);
	return gst_caps_merge(dmabuf, sysmem);
}

GstCaps *zcbuf_video_template_caps(void)
{
	GstStructure *s = gst_structure_new("video/x-raw", "width", GST_TYPE_INT_RANGE, 1,
					    G_MAXINT, "height", GST_TYPE_INT_RANGE, 1, G_MAXINT,
					    NULL);
	GValue list = G_VALUE_INIT, item = G_VALUE_INIT;

	g_value_init(&list, GST_TYPE_LIST);
	g_value_init(&item, G_TYPE_STRING);
	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_value_set_static_string(&item, gst_video_format_to_string(formats[i].format));
		gst_value_list_append_value(&list, &item);
	}
	gst_structure_take_value(s, "format", &list);
	g_value_unset(&item);
	set_any_rate(s);
	return zcbuf_video_both_memories(gst_caps_new_full(s, NULL));
}

/*
 * One structure per frame size the driver lists for @fourcc, with the
 * capture rates of that size when @rates (else any rate).
 */
static void add_sizes(GstCaps *caps, int fd, guint32 type, guint32 fourcc,
		      GstVideoFormat format, gboolean rates)
{
	struct v4l2_frmsizeenum fs = { .pixel_format = fourcc };

	for (fs.index = 0; ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) == 0; fs.index++) {
		GstStructure *s = raw_structure(format);

		if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
			gst_structure_set(s, "width", G_TYPE_INT, (gint)fs.discrete.width,
					  "height", G_TYPE_INT, (gint)fs.discrete.height, NULL);
			if (rates)
				set_capture_rates(s, fd, type, fourcc, fs.discrete.width,
						  fs.discrete.height);
			else
				set_any_rate(s);
		} else {
			/* stepwise: the steps are not expressible, S_FMT decides */
			gst_structure_set(s, "width", GST_TYPE_INT_RANGE,
					  (gint)fs.stepwise.min_width, (gint)fs.stepwise.max_width,
					  "height", GST_TYPE_INT_RANGE,
					  (gint)fs.stepwise.min_height,
					  (gint)fs.stepwise.max_height, NULL);
			/* and S_PARM the rate, which may depend on the size */
			set_any_rate(s);
			gst_caps_append_structure(caps, s);
			return;
		}
		gst_caps_append_structure(caps, s);
	}
	if (fs.index == 0) {
		/* no ENUM_FRAMESIZES (mem2mem drivers often have none): any size */
		GstStructure *s = raw_structure(format);

		gst_structure_set(s, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height",
				  GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
		set_any_rate(s);
		gst_caps_append_structure(caps, s);
	}
}

GstCaps *zcbuf_video_queue_caps(struct zcbuf_queue *queue, int fd, gboolean rates)
{
	guint32 type = (guint32)zcbuf_queue_get_type(queue);
	struct v4l2_fmtdesc fd_desc = { .type = type };
	GstCaps *caps = gst_caps_new_empty();

	for (fd_desc.index = 0; ioctl(fd, VIDIOC_ENUM_FMT, &fd_desc) == 0; fd_desc.index++) {
		GstVideoFormat format = zcbuf_video_from_fourcc(fd_desc.pixelformat);

		if (format != GST_VIDEO_FORMAT_UNKNOWN)
			add_sizes(caps, fd, type, fd_desc.pixelformat, format, rates);
	}
	if (gst_caps_is_empty(caps)) {
		gst_caps_unref(caps);
		return zcbuf_video_template_caps();
	}
	return zcbuf_video_both_memories(caps);
}

gboolean zcbuf_video_info_to_format(const GstVideoInfo *info, struct zcbuf_format *fmt)
{
	fmt->fourcc = zcbuf_video_to_fourcc(GST_VIDEO_INFO_FORMAT(info));
	fmt->width = GST_VIDEO_INFO_WIDTH(info);
	fmt->height = GST_VIDEO_INFO_HEIGHT(info);
	return fmt->fourcc != 0;
}

int zcbuf_video_set_rate(int fd, guint32 type, gint fps_n, gint fps_d, gint *got_n,
			 gint *got_d)
{
	struct v4l2_streamparm parm = { .type = type };

	*got_n = fps_n;
	*got_d = fps_d;
	if (fps_n <= 0 || fps_d <= 0)
		return 0; /* variable rate: the device keeps its own */
	if (ioctl(fd, VIDIOC_G_PARM, &parm) || !(parm.parm.capture.capability &
						 V4L2_CAP_TIMEPERFRAME))
		return 0; /* fixed rate, the one the caps listed */
	parm.parm.capture.timeperframe.numerator = (guint32)fps_d;
	parm.parm.capture.timeperframe.denominator = (guint32)fps_n;
	if (ioctl(fd, VIDIOC_S_PARM, &parm))
		return -errno;
	if (parm.parm.capture.timeperframe.numerator && parm.parm.capture.timeperframe.denominator) {
		*got_n = (gint)parm.parm.capture.timeperframe.denominator;
		*got_d = (gint)parm.parm.capture.timeperframe.numerator;
	}
	return 0;
}
