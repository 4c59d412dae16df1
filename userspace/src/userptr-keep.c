// SPDX-License-Identifier: MIT
/*
 * USERPTR queues keep, per index, their own mapping of the dma-bufs queued
 * there last. The kernel keys a USERPTR import on the mapping: a caller
 * that wraps the same dma-buf anew for every frame (a GStreamer element
 * gets a new GstBuffer per frame) and frees the wrapper after it, would
 * unmap and map the dma-buf each frame, and the kernel would import it
 * again each time (a vmap on vb2-vmalloc). Queued from the kept mapping,
 * the same dma-buf on the same index reuses the import. An index keeps its
 * mapping until another buffer takes the index or the queue is released,
 * as vb2 keeps its import.
 */
#include "v4l2.h"

/* Same dma-bufs, same planes, same format: the same mapping serves both. */
static bool same_layout(const struct zcbuf_buffer *a, const struct zcbuf_buffer *b)
{
	struct zcbuf_format fa, fb;
	int n = zcbuf_buffer_num_planes(a), p;

	if (n != zcbuf_buffer_num_planes(b) || zcbuf_buffer_get_format(a, &fa) ||
	    zcbuf_buffer_get_format(b, &fb) || fa.fourcc != fb.fourcc || fa.width != fb.width ||
	    fa.height != fb.height)
		return false;
	for (p = 0; p < n; p++) {
		struct zcbuf_plane pa, pb;
		struct zc_mem_info ma, mb;

		zcbuf_buffer_get_plane(a, (unsigned int)p, &pa);
		zcbuf_buffer_get_plane(b, (unsigned int)p, &pb);
		zc_buffer_mem(a, zc_buffer_plane_mem(a, (unsigned int)p), &ma);
		zc_buffer_mem(b, zc_buffer_plane_mem(b, (unsigned int)p), &mb);
		if (pa.offset != pb.offset || pa.length != pb.length || pa.stride != pb.stride ||
		    ma.id.dev != mb.id.dev || ma.id.ino != mb.id.ino)
			return false;
	}
	return true;
}

/* A buffer of @buf's dma-bufs and planes that the queue owns. */
static int clone_buffer(struct zcbuf_buffer *buf, struct zcbuf_buffer **out)
{
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	struct zcbuf_format fmt;
	int n = zcbuf_buffer_num_planes(buf), p;

	zcbuf_buffer_get_format(buf, &fmt);
	for (p = 0; p < n; p++)
		zcbuf_buffer_get_plane(buf, (unsigned int)p, &planes[p]);
	return zcbuf_buffer_wrap(zc_buffer_ctx(buf), &fmt, planes, (unsigned int)n, out);
}

int zc_userptr_keep(struct zcbuf_queue *q, unsigned int index, struct zcbuf_buffer *buf,
		    struct zcbuf_buffer **queued)
{
	struct zcbuf_buffer **kept = &q->kept[index];
	int ret;

	if (*kept && same_layout(*kept, buf)) {
		*queued = *kept;
		return 0;
	}
	zcbuf_buffer_free(*kept);
	*kept = NULL;
	ret = clone_buffer(buf, kept);
	if (!ret)
		ret = zcbuf_buffer_map(*kept);
	if (ret) {
		zcbuf_buffer_free(*kept);
		*kept = NULL;
		return zc_prefix(q->dev->ctx, ret, zc_queue_what(q).s);
	}
	*queued = *kept;
	return 0;
}

void zc_userptr_forget(struct zcbuf_queue *q)
{
	unsigned int i;

	for (i = 0; i < ZC_MAX_BUFFERS; i++) {
		zcbuf_buffer_free(q->kept[i]);
		q->kept[i] = NULL;
	}
}
