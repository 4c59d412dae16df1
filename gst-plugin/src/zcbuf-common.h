/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What zcbufsrc and zcbufconvert share: the properties device,
 * import-mode, strict and the read-only statistics, and how a libzcbuf
 * failure becomes an error message on the bus.
 */
#ifndef ZCBUF_COMMON_H
#define ZCBUF_COMMON_H

#include <gst/gst.h>
#include <linux/videodev2.h>
#include <zcbuf/zcbuf.h>

G_BEGIN_DECLS

enum {
	ZCBUF_PROP_0,
	ZCBUF_PROP_DEVICE,
	ZCBUF_PROP_IMPORT_MODE,
	ZCBUF_PROP_STRICT,
	ZCBUF_PROP_FRAMES,
	ZCBUF_PROP_COPIES,
	ZCBUF_PROP_BYTES_COPIED,
	ZCBUF_PROP_IMPORTS,
	ZCBUF_PROP_IMPORT_CACHE_MISSES,
	ZCBUF_PROP_IMPORT_PATH,
	ZCBUF_PROP_COMMON_LAST /* the elements' own properties follow */
};

struct zcbuf_common {
	/* properties (object lock) */
	gchar *device;
	enum zcbuf_memory import_mode;
	gboolean strict;
	/* statistics since the last start (object lock) */
	guint64 frames, copies, bytes_copied, imports, cache_misses;
	const gchar *import_path;
};

GType zcbuf_import_mode_get_type(void);

/* Install the shared properties; @what says what the device is for. */
void zcbuf_common_install(GObjectClass *klass, const gchar *default_device, const gchar *what);
void zcbuf_common_init(struct zcbuf_common *c, const gchar *default_device);
void zcbuf_common_finalize(struct zcbuf_common *c);
/* FALSE when @prop_id is not a shared property. */
gboolean zcbuf_common_set_property(GObject *obj, struct zcbuf_common *c, guint prop_id,
				   const GValue *value);
gboolean zcbuf_common_get_property(GObject *obj, struct zcbuf_common *c, guint prop_id,
				   GValue *value);
/*
 * Start: zero the statistics, make a libzcbuf context in *@ctx and open the
 * device of the "device" property in *@dev. Returns 0, or the libzcbuf
 * error of the open with the device's name in *@device (g_free() it) for
 * the element's own message; without a context it posts the error itself
 * and leaves *@device NULL.
 */
int zcbuf_common_open(GstElement *el, struct zcbuf_common *c, struct zcbuf_ctx **ctx,
		      struct zcbuf_device **dev, gchar **device);
/* Zero the statistics (start). */
void zcbuf_common_reset_stats(GObject *obj, struct zcbuf_common *c);

/*
 * Take @queue's counters into the statistics, plus copies the element made
 * itself; @frames more frames went out.
 */
void zcbuf_common_account(GObject *obj, struct zcbuf_common *c, struct zcbuf_queue *queue,
			  guint64 frames, guint64 own_copies, guint64 own_bytes);

/*
 * Post the statistics as an element message "zcbuf-stats" (the properties'
 * names and values), so that gst-launch-1.0 -m shows them; at EOS.
 */
void zcbuf_common_post_stats(GstElement *el, struct zcbuf_common *c);

/*
 * A zcbuf_queue_get() result that is one failed frame (the driver set
 * V4L2_BUF_FLAG_ERROR: drop it, go on) rather than a failed queue (-EIO
 * without the flag, e.g. a disconnect: stop). Clear @frame's flags first.
 */
static inline gboolean zcbuf_frame_failed(int ret, const struct zcbuf_frame *frame)
{
	return ret == -EIO && (frame->flags & V4L2_BUF_FLAG_ERROR);
}

/*
 * Set @queue up with @count driver (MMAP) buffers and export each one, up
 * to @max, into @slots; *@n: how many were exported. The driver's count,
 * or -errno (the caller releases what *@n says).
 */
int zcbuf_common_export_mmap(struct zcbuf_queue *queue, guint count, guint max,
			     struct zcbuf_buffer **slots, guint *n);

/* "dmabuf", "userptr", "mmap" or "copy": how @queue gets its memory. */
const gchar *zcbuf_common_path_name(struct zcbuf_queue *queue);

/*
 * Post an error for the libzcbuf failure @ret: "@what: <libzcbuf's
 * message>" (the reason a user needs), in the resource domain.
 */
#define ZCBUF_POST_ERROR(el, ctx, ret, what)                                            \
	GST_ELEMENT_ERROR(el, RESOURCE, FAILED, ("%s: %s", (what), zcbuf_last_error(ctx)), \
			  ("libzcbuf error %d", (ret)))

G_END_DECLS

#endif
