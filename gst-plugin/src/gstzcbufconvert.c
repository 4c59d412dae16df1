// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zcbufconvert: converts through a V4L2 mem2mem device (vim2m). Upstream's
 * dma-buf memory goes to the device as it is, by DMABUF or USERPTR of its
 * mapping (libzcbuf probes which the kernel takes, and keeps each dma-buf on
 * its V4L2 index); other memory goes by USERPTR of its mapping too, and only
 * where the kernel refuses that is it copied into the device's buffers,
 * counted, or refused when strict or with an explicit import-mode. The
 * device's capture buffers go downstream as dma-buf memory and come back
 * when freed (zcbuf-lender). One frame at a time: vim2m turns one input
 * into one output.
 */
#include "gstzcbufconvert.h"

#include <errno.h>
#include <gst/allocators/gstdmabuf.h>

#include "zcbuf-gstbuffer.h"
#include "zcbuf-video.h"

GST_DEBUG_CATEGORY_STATIC(zcbufconvert_debug);
#define GST_CAT_DEFAULT zcbufconvert_debug

#define DEFAULT_DEVICE "vim2m"
#define IMPORT_SLOTS 16 /* V4L2 indexes for imports: one per upstream dma-buf */
#define TIMEOUT_MS 10000 /* a conversion under QEMU TCG takes well under this */
#define POSTED (-ECANCELED) /* failed, and the element's error is on the bus already */

G_DEFINE_TYPE(GstZcbufConvert, gst_zcbuf_convert, GST_TYPE_BASE_TRANSFORM)

static void gst_zcbuf_convert_set_property(GObject *obj, guint id, const GValue *value,
					   GParamSpec *pspec)
{
	if (!zcbuf_common_set_property(obj, &GST_ZCBUF_CONVERT(obj)->common, id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
}

static void gst_zcbuf_convert_get_property(GObject *obj, guint id, GValue *value,
					   GParamSpec *pspec)
{
	if (!zcbuf_common_get_property(obj, &GST_ZCBUF_CONVERT(obj)->common, id, value))
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
}

static void gst_zcbuf_convert_finalize(GObject *obj)
{
	zcbuf_common_finalize(&GST_ZCBUF_CONVERT(obj)->common);
	G_OBJECT_CLASS(gst_zcbuf_convert_parent_class)->finalize(obj);
}

static gboolean gst_zcbuf_convert_stop(GstBaseTransform *trans);

static gboolean gst_zcbuf_convert_start(GstBaseTransform *trans)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);
	gchar *device;
	int ret, fd;

	self->own_copies = self->own_bytes = 0;
	ret = zcbuf_common_open(GST_ELEMENT(self), &self->common, &self->ctx, &self->dev, &device);
	if (!ret)
		ret = zcbuf_device_get_queue(self->dev, ZCBUF_OUTPUT, &self->in_queue);
	if (!ret)
		ret = zcbuf_device_get_queue(self->dev, ZCBUF_CAPTURE, &self->out_queue);
	if (ret && device)
		GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ_WRITE, ("Cannot convert with '%s': %s",
			device, ret == -EOPNOTSUPP ? "it is no mem2mem device" :
			zcbuf_last_error(self->ctx)), ("libzcbuf error %d", ret));
	if (ret) {
		/* GstBaseTransform calls no stop() after a failed start() */
		g_free(device);
		gst_zcbuf_convert_stop(trans);
		return FALSE;
	}
	g_free(device);
	fd = zcbuf_device_get_fd(self->dev);
	self->sink_caps = zcbuf_video_queue_caps(self->in_queue, fd, FALSE);
	self->src_caps = zcbuf_video_queue_caps(self->out_queue, fd, FALSE);
	self->dmabuf_allocator = gst_dmabuf_allocator_new();
	return TRUE;
}

static void free_slots(struct zcbuf_buffer **slots, guint *n)
{
	while (*n > 0) {
		zcbuf_buffer_free(slots[--*n]);
		slots[*n] = NULL;
	}
}

static void teardown_stream(GstZcbufConvert *self)
{
	if (self->in_queue) {
		zcbuf_queue_release(self->in_queue);
		zcbuf_queue_release(self->out_queue);
	}
	free_slots(self->cap_slots, &self->n_cap);
	free_slots(self->copy_slots, &self->n_copy);
	self->cap_free = 0;
	self->in_ready = self->in_memory = self->streaming = FALSE;
	/* change_state() or a flush event may be flushing it right now */
	zcbuf_lender_replace(GST_OBJECT(self), &self->lender, NULL);
}

static gboolean gst_zcbuf_convert_stop(GstBaseTransform *trans)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);

	teardown_stream(self);
	zcbuf_device_free(self->dev);
	self->dev = NULL;
	self->in_queue = self->out_queue = NULL;
	zcbuf_ctx_free(self->ctx);
	self->ctx = NULL;
	gst_clear_caps(&self->sink_caps);
	gst_clear_caps(&self->src_caps);
	gst_clear_object(&self->dmabuf_allocator);
	return TRUE;
}

/* Any format at the same size, in either kind of memory, as the device allows. */
static GstCaps *gst_zcbuf_convert_transform_caps(GstBaseTransform *trans,
						 GstPadDirection direction, GstCaps *caps,
						 GstCaps *filter)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);
	GstPad *other_pad = direction == GST_PAD_SINK ? trans->srcpad : trans->sinkpad;
	GstCaps *other = direction == GST_PAD_SINK ? self->src_caps : self->sink_caps;
	GstCaps *any_format = gst_caps_new_empty(), *result;
	guint i;

	other = other ? gst_caps_ref(other) : gst_pad_get_pad_template_caps(other_pad);
	for (i = 0; i < gst_caps_get_size(caps); i++) {
		GstStructure *s = gst_structure_copy(gst_caps_get_structure(caps, i));

		gst_structure_remove_fields(s, "format", "colorimetry", "chroma-site", NULL);
		any_format = gst_caps_merge_structure(any_format, s);
	}
	any_format = zcbuf_video_both_memories(any_format);
	result = gst_caps_intersect_full(other, any_format, GST_CAPS_INTERSECT_FIRST);
	gst_caps_unref(any_format);
	gst_caps_unref(other);
	if (filter) {
		GstCaps *both = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);

		gst_caps_unref(result);
		result = both;
	}
	GST_DEBUG_OBJECT(self, "%" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, caps, result);
	return result;
}

/* Only what the device enumerates (GstBaseTransform checks the template only). */
static gboolean gst_zcbuf_convert_accept_caps(GstBaseTransform *trans, GstPadDirection direction,
					      GstCaps *caps)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);
	GstCaps *device = direction == GST_PAD_SINK ? self->sink_caps : self->src_caps;

	if (device && !gst_caps_can_intersect(caps, device))
		return FALSE;
	return GST_BASE_TRANSFORM_CLASS(gst_zcbuf_convert_parent_class)->accept_caps(trans,
										      direction,
										      caps);
}

/* Set both formats and export the device's capture buffers. */
static gboolean gst_zcbuf_convert_set_caps(GstBaseTransform *trans, GstCaps *incaps,
					   GstCaps *outcaps)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);
	struct zcbuf_format in_fmt, out_fmt;
	const gchar *what = "set the input format";
	int ret;

	if (!gst_video_info_from_caps(&self->in_info, incaps) ||
	    !gst_video_info_from_caps(&self->out_info, outcaps) ||
	    !zcbuf_video_info_to_format(&self->in_info, &in_fmt) ||
	    !zcbuf_video_info_to_format(&self->out_info, &out_fmt))
		return FALSE;
	teardown_stream(self);
	ret = zcbuf_queue_set_format(self->in_queue, &in_fmt, NULL, NULL);
	if (!ret) {
		what = "set the output format";
		ret = zcbuf_queue_set_format(self->out_queue, &out_fmt, NULL, NULL);
	}
	if (!ret) {
		what = "allocate capture buffers";
		ret = zcbuf_common_export_mmap(self->out_queue, GST_ZCBUF_CONVERT_SLOTS,
					       GST_ZCBUF_CONVERT_SLOTS, self->cap_slots,
					       &self->n_cap);
	}
	if (ret < 0) {
		ZCBUF_POST_ERROR(self, self->ctx, ret, what);
		teardown_stream(self);
		return FALSE;
	}
	self->cap_free = (G_GUINT64_CONSTANT(1) << self->n_cap) - 1;
	zcbuf_lender_replace(GST_OBJECT(self), &self->lender, zcbuf_lender_new());
	return TRUE;
}

/* Upstream's memory is no dma-buf: copy it into the device's own buffers. */
static int setup_copy_input(GstZcbufConvert *self)
{
	int ret = zcbuf_common_export_mmap(self->in_queue, GST_ZCBUF_CONVERT_SLOTS,
					   GST_ZCBUF_CONVERT_SLOTS, self->copy_slots,
					   &self->n_copy);

	return ret < 0 ? ret : 0;
}

/*
 * The input queue copies from now on (upstream's memory cannot be imported):
 * its own buffers instead, restarted if it was streaming.
 */
static int switch_to_copy(GstZcbufConvert *self)
{
	int ret = self->streaming ? zcbuf_queue_stop(self->in_queue) : 0;

	self->in_memory = FALSE;
	if (!ret)
		ret = setup_copy_input(self);
	if (!ret && self->streaming)
		ret = zcbuf_queue_start(self->in_queue);
	return ret;
}

/*
 * USERPTR cannot take upstream's memory, for @reason: copy it, counted and
 * with a warning, where import-mode=auto and not strict; else an error.
 * TRUE when copying.
 */
static gboolean copy_instead(GstZcbufConvert *self, const gchar *reason)
{
	enum zcbuf_memory mode = self->common.import_mode;
	int ret;

	if (self->common.strict || mode != ZCBUF_MEMORY_AUTO) {
		GST_ELEMENT_ERROR(self, STREAM, FAILED,
			("Upstream memory is not dma-buf and USERPTR cannot import it: %s", reason),
			("import-mode=%s%s: no copy", zcbuf_memory_name(mode),
			 self->common.strict ? ", strict" : ""));
		return FALSE;
	}
	ret = switch_to_copy(self);
	if (ret) {
		ZCBUF_POST_ERROR(self, self->ctx, ret, "allocate input buffers");
		return FALSE;
	}
	GST_ELEMENT_WARNING(self, STREAM, FORMAT, ("Copying every frame: upstream memory is not "
			    "dma-buf and USERPTR cannot import it: %s (see property copies)",
			    reason), (NULL));
	return TRUE;
}

/* Upstream's memory is no dma-buf: USERPTR of its mapping, if the kernel takes it. */
static gboolean setup_memory_input(GstZcbufConvert *self, GstBuffer *inbuf)
{
	struct zcbuf_probe probe = { 0 };
	struct zcbuf_gst_mapping m;
	const gchar *why;
	gchar *reason;
	gboolean ok;
	int ret;

	if (self->common.import_mode == ZCBUF_MEMORY_DMABUF) {
		GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Upstream memory is not dma-buf: "
				  "import-mode=dmabuf cannot import it"),
				  ("memory %" GST_PTR_FORMAT, gst_buffer_peek_memory(inbuf, 0)));
		return FALSE;
	}
	ret = zcbuf_gst_mapping_wrap(self->ctx, inbuf, &self->in_info, &m, &why);
	if (!ret)
		ret = zcbuf_queue_match_buffer(self->in_queue, m.zb);
	/* the probe keeps the kernel's own reason for a refusal */
	if (!ret)
		ret = zcbuf_queue_probe(self->in_queue, m.zb, ZCBUF_MEMORY_USERPTR, &probe);
	if (!ret)
		ret = zcbuf_queue_setup(self->in_queue, ZCBUF_MEMORY_USERPTR, IMPORT_SLOTS, NULL, 0);
	zcbuf_gst_mapping_release(&m);
	if (ret >= 0) {
		self->in_memory = TRUE;
		GST_INFO_OBJECT(self, "input by userptr of upstream's memory");
		return TRUE;
	}
	reason = g_strdup(why ? why : probe.error ? probe.reason : zcbuf_last_error(self->ctx));
	ok = copy_instead(self, reason);
	g_free(reason);
	return ok;
}

/* The first buffer decides how the input queue gets its memory. */
static gboolean setup_input(GstZcbufConvert *self, GstBuffer *inbuf)
{
	enum zcbuf_memory mode = self->common.import_mode;
	struct zcbuf_buffer *sample = NULL;
	unsigned int flags = 0;
	int ret;

	if (!zcbuf_gst_buffer_is_dmabuf(inbuf))
		return setup_memory_input(self, inbuf);
	ret = zcbuf_gst_buffer_wrap(self->ctx, inbuf, &self->in_info, &sample);
	if (!ret)
		ret = zcbuf_queue_match_buffer(self->in_queue, sample);
	if (!ret) {
		if (mode == ZCBUF_MEMORY_AUTO && !self->common.strict)
			flags |= ZCBUF_SETUP_ALLOW_COPY;
		ret = zcbuf_queue_setup(self->in_queue, mode, IMPORT_SLOTS, sample, flags);
	}
	zcbuf_buffer_free(sample);
	if (ret < 0) {
		ZCBUF_POST_ERROR(self, self->ctx, ret, "import upstream's dma-bufs");
		return FALSE;
	}
	GST_INFO_OBJECT(self, "input by %s", zcbuf_common_path_name(self->in_queue));
	return TRUE;
}

/*
 * Queue the mapping of @inbuf by USERPTR, into *@m. A refusal (the kernel's,
 * or a buffer that cannot be wrapped) switches to copies where they are
 * allowed: 1 then, for the caller to copy; POSTED when it posted an error.
 */
static int queue_memory(GstZcbufConvert *self, GstBuffer *inbuf, struct zcbuf_gst_mapping *m)
{
	const gchar *why;
	gchar *reason;
	int ret;

	ret = zcbuf_gst_mapping_wrap(self->ctx, inbuf, &self->in_info, m, &why);
	if (!ret)
		ret = zcbuf_queue_put(self->in_queue, m->zb, 0);
	if (ret >= 0)
		return 0;
	zcbuf_gst_mapping_release(m);
	if (ret == -ENODEV)
		return ret;	/* the device is gone: nothing to copy into either */
	reason = g_strdup(why ? why : zcbuf_last_error(self->ctx));
	ret = copy_instead(self, reason) ? 1 : POSTED;
	g_free(reason);
	return ret;
}

/*
 * Queue @inbuf to the device: by import, or as a copy. *@zb and *@m: what
 * to free after the device gave it back.
 */
static int queue_input(GstZcbufConvert *self, GstBuffer *inbuf, struct zcbuf_buffer **zb,
		       struct zcbuf_gst_mapping *m)
{
	GstVideoFrame src, dst;
	GstBuffer *wrapper;
	guint slot;
	int ret;

	*zb = NULL;
	if (self->in_memory) {
		ret = queue_memory(self, inbuf, m);
		if (ret <= 0)
			return ret;
	}
	if (self->n_copy == 0) {
		ret = zcbuf_gst_buffer_wrap(self->ctx, inbuf, &self->in_info, zb);
		return ret ? ret : zcbuf_queue_put(self->in_queue, *zb, 0);
	}
	slot = self->next_copy++ % self->n_copy;
	wrapper = zcbuf_gst_buffer_new(self->dmabuf_allocator, self->copy_slots[slot],
				       &self->in_info);
	ret = -EIO;
	if (wrapper && gst_video_frame_map(&src, &self->in_info, inbuf, GST_MAP_READ)) {
		if (gst_video_frame_map(&dst, &self->in_info, wrapper, GST_MAP_WRITE)) {
			if (gst_video_frame_copy(&dst, &src)) {
				self->own_copies++;
				self->own_bytes += GST_VIDEO_INFO_SIZE(&self->in_info);
				ret = 0;
			}
			gst_video_frame_unmap(&dst);
		}
		gst_video_frame_unmap(&src);
	}
	if (wrapper)
		gst_buffer_unref(wrapper);
	return ret ? ret : zcbuf_queue_put_index(self->in_queue, slot, 0);
}

/* A capture slot to convert into; -1 when flushing. */
static gint take_capture_slot(GstZcbufConvert *self)
{
	gint slot;

	while ((slot = zcbuf_lender_take(self->lender, self->cap_free == 0)) >= 0)
		self->cap_free |= G_GUINT64_CONSTANT(1) << slot;
	if (!self->cap_free)
		return -1;
	slot = __builtin_ctzll(self->cap_free);
	self->cap_free &= ~(G_GUINT64_CONSTANT(1) << slot);
	return slot;
}

/* Convert @inbuf into capture slot @slot; *@dropped: the device failed the frame. */
static int convert(GstZcbufConvert *self, GstBuffer *inbuf, gint slot, const gchar **what,
		   gboolean *dropped)
{
	struct zcbuf_gst_mapping m = { 0 };
	struct zcbuf_buffer *zb;
	struct zcbuf_frame in_frame, out_frame;
	int ret;

	*what = "queue the input";
	ret = queue_input(self, inbuf, &zb, &m);
	if (ret >= 0) {
		*what = "queue a capture buffer";
		ret = zcbuf_queue_put_index(self->out_queue, slot, 0);
	}
	if (ret >= 0 && !self->streaming) {
		*what = "start streaming";
		ret = zcbuf_queue_start(self->in_queue);
		if (!ret)
			ret = zcbuf_queue_start(self->out_queue);
		self->streaming = !ret;
	}
	if (ret >= 0) {
		*what = "convert";
		in_frame.flags = out_frame.flags = 0;
		ret = zcbuf_queue_get(self->in_queue, TIMEOUT_MS, &in_frame);
		*dropped = zcbuf_frame_failed(ret, &in_frame);
		if (ret >= 0 || *dropped) {
			/* the capture buffer comes back either way */
			ret = zcbuf_queue_get(self->out_queue, TIMEOUT_MS, &out_frame);
			if (zcbuf_frame_failed(ret, &out_frame)) {
				*dropped = TRUE;
				ret = 0;
			}
		}
	}
	/* the device gave the input back (or never took it, or is stopped by teardown) */
	zcbuf_buffer_free(zb);
	zcbuf_gst_mapping_release(&m);
	return ret;
}

static GstFlowReturn gst_zcbuf_convert_prepare_output_buffer(GstBaseTransform *trans,
							     GstBuffer *inbuf,
							     GstBuffer **outbuf)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);
	gboolean dropped = FALSE;
	const gchar *what;
	gint slot;
	int ret;

	if (!self->lender)
		return GST_FLOW_NOT_NEGOTIATED;
	if (!self->in_ready && !(self->in_ready = setup_input(self, inbuf)))
		return GST_FLOW_ERROR;
	slot = take_capture_slot(self);
	if (slot < 0)
		return GST_FLOW_FLUSHING;
	ret = convert(self, inbuf, slot, &what, &dropped);
	if (ret >= 0 && dropped) {
		/* the device flagged the frame: drop it, keep going */
		self->cap_free |= G_GUINT64_CONSTANT(1) << slot;
		GST_ELEMENT_WARNING(self, STREAM, FAILED, ("The device failed a frame: dropped"),
				    (NULL));
		return GST_BASE_TRANSFORM_FLOW_DROPPED;
	}
	if (ret == POSTED)
		return GST_FLOW_ERROR;
	if (ret < 0) {
		ZCBUF_POST_ERROR(self, self->ctx, ret, what);
		return GST_FLOW_ERROR;
	}
	*outbuf = zcbuf_gst_buffer_new(self->dmabuf_allocator, self->cap_slots[slot],
				       &self->out_info);
	if (!*outbuf) {
		GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("Cannot duplicate a dma-buf fd"),
				  (NULL));
		return GST_FLOW_ERROR;
	}
	zcbuf_lender_lend(self->lender, *outbuf, slot);
	gst_buffer_copy_into(*outbuf, inbuf, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS,
			     0, -1);
	zcbuf_common_account(G_OBJECT(self), &self->common, self->in_queue, 1,
			     self->own_copies, self->own_bytes);
	return GST_FLOW_OK;
}

/* prepare_output_buffer did the work: the device converts as it copies out. */
static GstFlowReturn gst_zcbuf_convert_transform(GstBaseTransform *trans, GstBuffer *inbuf,
						 GstBuffer *outbuf)
{
	(void)trans;
	(void)inbuf;
	(void)outbuf;
	return GST_FLOW_OK;
}

static gboolean gst_zcbuf_convert_propose_allocation(GstBaseTransform *trans,
						     GstQuery *decide_query, GstQuery *query)
{
	(void)trans;
	(void)decide_query;
	/* any layout the device takes, described by the meta; no pool: we import */
	gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
	return TRUE;
}

static gboolean gst_zcbuf_convert_decide_allocation(GstBaseTransform *trans, GstQuery *query)
{
	/* output buffers are the device's own, exported: no downstream pool */
	while (gst_query_get_n_allocation_pools(query) > 0)
		gst_query_remove_nth_allocation_pool(query, 0);
	if (!gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL))
		GST_INFO_OBJECT(trans, "downstream takes no GstVideoMeta");
	return TRUE;
}

static gboolean gst_zcbuf_convert_sink_event(GstBaseTransform *trans, GstEvent *event)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(trans);

	/* before EOS goes on: the numbers reach the bus before the sink's EOS */
	if (GST_EVENT_TYPE(event) == GST_EVENT_EOS)
		zcbuf_common_post_stats(GST_ELEMENT(self), &self->common);
	/* a flush must not wait for capture buffers downstream still holds */
	if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_START)
		zcbuf_lender_flush_slot(GST_OBJECT(self), &self->lender, TRUE);
	else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
		zcbuf_lender_flush_slot(GST_OBJECT(self), &self->lender, FALSE);
	return GST_BASE_TRANSFORM_CLASS(gst_zcbuf_convert_parent_class)->sink_event(trans, event);
}

static GstStateChangeReturn gst_zcbuf_convert_change_state(GstElement *element,
							   GstStateChange transition)
{
	GstZcbufConvert *self = GST_ZCBUF_CONVERT(element);

	/* unblock a streaming thread waiting for a capture buffer */
	if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
		zcbuf_lender_flush_slot(GST_OBJECT(self), &self->lender, TRUE);
	return GST_ELEMENT_CLASS(gst_zcbuf_convert_parent_class)->change_state(element,
									       transition);
}

static void gst_zcbuf_convert_class_init(GstZcbufConvertClass *klass)
{
	GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
	GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
	GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);

	gobject_class->set_property = gst_zcbuf_convert_set_property;
	gobject_class->get_property = gst_zcbuf_convert_get_property;
	gobject_class->finalize = gst_zcbuf_convert_finalize;
	zcbuf_common_install(gobject_class, DEFAULT_DEVICE,
			     "V4L2 mem2mem device: a path, or the video node's name (vim2m)");

	gst_element_class_set_static_metadata(element_class, "zcbuf V4L2 converter",
		"Filter/Converter/Video/Hardware",
		"Converts through a V4L2 mem2mem device, importing upstream dma-bufs "
		"without copies (DMABUF, or USERPTR of their mapping) and other memory "
		"by USERPTR, and exporting its output as dma-buf, with copy counters",
		"zcbuf project <zcbuf@localhost>");
	gst_element_class_add_pad_template(element_class,
		gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
				     zcbuf_video_template_caps()));
	gst_element_class_add_pad_template(element_class,
		gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS,
				     zcbuf_video_template_caps()));
	element_class->change_state = gst_zcbuf_convert_change_state;

	trans_class->start = gst_zcbuf_convert_start;
	trans_class->stop = gst_zcbuf_convert_stop;
	trans_class->transform_caps = gst_zcbuf_convert_transform_caps;
	trans_class->accept_caps = gst_zcbuf_convert_accept_caps;
	trans_class->set_caps = gst_zcbuf_convert_set_caps;
	trans_class->prepare_output_buffer = gst_zcbuf_convert_prepare_output_buffer;
	trans_class->transform = gst_zcbuf_convert_transform;
	trans_class->propose_allocation = gst_zcbuf_convert_propose_allocation;
	trans_class->decide_allocation = gst_zcbuf_convert_decide_allocation;
	trans_class->sink_event = gst_zcbuf_convert_sink_event;
	trans_class->passthrough_on_same_caps = FALSE;
	GST_DEBUG_CATEGORY_INIT(zcbufconvert_debug, "zcbufconvert", 0,
				"zcbuf V4L2 mem2mem converter");
}

static void gst_zcbuf_convert_init(GstZcbufConvert *self)
{
	zcbuf_common_init(&self->common, DEFAULT_DEVICE);
}

gboolean gst_zcbuf_convert_register(GstPlugin *plugin)
{
	return gst_element_register(plugin, "zcbufconvert", GST_RANK_NONE,
				    GST_TYPE_ZCBUF_CONVERT);
}
