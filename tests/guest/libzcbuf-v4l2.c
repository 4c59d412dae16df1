// SPDX-License-Identifier: MIT
/*
 * In-guest test of libzcbuf's V4L2 side against the real vivid and vim2m:
 * for each source (system and CMA dma-heaps, udmabuf, vgem dumb buffers,
 * vivid-002's MMAP buffers exported with VIDIOC_EXPBUF) and target
 * (vivid-000 capture on vb2-vmalloc, vivid-001 capture on vb2-dma-contig,
 * vim2m's output queue), set the queue up strictly (no copies) by DMABUF,
 * by USERPTR and by auto, and check:
 *
 * - the setup succeeds or fails (-EXDEV, with the probe's errno on record)
 *   as this kernel must: the table expect() below, per kernel;
 * - where it succeeds, streamed frames equal the reference: for capture a
 *   frame of the same vivid instance captured by plain MMAP ioctls (fixed
 *   colour bars, grey), for vim2m the picture written into the buffer coming
 *   out of vim2m's capture queue byte for byte;
 * - the same dma-bufs land on the same index (cache hits and misses);
 * - auto takes DMABUF if the probe imported, else USERPTR, else fails with
 *   -EXDEV;
 * - with copies allowed, a refused import streams through the driver's
 *   MMAP buffers, the right frames, every frame and byte counted;
 * - bad input: paths and names that are no devices, non-V4L2 nodes, wrong
 *   formats and strides, too small buffers, a device that vanishes (vivid's
 *   Disconnect control); a negative errno and a message each, no fd left.
 *
 * Frames are 57600 bytes (grey 320x180, RGB24 160x120) so that CPU syncs of
 * udmabufs stay within the 64 KiB that Linux 6.1's udmabuf maps without
 * DMA-API debug warnings (see docs/libzcbuf.md).
 *
 * Usage: libzcbuf-v4l2 [--kernel stock|patched] (vivid n_devs=4
 *        node_types=0x1,0x1,0x1,0x1 allocators=0,1,0,0, vim2m and vgem
 *        loaded). Prints TAP.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/videodev2.h>
#include <zcbuf/zcbuf.h>

#include "guest-util.h"
#include "tap.h"

#define CAP_W 320
#define CAP_H 180
#define OUT_W 160
#define OUT_H 120
#define SIZE (CAP_W * CAP_H) /* GREY 320x180 and RGB24 160x120 alike */
#define FRAMES 4
#define ZC_ARRAY(a) (sizeof(a) / sizeof((a)[0]))
#define EXPORTER "vivid-002-vid-cap"
#define VANISHING "vivid-003-vid-cap"

/* Outcomes: ok, an errno, or either (the kernel's page allocator decides). */
enum { OK = 0, ANY = -1000 };

struct target {
	const char *name, *device;
	enum zcbuf_direction dir;
	struct zcbuf_format fmt;
	bool contig;		/* vb2-dma-contig */
};

static const struct target targets[] = {
	{ "cap-vmalloc", "vivid-000-vid-cap", ZCBUF_CAPTURE,
	  { V4L2_PIX_FMT_GREY, CAP_W, CAP_H }, false },
	{ "cap-contig", "vivid-001-vid-cap", ZCBUF_CAPTURE,
	  { V4L2_PIX_FMT_GREY, CAP_W, CAP_H }, true },
	{ "out-vim2m", "vim2m", ZCBUF_OUTPUT, { V4L2_PIX_FMT_RGB24, OUT_W, OUT_H }, false },
};

static const char *const sources[] = { "heap:system", "heap:cma", "udmabuf", "drm:vgem", "v4l2" };

static struct zcbuf_ctx *ctx;
static bool zcbuf_kernel;
static char exporter_path[64];

/*
 * What a strict setup of @src on @t by @memory must give on this kernel.
 * DMABUF: vb2-vmalloc importers need vmap, which stock 6.1's udmabuf lacks
 * (the series adds it); vb2-dma-contig needs one contiguous chunk, which
 * only the CMA heap promises. USERPTR on stock: pins pages, refuses PFN
 * mappings (EFAULT), CMA heap not tried (6.1's pin loop), udmabuf depends
 * on CMA pages, and stock vivid has no USERPTR on dma-contig (REQBUFS
 * EINVAL). USERPTR on zcbuf: the mapping's dma-buf is imported, with the
 * importer's rules (vivid's contig_userptr=1 offers it on dma-contig).
 */
static int expect(const char *src, const struct target *t, enum zcbuf_memory memory)
{
	bool cma = !strcmp(src, "heap:cma"), udmabuf = !strcmp(src, "udmabuf");
	bool vivid = !strcmp(src, "v4l2");

	if (memory == ZCBUF_MEMORY_DMABUF) {
		if (t->contig)
			return cma ? OK : ANY;
		return udmabuf && !zcbuf_kernel ? -EFAULT : OK;
	}
	if (!zcbuf_kernel) {
		if (t->contig)
			return -EINVAL;
		return vivid ? OK : cma ? -EDEADLK : udmabuf ? ANY : -EFAULT;
	}
	if (t->contig)
		return cma ? OK : ANY;
	return OK;
}

/* "EFAULT"; unlike en(), safe twice in one printf */
static const char *en(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "unknown errno";
}

static const char *outcome(int e)
{
	return e == OK ? "ok" : e == ANY ? "ok or refused" : en(-e);
}

/*
 * vivid-002's webcam sizes start at 320x180: its grey 320x180 buffer holds
 * the 57600 bytes of a 160x120 RGB24 picture too, wrapped as such.
 */
static int alloc_vivid(const struct zcbuf_format *fmt, struct zcbuf_buffer **buf)
{
	const struct zcbuf_format grey = { V4L2_PIX_FMT_GREY, CAP_W, CAP_H };
	struct zcbuf_buffer *exp = NULL;
	struct zcbuf_plane pl;
	char source[96];
	int ret;

	snprintf(source, sizeof(source), "v4l2:%s", exporter_path);
	ret = zcbuf_alloc(ctx, source, &grey, 0, &exp);
	if (ret || fmt->fourcc == grey.fourcc) {
		*buf = exp;
		return ret;
	}
	zcbuf_buffer_get_plane(exp, 0, &pl);
	pl.stride = SIZE / fmt->height;
	ret = zcbuf_buffer_wrap(ctx, fmt, &pl, 1, buf);
	zcbuf_buffer_free(exp);
	return ret;
}

/* A buffer of @src holding @fmt, primed with one READ|WRITE CPU access (see the top). */
static int alloc_src(const char *src, const struct zcbuf_format *fmt, struct zcbuf_buffer **buf)
{
	void *d;
	int ret;

	if (!strcmp(src, "v4l2"))
		ret = alloc_vivid(fmt, buf);
	else
		ret = zcbuf_alloc(ctx, src, fmt, 0, buf);
	if (ret)
		return ret;
	ret = zcbuf_buffer_map(*buf);
	if (!ret)
		ret = zcbuf_buffer_begin_cpu(*buf, ZCBUF_CPU_READ | ZCBUF_CPU_WRITE);
	if (!ret) {
		if (!zcbuf_buffer_plane_data(*buf, 0, &d))
			memset(d, 0x5a, SIZE);
		ret = zcbuf_buffer_end_cpu(*buf);
	}
	if (ret) {
		zcbuf_buffer_free(*buf);
		*buf = NULL;
	}
	return ret;
}

static uint8_t pattern(unsigned int seed, size_t i)
{
	return (uint8_t)((i * 7 + seed * 101 + (i >> 8)) & 0xff);
}

static int fill(struct zcbuf_buffer *buf, unsigned int seed)
{
	uint8_t *d;
	size_t i;
	int ret = zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_WRITE);

	if (ret)
		return ret;
	ret = zcbuf_buffer_plane_data(buf, 0, (void **)&d);
	for (i = 0; !ret && i < SIZE; i++)
		d[i] = pattern(seed, i);
	return zcbuf_buffer_end_cpu(buf) ? -EIO : ret;
}

/* 0 when the buffer holds @want (or, @want NULL, pattern @seed), 1 when not, or -errno. */
static int compare(struct zcbuf_buffer *buf, const uint8_t *want, unsigned int seed)
{
	uint8_t *d;
	size_t i;
	int ret = zcbuf_buffer_map(buf), bad = 0;

	if (!ret)
		ret = zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ);
	if (ret)
		return ret;
	ret = zcbuf_buffer_plane_data(buf, 0, (void **)&d);
	for (i = 0; !ret && i < SIZE && !bad; i++)
		bad = d[i] != (want ? want[i] : pattern(seed, i));
	if (bad)
		tap_diag("byte %zu differs", i - 1);
	return zcbuf_buffer_end_cpu(buf) ? -EIO : ret ? ret : bad;
}

/* ---- streaming -------------------------------------------------------- */

/* Capture FRAMES frames into bufs[0..1], each equal to @ref; indexes stay put. */
static bool stream_capture(struct zcbuf_queue *q, struct zcbuf_buffer **bufs, const uint8_t *ref,
			   char *why, size_t len)
{
	int idx[2], i, ret, frames = 0;
	bool ok = true;

	for (i = 0; i < 2; i++) {
		idx[i] = zcbuf_queue_put(q, bufs[i], 0);
		if (idx[i] < 0) {
			snprintf(why, len, "put: %s", zcbuf_last_error(ctx));
			return false;
		}
	}
	if (zcbuf_queue_start(q)) {
		snprintf(why, len, "start: %s", zcbuf_last_error(ctx));
		return false;
	}
	while (ok && frames < FRAMES) {
		struct zcbuf_frame f;
		int k;

		ret = zcbuf_queue_get(q, 10000, &f);
		if (ret) {
			snprintf(why, len, "frame %d: %s", frames, zcbuf_last_error(ctx));
			ok = false;
			break;
		}
		k = f.buf == bufs[0] ? 0 : f.buf == bufs[1] ? 1 : -1;
		if (k < 0 || (int)f.index != idx[k] || f.bytesused[0] != SIZE) {
			snprintf(why, len, "frame %d: index %u, buffer %d, %u bytes", frames,
				 f.index, k, f.bytesused[0]);
			ok = false;
			break;
		}
		ret = compare(f.buf, ref, 0);
		if (ret) {
			snprintf(why, len, "frame %d (index %u) differs from the MMAP reference (%d)",
				 frames, f.index, ret);
			ok = false;
			break;
		}
		frames++;
		ret = zcbuf_queue_put(q, f.buf, 0);
		if (ret != idx[k]) {
			snprintf(why, len, "requeue of buffer %d: index %d, not %d (%s)", k, ret,
				 idx[k], zcbuf_last_error(ctx));
			ok = false;
		}
	}
	zcbuf_queue_stop(q);
	if (ok)
		snprintf(why, len, "%d frames equal the MMAP reference, indexes %d and %d kept",
			 frames, idx[0], idx[1]);
	return ok;
}

/* Push bufs[0..1] (patterns 0 and 1) through vim2m; each must come out unchanged. */
static bool stream_output(struct zcbuf_queue *out, struct zcbuf_queue *cap,
			  struct zcbuf_buffer **bufs, char *why, size_t len)
{
	struct zcbuf_buffer *mmap[2] = { NULL, NULL };
	int i, ret, frames = 0;
	bool ok = false;

	if (zcbuf_queue_setup(cap, ZCBUF_MEMORY_MMAP, 2, NULL, 0) < 2) {
		snprintf(why, len, "vim2m capture: %s", zcbuf_last_error(ctx));
		return false;
	}
	for (i = 0; i < 2; i++) {
		if (fill(bufs[i], (unsigned int)i) || zcbuf_queue_export(cap, (unsigned int)i, &mmap[i]) ||
		    zcbuf_queue_put_index(cap, (unsigned int)i, 0) != i ||
		    zcbuf_queue_put(out, bufs[i], 0) < 0) {
			snprintf(why, len, "queue: %s", zcbuf_last_error(ctx));
			goto out;
		}
	}
	if (zcbuf_queue_start(out) || zcbuf_queue_start(cap)) {
		snprintf(why, len, "start: %s", zcbuf_last_error(ctx));
		goto out;
	}
	for (frames = 0; frames < FRAMES; frames++) {
		struct zcbuf_frame fo, fc;

		ret = zcbuf_queue_get(cap, 10000, &fc);
		if (!ret)
			ret = zcbuf_queue_get(out, 10000, &fo);
		if (ret) {
			snprintf(why, len, "frame %d: %s", frames, zcbuf_last_error(ctx));
			goto out;
		}
		if (fo.buf != bufs[frames % 2] || fc.index >= 2) {
			snprintf(why, len, "frame %d: output buffer out of order", frames);
			goto out;
		}
		ret = compare(mmap[fc.index], NULL, (unsigned int)(frames % 2));
		if (ret) {
			snprintf(why, len, "frame %d: vim2m's output differs from the picture put "
				 "(%d)", frames, ret);
			goto out;
		}
		if (zcbuf_queue_put(out, fo.buf, 0) < 0 ||
		    zcbuf_queue_put_index(cap, fc.index, 0) < 0) {
			snprintf(why, len, "requeue: %s", zcbuf_last_error(ctx));
			goto out;
		}
	}
	ok = true;
	snprintf(why, len, "%d frames came out of vim2m as put", frames);
out:
	zcbuf_queue_stop(out);
	zcbuf_queue_release(cap);
	zcbuf_buffer_free(mmap[0]);
	zcbuf_buffer_free(mmap[1]);
	return ok;
}

struct bench {
	const struct target *t;
	struct zcbuf_device *dev;
	struct zcbuf_queue *q, *m2m_cap;
	uint8_t ref[SIZE];
};

static bool stream(struct bench *b, struct zcbuf_buffer **bufs, char *why, size_t len)
{
	if (b->t->dir == ZCBUF_OUTPUT)
		return stream_output(b->q, b->m2m_cap, bufs, why, len);
	return stream_capture(b->q, bufs, b->ref, why, len);
}

/* The probe on record for the buffer's exporter and @memory: its errno, or 1 when none. */
static int recorded(struct zcbuf_queue *q, struct zcbuf_buffer *buf, enum zcbuf_memory memory,
		    struct zcbuf_probe *out)
{
	const char *exp = "";
	unsigned int i;

	zcbuf_buffer_get_exporter(buf, &exp);
	for (i = 0; !zcbuf_queue_probe_at(q, i, out); i++)
		if (out->memory == memory && !strcmp(out->exporter, exp))
			return out->error;
	return 1;
}

static int cell(struct bench *b, const char *src, enum zcbuf_memory memory,
		struct zcbuf_buffer **bufs)
{
	const struct target *t = b->t;
	int want = expect(src, t, memory), ret, rec;
	struct zcbuf_queue_stats st = { 0 };
	bool ok;
	struct zcbuf_probe pr;
	char why[512] = "";

	ret = zcbuf_queue_setup(b->q, memory, 2, bufs[0], 0);
	rec = recorded(b->q, bufs[0], memory, &pr);
	if (ret < 0) {
		bool as_expected = ret == -EXDEV && rec < 0 && (want == ANY || rec == want);

		tap_result(as_expected, "%s %s %s: strict setup refused (%s), probe %s; expected "
			   "%s: %s", t->name, src, zcbuf_memory_name(memory), en(-ret),
			   rec < 0 ? en(-rec) : "none", outcome(want), zcbuf_last_error(ctx));
		return rec;
	}
	if (!tap_result(want == OK || want == ANY, "%s %s %s: strict setup gave %d buffers, probe "
			"ok; expected %s", t->name, src, zcbuf_memory_name(memory), ret,
			outcome(want)))
		return 0;
	ok = stream(b, bufs, why, sizeof(why)) && !zcbuf_queue_get_stats(b->q, &st);
	tap_result(ok && st.copied_frames == 0 && st.cache_misses == 2 &&
		   st.cache_hits >= FRAMES - 1, "%s %s %s: %s; no copy, cache %llu misses %llu hits", t->name, src,
		   zcbuf_memory_name(memory), why, (unsigned long long)st.cache_misses,
		   (unsigned long long)st.cache_hits);
	zcbuf_queue_release(b->q);
	return 0;
}

/* Auto, strict: DMABUF if it imported, else USERPTR, else -EXDEV. */
static void auto_cell(struct bench *b, const char *src, struct zcbuf_buffer **bufs,
		      int dmabuf, int userptr)
{
	int want = dmabuf == OK ? ZCBUF_MEMORY_DMABUF : userptr == OK ? ZCBUF_MEMORY_USERPTR : 0;
	enum zcbuf_memory m = ZCBUF_MEMORY_AUTO;
	int ret, copying = 1;

	ret = zcbuf_queue_setup(b->q, ZCBUF_MEMORY_AUTO, 2, bufs[0], 0);
	zcbuf_queue_get_memory(b->q, &m, &copying);
	if (want)
		tap_result(ret == 2 && (int)m == want && !copying,
			   "%s %s auto: %s (DMABUF %s, USERPTR %s)", b->t->name, src,
			   ret > 0 ? zcbuf_memory_name(m) : zcbuf_last_error(ctx), outcome(dmabuf),
			   outcome(userptr));
	else
		tap_result(ret == -EXDEV && strstr(zcbuf_last_error(ctx), "copies are not allowed"),
			   "%s %s auto: -EXDEV without a zero-copy path: %s", b->t->name, src,
			   zcbuf_last_error(ctx));
	zcbuf_queue_release(b->q);
}

/*
 * Copies allowed: MMAP asks for them outright, DMABUF falls back to them
 * when refused. Through the driver's buffers, every frame and byte counted.
 */
static void copy_cell(struct bench *b, const char *src, struct zcbuf_buffer **bufs,
		      enum zcbuf_memory memory)
{
	struct zcbuf_queue_stats st = { 0 };
	enum zcbuf_memory m = ZCBUF_MEMORY_AUTO;
	char why[512] = "";
	int ret, copying = 0;
	bool ok;

	ret = zcbuf_queue_setup(b->q, memory, 2, bufs[0], ZCBUF_SETUP_ALLOW_COPY);
	zcbuf_queue_get_memory(b->q, &m, &copying);
	ok = ret == 2 && m == ZCBUF_MEMORY_MMAP && copying && stream(b, bufs, why, sizeof(why));
	zcbuf_queue_get_stats(b->q, &st);
	/* output copies each put (two before streaming, then one per requeue) */
	tap_result(ok && st.copied_frames >= FRAMES && st.copied_bytes == st.copied_frames * SIZE,
		   "%s %s %s, copies allowed: %s; %s; %llu frames, %llu bytes copied",
		   b->t->name, src, zcbuf_memory_name(memory), copying ? "copies through MMAP" : "no copy", why,
		   (unsigned long long)st.copied_frames, (unsigned long long)st.copied_bytes);
	zcbuf_queue_release(b->q);
}

static bool bench_open(struct bench *b, const struct target *t)
{
	int vid, ret;

	memset(b, 0, sizeof(*b));
	b->t = t;
	if (t->dir == ZCBUF_CAPTURE) {
		vid = open_video(t->device);
		ret = vid < 0 ? vid : vivid_static_frames(vid);
		if (!ret)
			ret = vivid_capture_mmap_to(vid, V4L2_PIX_FMT_GREY, CAP_W, CAP_H, CAP_W,
						    SIZE, b->ref);
		if (vid >= 0)
			close(vid);
		if (!tap_result(!ret, "%s: MMAP reference frame: %s", t->name, en(-ret)))
			return false;
	}
	ret = zcbuf_device_open(ctx, t->device, &b->dev);
	if (!ret)
		ret = zcbuf_device_get_queue(b->dev, t->dir, &b->q);
	if (!ret)
		ret = zcbuf_queue_set_format(b->q, &t->fmt, NULL, NULL);
	if (!ret && t->dir == ZCBUF_OUTPUT) {
		ret = zcbuf_device_get_queue(b->dev, ZCBUF_CAPTURE, &b->m2m_cap);
		if (!ret)
			ret = zcbuf_queue_set_format(b->m2m_cap, &t->fmt, NULL, NULL);
	}
	return tap_result(!ret, "%s: open %s, set %ux%u %s: %s", t->name, t->device,
			  t->fmt.width, t->fmt.height, t->dir == ZCBUF_OUTPUT ? "RGB24" : "GREY",
			  ret ? zcbuf_last_error(ctx) : "ok");
}

static void matrix(const struct target *t)
{
	struct bench b;
	unsigned int s;

	if (!bench_open(&b, t)) {
		zcbuf_device_free(b.dev);
		return;
	}
	for (s = 0; s < ZC_ARRAY(sources); s++) {
		struct zcbuf_buffer *bufs[2] = { NULL, NULL };
		int dmabuf, userptr;

		if (alloc_src(sources[s], &t->fmt, &bufs[0]) ||
		    alloc_src(sources[s], &t->fmt, &bufs[1])) {
			tap_result(false, "%s %s: allocate: %s", t->name, sources[s],
				   zcbuf_last_error(ctx));
			goto next;
		}
		dmabuf = cell(&b, sources[s], ZCBUF_MEMORY_DMABUF, bufs);
		userptr = cell(&b, sources[s], ZCBUF_MEMORY_USERPTR, bufs);
		auto_cell(&b, sources[s], bufs, dmabuf, userptr);
		copy_cell(&b, sources[s], bufs, ZCBUF_MEMORY_MMAP);
		if (dmabuf && expect(sources[s], t, ZCBUF_MEMORY_DMABUF) != ANY)
			copy_cell(&b, sources[s], bufs, ZCBUF_MEMORY_DMABUF);
next:
		zcbuf_buffer_free(bufs[0]);
		zcbuf_buffer_free(bufs[1]);
	}
	zcbuf_device_free(b.dev);
}

/* ---- bad input ---------------------------------------------------------- */

/* The call gave @err and the message holds @text. */
static void expect_err(int ret, int err, const char *text, const char *what)
{
	tap_result(ret == err && zcbuf_last_errno(ctx) == err &&
		   strstr(zcbuf_last_error(ctx), text), "%s: %d (%s), \"%s\"", what, ret,
		   en(ret < 0 ? -ret : 0), zcbuf_last_error(ctx));
}

static void bad_input(void)
{
	struct zcbuf_format grey = targets[0].fmt, rgb = targets[2].fmt;
	struct zcbuf_format nv12m = { V4L2_PIX_FMT_NV12M, CAP_W, CAP_H };
	struct zcbuf_buffer *small = NULL, *wrong = NULL;
	struct zcbuf_device *dev = NULL;
	struct zcbuf_queue *q = NULL;
	char file[] = "/tmp/zcbuf-v4l2-XXXXXX";
	int fd;

	expect_err(zcbuf_device_open(ctx, "/nonexistent/video9", &dev), -ENOENT,
		   "v4l2 /nonexistent/video9: open: No such file or directory", "open a missing path");
	expect_err(zcbuf_device_open(ctx, "no-such-video-node", &dev), -ENOENT,
		   "no video node has that name", "open a missing name");
	expect_err(zcbuf_device_open(ctx, "/dev/null", &dev), -ENOTTY,
		   "v4l2 /dev/null: VIDIOC_QUERYCAP: Inappropriate ioctl", "open /dev/null");
	fd = mkstemp(file);
	if (fd >= 0)
		close(fd);
	expect_err(zcbuf_device_open(ctx, file, &dev), -ENOTTY, "not a character device",
		   "open a regular file");
	unlink(file);
	tap_result(zcbuf_device_open(NULL, "/dev/null", &dev) == -EINVAL &&
		   zcbuf_device_open(ctx, NULL, &dev) == -EINVAL &&
		   zcbuf_device_open(ctx, "/dev/null", NULL) == -EINVAL, "open: NULL arguments");

	if (!tap_result(!zcbuf_device_open(ctx, targets[0].device, &dev) &&
			!zcbuf_device_get_queue(dev, ZCBUF_CAPTURE, &q),
			"bad input: open %s: %s", targets[0].device, zcbuf_last_error(ctx)))
		goto out;
	expect_err(zcbuf_device_get_queue(dev, ZCBUF_OUTPUT, &q), -EOPNOTSUPP,
		   "no video output queue", "a capture device has no output queue");
	zcbuf_device_get_queue(dev, ZCBUF_CAPTURE, &q);
	expect_err(zcbuf_queue_set_format(q, &nv12m, NULL, NULL), -EINVAL, "the driver chose",
		   "NV12M on a single-planar queue");
	zcbuf_queue_set_format(q, &grey, NULL, NULL);
	if (!zcbuf_heap_alloc(ctx, "system", NULL, 4096, &small)) {
		expect_err(zcbuf_queue_check_buffer(q, small), -EINVAL, "buffer too small",
			   "a 4096-byte buffer for a 57600-byte frame");
		expect_err(zcbuf_queue_setup(q, ZCBUF_MEMORY_DMABUF, 2, small, 0), -EINVAL,
			   "buffer too small", "setup with a too small sample");
	}
	if (!zcbuf_heap_alloc(ctx, "system", &rgb, 0, &wrong))
		expect_err(zcbuf_queue_check_buffer(q, wrong), -EINVAL, "format: the buffer is "
			   "160x120 RGB3, the queue 320x180 GREY", "a buffer of another format");
	expect_err(zcbuf_queue_put(q, wrong, 0), -EINVAL, "no buffers set up", "put before setup");
	expect_err(zcbuf_queue_setup(q, ZCBUF_MEMORY_AUTO, 2, NULL, 0), -EINVAL,
		   "auto needs a sample", "auto without a sample");
	expect_err(zcbuf_queue_setup(q, ZCBUF_MEMORY_MMAP, 0, NULL, 0), -EINVAL,
		   "0 buffers", "setup of no buffers");
	if (zcbuf_queue_setup(q, ZCBUF_MEMORY_MMAP, 2, NULL, 0) == 2) {
		expect_err(zcbuf_queue_put(q, wrong, 0), -EXDEV, "does not allow",
			   "put on an MMAP queue set up without copies");
		expect_err(zcbuf_queue_put_index(q, 7, 0), -EINVAL, "past the queue's buffers",
			   "put_index past the buffers");
		expect_err(zcbuf_queue_probe(q, wrong, ZCBUF_MEMORY_DMABUF, NULL), -EBUSY,
			   "without buffers", "probe a queue that has buffers");
	}
out:
	zcbuf_buffer_free(small);
	zcbuf_buffer_free(wrong);
	zcbuf_device_free(dev);
}

/*
 * Stride renegotiation: vivid takes a larger bytesperline (so a buffer
 * with 384-byte rows is captured into, row by row as the reference), vim2m
 * keeps its own (refused, with the reason).
 */
static void stride(void)
{
	const struct zcbuf_format grey = targets[0].fmt, rgb = targets[2].fmt;
	const uint32_t wide = 384, rgb_wide = OUT_W * 3 + 64;
	struct zcbuf_buffer *raw = NULL, *buf[2] = { NULL, NULL };
	struct zcbuf_queue_format qf = { .num_mem_planes = 0 };
	struct zcbuf_device *dev = NULL;
	struct zcbuf_queue *q;
	struct zcbuf_frame f;
	static uint8_t ref[SIZE];
	uint8_t *d;
	int i, vid, ret, bad = 0;

	vid = open_video(targets[0].device);
	ret = vid < 0 ? vid : vivid_capture_mmap_to(vid, V4L2_PIX_FMT_GREY, CAP_W, CAP_H, CAP_W,
						    SIZE, ref);
	if (vid >= 0)
		close(vid);
	if (ret || zcbuf_device_open(ctx, targets[0].device, &dev) ||
	    zcbuf_device_get_queue(dev, ZCBUF_CAPTURE, &q)) {
		tap_result(false, "stride: reference and device: %s", zcbuf_last_error(ctx));
		goto out;
	}
	for (i = 0; i < 2; i++) {
		struct zcbuf_plane pl;

		ret = zcbuf_heap_alloc(ctx, "system", NULL, (uint64_t)wide * CAP_H, &raw);
		if (ret)
			break;
		zcbuf_buffer_get_plane(raw, 0, &pl);
		pl.stride = wide;
		ret = zcbuf_buffer_wrap(ctx, &grey, &pl, 1, &buf[i]);
		zcbuf_buffer_free(raw);
		if (ret)
			break;
	}
	zcbuf_queue_set_format(q, &grey, NULL, NULL);
	ret = ret ? ret : zcbuf_queue_check_buffer(q, buf[0]);
	tap_result(ret == -EINVAL && strstr(zcbuf_last_error(ctx), "stride of plane 0 is 384, the "
					    "driver wants 320"),
		   "stride: a 384-byte stride does not fit bytesperline 320: %s",
		   zcbuf_last_error(ctx));
	ret = zcbuf_queue_match_buffer(q, buf[0]);
	zcbuf_queue_get_format(q, &qf);
	tap_result(!ret && qf.bytesperline[0] == wide && qf.sizeimage[0] == wide * CAP_H,
		   "stride: renegotiated with VIDIOC_S_FMT: bytesperline %u, sizeimage %u (%s)",
		   qf.bytesperline[0], qf.sizeimage[0], ret ? zcbuf_last_error(ctx) : "ok");
	ret = zcbuf_queue_setup(q, ZCBUF_MEMORY_DMABUF, 2, buf[0], 0);
	if (ret == 2 && zcbuf_queue_put(q, buf[0], 0) >= 0 && zcbuf_queue_put(q, buf[1], 0) >= 0 &&
	    !zcbuf_queue_start(q) && !zcbuf_queue_get(q, 10000, &f) && f.buf &&
	    !zcbuf_buffer_map(f.buf) && !zcbuf_buffer_begin_cpu(f.buf, ZCBUF_CPU_READ)) {
		zcbuf_buffer_plane_data(f.buf, 0, (void **)&d);
		for (i = 0; i < CAP_H && !bad; i++)
			bad = memcmp(d + i * wide, ref + i * CAP_W, CAP_W) ? i + 1 : 0;
		zcbuf_buffer_end_cpu(f.buf);
		tap_result(!bad, "stride: a frame captured into 384-byte rows equals the reference "
			   "row by row (first bad row %d)", bad - 1);
	} else {
		tap_result(false, "stride: capture into 384-byte rows: %s", zcbuf_last_error(ctx));
	}
	zcbuf_queue_release(q);
	/* back to the minimal stride: the suite's zcbuf probe runs on this queue next */
	zcbuf_queue_set_format(q, &grey, (const uint32_t[]){ CAP_W }, NULL);
	zcbuf_device_free(dev);
	dev = NULL;

	if (!zcbuf_device_open(ctx, "vim2m", &dev) && !zcbuf_device_get_queue(dev, ZCBUF_OUTPUT, &q))
		expect_err(zcbuf_queue_set_format(q, &rgb, &rgb_wide, NULL), -EINVAL,
			   "the driver did not accept the stride: asked for bytesperline 544",
			   "stride: vim2m keeps its bytesperline");
	else
		tap_result(false, "stride: open vim2m: %s", zcbuf_last_error(ctx));
out:
	zcbuf_buffer_free(buf[0]);
	zcbuf_buffer_free(buf[1]);
	zcbuf_device_free(dev);
}

/* Mappings of dma-buf inode @ino in this process: how many, and the first's address. */
static int dmabuf_mappings(unsigned long ino, unsigned long *first)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long start, inode;
	char line[512];
	int n = 0;

	*first = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%*x %*s %*s %*s %lu", &start, &inode) == 2 && inode == ino &&
		    strstr(line, "dmabuf") && !n++)
			*first = start;
	if (f)
		fclose(f);
	return n;
}

/* A new buffer of @raw's dma-buf and plane, as a GStreamer element makes per frame. */
static struct zcbuf_buffer *rewrap(struct zcbuf_buffer *raw)
{
	struct zcbuf_buffer *w = NULL;
	struct zcbuf_plane pl;

	zcbuf_buffer_get_plane(raw, 0, &pl);
	zcbuf_buffer_wrap(ctx, &targets[0].fmt, &pl, 1, &w);
	return w;
}

/*
 * USERPTR of a dma-buf wrapped anew for every frame, each wrapper freed
 * after its frame: the queue keeps one mapping per index at one address
 * (so the kernel can keep its import), and drops it on release.
 */
static void kept_mapping(void)
{
	struct zcbuf_buffer *raw[2] = { NULL, NULL }, *w[2] = { NULL, NULL };
	unsigned long ino[2] = { 0, 0 }, addr[2] = { 0, 0 }, a;
	struct zcbuf_device *dev = NULL;
	struct zcbuf_queue *q;
	struct zcbuf_frame f;
	int i, ret, frames = 0, n;
	char why[256] = "";

	for (i = 0, ret = 0; i < 2 && !ret; i++) {
		struct zcbuf_plane pl;
		struct stat st;

		ret = zcbuf_alloc(ctx, "udmabuf", &targets[0].fmt, SIZE, &raw[i]);
		if (!ret && !zcbuf_buffer_get_plane(raw[i], 0, &pl) && !fstat(pl.fd, &st))
			ino[i] = st.st_ino;
	}
	if (!ret)
		ret = zcbuf_device_open(ctx, targets[0].device, &dev);
	if (!ret)
		ret = zcbuf_device_get_queue(dev, ZCBUF_CAPTURE, &q);
	if (!ret)
		ret = zcbuf_queue_set_format(q, &targets[0].fmt, NULL, NULL);
	for (i = 0; i < 2 && !ret; i++)
		w[i] = rewrap(raw[i]);
	if (!ret && zcbuf_queue_setup(q, ZCBUF_MEMORY_USERPTR, 2, w[0], 0) != 2)
		ret = -EIO;
	for (i = 0; i < 2 && !ret; i++)
		ret = zcbuf_queue_put(q, w[i], 0) == i ? 0 : -EIO;
	if (!ret)
		ret = zcbuf_queue_start(q);
	/* stock 6.1 pins udmabuf pages, which fails when they sit in CMA */
	if (ret && !zcbuf_kernel) {
		tap_result(true, "kept mapping # SKIP USERPTR of udmabuf on stock: %s",
			   zcbuf_last_error(ctx));
		goto out;
	}
	if (!tap_result(!ret, "kept mapping: USERPTR of udmabuf on %s: %s", targets[0].name,
			ret ? zcbuf_last_error(ctx) : "streaming"))
		goto out;
	for (frames = 0; frames < 2 * FRAMES; frames++) {
		ret = zcbuf_queue_get(q, 10000, &f);
		if (ret || f.index > 1 || f.buf != w[f.index]) {
			snprintf(why, sizeof(why), "frame %d: %s", frames,
				 ret ? zcbuf_last_error(ctx) : "another buffer or index");
			break;
		}
		/* the frame's wrapper goes, as a GstBuffer would; a new one comes */
		zcbuf_buffer_free(w[f.index]);
		w[f.index] = NULL;
		n = dmabuf_mappings(ino[f.index], &a);
		if (n != 1 || (addr[f.index] && a != addr[f.index])) {
			snprintf(why, sizeof(why), "frame %d: %d mappings of index %u's dma-buf, at "
				 "%#lx (first at %#lx)", frames, n, f.index, a, addr[f.index]);
			break;
		}
		addr[f.index] = a;
		w[f.index] = rewrap(raw[f.index]);
		if (zcbuf_queue_put(q, w[f.index], 0) != (int)f.index) {
			snprintf(why, sizeof(why), "frame %d: requeue: %s", frames,
				 zcbuf_last_error(ctx));
			break;
		}
	}
	tap_result(frames == 2 * FRAMES, "kept mapping: %d frames from a new wrapper each, one "
		   "mapping per index at a fixed address%s%s", frames, *why ? ": " : "", why);
	zcbuf_queue_release(q);
	n = dmabuf_mappings(ino[0], &a) + dmabuf_mappings(ino[1], &a);
	tap_result(n == 0, "kept mapping: release unmaps them (%d left)", n);
out:
	for (i = 0; i < 2; i++) {
		zcbuf_buffer_free(w[i]);
		zcbuf_buffer_free(raw[i]);
	}
	zcbuf_device_free(dev);
}

/* vivid's Disconnect control unregisters the node: every call after it fails cleanly. */
static void vanish(void)
{
	struct zcbuf_format grey = targets[0].fmt;
	struct zcbuf_queue_format qf;
	struct zcbuf_device *dev = NULL, *again = NULL;
	struct zcbuf_queue *q;
	struct zcbuf_frame f;
	int ret;

	ret = zcbuf_device_open(ctx, VANISHING, &dev);
	if (!ret)
		ret = zcbuf_device_get_queue(dev, ZCBUF_CAPTURE, &q);
	if (!ret)
		ret = zcbuf_queue_set_format(q, &grey, NULL, NULL);
	if (!ret)
		ret = zcbuf_queue_setup(q, ZCBUF_MEMORY_MMAP, 2, NULL, 0) == 2 ? 0 : -EIO;
	if (!ret)
		ret = zcbuf_queue_put_index(q, 0, 0) == 0 && zcbuf_queue_put_index(q, 1, 0) == 1 ?
		      zcbuf_queue_start(q) : -EIO;
	if (!ret)
		ret = zcbuf_queue_get(q, 10000, &f);
	if (!tap_result(!ret, "vanish: %s streams: %s", VANISHING, ret ? zcbuf_last_error(ctx) : "ok"))
		goto out;
	/* a button: S_CTRL fires it, reading it back fails, which does not matter */
	vid_set_ctrl_by_name(zcbuf_device_get_fd(dev), "Disconnect", 1);
	ret = zcbuf_queue_put_index(q, f.index, 0);
	expect_err(ret, -ENODEV, "No such device", "vanish: requeue after Disconnect");
	ret = zcbuf_queue_get(q, 2000, &f);
	tap_result(ret == -ENODEV || ret == -EPIPE, "vanish: get after Disconnect: %s, \"%s\"",
		   en(-ret), zcbuf_last_error(ctx));
	expect_err(zcbuf_queue_get_format(q, &qf), -ENODEV, "VIDIOC_G_FMT (video capture queue): "
		   "No such device", "vanish: get_format after Disconnect");
	/* sysfs keeps the node while it is open: gone by name, or refusing to open */
	ret = zcbuf_device_open(ctx, VANISHING, &again);
	tap_result(ret == -ENOENT || ret == -ENODEV, "vanish: open it again by name: %s, \"%s\"",
		   en(-ret), zcbuf_last_error(ctx));
	zcbuf_device_free(again);
out:
	zcbuf_device_free(dev);	/* STREAMOFF and REQBUFS 0 fail: ignored; main() counts the fds */
}

int main(int argc, char **argv)
{
	struct zcbuf_device_info info = { .path = "" };
	struct zcbuf_device *dev;
	const char *kernel = NULL;
	unsigned int i;
	int fds;

	for (i = 1; i + 1 < (unsigned int)argc; i++)
		if (!strcmp(argv[i], "--kernel"))
			kernel = argv[i + 1];
	zcbuf_kernel = kernel_is_zcbuf(kernel);
	tap_diag("kernel: %s", zcbuf_kernel ? "zcbuf" : "stock");
	if (zcbuf_ctx_new(&ctx))
		return 1;
	fds = count_fds();
	if (!zcbuf_device_open(ctx, EXPORTER, &dev)) {
		zcbuf_device_get_info(dev, &info);
		snprintf(exporter_path, sizeof(exporter_path), "%s", info.path);
		zcbuf_device_free(dev);
	}
	tap_result(!strncmp(exporter_path, "/dev/video", 10) && !strcmp(info.name, EXPORTER) &&
		   !strcmp(info.driver, "vivid") && info.flags == ZCBUF_DEVICE_CAPTURE,
		   "open '%s' by name: %s, driver %s, flags 0x%x", EXPORTER, exporter_path,
		   info.driver, info.flags);
	for (i = 0; i < ZC_ARRAY(targets); i++)
		matrix(&targets[i]);
	bad_input();
	stride();
	kept_mapping();
	vanish();
	tap_result(count_fds() == fds, "no fd left open: %d before, %d after", fds, count_fds());
	zcbuf_ctx_free(ctx);
	return tap_done();
}
