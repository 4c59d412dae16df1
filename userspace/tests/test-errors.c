// SPDX-License-Identifier: MIT
/*
 * Bad input on the host (no dma-buf devices needed): every call returns a
 * negative errno, leaves a message naming the object, the operation and the
 * errno string, and leaks no fd (ASan's leak checker covers memory when
 * this runs under "meson test" in the ASan build).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>
#include <zcbuf/zcbuf.h>

#include "count-fds.h"
#include "tap.h"

static bool exists(const char *path)
{
	return !access(path, F_OK);
}

/* The call gave @err and the message is exactly @msg. */
static void expect_msg(struct zcbuf_ctx *ctx, int ret, int err, const char *msg, const char *what)
{
	tap_result(ret == err && zcbuf_last_errno(ctx) == err &&
		   !strcmp(zcbuf_last_error(ctx), msg),
		   "%s: %d, \"%s\"", what, ret, zcbuf_last_error(ctx));
}

/* The call gave @err and the message holds each of the NULL-terminated strings. */
static void expect_has(struct zcbuf_ctx *ctx, int ret, int err, const char *what, ...)
{
	const char *msg = zcbuf_last_error(ctx), *s;
	bool ok = ret == err && zcbuf_last_errno(ctx) == err;
	va_list ap;

	va_start(ap, what);
	while ((s = va_arg(ap, const char *)))
		ok &= strstr(msg, s) != NULL;
	va_end(ap);
	tap_result(ok, "%s: %d, \"%s\"", what, ret, msg);
}

static void contexts(void)
{
	struct zcbuf_ctx *ctx;

	tap_result(zcbuf_ctx_new(NULL) == -EINVAL, "ctx: zcbuf_ctx_new(NULL): -EINVAL");
	tap_result(zcbuf_last_error(NULL) && *zcbuf_last_error(NULL) &&
		   zcbuf_last_errno(NULL) == -EINVAL, "ctx: NULL context: a message, -EINVAL");
	zcbuf_ctx_new(&ctx);
	tap_result(ctx && !strcmp(zcbuf_last_error(ctx), "") && zcbuf_last_errno(ctx) == 0,
		   "ctx: a new context has no error");
	zcbuf_ctx_free(ctx);
	zcbuf_ctx_free(NULL);
}

static void sources(struct zcbuf_ctx *ctx)
{
	struct zcbuf_format nv12 = { v4l2_fourcc('N', 'V', '1', '2'), 640, 480 };
	struct zcbuf_format odd = { v4l2_fourcc('N', 'V', '1', '2'), 641, 480 };
	struct zcbuf_buffer *buf = NULL;
	int ret, null_fd;

	if (exists("/dev/dma_heap/nosuch"))
		tap_result(true, "# SKIP /dev/dma_heap/nosuch exists");
	else
		expect_msg(ctx, zcbuf_heap_alloc(ctx, "nosuch", NULL, 4096, &buf), -ENOENT,
			   "dma-heap 'nosuch': open /dev/dma_heap/nosuch: No such file or directory",
			   "heap: unknown heap");
	expect_msg(ctx, zcbuf_heap_alloc(ctx, "../null", NULL, 4096, &buf), -EINVAL,
		   "dma-heap '../null': not a heap name", "heap: a path is not a heap name");
	expect_msg(ctx, zcbuf_heap_alloc(ctx, "system", NULL, 0, &buf), -EINVAL,
		   "dma-heap 'system': 0 bytes: give a size or a format", "heap: zero size");
	expect_has(ctx, zcbuf_heap_alloc(ctx, "system", &odd, 0, &buf), -EINVAL,
		   "heap: NV12 641 wide", "dma-heap 'system': layout: NV12 641x480", "multiple of 2", NULL);
	expect_has(ctx, zcbuf_heap_alloc(ctx, "system", &(struct zcbuf_format){ 0, 1, 1 }, 0, &buf),
		   -EINVAL, "heap: a format without fourcc", "without a fourcc", NULL);
	if (exists("/dev/dma_heap"))
		tap_result(true, "# SKIP /dev/dma_heap exists");
	else
		expect_msg(ctx, zcbuf_heap_alloc(ctx, "cma", NULL, 4096, &buf), -ENOENT,
			   "dma-heap 'cma': open /dev/dma_heap: No such file or directory",
			   "heap: no CMA heap");
	tap_result(zcbuf_heap_alloc(NULL, "system", NULL, 4096, &buf) == -EINVAL &&
		   zcbuf_heap_alloc(ctx, NULL, NULL, 4096, &buf) == -EINVAL &&
		   zcbuf_heap_alloc(ctx, "system", NULL, 4096, NULL) == -EINVAL,
		   "heap: NULL arguments: -EINVAL");

	expect_msg(ctx, zcbuf_udmabuf_alloc(ctx, NULL, 0, &buf), -EINVAL,
		   "udmabuf: 0 bytes: give a size or a format", "udmabuf: zero size");
	expect_has(ctx, zcbuf_udmabuf_alloc(ctx, NULL, UINT64_MAX, &buf), -EOVERFLOW,
		   "udmabuf: 2^64-1 bytes", "do not fit 64 bits", NULL);
	if (!exists("/dev/udmabuf")) {
		ret = zcbuf_udmabuf_alloc(ctx, &nv12, 0, &buf);
		expect_msg(ctx, ret, -ENOENT, "udmabuf: open /dev/udmabuf: No such file or directory",
			   "udmabuf: no device");
	}

	expect_msg(ctx, zcbuf_alloc(ctx, "bogus", NULL, 4096, &buf), -EINVAL,
		   "alloc: unknown source 'bogus' (heap:NAME, udmabuf, drm:DRIVER, drm:PATH or "
		   "v4l2:PATH)", "alloc: unknown source");
	expect_has(ctx, zcbuf_alloc(ctx, "heap:", NULL, 4096, &buf), -EINVAL,
		   "alloc: 'heap:' without a name", "unknown source 'heap:'", NULL);
	expect_msg(ctx, zcbuf_alloc(ctx, "drm:/nonexistent/card0", NULL, 4096, &buf), -ENOENT,
		   "drm: open /nonexistent/card0: No such file or directory", "alloc: drm: no such card");
	expect_has(ctx, zcbuf_alloc(ctx, "drm:nosuchdriver", NULL, 4096, &buf), -ENOENT,
		   "alloc: drm: no card with that driver", "no card with driver 'nosuchdriver'", NULL);
	expect_msg(ctx, zcbuf_alloc(ctx, "v4l2:/nonexistent/video0", NULL, 0, &buf), -ENOENT,
		   "v4l2 /nonexistent/video0: open: No such file or directory",
		   "alloc: v4l2: no such device");
	expect_msg(ctx, zcbuf_alloc(ctx, "v4l2:/dev/null", NULL, 0, &buf), -ENOTTY,
		   "v4l2 /dev/null: VIDIOC_QUERYCAP: Inappropriate ioctl for device",
		   "alloc: v4l2: not a video device");

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	expect_msg(ctx, zcbuf_v4l2_export(ctx, null_fd, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, &buf),
		   -ENOTTY, "v4l2 /dev/null: VIDIOC_G_FMT (video capture queue): Inappropriate "
		   "ioctl for device", "v4l2 export: not a video device");
	expect_msg(ctx, zcbuf_v4l2_expbuf(ctx, null_fd, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, 3, 1,
					  O_RDWR), -ENOTTY,
		   "v4l2 /dev/null: VIDIOC_EXPBUF (video capture mplane queue, index 3, plane 1): "
		   "Inappropriate ioctl for device", "v4l2 expbuf: not a video device");
	expect_has(ctx, zcbuf_v4l2_export(ctx, null_fd, V4L2_BUF_TYPE_VBI_CAPTURE, 0, &buf), -EINVAL,
		   "v4l2 export: a VBI queue", "not a video capture or output queue", NULL);
	expect_has(ctx, zcbuf_drm_dumb_alloc(ctx, null_fd, NULL, 4096, &buf), -ENOTTY,
		   "drm dumb: not a DRM device", "DRM_IOCTL_GET_CAP", NULL);
	expect_has(ctx, zcbuf_drm_dumb_alloc(ctx, -1, NULL, 4096, &buf), -EBADF,
		   "drm dumb: fd -1", "Bad file descriptor", NULL);
	close(null_fd);
	tap_result(buf == NULL, "sources: no buffer came out of a failure");
}

static void wrap(struct zcbuf_ctx *ctx)
{
	struct zcbuf_plane pl = { .fd = -1, .length = 4096 };
	struct zcbuf_buffer *buf = NULL;
	int memfd = memfd_create("zcbuf-test", MFD_CLOEXEC), closed;

	ftruncate(memfd, 8192);
	expect_msg(ctx, zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &buf), -EBADF,
		   "buffer: plane 0: fd -1 is not a file descriptor", "wrap: fd -1");
	pl.fd = memfd;
	expect_has(ctx, zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &buf), -EINVAL,
		   "wrap: a memfd", "is not a dma-buf", NULL);
	closed = dup(memfd);
	close(closed);
	pl.fd = closed;
	expect_has(ctx, zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &buf), -EBADF,
		   "wrap: a closed fd", "fstatfs", "Bad file descriptor", NULL);
	expect_msg(ctx, zcbuf_buffer_wrap(ctx, NULL, &pl, 0, &buf), -EINVAL,
		   "buffer: 0 planes (1 to 4)", "wrap: no planes");
	expect_msg(ctx, zcbuf_buffer_wrap(ctx, NULL, &pl, 5, &buf), -EINVAL,
		   "buffer: 5 planes (1 to 4)", "wrap: 5 planes");
	expect_has(ctx, zcbuf_buffer_wrap(ctx, &(struct zcbuf_format){
		v4l2_fourcc('N', 'V', '1', '2'), 640, 480 }, &pl, 1, &buf), -EINVAL,
		"wrap: NV12 in one plane", "NV12 has 2 planes, not 1", NULL);
	tap_result(zcbuf_buffer_wrap(NULL, NULL, &pl, 1, &buf) == -EINVAL &&
		   zcbuf_buffer_wrap(ctx, NULL, NULL, 1, &buf) == -EINVAL &&
		   zcbuf_buffer_wrap(ctx, NULL, &pl, 1, NULL) == -EINVAL,
		   "wrap: NULL arguments: -EINVAL");
	close(memfd);
	tap_result(buf == NULL, "wrap: no buffer came out of a failure");
}

/* zcbuf_buffer_wrap_memory(): every refusal is -EINVAL with its reason. */
static void wrap_memory(struct zcbuf_ctx *ctx)
{
	static unsigned char mem[64 * 48 * 3 / 2];
	struct zcbuf_format nv12 = { V4L2_PIX_FMT_NV12, 64, 48 };
	struct zcbuf_plane raw = { .fd = -1, .length = sizeof(mem) };
	struct zcbuf_plane pl[2] = {
		{ .fd = -1, .stride = 64, .offset = 0, .length = 64 * 48 },
		{ .fd = -1, .stride = 64, .offset = 64 * 48, .length = 64 * 24 },
	};
	struct zcbuf_buffer *buf = NULL;

	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, NULL, sizeof(mem), &raw, 1, &buf),
		   -EINVAL, "memory buffer: no memory (NULL)", "wrap memory: NULL address");
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, 0, &raw, 1, &buf), -EINVAL,
		   "memory buffer: 0 bytes", "wrap memory: zero size");
	expect_has(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, UINT64_MAX, &raw, 1, &buf),
		   -EINVAL, "wrap memory: past the address space", "run past the end of the "
		   "address space", NULL);
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), NULL, 1, &buf),
		   -EINVAL, "buffer: no planes or no result (NULL)", "wrap memory: NULL planes");
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), &raw, 1, NULL),
		   -EINVAL, "buffer: no planes or no result (NULL)", "wrap memory: NULL result");
	tap_result(zcbuf_buffer_wrap_memory(NULL, NULL, mem, sizeof(mem), &raw, 1, &buf) ==
		   -EINVAL, "wrap memory: NULL context: -EINVAL");
	raw.fd = 0;
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), &raw, 1, &buf),
		   -EINVAL, "memory buffer: plane 0 has fd 0: ordinary memory has no dma-buf "
		   "(fd -1)", "wrap memory: an fd");
	raw = (struct zcbuf_plane){ .fd = -1, .offset = 1, .length = sizeof(mem) };
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), &raw, 1, &buf),
		   -EINVAL, "memory buffer: plane 0 (offset 1, 4608 bytes) is outside the memory "
		   "(4608 bytes)", "wrap memory: a plane past the end");
	raw = (struct zcbuf_plane){ .fd = -1, .offset = UINT64_MAX, .length = 2 };
	expect_has(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), &raw, 1, &buf),
		   -EINVAL, "wrap memory: offset + length overflow", "is outside the memory", NULL);
	raw = (struct zcbuf_plane){ .fd = -1, .offset = 0, .length = 0 };
	expect_has(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), &raw, 1, &buf),
		   -EINVAL, "wrap memory: an empty plane", "is empty in the memory", NULL);
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, &nv12, mem, sizeof(mem), pl, 1, &buf),
		   -EINVAL, "buffer: NV12 has 2 planes, not 1", "wrap memory: NV12 in one plane");
	pl[1].length = 64 * 23;
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, &nv12, mem, sizeof(mem), pl, 2, &buf),
		   -EINVAL, "buffer: NV12 64x48 plane 1: 1472 bytes, it needs 1536",
		   "wrap memory: a plane too short for the format");
	pl[1].length = 64 * 24;
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, &nv12, mem, sizeof(mem) - 1, pl, 2, &buf),
		   -EINVAL, "memory buffer: plane 1 (offset 3072, 1536 bytes) is outside the "
		   "memory (4607 bytes)", "wrap memory: the format does not fit the memory");
	expect_msg(ctx, zcbuf_buffer_wrap_memory(ctx, NULL, mem, sizeof(mem), pl, 5, &buf),
		   -EINVAL, "buffer: 5 planes (1 to 4)", "wrap memory: 5 planes");
	tap_result(buf == NULL, "wrap memory: no buffer came out of a failure");
}

static void memfds(struct zcbuf_ctx *ctx)
{
	struct zcbuf_buffer *buf = NULL;
	int unsealed = memfd_create("zcbuf-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int sealed = memfd_create("zcbuf-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int wsealed = memfd_create("zcbuf-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ftruncate(unsealed, 65536);
	ftruncate(sealed, 65536);
	ftruncate(wsealed, 65536);
	fcntl(sealed, F_ADD_SEALS, F_SEAL_SHRINK);
	fcntl(wsealed, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_WRITE);

	expect_has(ctx, zcbuf_udmabuf_from_memfd(ctx, unsealed, 0, NULL, 4096, &buf), -EINVAL,
		   "udmabuf: memfd without F_SEAL_SHRINK", "not sealed with F_SEAL_SHRINK", NULL);
	expect_has(ctx, zcbuf_udmabuf_from_memfd(ctx, wsealed, 0, NULL, 4096, &buf), -EINVAL,
		   "udmabuf: memfd with F_SEAL_WRITE", "sealed against writes", NULL);
	expect_has(ctx, zcbuf_udmabuf_from_memfd(ctx, sealed, 0, NULL, 65537, &buf), -EINVAL,
		   "udmabuf: memfd too small", "holds 65536 bytes, the buffer needs 69632", NULL);
	expect_has(ctx, zcbuf_udmabuf_from_memfd(ctx, sealed, 100, NULL, 4096, &buf), -EINVAL,
		   "udmabuf: unaligned offset", "offset 100", "not page aligned", NULL);
	expect_has(ctx, zcbuf_udmabuf_from_memfd(ctx, null_fd, 0, NULL, 4096, &buf), -EINVAL,
		   "udmabuf: not a memfd", "F_GET_SEALS", "Invalid argument", NULL);
	expect_has(ctx, zcbuf_udmabuf_from_memfd(ctx, -1, 0, NULL, 4096, &buf), -EBADF,
		   "udmabuf: fd -1", "not a file descriptor", NULL);
	close(unsealed);
	close(sealed);
	close(wsealed);
	close(null_fd);
}

static void null_buffers(void)
{
	struct zcbuf_format fmt;
	struct zcbuf_plane pl;
	const char *name;
	void *data;

	zcbuf_buffer_free(NULL);
	tap_result(zcbuf_buffer_map(NULL) == -EINVAL && zcbuf_buffer_unmap(NULL) == -EINVAL &&
		   zcbuf_buffer_begin_cpu(NULL, ZCBUF_CPU_READ) == -EINVAL &&
		   zcbuf_buffer_end_cpu(NULL) == -EINVAL &&
		   zcbuf_buffer_plane_data(NULL, 0, &data) == -EINVAL &&
		   zcbuf_buffer_get_plane(NULL, 0, &pl) == -EINVAL &&
		   zcbuf_buffer_get_format(NULL, &fmt) == -EINVAL &&
		   zcbuf_buffer_num_planes(NULL) == -EINVAL &&
		   zcbuf_buffer_num_dmabufs(NULL) == -EINVAL &&
		   zcbuf_buffer_set_name(NULL, "x") == -EINVAL &&
		   zcbuf_buffer_get_name(NULL, &name) == -EINVAL,
		   "buffer: every call on NULL: -EINVAL, no crash");
}

/* V4L2 devices and queues: bad paths and names, non-V4L2 nodes, NULLs. */
static void devices(struct zcbuf_ctx *ctx)
{
	struct zcbuf_device *dev = NULL;
	struct zcbuf_frame frame;
	struct zcbuf_queue_stats st;
	enum zcbuf_memory m;

	expect_msg(ctx, zcbuf_device_open(ctx, "/nonexistent/video0", &dev), -ENOENT,
		   "v4l2 /nonexistent/video0: open: No such file or directory",
		   "device: no such path");
	expect_has(ctx, zcbuf_device_open(ctx, "zcbuf-no-such-node", &dev), -ENOENT,
		   "device: no such name", "v4l2 'zcbuf-no-such-node': ", NULL);
	expect_msg(ctx, zcbuf_device_open(ctx, "/dev/null", &dev), -ENOTTY,
		   "v4l2 /dev/null: VIDIOC_QUERYCAP: Inappropriate ioctl for device",
		   "device: /dev/null is no V4L2 device");
	expect_msg(ctx, zcbuf_device_open(ctx, "/proc/self/status", &dev), -ENOTTY,
		   "v4l2 /proc/self/status: not a character device", "device: a regular file");
	expect_has(ctx, zcbuf_device_open(ctx, "/", &dev), -EISDIR, "device: a directory",
		   "v4l2 /: open", NULL);
	tap_result(zcbuf_device_open(NULL, "/dev/null", &dev) == -EINVAL &&
		   zcbuf_device_open(ctx, "", &dev) == -EINVAL &&
		   zcbuf_device_open(ctx, "/dev/null", NULL) == -EINVAL && !dev,
		   "device: NULL and empty arguments: -EINVAL, nothing made");
	zcbuf_device_free(NULL);
	tap_result(zcbuf_device_get_info(NULL, NULL) == -EINVAL &&
		   zcbuf_device_get_fd(NULL) == -EINVAL &&
		   zcbuf_device_get_queue(NULL, ZCBUF_CAPTURE, NULL) == -EINVAL &&
		   zcbuf_queue_get_type(NULL) == -EINVAL &&
		   zcbuf_queue_get_format(NULL, NULL) == -EINVAL &&
		   zcbuf_queue_set_format(NULL, NULL, NULL, NULL) == -EINVAL &&
		   zcbuf_queue_check_buffer(NULL, NULL) == -EINVAL &&
		   zcbuf_queue_match_buffer(NULL, NULL) == -EINVAL &&
		   zcbuf_queue_probe(NULL, NULL, ZCBUF_MEMORY_DMABUF, NULL) == -EINVAL &&
		   zcbuf_queue_probe_at(NULL, 0, NULL) == -EINVAL &&
		   zcbuf_queue_setup(NULL, ZCBUF_MEMORY_MMAP, 1, NULL, 0) == -EINVAL &&
		   zcbuf_queue_get_memory(NULL, &m, NULL) == -EINVAL &&
		   zcbuf_queue_release(NULL) == -EINVAL && zcbuf_queue_start(NULL) == -EINVAL &&
		   zcbuf_queue_stop(NULL) == -EINVAL && zcbuf_queue_put(NULL, NULL, 0) == -EINVAL &&
		   zcbuf_queue_put_index(NULL, 0, 0) == -EINVAL &&
		   zcbuf_queue_export(NULL, 0, NULL) == -EINVAL &&
		   zcbuf_queue_get(NULL, 0, &frame) == -EINVAL &&
		   zcbuf_queue_get_stats(NULL, &st) == -EINVAL &&
		   zcbuf_buffer_get_exporter(NULL, NULL) == -EINVAL,
		   "device and queue calls on NULL: -EINVAL, no crash");
}

static void pipelines(struct zcbuf_ctx *ctx)
{
	struct zcbuf_pipeline_config cfg = {
		.capture = "/dev/null", .m2m = "vim2m", .source = "heap:system",
		.format = { V4L2_PIX_FMT_RGB24, 320, 180 },
	};
	struct zcbuf_pipeline *p = (struct zcbuf_pipeline *)&cfg;
	struct zcbuf_pipeline_stats st;
	struct zcbuf_device *dev;
	uint64_t sum;

	expect_msg(ctx, zcbuf_pipeline_new(ctx, &cfg, &p), -ENOTTY,
		   "pipeline: v4l2 /dev/null: VIDIOC_QUERYCAP: Inappropriate ioctl for device",
		   "pipeline: a capture device that is no V4L2 device");
	tap_result(!p, "pipeline: nothing made on failure");
	cfg.num_buffers = 1;
	expect_has(ctx, zcbuf_pipeline_new(ctx, &cfg, &p), -EINVAL, "pipeline: one buffer",
		   "1 buffers per queue (2 to 32)", NULL);
	cfg.num_buffers = 0;
	cfg.m2m_memory = ZCBUF_MEMORY_MMAP;
	expect_has(ctx, zcbuf_pipeline_new(ctx, &cfg, &p), -EXDEV, "pipeline: mmap, strict",
		   "copies are not allowed", NULL);
	cfg.m2m_memory = ZCBUF_MEMORY_AUTO;
	cfg.capture_memory = ZCBUF_MEMORY_MMAP;
	expect_has(ctx, zcbuf_pipeline_new(ctx, &cfg, &p), -EINVAL, "pipeline: capture by mmap",
		   "capture mmap", NULL);
	cfg.capture_memory = ZCBUF_MEMORY_AUTO;
	cfg.format.fourcc = 0;
	expect_has(ctx, zcbuf_pipeline_new(ctx, &cfg, &p), -EINVAL, "pipeline: no format",
		   "no format", NULL);
	cfg.source = NULL;
	expect_has(ctx, zcbuf_pipeline_new(ctx, &cfg, &p), -EINVAL, "pipeline: no source",
		   "the source are needed", NULL);
	tap_result(zcbuf_pipeline_new(NULL, &cfg, &p) == -EINVAL &&
		   zcbuf_pipeline_new(ctx, &cfg, NULL) == -EINVAL &&
		   zcbuf_pipeline_new(ctx, NULL, &p) == -EINVAL &&
		   zcbuf_pipeline_run(NULL, 1, NULL, NULL) == -EINVAL &&
		   zcbuf_pipeline_get_stats(NULL, &st) == -EINVAL &&
		   zcbuf_pipeline_get_device(NULL, ZCBUF_STAGE_CAPTURE, &dev) == -EINVAL &&
		   zcbuf_buffer_checksum(NULL, &sum) == -EINVAL &&
		   !strcmp(zcbuf_stage_name(ZCBUF_STAGE_M2M_OUTPUT), "m2m-output") &&
		   !strcmp(zcbuf_stage_name((enum zcbuf_stage)7), "unknown"),
		   "pipeline calls on NULL: -EINVAL, no crash; stage names");
	zcbuf_pipeline_free(NULL);
}

int main(void)
{
	struct zcbuf_ctx *ctx;
	int fds = count_fds();

	contexts();
	zcbuf_ctx_new(&ctx);
	sources(ctx);
	wrap(ctx);
	wrap_memory(ctx);
	memfds(ctx);
	null_buffers();
	devices(ctx);
	pipelines(ctx);
	zcbuf_ctx_free(ctx);
	tap_result(count_fds() == fds, "no fd leaked: %d open before, %d after", fds, count_fds());
	return tap_done();
}
