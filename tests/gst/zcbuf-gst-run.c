// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zcbuf-gst-run PIPELINE...: run a gst-launch pipeline to EOS, print a
 * checksum of every frame the element named "sink" receives (its visible
 * pixels only, so padding and strides do not matter), then the statistics
 * of every element that has them (zcbufsrc, zcbufconvert), read at EOS.
 * Exit 0 at EOS, 1 on an error message (printed), 2 for bad usage, 3 when
 * nothing happens for a minute.
 *
 *   frame 0 3f1c... 33333333        one line per frame: checksum, duration (ns or none)
 *   warning: <element>: <message>
 *   stats <element> frames=N copies=N bytes-copied=N imports=N import-cache-misses=N import-path=P
 *   eos-stats <element> frames=N ...  the same, from the element's zcbuf-stats message
 */
#include <stdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

static guint frames;

static gchar *frame_checksum(GstBuffer *buf, const GstVideoInfo *info)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA1);
	GstVideoFrame frame;
	gchar *hex;
	guint p, c, line;

	if (!gst_video_frame_map(&frame, info, buf, GST_MAP_READ)) {
		g_checksum_free(sum);
		return g_strdup("unmappable");
	}
	for (p = 0; p < GST_VIDEO_FRAME_N_PLANES(&frame); p++) {
		gint comps[GST_VIDEO_MAX_COMPONENTS];
		const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA(&frame, p);
		guint bytes, lines;

		gst_video_format_info_component(info->finfo, p, comps);
		c = (guint)comps[0];
		bytes = GST_VIDEO_FRAME_COMP_WIDTH(&frame, c) * GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, c);
		lines = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, c);
		for (line = 0; line < lines; line++)
			g_checksum_update(sum, data + line * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p),
					  bytes);
	}
	gst_video_frame_unmap(&frame);
	hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	return hex;
}

static GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo vinfo;
	gchar *hex;

	(void)data;
	if (!caps || !gst_video_info_from_caps(&vinfo, caps)) {
		printf("frame %u no-video-caps\n", frames++);
	} else {
		GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

		hex = frame_checksum(buf, &vinfo);
		if (GST_BUFFER_DURATION_IS_VALID(buf))
			printf("frame %u %s %" G_GUINT64_FORMAT "\n", frames++, hex,
			       GST_BUFFER_DURATION(buf));
		else
			printf("frame %u %s none\n", frames++, hex);
		g_free(hex);
	}
	if (caps)
		gst_caps_unref(caps);
	fflush(stdout);
	return GST_PAD_PROBE_OK;
}

static void print_stats(GstElement *pipeline)
{
	GstIterator *it = gst_bin_iterate_recurse(GST_BIN(pipeline));
	GValue item = G_VALUE_INIT;
	static const char *const counters[] = { "frames", "copies", "bytes-copied", "imports",
						"import-cache-misses" };

	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		gchar *path = NULL;

		if (g_object_class_find_property(G_OBJECT_GET_CLASS(el), "import-path")) {
			printf("stats %s", GST_ELEMENT_NAME(el));
			for (guint i = 0; i < G_N_ELEMENTS(counters); i++) {
				guint64 v = 0;

				g_object_get(el, counters[i], &v, NULL);
				printf(" %s=%" G_GUINT64_FORMAT, counters[i], v);
			}
			g_object_get(el, "import-path", &path, NULL);
			printf(" import-path=%s\n", path);
			g_free(path);
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
}

static gboolean print_field(GQuark field, const GValue *value, gpointer data)
{
	gchar *text = G_VALUE_HOLDS_STRING(value) ? g_value_dup_string(value) :
		      g_strdup_value_contents(value);

	(void)data;
	printf(" %s=%s", g_quark_to_string(field), text);
	g_free(text);
	return TRUE;
}

/* An element's zcbuf-stats message, in the format of print_stats(). */
static void print_stats_message(GstMessage *msg)
{
	const GstStructure *s = gst_message_get_structure(msg);

	if (!gst_structure_has_name(s, "zcbuf-stats"))
		return;
	printf("eos-stats %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)));
	gst_structure_foreach(s, print_field, NULL);
	printf("\n");
}

static void print_message(const char *kind, GstMessage *msg)
{
	GError *err = NULL;
	gchar *debug = NULL;

	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
		gst_message_parse_error(msg, &err, &debug);
	else
		gst_message_parse_warning(msg, &err, &debug);
	printf("%s: %s: %s (%s)\n", kind, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message,
	       debug ? debug : "");
	g_clear_error(&err);
	g_free(debug);
}

int main(int argc, char **argv)
{
	GError *err = NULL;
	GstElement *pipeline, *sink;
	GstBus *bus;
	int status = 3;

	/* Line by line into the suite's file: a run killed at its deadline
	 * still shows whether its error had come. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	gst_init(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: zcbuf-gst-run PIPELINE...\n");
		return 2;
	}
	pipeline = gst_parse_launchv((const gchar **)argv + 1, &err);
	if (!pipeline) {
		fprintf(stderr, "zcbuf-gst-run: %s\n", err->message);
		return 2;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	if (sink) {
		GstPad *pad = gst_element_get_static_pad(sink, "sink");

		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, NULL, NULL);
		gst_object_unref(pad);
		gst_object_unref(sink);
	}
	bus = gst_element_get_bus(pipeline);
	gst_element_set_state(pipeline, GST_STATE_PLAYING);
	for (;;) {
		GstMessage *msg = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
			GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING |
			GST_MESSAGE_ELEMENT);

		if (!msg) {
			printf("error: nothing happened for 60 s\n");
			break;
		}
		if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT) {
			print_stats_message(msg);
			gst_message_unref(msg);
			continue;
		}
		if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
			print_message("warning", msg);
			gst_message_unref(msg);
			continue;
		}
		if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
			print_message("error", msg);
			status = 1;
		} else {
			status = 0;
		}
		gst_message_unref(msg);
		break;
	}
	print_stats(pipeline);
	gst_element_set_state(pipeline, GST_STATE_NULL);
	gst_object_unref(bus);
	gst_object_unref(pipeline);
	gst_deinit();
	return status;
}
