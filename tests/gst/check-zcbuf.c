// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * gst-check unit tests of the zcbuf plugin. On the host (no devices):
 * metadata, pad templates, properties and their defaults, read-only
 * statistics, bad devices as error messages, the format table, and the
 * lender's slot returns. With vim2m (the guest, ZCBUF_CHECK_DEVICES=1):
 * caps negotiation and the allocation query through GstHarness.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/allocators/gstdmabuf.h>
#include <gst/video/video.h>
#include <linux/videodev2.h>

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
	if (g_getenv("ZCBUF_CHECK_DEVICES")) {
		tc = tcase_create("devices");
		suite_add_tcase(s, tc);
		tcase_add_test(tc, test_convert_harness);
	}
	return s;
}

GST_CHECK_MAIN(zcbuf);
