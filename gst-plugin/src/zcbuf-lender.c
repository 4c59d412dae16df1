// SPDX-License-Identifier: LGPL-2.1-or-later
/* Slots lent downstream as GstBuffers, back when their memories are freed. */
#include "zcbuf-lender.h"

struct zcbuf_lender {
	gint refs;
	GMutex lock;
	GCond cond;
	guint64 returned; /* a bit per slot that came back */
	gboolean flushing;
};

/* One per lent GstBuffer, shared by its memories. */
struct ticket {
	gint refs;
	struct zcbuf_lender *lender;
	guint slot;
};

static GQuark ticket_quark(void)
{
	return g_quark_from_static_string("zcbuf-lender-ticket");
}

struct zcbuf_lender *zcbuf_lender_new(void)
{
	struct zcbuf_lender *lender = g_new0(struct zcbuf_lender, 1);

	lender->refs = 1;
	g_mutex_init(&lender->lock);
	g_cond_init(&lender->cond);
	return lender;
}

struct zcbuf_lender *zcbuf_lender_ref(struct zcbuf_lender *lender)
{
	g_atomic_int_inc(&lender->refs);
	return lender;
}

void zcbuf_lender_unref(struct zcbuf_lender *lender)
{
	if (!lender || !g_atomic_int_dec_and_test(&lender->refs))
		return;
	g_mutex_clear(&lender->lock);
	g_cond_clear(&lender->cond);
	g_free(lender);
}

static void ticket_unref(gpointer data)
{
	struct ticket *t = data;

	if (!g_atomic_int_dec_and_test(&t->refs))
		return;
	g_mutex_lock(&t->lender->lock);
	t->lender->returned |= G_GUINT64_CONSTANT(1) << t->slot;
	g_cond_broadcast(&t->lender->cond);
	g_mutex_unlock(&t->lender->lock);
	zcbuf_lender_unref(t->lender);
	g_free(t);
}

void zcbuf_lender_lend(struct zcbuf_lender *lender, GstBuffer *buf, guint slot)
{
	guint i, n = gst_buffer_n_memory(buf);
	struct ticket *t = g_new0(struct ticket, 1);

	g_return_if_fail(slot < 64 && n > 0);
	t->refs = (gint)n;
	t->lender = lender;
	t->slot = slot;
	g_atomic_int_inc(&lender->refs);
	for (i = 0; i < n; i++)
		gst_mini_object_set_qdata(GST_MINI_OBJECT(gst_buffer_peek_memory(buf, i)),
					  ticket_quark(), t, ticket_unref);
}

gint zcbuf_lender_take(struct zcbuf_lender *lender, gboolean wait)
{
	gint slot = -1;

	g_mutex_lock(&lender->lock);
	while (wait && !lender->returned && !lender->flushing)
		g_cond_wait(&lender->cond, &lender->lock);
	if (lender->returned && !lender->flushing) {
		slot = __builtin_ctzll(lender->returned);
		lender->returned &= ~(G_GUINT64_CONSTANT(1) << slot);
	}
	g_mutex_unlock(&lender->lock);
	return slot;
}

void zcbuf_lender_set_flushing(struct zcbuf_lender *lender, gboolean flushing)
{
	g_mutex_lock(&lender->lock);
	lender->flushing = flushing;
	g_cond_broadcast(&lender->cond);
	g_mutex_unlock(&lender->lock);
}

void zcbuf_lender_replace(GstObject *owner, struct zcbuf_lender **slot,
			  struct zcbuf_lender *lender)
{
	struct zcbuf_lender *old;

	GST_OBJECT_LOCK(owner);
	old = *slot;
	*slot = lender;
	GST_OBJECT_UNLOCK(owner);
	if (old) {
		zcbuf_lender_set_flushing(old, TRUE);
		zcbuf_lender_unref(old);
	}
}

void zcbuf_lender_flush_slot(GstObject *owner, struct zcbuf_lender **slot, gboolean flushing)
{
	struct zcbuf_lender *lender;

	GST_OBJECT_LOCK(owner);
	lender = *slot ? zcbuf_lender_ref(*slot) : NULL;
	GST_OBJECT_UNLOCK(owner);
	if (lender) {
		zcbuf_lender_set_flushing(lender, flushing);
		zcbuf_lender_unref(lender);
	}
}
