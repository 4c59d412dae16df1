// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zcbufsrc: captures from a V4L2 device (vivid) into buffers of a dma-buf
 * source of choice, imported by DMABUF or USERPTR (libzcbuf probes which
 * works), or into the device's own buffers exported as dma-bufs. Buffers
 * go downstream as dma-buf memory with a GstVideoMeta and come back to the
 * device when downstream frees them (zcbuf-lender): no copy on the way.
 */
#include "gstzcbufsrc.h"

#include <errno.h>
#include <linux/videodev2.h>
#include <gst/allocators/gstdmabuf.h>

#include "zcbuf-gstbuffer.h"
#include "zcbuf-video.h"

GST_DEBUG_CATEGORY_STATIC(zcbufsrc_debug);
#define GST_CAT_DEFAULT zcbufsrc_debug

#define DEFAULT_DEVICE "/dev/video0"
#define DEFAULT_HEAP "system"
#define WAIT_MS 100 /* how often a blocked capture looks at flushing */

enum {
	PROP_BUFFER_SOURCE = ZCBUF_PROP_COMMON_LAST,
	PROP_HEAP,
};

G_DEFINE_TYPE(GstZcbufSrc, gst_zcbuf_src, GST_TYPE_PUSH_SRC)

static GType buffer_source_get_type(void)
{
	static GType type;
	static const GEnumValue values[] = {
		{ GST_ZCBUF_SOURCE_V4L2, "The device's own buffers, exported (VIDIOC_EXPBUF)",
		  "v4l2" },
		{ GST_ZCBUF_SOURCE_DMA_HEAP, "A dma-heap (property heap)", "dma-heap" },
		{ GST_ZCBUF_SOURCE_UDMABUF, "memfd pages through /dev/udmabuf", "udmabuf" },
		{ GST_ZCBUF_SOURCE_DRM_DUMB, "DRM dumb buffers of vgem", "drm-dumb" },
		{ 0, NULL, NULL },
	};

	if (g_once_init_enter(&type))
		g_once_init_leave(&type, g_enum_register_static("GstZcbufBufferSource", values));
	return type;
}

static void gst_zcbuf_src_set_property(GObject *obj, guint id, const GValue *value,
				       GParamSpec *pspec)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(obj);

	if (zcbuf_common_set_property(obj, &self->common, id, value))
		return;
	GST_OBJECT_LOCK(self);
	switch (id) {
	case PROP_BUFFER_SOURCE:
		self->buffer_source = g_value_get_enum(value);
		break;
	case PROP_HEAP:
		g_free(self->heap);
		self->heap = g_value_dup_string(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
	GST_OBJECT_UNLOCK(self);
}

static void gst_zcbuf_src_get_property(GObject *obj, guint id, GValue *value, GParamSpec *pspec)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(obj);

	if (zcbuf_common_get_property(obj, &self->common, id, value))
		return;
	GST_OBJECT_LOCK(self);
	switch (id) {
	case PROP_BUFFER_SOURCE:
		g_value_set_enum(value, self->buffer_source);
		break;
	case PROP_HEAP:
		g_value_set_string(value, self->heap);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
	GST_OBJECT_UNLOCK(self);
}

static void gst_zcbuf_src_finalize(GObject *obj)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(obj);

	zcbuf_common_finalize(&self->common);
	g_free(self->heap);
	G_OBJECT_CLASS(gst_zcbuf_src_parent_class)->finalize(obj);
}

static gboolean gst_zcbuf_src_stop(GstBaseSrc *src);

static gboolean gst_zcbuf_src_start(GstBaseSrc *src)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);
	gchar *device;
	int ret;

	ret = zcbuf_common_open(GST_ELEMENT(self), &self->common, &self->ctx, &self->dev, &device);
	if (!ret)
		ret = zcbuf_device_get_queue(self->dev, ZCBUF_CAPTURE, &self->queue);
	if (ret && device)
		GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Cannot capture from '%s': %s",
			device, ret == -EOPNOTSUPP ? "it has no capture queue" :
			zcbuf_last_error(self->ctx)), ("libzcbuf error %d", ret));
	if (ret) {
		/* GstBaseSrc calls no stop() after a failed start() */
		g_free(device);
		gst_zcbuf_src_stop(src);
		return FALSE;
	}
	g_free(device);
	self->device_caps = zcbuf_video_queue_caps(self->queue, zcbuf_device_get_fd(self->dev),
						   TRUE);
	self->dmabuf_allocator = gst_dmabuf_allocator_new();
	GST_INFO_OBJECT(self, "device caps %" GST_PTR_FORMAT, self->device_caps);
	return TRUE;
}

/* Stop the queue and drop its buffers; downstream keeps what it holds. */
static void teardown_stream(GstZcbufSrc *self)
{
	guint i;

	if (self->queue)
		zcbuf_queue_release(self->queue);
	for (i = 0; i < self->n_slots; i++) {
		zcbuf_buffer_free(self->slots[i]);
		self->slots[i] = NULL;
	}
	self->n_slots = self->queued = 0;
	/* unlock() may be flushing it right now, from the state change */
	zcbuf_lender_replace(GST_OBJECT(self), &self->lender, NULL);
}

static gboolean gst_zcbuf_src_stop(GstBaseSrc *src)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);

	teardown_stream(self);
	zcbuf_device_free(self->dev);
	self->dev = NULL;
	self->queue = NULL;
	zcbuf_ctx_free(self->ctx);
	self->ctx = NULL;
	gst_clear_caps(&self->device_caps);
	gst_clear_object(&self->dmabuf_allocator);
	return TRUE;
}

static GstCaps *gst_zcbuf_src_get_caps(GstBaseSrc *src, GstCaps *filter)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);
	GstCaps *caps = self->device_caps ? gst_caps_ref(self->device_caps) :
			gst_pad_get_pad_template_caps(GST_BASE_SRC_PAD(src));

	if (filter) {
		GstCaps *both = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);

		gst_caps_unref(caps);
		caps = both;
	}
	return caps;
}

/* Like v4l2src: the highest rate up to 100 frames per second. */
static GstCaps *gst_zcbuf_src_fixate(GstBaseSrc *src, GstCaps *caps)
{
	guint i;

	caps = gst_caps_make_writable(caps);
	for (i = 0; i < gst_caps_get_size(caps); i++)
		gst_structure_fixate_field_nearest_fraction(gst_caps_get_structure(caps, i),
							    "framerate", 100, 1);
	return GST_BASE_SRC_CLASS(gst_zcbuf_src_parent_class)->fixate(src, caps);
}

/* Queue slot @slot to the driver again. */
static int requeue(GstZcbufSrc *self, guint slot)
{
	int ret = self->buffer_source == GST_ZCBUF_SOURCE_V4L2 ?
		  zcbuf_queue_put_index(self->queue, slot, 0) :
		  zcbuf_queue_put(self->queue, self->slots[slot], 0);

	if (ret >= 0)
		self->queued++;
	return ret < 0 ? ret : 0;
}

/* The libzcbuf source string of the buffer-source property. */
static gchar *source_string(GstZcbufSrc *self)
{
	switch (self->buffer_source) {
	case GST_ZCBUF_SOURCE_DMA_HEAP: return g_strdup_printf("heap:%s", self->heap);
	case GST_ZCBUF_SOURCE_UDMABUF: return g_strdup("udmabuf");
	case GST_ZCBUF_SOURCE_DRM_DUMB: return g_strdup("drm:vgem");
	default: return NULL;
	}
}

/* Allocate the slots and import them: the driver's count, or -errno. */
static int setup_imported(GstZcbufSrc *self, const struct zcbuf_format *fmt,
			  const struct zcbuf_queue_format *qf)
{
	gchar *source = source_string(self);
	unsigned int flags = 0;
	int ret = 0, n;
	guint i;

	for (i = 0; i < GST_ZCBUF_SRC_MAX_SLOTS / 2; i++, self->n_slots++) {
		ret = zcbuf_alloc(self->ctx, source, fmt, qf->sizeimage[0], &self->slots[i]);
		if (ret)
			break;
	}
	g_free(source);
	if (ret)
		return ret;
	/* a source whose stride differs (DRM pitch) renegotiates the queue */
	ret = zcbuf_queue_match_buffer(self->queue, self->slots[0]);
	if (ret)
		return ret;
	/* explicit modes never change silently; auto may copy unless strict */
	if (self->common.import_mode == ZCBUF_MEMORY_AUTO && !self->common.strict)
		flags |= ZCBUF_SETUP_ALLOW_COPY;
	n = zcbuf_queue_setup(self->queue, self->common.import_mode, self->n_slots,
			      self->slots[0], flags);
	return n;
}

static gboolean setup_stream(GstZcbufSrc *self)
{
	struct zcbuf_queue_format qf;
	struct zcbuf_format fmt;
	const gchar *what = "set the format";
	int ret;
	guint i;

	if (!zcbuf_video_info_to_format(&self->info, &fmt)) {
		GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("Format %s is not supported",
				  GST_VIDEO_INFO_NAME(&self->info)), (NULL));
		return FALSE;
	}
	ret = zcbuf_queue_set_format(self->queue, &fmt, NULL, &qf);
	if (!ret) {
		what = "set up buffers";
		if (self->buffer_source == GST_ZCBUF_SOURCE_V4L2) {
			ret = zcbuf_common_export_mmap(self->queue, GST_ZCBUF_SRC_MAX_SLOTS / 2,
						       GST_ZCBUF_SRC_MAX_SLOTS, self->slots,
						       &self->n_slots);
		} else {
			ret = setup_imported(self, &fmt, &qf);
		}
	}
	/* the driver may give fewer buffers than asked */
	while (ret > 0 && self->n_slots > (guint)ret)
		zcbuf_buffer_free(self->slots[--self->n_slots]);
	zcbuf_lender_replace(GST_OBJECT(self), &self->lender, zcbuf_lender_new());
	for (i = 0; ret >= 0 && i < self->n_slots; i++) {
		what = "queue a buffer";
		ret = requeue(self, i);
	}
	if (ret >= 0) {
		what = "start streaming";
		ret = zcbuf_queue_start(self->queue);
	}
	if (ret < 0) {
		ZCBUF_POST_ERROR(self, self->ctx, ret, what);
		teardown_stream(self);
		return FALSE;
	}
	zcbuf_common_account(G_OBJECT(self), &self->common, self->queue, 0, 0, 0);
	GST_INFO_OBJECT(self, "%u buffers, import path %s", self->n_slots,
			zcbuf_common_path_name(self->queue));
	return TRUE;
}

/* Run the device at the negotiated rate: its frame duration, or FALSE. */
static gboolean set_rate(GstZcbufSrc *self)
{
	gint n = GST_VIDEO_INFO_FPS_N(&self->info), d = GST_VIDEO_INFO_FPS_D(&self->info);
	gint got_n, got_d;
	int ret;

	ret = zcbuf_video_set_rate(zcbuf_device_get_fd(self->dev),
				   (guint32)zcbuf_queue_get_type(self->queue), n, d, &got_n, &got_d);
	if (ret) {
		GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("Cannot set %d/%d frames per second: %s",
				  n, d, g_strerror(-ret)), ("VIDIOC_S_PARM failed"));
		return FALSE;
	}
	if ((gint64)got_n * d != (gint64)n * got_d)
		GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
				    ("The device runs at %d/%d frames per second, not %d/%d",
				     got_n, got_d, n, d), (NULL));
	self->frame_duration = got_n > 0 ?
		gst_util_uint64_scale_int(GST_SECOND, got_d, got_n) : GST_CLOCK_TIME_NONE;
	return TRUE;
}

static gboolean gst_zcbuf_src_set_caps(GstBaseSrc *src, GstCaps *caps)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);

	if (!gst_video_info_from_caps(&self->info, caps))
		return FALSE;
	teardown_stream(self); /* renegotiation: a new format, new buffers */
	self->offset = 0;
	return set_rate(self) && setup_stream(self);
}

/* Live: a frame is out one frame time after it started; the driver holds n_slots. */
static gboolean gst_zcbuf_src_query(GstBaseSrc *src, GstQuery *query)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);

	if (GST_QUERY_TYPE(query) != GST_QUERY_LATENCY || !self->lender)
		return GST_BASE_SRC_CLASS(gst_zcbuf_src_parent_class)->query(src, query);
	if (!GST_CLOCK_TIME_IS_VALID(self->frame_duration)) {
		gst_query_set_latency(query, TRUE, 0, GST_CLOCK_TIME_NONE);
		return TRUE;
	}
	gst_query_set_latency(query, TRUE, self->frame_duration,
			      self->frame_duration * self->n_slots);
	return TRUE;
}

static gboolean gst_zcbuf_src_decide_allocation(GstBaseSrc *src, GstQuery *query)
{
	/* downstream pools are not used: the buffers are the device's imports */
	while (gst_query_get_n_allocation_pools(query) > 0)
		gst_query_remove_nth_allocation_pool(query, 0);
	if (!gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL))
		GST_INFO_OBJECT(src, "downstream takes no GstVideoMeta: it must assume "
			       "default strides");
	return TRUE;
}

/* The slot of a dequeued frame: the V4L2 index, or the buffer put. */
static guint frame_slot(GstZcbufSrc *self, const struct zcbuf_frame *frame)
{
	guint slot = 0;

	if (self->buffer_source == GST_ZCBUF_SOURCE_V4L2)
		return frame->index;
	while (slot + 1 < self->n_slots && self->slots[slot] != frame->buf)
		slot++;
	return slot;
}

/* Wait for a captured frame: its slot, or a flow return (< 0 as -flow). */
static GstFlowReturn capture(GstZcbufSrc *self, guint *slot)
{
	struct zcbuf_frame frame;
	gint back;
	int ret;

	for (;;) {
		while ((back = zcbuf_lender_take(self->lender, FALSE)) >= 0)
			if ((ret = requeue(self, back)) < 0)
				goto error;
		if (g_atomic_int_get(&self->flushing))
			return GST_FLOW_FLUSHING;
		if (self->queued == 0) {
			/* downstream holds every buffer: wait for one */
			back = zcbuf_lender_take(self->lender, TRUE);
			if (back < 0)
				return GST_FLOW_FLUSHING;
			if ((ret = requeue(self, back)) < 0)
				goto error;
			continue;
		}
		frame.flags = 0;
		ret = zcbuf_queue_get(self->queue, WAIT_MS, &frame);
		if (ret == -ETIMEDOUT)
			continue;
		if (ret < 0 && !zcbuf_frame_failed(ret, &frame))
			goto error;
		self->queued--;
		*slot = frame_slot(self, &frame);
		if (ret == 0)
			return GST_FLOW_OK;
		/* the driver flagged the frame: say so, drop it, go on */
		GST_ELEMENT_WARNING(self, STREAM, FAILED,
				    ("The device marked frame %u as failed: dropped", frame.sequence),
				    (NULL));
		if ((ret = requeue(self, *slot)) < 0)
			goto error;
	}
error:
	ZCBUF_POST_ERROR(self, self->ctx, ret, "capture");
	return GST_FLOW_ERROR;
}

static GstFlowReturn gst_zcbuf_src_create(GstPushSrc *src, GstBuffer **out)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);
	GstFlowReturn flow;
	GstBuffer *buf;
	guint slot;

	if (!self->lender)
		return GST_FLOW_NOT_NEGOTIATED;
	flow = capture(self, &slot);
	if (flow != GST_FLOW_OK)
		return flow;
	buf = zcbuf_gst_buffer_new(self->dmabuf_allocator, self->slots[slot], &self->info);
	if (!buf) {
		GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Cannot duplicate a dma-buf fd"),
				  (NULL));
		return GST_FLOW_ERROR;
	}
	GST_BUFFER_DURATION(buf) = self->frame_duration;
	GST_BUFFER_OFFSET(buf) = self->offset++;
	GST_BUFFER_OFFSET_END(buf) = self->offset;
	zcbuf_lender_lend(self->lender, buf, slot);
	zcbuf_common_account(G_OBJECT(self), &self->common, self->queue, 1, 0, 0);
	*out = buf;
	return GST_FLOW_OK;
}

static gboolean gst_zcbuf_src_unlock(GstBaseSrc *src)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);

	g_atomic_int_set(&self->flushing, 1);
	/* not under the stream lock: the streaming thread may free self->lender */
	zcbuf_lender_flush_slot(GST_OBJECT(self), &self->lender, TRUE);
	return TRUE;
}

static gboolean gst_zcbuf_src_unlock_stop(GstBaseSrc *src)
{
	GstZcbufSrc *self = GST_ZCBUF_SRC(src);

	g_atomic_int_set(&self->flushing, 0);
	zcbuf_lender_flush_slot(GST_OBJECT(self), &self->lender, FALSE);
	return TRUE;
}

/* GstBaseSrc sends EOS itself: see it go, post the numbers before the sink's EOS. */
static GstPadProbeReturn on_src_event(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstZcbufSrc *self = data;

	(void)pad;
	if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS)
		zcbuf_common_post_stats(GST_ELEMENT(self), &self->common);
	return GST_PAD_PROBE_OK;
}

static void gst_zcbuf_src_class_init(GstZcbufSrcClass *klass)
{
	GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
	GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
	GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS(klass);
	const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
			       GST_PARAM_MUTABLE_READY;

	gobject_class->set_property = gst_zcbuf_src_set_property;
	gobject_class->get_property = gst_zcbuf_src_get_property;
	gobject_class->finalize = gst_zcbuf_src_finalize;
	zcbuf_common_install(gobject_class, DEFAULT_DEVICE,
			     "V4L2 capture device: a path, or the video node's name "
			     "(vivid-000-vid-cap)");
	g_object_class_install_property(gobject_class, PROP_BUFFER_SOURCE,
		g_param_spec_enum("buffer-source", "Buffer source",
				  "Where the buffers the device captures into come from",
				  buffer_source_get_type(), GST_ZCBUF_SOURCE_V4L2, rw));
	g_object_class_install_property(gobject_class, PROP_HEAP,
		g_param_spec_string("heap", "dma-heap",
				    "The dma-heap of buffer-source=dma-heap: a name in "
				    "/dev/dma_heap, or cma", DEFAULT_HEAP, rw));

	gst_element_class_set_static_metadata(element_class, "zcbuf V4L2 source",
		"Source/Video/Hardware",
		"Captures from a V4L2 device into dma-bufs it imports without copies "
		"(dma-heap, udmabuf, DRM dumb or the device's own), with copy counters",
		"zcbuf project <zcbuf@localhost>");
	gst_element_class_add_pad_template(element_class,
		gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				     zcbuf_video_template_caps()));
	gst_type_mark_as_plugin_api(buffer_source_get_type(), 0);
	gst_type_mark_as_plugin_api(zcbuf_import_mode_get_type(), 0);

	basesrc_class->start = gst_zcbuf_src_start;
	basesrc_class->stop = gst_zcbuf_src_stop;
	basesrc_class->get_caps = gst_zcbuf_src_get_caps;
	basesrc_class->fixate = gst_zcbuf_src_fixate;
	basesrc_class->set_caps = gst_zcbuf_src_set_caps;
	basesrc_class->decide_allocation = gst_zcbuf_src_decide_allocation;
	basesrc_class->query = gst_zcbuf_src_query;
	basesrc_class->unlock = gst_zcbuf_src_unlock;
	basesrc_class->unlock_stop = gst_zcbuf_src_unlock_stop;
	GST_PUSH_SRC_CLASS(klass)->create = gst_zcbuf_src_create;
	GST_DEBUG_CATEGORY_INIT(zcbufsrc_debug, "zcbufsrc", 0, "zcbuf V4L2 source");
}

static void gst_zcbuf_src_init(GstZcbufSrc *self)
{
	zcbuf_common_init(&self->common, DEFAULT_DEVICE);
	self->buffer_source = GST_ZCBUF_SOURCE_V4L2;
	self->heap = g_strdup(DEFAULT_HEAP);
	self->frame_duration = GST_CLOCK_TIME_NONE;
	gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
	gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
	gst_base_src_set_do_timestamp(GST_BASE_SRC(self), TRUE);
	gst_pad_add_probe(GST_BASE_SRC_PAD(self), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  on_src_event, self, NULL);
}

gboolean gst_zcbuf_src_register(GstPlugin *plugin)
{
	return gst_element_register(plugin, "zcbufsrc", GST_RANK_NONE, GST_TYPE_ZCBUF_SRC);
}
