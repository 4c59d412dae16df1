// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gst-check unit tests of the zcbuf plugin. On the host (no devices):
 * metadata, pad templates, properties and their defaults, read-only
 * statistics, bad devices as error messages, the format table, the
 * lender's slot returns, and system memory wrapped for USERPTR. With vim2m (the guest, ZCBUF_CHECK_DEVICES=1):
 * caps negotiation and the allocation query through GstHarness, the
 * statistics message at EOS, system memory imported by USERPTR, memory the
 * kernel will not pin (memfd_secret) copied or refused, a flushing seek
 * and a size change through two converters; with vivid
 * (ZCBUF_CHECK_CAPTURE=/dev/videoN) zcbufsrc's allocation query.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/allocators/gstdmabuf.h>
#include <gst/video/video.h>
#include <linux/videodev2.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zcbuf/zcbuf.h>

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

#include "zcbuf-gstbuffer.h"
#include "zcbuf-lender.h"
#include "zcbuf-video.h"

static GstElement *make(const gchar *factory)
{
	GstElement *el = gst_element_factory_make(factory, NULL);

	fail_unless(el != NULL, "no element %s (GST_PLUGIN_PATH?)", factory);
	return el;
}

GST_START_TEST(test_metadata_and_templates)
{
	static const gchar *const names[] = { "zcbufsrc", "zcbufconvert" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		GstElementFactory *f = gst_element_factory_find(names[i]);
		const GList *t;

		fail_unless(f != NULL);
		fail_unless(strstr(gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS),
				   "Video/Hardware") != NULL);
		fail_unless(gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_DESCRIPTION));
		fail_unless(gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_AUTHOR));
		for (t = gst_element_factory_get_static_pad_templates(f); t; t = t->next) {
			GstCaps *caps = gst_static_pad_template_get_caps(t->data);
			GstCaps *dmabuf = gst_caps_from_string("video/x-raw(memory:DMABuf),format=NV12");
			GstCaps *sysmem = gst_caps_from_string("video/x-raw,format=RGB");

			/* DMABuf first: a downstream that takes it gets it */
			fail_unless(gst_caps_features_contains(gst_caps_get_features(caps, 0),
							       GST_CAPS_FEATURE_MEMORY_DMABUF));
			fail_unless(gst_caps_can_intersect(caps, dmabuf));
			fail_unless(gst_caps_can_intersect(caps, sysmem));
			gst_caps_unref(dmabuf);
			gst_caps_unref(sysmem);
			gst_caps_unref(caps);
		}
		gst_object_unref(f);
	}
}
GST_END_TEST;

GST_START_TEST(test_properties)
{
	static const gchar *const stats[] = { "frames", "copies", "bytes-copied", "imports",
					      "import-cache-misses" };
	static const gchar *const names[] = { "zcbufsrc", "zcbufconvert" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		GstElement *el = make(names[i]);
		gchar *device = NULL, *path = NULL;
		gboolean strict = TRUE;
		gint mode = -1;

		g_object_get(el, "device", &device, "strict", &strict, "import-mode", &mode,
			     "import-path", &path, NULL);
		fail_unless_equals_string(device, i == 0 ? "/dev/video0" : "vim2m");
		fail_unless_equals_string(path, "none");
		fail_unless(!strict);
		fail_unless_equals_int(mode, 0);
		for (guint s = 0; s < G_N_ELEMENTS(stats); s++) {
			GParamSpec *p = g_object_class_find_property(G_OBJECT_GET_CLASS(el), stats[s]);
			guint64 v = 1;

			fail_unless(p != NULL, "%s has no %s", names[i], stats[s]);
			fail_if(p->flags & G_PARAM_WRITABLE, "%s is writable", stats[s]);
			g_object_get(el, stats[s], &v, NULL);
			fail_unless_equals_uint64(v, 0);
		}
		gst_util_set_object_arg(G_OBJECT(el), "import-mode", "userptr");
		g_object_set(el, "device", "/dev/video7", "strict", TRUE, NULL);
		g_object_get(el, "import-mode", &mode, NULL);
		fail_unless_equals_int(mode, V4L2_MEMORY_USERPTR);
		g_free(device);
		g_free(path);
		gst_object_unref(el);
	}
}
GST_END_TEST;

GST_START_TEST(test_src_buffer_source)
{
	GstElement *el = make("zcbufsrc");
	gchar *heap = NULL;
	gint source = -1;

	g_object_get(el, "buffer-source", &source, "heap", &heap, NULL);
	fail_unless_equals_int(source, 0);
	fail_unless_equals_string(heap, "system");
	gst_util_set_object_arg(G_OBJECT(el), "buffer-source", "drm-dumb");
	g_object_get(el, "buffer-source", &source, NULL);
	fail_unless_equals_int(source, 3);
	g_free(heap);
	gst_object_unref(el);
}
GST_END_TEST;

/* Going to PAUSED fails and the bus has an error containing @text. */
static void check_open_fails(GstElement *el, const gchar *text)
{
	GstBus *bus = gst_bus_new();
	GstMessage *msg;
	GError *err = NULL;

	gst_element_set_bus(el, bus);
	fail_unless_equals_int(gst_element_set_state(el, GST_STATE_PAUSED),
			       GST_STATE_CHANGE_FAILURE);
	msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	fail_unless(msg != NULL);
	gst_message_parse_error(msg, &err, NULL);
	fail_unless(strstr(err->message, text) != NULL, "'%s' lacks '%s'", err->message, text);
	g_error_free(err);
	gst_message_unref(msg);
	gst_element_set_state(el, GST_STATE_NULL);
	gst_element_set_bus(el, NULL);
	gst_object_unref(bus);
	gst_object_unref(el);
}

GST_START_TEST(test_missing_device)
{
	GstElement *src = make("zcbufsrc"), *conv = make("zcbufconvert");

	g_object_set(src, "device", "/nonexistent/video9", NULL);
	check_open_fails(src, "Cannot capture from '/nonexistent/video9'");
	g_object_set(conv, "device", "no-such-m2m", NULL);
	check_open_fails(conv, "Cannot convert with 'no-such-m2m'");
}
GST_END_TEST;

GST_START_TEST(test_format_table)
{
	GstCaps *caps = zcbuf_video_template_caps();

	fail_unless_equals_int(zcbuf_video_to_fourcc(GST_VIDEO_FORMAT_RGB), V4L2_PIX_FMT_RGB24);
	fail_unless_equals_int(zcbuf_video_to_fourcc(GST_VIDEO_FORMAT_YUY2), V4L2_PIX_FMT_YUYV);
	fail_unless_equals_int(zcbuf_video_from_fourcc(V4L2_PIX_FMT_NV12), GST_VIDEO_FORMAT_NV12);
	fail_unless_equals_int(zcbuf_video_to_fourcc(GST_VIDEO_FORMAT_v210), 0);
	fail_unless_equals_int(gst_caps_get_size(caps), 2);
	gst_caps_unref(caps);
}
GST_END_TEST;

GST_START_TEST(test_lender)
{
	struct zcbuf_lender *lender = zcbuf_lender_new();
	GstBuffer *buf = gst_buffer_new_allocate(NULL, 16, NULL), *copy;

	gst_buffer_append_memory(buf, gst_allocator_alloc(NULL, 16, NULL));
	zcbuf_lender_lend(lender, buf, 5);
	copy = gst_buffer_copy(buf); /* shares the memories */
	gst_buffer_unref(buf);
	fail_unless_equals_int(zcbuf_lender_take(lender, FALSE), -1);
	gst_buffer_unref(copy);
	fail_unless_equals_int(zcbuf_lender_take(lender, FALSE), 5);
	fail_unless_equals_int(zcbuf_lender_take(lender, FALSE), -1);
	zcbuf_lender_set_flushing(lender, TRUE);
	fail_unless_equals_int(zcbuf_lender_take(lender, TRUE), -1);
	zcbuf_lender_unref(lender);
}
GST_END_TEST;

/*
 * System memory as a libzcbuf buffer of ordinary memory: the mapping of
 * its one GstMemory, planes where the GstVideoMeta puts them; a buffer of
 * two memories is refused (gst_buffer_map() would merge them into a copy).
 */
GST_START_TEST(test_mapping_wrap)
{
	struct zcbuf_gst_mapping m;
	struct zcbuf_plane pl;
	struct zcbuf_ctx *ctx;
	GstVideoInfo info;
	GstBuffer *buf = gst_buffer_new_allocate(NULL, 64 * 48 * 3 / 2 + 256, NULL), *two;
	gsize offsets[GST_VIDEO_MAX_PLANES] = { 128, 128 + 64 * 48 };
	gint strides[GST_VIDEO_MAX_PLANES] = { 64, 64 };
	const gchar *why = "x", *exp = NULL;
	void *uv = NULL;

	fail_unless_equals_int(zcbuf_ctx_new(&ctx), 0);
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, 64, 48);
	gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_NV12, 64,
				       48, 2, offsets, strides);
	fail_unless_equals_int(zcbuf_gst_mapping_wrap(ctx, buf, &info, &m, &why), 0);
	fail_unless(why == NULL && m.zb != NULL && m.buf == buf);
	fail_unless_equals_int(zcbuf_buffer_num_dmabufs(m.zb), 0);
	fail_unless(!zcbuf_buffer_get_exporter(m.zb, &exp) && !strcmp(exp, "memory"));
	fail_unless(!zcbuf_buffer_get_plane(m.zb, 1, &pl) && pl.fd == -1 &&
		    pl.offset == 128 + 64 * 48 && pl.stride == 64 && pl.length == 64 * 24);
	fail_unless(!zcbuf_buffer_map(m.zb) && !zcbuf_buffer_begin_cpu(m.zb, ZCBUF_CPU_READ) &&
		    !zcbuf_buffer_plane_data(m.zb, 1, &uv) && !zcbuf_buffer_end_cpu(m.zb));
	fail_unless(uv == m.map.data + 128 + 64 * 48, "CbCr at %p, the mapping at %p", uv,
		    m.map.data);
	zcbuf_gst_mapping_release(&m);
	fail_unless(m.zb == NULL && m.buf == NULL);
	zcbuf_gst_mapping_release(&m);

	two = gst_buffer_new_allocate(NULL, 64 * 48, NULL);
	gst_buffer_append_memory(two, gst_allocator_alloc(NULL, 64 * 24, NULL));
	fail_unless_equals_int(zcbuf_gst_mapping_wrap(ctx, two, &info, &m, &why), -EINVAL);
	fail_unless(why && strstr(why, "not one GstMemory"), "why: %s", why);
	fail_unless(m.zb == NULL && m.buf == NULL);
	/* a buffer too small for its format: libzcbuf says why */
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, 64, 64);
	fail_unless_equals_int(zcbuf_gst_mapping_wrap(ctx, buf, &info, &m, &why), -EINVAL);
	fail_unless(why == NULL && strstr(zcbuf_last_error(ctx), "outside the memory"), "%s",
		    zcbuf_last_error(ctx));
	fail_unless(m.zb == NULL && m.buf == NULL);
	gst_buffer_unref(two);
	gst_buffer_unref(buf);
	zcbuf_ctx_free(ctx);
}
GST_END_TEST;

/* With vim2m: caps through the converter and the allocation query. */
GST_START_TEST(test_convert_harness)
{
	GstHarness *h = gst_harness_new("zcbufconvert");
	GstQuery *query;
	GstCaps *caps;

	gst_harness_set_src_caps_str(h, "video/x-raw,format=RGB,width=320,height=180");
	gst_harness_set_sink_caps_str(h, "video/x-raw,format=BGR,width=320,height=180");
	caps = gst_caps_from_string("video/x-raw,format=RGB,width=320,height=180");
	query = gst_query_new_allocation(caps, TRUE);
	fail_unless(gst_pad_peer_query(h->srcpad, query));
	/* GstVideoMeta taken: any stride the device accepts; no pool: we import */
	fail_unless(gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL));
	fail_unless_equals_int(gst_query_get_n_allocation_pools(query), 0);
	gst_query_unref(query);
	gst_caps_unref(caps);
	/* vim2m has no GREY: not accepted */
	caps = gst_caps_from_string("video/x-raw,format=GRAY8,width=320,height=180");
	fail_if(gst_pad_peer_query_accept_caps(h->srcpad, caps));
	gst_caps_unref(caps);
	gst_harness_teardown(h);
}
GST_END_TEST;

/*
 * zcbufsrc on vivid ($ZCBUF_CHECK_CAPTURE): downstream offers a pool and
 * takes GstVideoMeta; the source must not use the pool (its buffers are the
 * device's imports), must describe the layout by the meta, and must size
 * each memory to the frame (v4l2convert queues that size as bytesused).
 */
static GstPadProbeReturn offer_pool(GstPad *pad, GstPadProbeInfo *info, gpointer pool)
{
	GstQuery *query = GST_PAD_PROBE_INFO_QUERY(info);

	(void)pad;
	if (GST_QUERY_TYPE(query) != GST_QUERY_ALLOCATION)
		return GST_PAD_PROBE_OK;
	g_object_set_data(pool, "offered", pool); /* the test can tell it ran */
	gst_query_add_allocation_pool(query, pool, 320 * 180 * 3, 2, 0);
	gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
	return GST_PAD_PROBE_OK;
}

GST_START_TEST(test_src_allocation)
{
	const gchar *device = g_getenv("ZCBUF_CHECK_CAPTURE");
	GstBufferPool *pool = gst_video_buffer_pool_new();
	GstHarness *h = gst_harness_new("zcbufsrc");
	GstVideoMeta *meta;
	GstMemory *mem;
	GstBuffer *buf;
	GstPad *pad = gst_element_get_static_pad(h->element, "src");
	gsize offset, maxsize;

	fail_unless(device != NULL, "ZCBUF_CHECK_CAPTURE: the vivid capture node");
	g_object_set(h->element, "device", device, "buffer-source", 1 /* dma-heap */, "strict",
		     TRUE, NULL);
	/* after the harness answered: what a pool-offering downstream would say */
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM | GST_PAD_PROBE_TYPE_PULL,
			  offer_pool, pool, NULL);
	gst_harness_set_sink_caps_str(h, "video/x-raw,format=RGB,width=320,height=180");
	gst_harness_play(h);
	buf = gst_harness_pull(h);
	fail_unless(buf != NULL);
	fail_unless(g_object_get_data(G_OBJECT(pool), "offered") != NULL, "no allocation query");
	fail_unless(buf->pool == NULL, "the buffer came from downstream's pool");
	fail_if(gst_buffer_pool_is_active(pool), "downstream's pool was activated");
	mem = gst_buffer_peek_memory(buf, 0);
	fail_unless(gst_is_dmabuf_memory(mem));
	fail_unless_equals_uint64(gst_memory_get_sizes(mem, &offset, &maxsize), 320 * 180 * 3);
	fail_unless(maxsize >= 320 * 180 * 3 && offset == 0);
	meta = gst_buffer_get_video_meta(buf);
	fail_unless(meta != NULL);
	fail_unless_equals_int(meta->stride[0], 960);
	gst_buffer_unref(buf);
	gst_object_unref(pad);
	gst_harness_teardown(h);
	gst_object_unref(pool);
}
GST_END_TEST;

/* The bus of @pipeline until EOS or an error (which fails the test). */
static void run_to_eos(GstElement *pipeline)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *msg = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
						     GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

	fail_unless(msg != NULL, "no EOS within 60 s");
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		GError *err = NULL;

		gst_message_parse_error(msg, &err, NULL);
		fail("error from %s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message);
	}
	gst_message_unref(msg);
	gst_object_unref(bus);
}

/* What the sink saw: buffers, their first pixel, PTS 0 count, width. */
struct seen {
	GMutex lock;
	GCond cond;
	guint buffers, at_zero, width;
	guint8 pixel[3];
};

static void on_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad, struct seen *seen)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo info;
	GstVideoFrame frame;

	(void)sink;
	fail_unless(caps && gst_video_info_from_caps(&info, caps));
	fail_unless(gst_video_frame_map(&frame, &info, buf, GST_MAP_READ));
	g_mutex_lock(&seen->lock);
	memcpy(seen->pixel, GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), 3);
	seen->width = GST_VIDEO_INFO_WIDTH(&info);
	seen->at_zero += GST_BUFFER_PTS(buf) == 0;
	seen->buffers++;
	g_cond_broadcast(&seen->cond);
	g_mutex_unlock(&seen->lock);
	gst_video_frame_unmap(&frame);
	gst_caps_unref(caps);
}

static void wait_buffers(struct seen *seen, guint n)
{
	gint64 end = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;

	g_mutex_lock(&seen->lock);
	while (seen->buffers < n)
		fail_unless(g_cond_wait_until(&seen->cond, &seen->lock, end), "stalled at %u",
			    seen->buffers);
	g_mutex_unlock(&seen->lock);
}

/*
 * A solid colour through two converters (vim2m twice): RGB -> BGR imports
 * videotestsrc's system memory by USERPTR, BGR -> RGB imports the first
 * one's dma-bufs. The sink gets the colour back as RGB.
 */
static GstElement *two_converters(struct seen *seen)
{
	GError *err = NULL;
	GstElement *p = gst_parse_launch(
		"videotestsrc pattern=solid-color foreground-color=0xff112233 "
		"! capsfilter name=in caps=video/x-raw,format=RGB,width=320,height=180,framerate=30/1 "
		"! zcbufconvert name=system ! video/x-raw,format=BGR "
		"! zcbufconvert name=importing strict=true ! video/x-raw,format=RGB "
		"! fakesink name=sink sync=false signal-handoffs=true", &err);
	GstElement *sink;

	fail_unless(p != NULL, "%s", err ? err->message : "");
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), seen);
	gst_object_unref(sink);
	return p;
}

static void check_colour(struct seen *seen)
{
	fail_unless(seen->pixel[0] == 0x11 && seen->pixel[1] == 0x22 && seen->pixel[2] == 0x33,
		    "pixel %02x%02x%02x", seen->pixel[0], seen->pixel[1], seen->pixel[2]);
}

/* Statistic @stat of element @name in @pipeline, or of @pipeline itself without a name. */
static guint64 stat_of(GstElement *pipeline, const gchar *name, const gchar *stat)
{
	GstElement *el = name ? gst_bin_get_by_name(GST_BIN(pipeline), name) :
				gst_object_ref(pipeline);
	guint64 v = 0;

	g_object_get(el, stat, &v, NULL);
	gst_object_unref(el);
	return v;
}

/* A flushing seek back to 0 while frames are in flight, then to EOS. */
GST_START_TEST(test_convert_flushing_seek)
{
	struct seen seen = { 0 };
	GstElement *p = two_converters(&seen);

	gst_element_set_state(p, GST_STATE_PLAYING);
	wait_buffers(&seen, 4);
	fail_unless(gst_element_seek(p, 1.0, GST_FORMAT_TIME,
				     GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
				     0, GST_SEEK_TYPE_SET, 5 * GST_SECOND / 30 - 1));
	run_to_eos(p);
	/* the first frame once more: the seek went through both converters */
	fail_unless(seen.at_zero >= 2, "PTS 0 seen %u times", seen.at_zero);
	check_colour(&seen);
	fail_unless_equals_uint64(stat_of(p, "importing", "copies"), 0);
	fail_unless(stat_of(p, "importing", "imports") > 0);
	/* videotestsrc's system memory went by USERPTR */
	fail_unless_equals_uint64(stat_of(p, "system", "copies"), 0);
	fail_unless(stat_of(p, "system", "imports") > 0);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
}
GST_END_TEST;

/* The size changes mid-stream: both converters set the device up again. */
GST_START_TEST(test_convert_renegotiation)
{
	struct seen seen = { 0 };
	GstElement *p = two_converters(&seen), *in = gst_bin_get_by_name(GST_BIN(p), "in");
	GstCaps *caps = gst_caps_from_string("video/x-raw,format=RGB,width=160,height=120,"
					     "framerate=30/1");

	gst_element_set_state(p, GST_STATE_PLAYING);
	wait_buffers(&seen, 3);
	fail_unless_equals_int(seen.width, 320);
	g_object_set(in, "caps", caps, NULL);
	wait_buffers(&seen, seen.buffers + 6);
	fail_unless_equals_int(seen.width, 160);
	check_colour(&seen);
	fail_unless_equals_uint64(stat_of(p, "importing", "copies"), 0);
	fail_unless_equals_uint64(stat_of(p, "system", "copies"), 0);
	gst_element_send_event(p, gst_event_new_eos());
	run_to_eos(p);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_caps_unref(caps);
	gst_object_unref(in);
	gst_object_unref(p);
}
GST_END_TEST;

/* 320x180 RGB of one colour, R 0x11, G 0x22, B 0x33. */
#define FRAME_SIZE (320 * 180 * 3)

static void fill_rgb(guint8 *data)
{
	for (gsize i = 0; i < FRAME_SIZE; i += 3) {
		data[i] = 0x11;
		data[i + 1] = 0x22;
		data[i + 2] = 0x33;
	}
}

static GstBuffer *system_frame(void)
{
	GstBuffer *buf = gst_buffer_new_allocate(NULL, FRAME_SIZE, NULL);
	GstMapInfo map;

	fail_unless(gst_buffer_map(buf, &map, GST_MAP_WRITE));
	fill_rgb(map.data);
	gst_buffer_unmap(buf, &map);
	return buf;
}

/* zcbufconvert RGB -> BGR 320x180 with @mode and @strict, its messages on *@bus. */
static GstHarness *rgb_to_bgr(const gchar *mode, gboolean strict, GstBus **bus)
{
	GstHarness *h = gst_harness_new("zcbufconvert");

	*bus = gst_bus_new();
	gst_element_set_bus(h->element, *bus);
	gst_util_set_object_arg(G_OBJECT(h->element), "import-mode", mode);
	g_object_set(h->element, "strict", strict, NULL);
	gst_harness_set_src_caps_str(h, "video/x-raw,format=RGB,width=320,height=180");
	gst_harness_set_sink_caps_str(h, "video/x-raw,format=BGR,width=320,height=180");
	return h;
}

static void teardown(GstHarness *h, GstBus *bus)
{
	gst_element_set_bus(h->element, NULL);
	gst_object_unref(bus);
	gst_harness_teardown(h);
}

/* Pull a frame: the colour as BGR. */
static void pull_bgr(GstHarness *h)
{
	GstBuffer *buf = gst_harness_pull(h);
	GstMapInfo map;

	fail_unless(buf != NULL);
	fail_unless(gst_buffer_map(buf, &map, GST_MAP_READ));
	fail_unless(map.data[0] == 0x33 && map.data[1] == 0x22 && map.data[2] == 0x11 &&
		    map.data[FRAME_SIZE - 1] == 0x11, "pixel %02x%02x%02x",
		    map.data[0], map.data[1], map.data[2]);
	gst_buffer_unmap(buf, &map);
	gst_buffer_unref(buf);
}

/* The element's statistics: copies and import-path. */
static void check_path(GstHarness *h, guint64 frames, guint64 copies, const gchar *path)
{
	guint64 f = 0, c = 0;
	gchar *p = NULL;

	g_object_get(h->element, "frames", &f, "copies", &c, "import-path", &p, NULL);
	fail_unless(f == frames && c == copies && !g_strcmp0(p, path),
		    "frames %" G_GUINT64_FORMAT ", copies %" G_GUINT64_FORMAT ", import-path %s; "
		    "expected %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %s", f, c, p, frames,
		    copies, path);
	g_free(p);
}

/* A message of @type on @bus whose text holds @text (fails the test otherwise). */
static void expect_message(GstBus *bus, GstMessageType type, const gchar *text)
{
	GstMessage *msg = gst_bus_pop_filtered(bus, type);
	GError *err = NULL;

	fail_unless(msg != NULL, "no %s message", gst_message_type_get_name(type));
	if (type == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &err, NULL);
	else
		gst_message_parse_warning(msg, &err, NULL);
	fail_unless(strstr(err->message, text) != NULL, "'%s' lacks '%s'", err->message, text);
	g_error_free(err);
	gst_message_unref(msg);
}

/*
 * System memory (gst_buffer_new_allocate) goes to vim2m by USERPTR of its
 * mapping, whatever strict says: no copy. import-mode=dmabuf cannot take it.
 */
GST_START_TEST(test_convert_system_memory)
{
	static const gchar *const modes[] = { "auto", "userptr" };
	GstHarness *h;
	GstBus *bus;

	for (guint i = 0; i < G_N_ELEMENTS(modes) * 2; i++) {
		h = rgb_to_bgr(modes[i / 2], i % 2, &bus);
		fail_unless_equals_int(gst_harness_push(h, system_frame()), GST_FLOW_OK);
		pull_bgr(h);
		fail_unless_equals_int(gst_harness_push(h, system_frame()), GST_FLOW_OK);
		pull_bgr(h);
		check_path(h, 2, 0, "userptr");
		fail_if(gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING | GST_MESSAGE_ERROR),
			"a warning or an error with import-mode=%s strict=%u", modes[i / 2], i % 2);
		teardown(h, bus);
	}
	h = rgb_to_bgr("dmabuf", FALSE, &bus);
	fail_unless_equals_int(gst_harness_push(h, system_frame()), GST_FLOW_ERROR);
	expect_message(bus, GST_MESSAGE_ERROR, "import-mode=dmabuf cannot import it");
	teardown(h, bus);
}
GST_END_TEST;

static void unmap_frame(gpointer p)
{
	munmap(p, FRAME_SIZE);
}

/* Memory no kernel pins for USERPTR: memfd_secret(2)'s; NULL (and why) when there is none. */
static GstBuffer *secret_frame(const gchar **why)
{
	int fd = (int)syscall(SYS_memfd_secret, 0);
	void *p = MAP_FAILED;

	*why = NULL;
	if (fd < 0 && errno == ENOSYS) {
		*why = "memfd_secret: ENOSYS (boot with secretmem.enable=1)";
		return NULL;
	}
	fail_unless(fd >= 0, "memfd_secret: %s", g_strerror(errno));
	fail_unless(!ftruncate(fd, FRAME_SIZE), "ftruncate: %s", g_strerror(errno));
	p = mmap(NULL, FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fail_unless(p != MAP_FAILED, "mmap of memfd_secret: %s", g_strerror(errno));
	close(fd);
	fill_rgb(p);
	return gst_buffer_new_wrapped_full(0, p, FRAME_SIZE, 0, FRAME_SIZE, p, unmap_frame);
}

/*
 * Memory the kernel will not pin (memfd_secret; the guest boots with
 * secretmem.enable=1): auto copies it, counted, with a warning that names
 * the kernel's reason, also when it comes after memory that imported;
 * strict and import-mode=userptr refuse it with an error.
 */
GST_START_TEST(test_convert_unpinnable_memory)
{
	const gchar *why;
	GstBuffer *secret = secret_frame(&why);
	GstHarness *h;
	GstBus *bus;

	if (!secret) {
		g_print("SKIP test_convert_unpinnable_memory: %s\n", why);
		return;
	}
	/* the first buffer: USERPTR refused at setup, copies from the start */
	h = rgb_to_bgr("auto", FALSE, &bus);
	fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(secret)), GST_FLOW_OK);
	pull_bgr(h);
	check_path(h, 1, 1, "copy");
	expect_message(bus, GST_MESSAGE_WARNING, "Copying every frame: upstream memory is not "
		       "dma-buf and USERPTR cannot import it: ");
	teardown(h, bus);
	/* after an imported one: the queue switches to copies mid-stream */
	h = rgb_to_bgr("auto", FALSE, &bus);
	fail_unless_equals_int(gst_harness_push(h, system_frame()), GST_FLOW_OK);
	pull_bgr(h);
	check_path(h, 1, 0, "userptr");
	fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(secret)), GST_FLOW_OK);
	pull_bgr(h);
	fail_unless_equals_int(gst_harness_push(h, system_frame()), GST_FLOW_OK);
	pull_bgr(h);
	check_path(h, 3, 2, "copy");
	/* the kernel's refusal, at the QBUF of that frame */
	expect_message(bus, GST_MESSAGE_WARNING, "VIDIOC_QBUF userptr index");
	teardown(h, bus);
	/* no copy allowed */
	for (guint i = 0; i < 2; i++) {
		h = rgb_to_bgr(i ? "userptr" : "auto", !i, &bus);
		fail_unless_equals_int(gst_harness_push(h, gst_buffer_ref(secret)), GST_FLOW_ERROR);
		expect_message(bus, GST_MESSAGE_ERROR, "USERPTR cannot import it");
		check_path(h, 0, 0, "none");
		teardown(h, bus);
	}
	gst_buffer_unref(secret);
}
GST_END_TEST;

/* The statistics arrive on the bus at EOS as an element message. */
GST_START_TEST(test_convert_stats_message)
{
	GstHarness *h = gst_harness_new("zcbufconvert");
	GstBus *bus = gst_bus_new();
	const GstStructure *s;
	GstMessage *msg;
	guint64 frames = 0, copies = 0;

	gst_element_set_bus(h->element, bus);
	gst_harness_set_src_caps_str(h, "video/x-raw,format=RGB,width=320,height=180");
	gst_harness_set_sink_caps_str(h, "video/x-raw,format=BGR,width=320,height=180");
	/* system memory: imported by USERPTR, no copy */
	gst_harness_push(h, gst_buffer_new_allocate(NULL, 320 * 180 * 3, NULL));
	gst_buffer_unref(gst_harness_pull(h));
	gst_harness_push_event(h, gst_event_new_eos());
	msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT);
	fail_unless(msg != NULL, "no element message at EOS");
	s = gst_message_get_structure(msg);
	fail_unless(gst_structure_has_name(s, "zcbuf-stats"));
	fail_unless(gst_structure_get_uint64(s, "frames", &frames));
	fail_unless(gst_structure_get_uint64(s, "copies", &copies));
	fail_unless_equals_uint64(frames, 1);
	fail_unless_equals_uint64(copies, 0);
	fail_unless_equals_string(gst_structure_get_string(s, "import-path"), "userptr");
	gst_message_unref(msg);
	gst_element_set_bus(h->element, NULL);
	gst_object_unref(bus);
	gst_harness_teardown(h);
}
GST_END_TEST;

/*
 * zcbufsrc's frame rates: the caps list vivid's intervals at 320x180, the
 * negotiated rate is set on the device (VIDIOC_S_PARM), buffers carry its
 * duration and running offsets, and the latency query answers one frame.
 */
static int open_capture(struct v4l2_streamparm *parm)
{
	const gchar *device = g_getenv("ZCBUF_CHECK_CAPTURE");
	int fd;

	fail_unless(device != NULL, "ZCBUF_CHECK_CAPTURE: the vivid capture node");
	fd = open(device, O_RDWR);
	fail_unless(fd >= 0, "open %s: %s", device, g_strerror(errno));
	parm->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fail_unless(ioctl(fd, VIDIOC_G_PARM, parm) == 0);
	return fd;
}

static gboolean caps_offer_rate(GstCaps *caps, gint n, gint d)
{
	GstCaps *want = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "RGB",
					    "width", G_TYPE_INT, 320, "height", G_TYPE_INT, 180,
					    "framerate", GST_TYPE_FRACTION, n, d, NULL);
	gboolean ok = gst_caps_can_intersect(caps, want);

	gst_caps_unref(want);
	return ok;
}

GST_START_TEST(test_src_framerate)
{
	struct v4l2_streamparm saved = { 0 }, now = { 0 };
	int fd = open_capture(&saved);
	GstHarness *h = gst_harness_new("zcbufsrc");
	GstClockTime min = 0, max = 0;
	gboolean live = FALSE;
	GstQuery *query;
	GstCaps *caps;
	GstPad *pad = gst_element_get_static_pad(h->element, "src");
	guint i;

	g_object_set(h->element, "device", g_getenv("ZCBUF_CHECK_CAPTURE"), NULL);
	gst_harness_set_sink_caps_str(h, "video/x-raw,format=RGB,width=320,height=180,"
				      "framerate=15/1");
	gst_harness_play(h);
	/* the device's caps (known once started): vivid's webcam intervals, not 7/1 */
	caps = gst_pad_query_caps(pad, NULL);
	fail_unless(caps_offer_rate(caps, 15, 1) && caps_offer_rate(caps, 60, 1) &&
		    caps_offer_rate(caps, 1, 1), "%" GST_PTR_FORMAT, caps);
	fail_if(caps_offer_rate(caps, 7, 1), "%" GST_PTR_FORMAT, caps);
	gst_caps_unref(caps);
	for (i = 0; i < 3; i++) {
		GstBuffer *buf = gst_harness_pull(h);

		fail_unless(buf != NULL);
		fail_unless_equals_uint64(GST_BUFFER_DURATION(buf), GST_SECOND / 15);
		fail_unless_equals_uint64(GST_BUFFER_OFFSET(buf), i);
		fail_unless(GST_BUFFER_PTS_IS_VALID(buf));
		gst_buffer_unref(buf);
	}
	now.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fail_unless(ioctl(fd, VIDIOC_G_PARM, &now) == 0);
	fail_unless(now.parm.capture.timeperframe.numerator == 1 &&
		    now.parm.capture.timeperframe.denominator == 15, "vivid runs at %u/%u s",
		    now.parm.capture.timeperframe.numerator,
		    now.parm.capture.timeperframe.denominator);
	query = gst_query_new_latency();
	fail_unless(gst_pad_query(pad, query));
	gst_query_parse_latency(query, &live, &min, &max);
	fail_unless(live);
	fail_unless_equals_uint64(min, GST_SECOND / 15);
	fail_unless(max >= min);
	gst_query_unref(query);
	gst_object_unref(pad);
	gst_harness_teardown(h);
	/* the other tests run at vivid's rate from before */
	fail_unless(ioctl(fd, VIDIOC_S_PARM, &saved) == 0);
	close(fd);
}
GST_END_TEST;

/*
 * GStreamer 1.22.0's v4l2 elements close dma-buf fds they import but do not
 * own. zcbufconvert must not: upstream's fds (which the memory does not
 * close either) are open, and the same files, after the element is gone.
 */
GST_START_TEST(test_convert_keeps_upstream_fds)
{
	struct zcbuf_format fmt = { .fourcc = V4L2_PIX_FMT_RGB24, .width = 320, .height = 180 };
	GstAllocator *allocator = gst_dmabuf_allocator_new();
	GstHarness *h = gst_harness_new("zcbufconvert");
	struct zcbuf_buffer *zb[3];
	struct zcbuf_ctx *ctx;
	struct stat before[3], after;
	int fds[3];
	guint i, round;

	fail_unless_equals_int(zcbuf_ctx_new(&ctx), 0);
	for (i = 0; i < 3; i++) {
		struct zcbuf_plane plane;

		fail_unless_equals_int(zcbuf_alloc(ctx, "heap:system", &fmt, 0, &zb[i]), 0);
		fail_unless_equals_int(zcbuf_buffer_get_plane(zb[i], 0, &plane), 0);
		fds[i] = plane.fd;
		fail_unless(fstat(fds[i], &before[i]) == 0);
	}
	g_object_set(h->element, "strict", TRUE, NULL);
	gst_harness_set_src_caps_str(h, "video/x-raw(memory:DMABuf),format=RGB,width=320,"
				     "height=180,framerate=30/1");
	gst_harness_set_sink_caps_str(h, "video/x-raw(memory:DMABuf),format=BGR,width=320,"
				      "height=180,framerate=30/1");
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 3; i++) {
			GstBuffer *buf = gst_buffer_new();

			gst_buffer_append_memory(buf, gst_dmabuf_allocator_alloc_with_flags(
				allocator, fds[i], 320 * 180 * 3, GST_FD_MEMORY_FLAG_DONT_CLOSE));
			fail_unless_equals_int(gst_harness_push(h, buf), GST_FLOW_OK);
			gst_buffer_unref(gst_harness_pull(h));
		}
	}
	fail_unless_equals_uint64(stat_of(h->element, NULL, "copies"), 0);
	gst_harness_teardown(h);
	for (i = 0; i < 3; i++) {
		fail_unless(fstat(fds[i], &after) == 0, "fd %d was closed", fds[i]);
		fail_unless(after.st_ino == before[i].st_ino && after.st_dev == before[i].st_dev,
			    "fd %d is another file now", fds[i]);
		zcbuf_buffer_free(zb[i]);
	}
	zcbuf_ctx_free(ctx);
	gst_object_unref(allocator);
}
GST_END_TEST;

static Suite *zcbuf_suite(void)
{
	Suite *s = suite_create("zcbuf");
	TCase *tc = tcase_create("host");

	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_metadata_and_templates);
	tcase_add_test(tc, test_properties);
	tcase_add_test(tc, test_src_buffer_source);
	tcase_add_test(tc, test_missing_device);
	tcase_add_test(tc, test_format_table);
	tcase_add_test(tc, test_lender);
	tcase_add_test(tc, test_mapping_wrap);
	if (g_getenv("ZCBUF_CHECK_DEVICES")) {
		tc = tcase_create("devices");
		suite_add_tcase(s, tc);
		tcase_add_test(tc, test_convert_harness);
		tcase_add_test(tc, test_convert_stats_message);
		tcase_add_test(tc, test_convert_system_memory);
		tcase_add_test(tc, test_convert_unpinnable_memory);
		tcase_add_test(tc, test_convert_flushing_seek);
		tcase_add_test(tc, test_convert_renegotiation);
		tcase_add_test(tc, test_src_allocation);
		tcase_add_test(tc, test_src_framerate);
		tcase_add_test(tc, test_convert_keeps_upstream_fds);
	}
	return s;
}

GST_CHECK_MAIN(zcbuf);
