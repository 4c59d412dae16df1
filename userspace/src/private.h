/* SPDX-License-Identifier: MIT */
/*
 * libzcbuf internals shared by the library's files. Nothing here is
 * exported: the library builds with -fvisibility=hidden and only ZCBUF_API
 * functions leave it.
 */
#ifndef ZCBUF_PRIVATE_H
#define ZCBUF_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zcbuf/zcbuf.h"

#define ZC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ZC_PRINTF(f, a) __attribute__((format(printf, f, a)))

struct zcbuf_ctx {
	unsigned int refs;	/* the caller's, plus one per buffer */
	int err;		/* negative errno of the last failure */
	char msg[512];
	bool dmabuf_userptr;	/* a PFN-mapped dma-buf was imported through USERPTR */
};

/*
 * Record a failure in @ctx (may be NULL): the message is the formatted text,
 * then ": " and strerror(@err). Returns -@err, so that callers write
 * "return zc_fail(ctx, errno, "...", ...);". @err is a positive errno.
 */
int zc_fail(struct zcbuf_ctx *ctx, int err, const char *fmt, ...) ZC_PRINTF(3, 4);
/* The same without the errno string (the text says it all). */
int zc_fail_msg(struct zcbuf_ctx *ctx, int err, const char *fmt, ...) ZC_PRINTF(3, 4);
/* Put "@what: " before the message of the failure @ret; returns @ret. */
int zc_prefix(struct zcbuf_ctx *ctx, int ret, const char *what);
void zc_ctx_ref(struct zcbuf_ctx *ctx);

/* "NV12", printable for any fourcc ("0x00000000" when it is not text). */
struct zc_fourcc_str {
	char s[16];
};
struct zc_fourcc_str zc_fourcc_str(uint32_t fourcc);

/* The system page size, and @size rounded up to it (false on overflow). */
uint64_t zc_page_size(void);
bool zc_page_align(uint64_t size, uint64_t *aligned);

/*
 * What a source must allocate: one dma-buf per memory plane, each of
 * mem_size[i] bytes, planes laid out as @layout says. For raw bytes (fmt
 * NULL) one memory plane of @size bytes with one plane of stride 0.
 */
struct zc_request {
	struct zcbuf_format fmt;	/* fourcc 0: raw bytes */
	struct zcbuf_layout layout;
};
int zc_request_init(struct zcbuf_ctx *ctx, const char *what, const struct zcbuf_format *fmt,
		    uint64_t size, struct zc_request *req);

/*
 * Make a buffer of dma-buf fds the caller owns: @fds[i] holds memory plane i
 * of @req's layout (with its strides). On success the buffer owns the fds;
 * on failure the caller still does.
 */
int zc_buffer_from_request(struct zcbuf_ctx *ctx, const struct zc_request *req,
			   const int *fds, struct zcbuf_buffer **buf);
/*
 * The same for explicit planes; @fds_owned: take the planes' fds as they
 * are (planes naming the same fd share it) instead of duplicating them.
 */
int zc_buffer_new(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
		  const struct zcbuf_plane *planes, unsigned int num_planes, bool fds_owned,
		  struct zcbuf_buffer **buf);
/* Name a new buffer "zcbuf:@source", quietly: the buffer records a refusal. */
void zc_buffer_name_quietly(struct zcbuf_buffer *buf, const char *source);

/* The "v4l2:PATH" source of zcbuf_alloc(). */
int zc_v4l2_alloc(struct zcbuf_ctx *ctx, const char *path, const struct zcbuf_format *fmt,
		  uint64_t size, struct zcbuf_buffer **buf);

/* Close the first @n fds of @fds that are >= 0 (keeping errno). */
void zc_close_fds(const int *fds, unsigned int n);

/* ---- V4L2 helpers shared by the V4L2 files ------------------------------ */

/* "/dev/video0" for messages, from /proc/self/fd; "fd N" if that fails. */
struct zc_path {
	char s[4096];
};
struct zc_path zc_fd_path(int fd);
/* "video capture", "video output mplane", ... for messages. */
const char *zc_type_name(uint32_t type);
bool zc_type_is_mplane(uint32_t type);
bool zc_type_is_video(uint32_t type);
/* ioctl() retried on EINTR: 0 or -1 with errno. */
int zc_xioctl(int fd, unsigned long req, void *arg);

/* A device's format: fourcc, size, and per memory plane bytesperline and sizeimage. */
struct zc_dev_format {
	struct zcbuf_format fmt;
	uint32_t num_mem;
	uint32_t bpl[ZCBUF_MAX_PLANES];
	uint32_t sizeimage[ZCBUF_MAX_PLANES];
	uint64_t total;		/* all memory planes */
};
struct v4l2_format;
void zc_from_v4l2_format(const struct v4l2_format *f, struct zc_dev_format *df);
/* VIDIOC_G_FMT of a video queue, checked to have planes. */
int zc_get_format(struct zcbuf_ctx *ctx, int fd, uint32_t type, struct zc_dev_format *df);

/* ---- What the V4L2 import needs to know of a buffer ---------------------- */

/* A dma-buf's identity: what fstat says of its fd (the same dma-buf, dup'ed or not). */
struct zc_dmabuf_id {
	uint64_t dev, ino;
};

/* One memory plane (dma-buf) of a buffer, for queuing it. */
struct zc_mem_info {
	int fd;
	uint64_t size;		/* the dma-buf's */
	uint64_t end;		/* where its last plane ends */
	void *map;		/* NULL when not mapped */
	struct zc_dmabuf_id id;
};
struct zcbuf_ctx *zc_buffer_ctx(const struct zcbuf_buffer *buf);
void zc_buffer_mem(const struct zcbuf_buffer *buf, unsigned int m, struct zc_mem_info *mi);
unsigned int zc_buffer_plane_mem(const struct zcbuf_buffer *buf, unsigned int p);
/* Memory planes: dma-bufs, or 1 for ordinary memory (whose mem_info has fd -1). */
unsigned int zc_buffer_num_mem(const struct zcbuf_buffer *buf);

/*
 * Ordinary process memory (zcbuf_buffer_wrap_memory): no dma-buf, so V4L2
 * takes it by USERPTR only. Its "exporter", which keys the import probes.
 */
#define ZC_MEMORY_EXPORTER "memory"
#define ZC_NO_DMABUF "ordinary memory has no dma-buf: USERPTR only"
bool zc_buffer_is_ordinary(const struct zcbuf_buffer *buf);
/* Is a CPU access open (zcbuf_buffer_begin_cpu without end)? */
bool zc_buffer_cpu_open(const struct zcbuf_buffer *buf);

/* The exporter's name of a dma-buf fd ("exp_name" in /proc/self/fdinfo), "" if unknown. */
void zc_dmabuf_exporter(int fd, char *name, size_t len);
/* Is @exporter a dma-heap other than the system heap, i.e. CMA? */
bool zc_exporter_is_cma_heap(const char *exporter);

#endif
