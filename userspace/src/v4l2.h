/* SPDX-License-Identifier: MIT */
/*
 * libzcbuf internals of the V4L2 side: devices, queues, the dma-buf to
 * index cache, the import probes, and the check that a buffer fits a
 * queue's format. The cache, the probe table and the fit check are pure
 * logic (no ioctls), unit-tested on the host (userspace/tests/test-v4l2-logic.c).
 */
#ifndef ZCBUF_V4L2_H
#define ZCBUF_V4L2_H

#include "private.h"

#define ZC_MAX_BUFFERS 32	/* VIDEO_MAX_FRAME */
#define ZC_MAX_PROBES 16

/* ---- the dma-buf identity -> V4L2 index cache (buffer-cache.c) ----------- */

/*
 * A buffer's identity: its dma-bufs, in memory plane order; for ordinary
 * memory (n 0) the address and length queued, which is what vb2 compares
 * to keep a USERPTR range pinned on its index.
 */
struct zc_cache_key {
	unsigned int n;
	struct zc_dmabuf_id id[ZCBUF_MAX_PLANES];
	uint64_t addr, len;
};

struct zc_cache_entry {
	bool queued;		/* handed to the driver, not dequeued yet */
	bool has_key;		/* a buffer used this index before */
	uint64_t last;		/* when it was last taken */
	struct zc_cache_key key;
};

struct zc_cache {
	unsigned int n;
	struct zc_cache_entry e[ZC_MAX_BUFFERS];
	uint64_t hits, misses;
	uint64_t tick;
};

/* Forget everything: @n free indexes (at most ZC_MAX_BUFFERS). */
void zc_cache_init(struct zc_cache *c, unsigned int n);
/*
 * The index for @key, marked queued: the free index it had (a hit), else a
 * free index never used, else the free one used longest ago (a miss).
 * Returns the index, -EBUSY when every index is queued, -EEXIST when @key
 * is queued already (the same dma-bufs twice).
 */
int zc_cache_get(struct zc_cache *c, const struct zc_cache_key *key);
/* Mark @index free again: 0, or -EINVAL when it was not queued. */
int zc_cache_put(struct zc_cache *c, unsigned int index);
/* Mark @index queued without a key (MMAP buffers by index): 0, -EBUSY, -EINVAL. */
int zc_cache_take(struct zc_cache *c, unsigned int index);

/* ---- import probes (probe-table.c) -------------------------------------- */

struct zc_probe_table {
	unsigned int n;		/* results kept, oldest first */
	struct zcbuf_probe p[ZC_MAX_PROBES];
};

const struct zcbuf_probe *zc_probe_find(const struct zc_probe_table *t, const char *exporter,
					enum zcbuf_memory memory);
/* Keep @r, replacing the result of the same exporter and memory; the oldest goes when full. */
void zc_probe_record(struct zc_probe_table *t, const struct zcbuf_probe *r);
/*
 * What AUTO takes for @exporter from the results on record: DMABUF if it
 * imported, else USERPTR if it did, else MMAP (copies). -ENOENT when a
 * result is missing.
 */
int zc_probe_choose(const struct zc_probe_table *t, const char *exporter,
		    enum zcbuf_memory *memory);
/* Is a successful USERPTR import of @exporter proof that the kernel imports mapped dma-bufs? */
bool zc_exporter_needs_dmabuf_userptr(const char *exporter);

/* ---- does a buffer fit a queue's format (v4l2-fit.c) -------------------- */

struct zc_fit_plane {
	uint32_t mem;		/* the buffer's memory plane */
	uint32_t stride;
	uint64_t offset, length;
};

/* A buffer as the fit check sees it. */
struct zc_fit_buffer {
	struct zcbuf_format fmt;	/* fourcc 0: raw bytes */
	unsigned int num_planes, num_mem;
	struct zc_fit_plane plane[ZCBUF_MAX_PLANES];
	uint64_t mem_size[ZCBUF_MAX_PLANES];	/* each dma-buf's size */
};

/* Where each V4L2 memory plane starts in which of the buffer's dma-bufs. */
struct zc_fit {
	unsigned int num_mem;
	uint32_t mem[ZCBUF_MAX_PLANES];		/* the buffer's dma-buf */
	uint64_t data_offset[ZCBUF_MAX_PLANES];
};

void zc_fit_buffer_of(const struct zcbuf_buffer *buf, struct zc_fit_buffer *fb);
/*
 * Does @fb fit @df? 0 and @fit, or -EINVAL with the reason in @ctx
 * (prefixed by @what).
 */
int zc_fit_check(struct zcbuf_ctx *ctx, const char *what, const struct zc_dev_format *df,
		 const struct zc_fit_buffer *fb, struct zc_fit *fit);
/* The bytesperline per V4L2 memory plane that @fb's planes have: how many. */
unsigned int zc_fit_strides(const struct zc_fit_buffer *fb, uint32_t *strides);

/* ---- devices and queues ------------------------------------------------- */

struct zcbuf_queue {
	struct zcbuf_device *dev;
	uint32_t type;			/* V4L2_BUF_TYPE_*, 0 when the device has none */
	enum zcbuf_memory memory;	/* in use, AUTO before a setup */
	bool copying;			/* MMAP buffers standing in for puts */
	bool streaming;
	unsigned int count;		/* buffers allocated */
	struct zc_cache cache;
	struct zcbuf_buffer *slot[ZC_MAX_BUFFERS];	/* what put() queued per index */
	struct zcbuf_buffer *mmap[ZC_MAX_BUFFERS];	/* driver buffers, copying queues */
	struct zcbuf_buffer *kept[ZC_MAX_BUFFERS];	/* USERPTR: mapping per index (userptr-keep.c) */
	struct zc_probe_table probes;
	struct zcbuf_queue_stats stats;
};

struct zcbuf_device {
	struct zcbuf_ctx *ctx;
	int fd;
	struct zcbuf_device_info info;
	struct zcbuf_queue queue[2];	/* enum zcbuf_direction */
};

/* "v4l2 /dev/video3 (video capture queue)" for messages. */
struct zc_what {
	char s[160];
};
struct zc_what zc_queue_what(const struct zcbuf_queue *q);

/* REQBUFS @count of @memory; the count granted or a negative errno (with a message). */
int zc_queue_reqbufs(struct zcbuf_queue *q, enum zcbuf_memory memory, unsigned int count);
/* VIDIOC_QBUF @buf at @index with @memory (no cache, no copy). */
int zc_queue_qbuf(struct zcbuf_queue *q, unsigned int index, enum zcbuf_memory memory,
		  struct zcbuf_buffer *buf, uint32_t bytesused);
/*
 * USERPTR queue @q is about to queue dma-buf buffer @buf at @index: *@queued
 * is what to queue instead, the index's kept mapping of the same dma-bufs
 * (made now if the index kept none or another). 0 or a negative errno.
 */
int zc_userptr_keep(struct zcbuf_queue *q, unsigned int index, struct zcbuf_buffer *buf,
		    struct zcbuf_buffer **queued);
/* Drop every mapping the queue kept. */
void zc_userptr_forget(struct zcbuf_queue *q);
/* Copy the picture of @src into @dst (same format) between CPU syncs; bytes copied. */
int zc_copy_frame(struct zcbuf_ctx *ctx, struct zcbuf_buffer *src, struct zcbuf_buffer *dst,
		  uint64_t *bytes);

#endif
