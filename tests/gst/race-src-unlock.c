// SPDX-License-Identifier: MIT
/*
 * zcbufsrc: unlock() against a stream set-up that fails, in the one order
 * that used to hang a pipeline for good.
 *
 *   streaming thread: set_caps() -> the import fails -> the error is posted
 *     (the application wakes up and sets the pipeline to NULL: GstBaseSrc
 *     calls unlock() from its thread, without the stream lock) -> the
 *     stream is torn down and its buffer lender freed
 *   application thread: unlock() -> flush the lender it found
 *
 * If unlock() reads the lender pointer before the tear-down frees it and
 * flushes it after, it locks a freed GMutex: glibc's free() writes its
 * tcache key over exactly that word, which GLib then reads as "locked",
 * and the thread sleeps for ever in set_state(NULL).
 *
 * The order is forced, not hoped for: this program exports its own
 * gst_element_message_full() and zcbuf_lender_set_flushing() (-rdynamic),
 * which the plugin calls through its PLT. At the error post it starts
 * unlock() on another thread and, once unlock() is about to flush a lender,
 * holds it there until set_caps() has returned on the streaming thread.
 * set_caps() fails without a device just as it does for an import the
 * kernel refuses. TAP: ok when unlock() returns within 3 s.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>
#include <gst/gst.h>
#include <gst/base/gstbasesrc.h>

#include "zcbuf-lender.h"

static GMutex m;
static GCond c;
/* 1: unlock() is about to flush a lender; 2: set_caps() returned; 3: unlock() returned */
static int stage;
static __thread gboolean on_unlock_thread;
static gboolean held;
static GstElement *src;
static GThread *unlock_thread;
static void (*plugin_set_flushing)(struct zcbuf_lender *, gboolean);

static void set_stage(int s)
{
	g_mutex_lock(&m);
	if (s > stage)
		stage = s;
	g_cond_broadcast(&c);
	g_mutex_unlock(&m);
}

static gboolean wait_stage(int s, gint64 secs)
{
	gint64 end = g_get_monotonic_time() + secs * G_TIME_SPAN_SECOND;
	gboolean ok = TRUE;

	g_mutex_lock(&m);
	while (stage < s && ok)
		ok = g_cond_wait_until(&c, &m, end);
	g_mutex_unlock(&m);
	return stage >= s;
}

/* The plugin's own zcbuf_lender_set_flushing(), held once on the unlock thread. */
void zcbuf_lender_set_flushing(struct zcbuf_lender *lender, gboolean flushing)
{
	if (on_unlock_thread && flushing && !held) {
		held = TRUE;
		set_stage(1);
		wait_stage(2, 10);
	}
	plugin_set_flushing(lender, flushing);
}

static gpointer unlock_fn(gpointer el)
{
	on_unlock_thread = TRUE;
	/* what gst_base_src_stop() does first, from the application's thread */
	GST_BASE_SRC_GET_CLASS(el)->unlock(GST_BASE_SRC(el));
	set_stage(3);
	return NULL;
}

/* libgstreamer's, with unlock() started at the element's error post. */
void gst_element_message_full(GstElement *element, GstMessageType type, GQuark domain,
			      gint code, gchar *text, gchar *debug, const gchar *file,
			      const gchar *function, gint line)
{
	static void (*real)(GstElement *, GstMessageType, GQuark, gint, gchar *, gchar *,
			    const gchar *, const gchar *, gint);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "gst_element_message_full");
	if (element == src && type == GST_MESSAGE_ERROR && !unlock_thread) {
		unlock_thread = g_thread_new("unlock", unlock_fn, element);
		wait_stage(1, 5);
	}
	real(element, type, domain, code, text, debug, file, function, line);
}

/* The plugin's definition of zcbuf_lender_set_flushing(), not ours. */
static gboolean find_plugin_function(void)
{
	GstPlugin *plugin = gst_registry_find_plugin(gst_registry_get(), "zcbuf");
	void *handle = NULL;

	if (plugin && gst_plugin_get_filename(plugin))
		handle = dlopen(gst_plugin_get_filename(plugin), RTLD_NOW | RTLD_NOLOAD);
	if (plugin)
		gst_object_unref(plugin);
	if (handle)
		*(void **)&plugin_set_flushing = dlsym(handle, "zcbuf_lender_set_flushing");
	return plugin_set_flushing && plugin_set_flushing != zcbuf_lender_set_flushing;
}

int main(int argc, char **argv)
{
	GstCaps *caps;

	gst_init(&argc, &argv);
	printf("TAP version 13\n1..1\n");
	src = gst_element_factory_make("zcbufsrc", NULL);
	if (!src || !find_plugin_function()) {
		printf("not ok 1 - zcbufsrc and its zcbuf_lender_set_flushing() (GST_PLUGIN_PATH?)\n");
		return 1;
	}
	g_object_set(src, "device", "/dev/zcbuf-test-no-such-device", NULL);
	caps = gst_caps_from_string("video/x-raw,format=RGB,width=320,height=180,framerate=30/1");
	GST_BASE_SRC_GET_CLASS(src)->set_caps(GST_BASE_SRC(src), caps);
	gst_caps_unref(caps);
	set_stage(2);
	if (!unlock_thread || !held) {
		printf("not ok 1 - the order was not forced: %s\n",
		       !unlock_thread ? "set_caps() posted no error" : "unlock() flushed no lender");
		return 1;
	}
	if (!wait_stage(3, 3)) {
		printf("not ok 1 - unlock() after a failed stream set-up: still blocked after 3 s (a freed lender's lock)\n");
		fflush(stdout);
		_exit(1);
	}
	printf("ok 1 - unlock() after a failed stream set-up returns\n");
	g_thread_join(unlock_thread);
	gst_object_unref(src);
	return 0;
}
