/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lending V4L2 slots downstream. A slot (a V4L2 buffer and its dma-bufs)
 * goes out as a GstBuffer; it comes back when the last of that buffer's
 * memories is freed, whatever copies of the GstBuffer shared them, from
 * whatever thread. The streaming thread takes returned slots and queues
 * them again, so only it touches the device (libzcbuf: one thread per
 * context). Refcounted: late returns after the element stopped are dropped.
 */
#ifndef ZCBUF_LENDER_H
#define ZCBUF_LENDER_H

#include <gst/gst.h>

G_BEGIN_DECLS

struct zcbuf_lender;

struct zcbuf_lender *zcbuf_lender_new(void);
struct zcbuf_lender *zcbuf_lender_ref(struct zcbuf_lender *lender);
void zcbuf_lender_unref(struct zcbuf_lender *lender);

/*
 * An element's lender pointer *@slot, guarded by @owner's object lock: the
 * streaming thread replaces it (set_caps, teardown) while unlock(),
 * change_state() or a flush event flushes it from another thread.
 * zcbuf_lender_replace() stores @lender (or NULL) and flushes and drops the
 * old one; zcbuf_lender_flush_slot() flushes whatever *@slot holds, on a
 * reference of its own, so the lender cannot go away under it.
 */
void zcbuf_lender_replace(GstObject *owner, struct zcbuf_lender **slot,
			  struct zcbuf_lender *lender);
void zcbuf_lender_flush_slot(GstObject *owner, struct zcbuf_lender **slot, gboolean flushing);

/* @buf's memories carry @slot (< 64) until they are all freed. */
void zcbuf_lender_lend(struct zcbuf_lender *lender, GstBuffer *buf, guint slot);

/*
 * A slot that came back, or -1: none came back (@wait FALSE), or flushing.
 * With @wait it blocks until a slot comes back or flushing starts.
 */
gint zcbuf_lender_take(struct zcbuf_lender *lender, gboolean wait);

/* While flushing, zcbuf_lender_take() returns -1 at once (GstBaseSrc unlock). */
void zcbuf_lender_set_flushing(struct zcbuf_lender *lender, gboolean flushing);

G_END_DECLS

#endif
