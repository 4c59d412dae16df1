// SPDX-License-Identifier: MIT
/*
 * In-guest test of libzcbuf's pipeline helper against the real vivid and
 * vim2m: vivid-000 capture -> vim2m -> a checksum consumer, for every
 * source (vivid's own MMAP buffers exported, the system and CMA dma-heaps,
 * udmabuf, vgem dumb buffers) and import mode (auto, DMABUF, USERPTR),
 * strictly (no copies):
 *
 * - the pipeline is made, or refused with -EXDEV and the reason, as this
 *   kernel must (expect() below);
 * - every frame out of vim2m has the checksum of the copy-based reference:
 *   the same vivid picture captured by plain MMAP ioctls and copied into a
 *   vim2m MMAP OUTPUT buffer (vim2m_process_mmap()), hashed here with an
 *   FNV-1a of its own;
 * - no copy, each queue's memory type what the mode asks (auto: DMABUF
 *   where it imports), the index cache missing once per buffer;
 * - copies allowed: m2m queues by MMAP copy every frame, counted, and the
 *   checksums still match;
 * - vivid-001's Disconnect control mid-run fails the run with ENODEV and
 *   its message, no crash; no fd is left open at the end.
 *
 * Frames are RGB24 160x120 (57600 bytes) from vivid's HDMI input (720p30), scaled:
 * its webcam sizes start at 320x180, and Linux 6.1's udmabuf under DMA-API
 * debug warns when the CPU syncs more than 64 KiB (see docs/libzcbuf.md).
 *
 * Usage: libzcbuf-pipeline [--kernel stock|patched] [--frames N]
 *        (vivid n_devs=2 node_types=0x1,0x1, vim2m and vgem loaded): TAP.
 *        libzcbuf-pipeline --reference: set vivid-000 up, print the
 *        reference checksum ("0x%016llx") and exit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/v4l2-dv-timings.h>
#include <linux/videodev2.h>
#include <zcbuf/zcbuf.h>

#include "guest-util.h"
#include "tap.h"

#define W 160
#define H 120
#define BPL (W * 3)
#define SIZE (BPL * H)
#define BUFFERS 4
#define FPS 30
#define CAPTURE "vivid-000-vid-cap"
#define VANISHING "vivid-001-vid-cap"
#define M2M "vim2m"
#define ARRAY(a) (sizeof(a) / sizeof((a)[0]))

enum { OK = 0, ANY = -1000 };

static const char *const sources[] = { "v4l2", "heap:system", "heap:cma", "udmabuf", "drm:vgem" };
static const enum zcbuf_memory modes[] = {
	ZCBUF_MEMORY_AUTO, ZCBUF_MEMORY_DMABUF, ZCBUF_MEMORY_USERPTR,
};

static struct zcbuf_ctx *ctx;
static bool zcbuf_kernel;
static uint64_t ref_sum;

/*
 * Whether a strict pipeline of @src by @m can be made on this kernel, both
 * importers being vb2-vmalloc (vivid-000, vim2m); see the table in
 * docs/libzcbuf.md. vivid's own buffers are MMAP on the capture side and
 * pinnable vmalloc pages on the m2m side: always. Stock 6.1: udmabuf has
 * no vmap for DMABUF, USERPTR pins pages (EFAULT for PFN mappings, the CMA
 * heap not tried: EDEADLK, udmabuf up to where its pages are). Auto takes
 * DMABUF wherever it imports.
 */
static int expect(const char *src, enum zcbuf_memory m)
{
	bool udmabuf = !strcmp(src, "udmabuf");

	if (zcbuf_kernel || !strcmp(src, "v4l2"))
		return OK;
	if (m == ZCBUF_MEMORY_AUTO)
		return udmabuf ? ANY : OK;
	if (m == ZCBUF_MEMORY_DMABUF)
		return udmabuf ? -EFAULT : OK;
	return udmabuf ? ANY : !strcmp(src, "heap:cma") ? -EDEADLK : -EFAULT;
}

/* The memory type each stage must use for @src by @m when it works. */
static enum zcbuf_memory want_memory(const char *src, enum zcbuf_memory m, int stage)
{
	bool own = !strcmp(src, "v4l2");

	if (own && stage != ZCBUF_STAGE_M2M_OUTPUT)
		return ZCBUF_MEMORY_MMAP;
	if (m != ZCBUF_MEMORY_AUTO)
		return m;
	/* stock udmabuf has no DMABUF path into vb2-vmalloc: auto takes USERPTR */
	return !zcbuf_kernel && !strcmp(src, "udmabuf") ? ZCBUF_MEMORY_USERPTR :
							  ZCBUF_MEMORY_DMABUF;
}

static const char *en(int err)
{
	const char *n = strerrorname_np(err < 0 ? -err : err);

	return n ? n : "unknown errno";
}

/* FNV-1a 64, written again here so that the library's checksum is checked too. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/*
 * vivid's HDMI input at 720p30, static colour bars: 0 or -errno. Its rate
 * is the timings' (S_PARM does nothing there): 30, not the default 60, as
 * 6.1's vivid thread under a loaded TCG guest can compute a negative wait
 * ("schedule_timeout: wrong timeout value", a stack dump) when a frame
 * takes nearly its whole period.
 */
static int vivid_setup(int vid)
{
	struct v4l2_dv_timings t = V4L2_DV_BT_CEA_1280X720P30;
	struct v4l2_input in = { .index = 0 };

	while (!ioctl(vid, VIDIOC_ENUMINPUT, &in) && strncmp((char *)in.name, "HDMI", 4))
		in.index++;
	if (strncmp((char *)in.name, "HDMI", 4))
		return -ENOENT;
	if (ioctl(vid, VIDIOC_S_INPUT, &in.index) || ioctl(vid, VIDIOC_S_DV_TIMINGS, &t))
		return -errno;
	return vivid_static_frames(vid);
}

/*
 * The copy-based reference: one frame of vivid-000 by MMAP, copied into a
 * vim2m MMAP OUTPUT buffer, what vim2m gives back (the same bytes), hashed.
 * Not uniform, so that a black or unwritten frame cannot pass for it.
 */
static int reference(uint64_t *sum)
{
	static uint8_t in[SIZE], out[SIZE];
	int vid = open_video(CAPTURE), m2m = open_video(M2M), ret, i, distinct = 0;
	bool seen[256] = { false };

	ret = vid < 0 ? vid : m2m < 0 ? m2m : vivid_setup(vid);
	if (!ret)
		ret = vivid_capture_mmap_to(vid, V4L2_PIX_FMT_RGB24, W, H, BPL, SIZE, in);
	if (!ret)
		ret = vim2m_process_mmap(m2m, V4L2_PIX_FMT_RGB24, W, H, BPL, SIZE, in, out);
	if (vid >= 0)
		close(vid);
	if (m2m >= 0)
		close(m2m);
	for (i = 0; !ret && i < SIZE; i++) {
		distinct += !seen[out[i]];
		seen[out[i]] = true;
	}
	/* vim2m copies RGB24 as it is; 75% colour bars are bytes 0 and 191 */
	if (!ret && memcmp(in, out, SIZE))
		ret = -EIO;
	else if (!ret && distinct < 2)
		ret = -ENODATA;
	*sum = fnv1a(out, SIZE);
	return ret;
}

struct sink {
	uint64_t frames, bad, first_bad;
	uint64_t disconnect_at;		/* 0: never */
	struct zcbuf_pipeline *pipe;
};

static int consume(void *arg, struct zcbuf_buffer *buf, const struct zcbuf_frame *f, uint64_t n)
{
	struct sink *s = arg;
	uint64_t sum;
	int ret = zcbuf_buffer_checksum(buf, &sum);

	(void)f;
	if (ret)
		return ret;
	if (sum != ref_sum && !s->bad++)
		s->first_bad = n;
	s->frames++;
	if (s->disconnect_at && n + 1 == s->disconnect_at) {
		struct zcbuf_device *dev;

		zcbuf_pipeline_get_device(s->pipe, ZCBUF_STAGE_CAPTURE, &dev);
		/* a button: S_CTRL fires it, reading it back fails, which does not matter */
		vid_set_ctrl_by_name(zcbuf_device_get_fd(dev), "Disconnect", 1);
	}
	return 0;
}

static struct zcbuf_pipeline_config config(const char *capture, const char *src,
					   enum zcbuf_memory m, unsigned int flags)
{
	return (struct zcbuf_pipeline_config){
		.capture = capture, .m2m = M2M, .source = src,
		.capture_memory = m, .m2m_memory = m,
		.format = { V4L2_PIX_FMT_RGB24, W, H },
		.num_buffers = BUFFERS, .fps = FPS, .flags = flags,
	};
}

/* Every stage's memory as wanted, its cache keeping one index per buffer. */
static bool stages_ok(const struct zcbuf_pipeline_stats *st, const char *src,
		      enum zcbuf_memory m, char *why, size_t len)
{
	int s;

	for (s = 0; s < ZCBUF_STAGES; s++) {
		const struct zcbuf_stage_stats *t = &st->stage[s];
		enum zcbuf_memory want = want_memory(src, m, s);
		bool importing = t->memory != ZCBUF_MEMORY_MMAP;

		if (t->memory != want || t->copying || t->queue.dequeued < st->frames ||
		    (importing && (t->queue.cache_misses != BUFFERS ||
				   t->queue.cache_hits + BUFFERS != t->queue.queued))) {
			snprintf(why, len, "%s: %s (want %s)%s, %llu dequeued, %llu queued, "
				 "%llu hits, %llu misses", zcbuf_stage_name((enum zcbuf_stage)s),
				 zcbuf_memory_name(t->memory), zcbuf_memory_name(want),
				 t->copying ? " copying" : "", (unsigned long long)t->queue.dequeued,
				 (unsigned long long)t->queue.queued,
				 (unsigned long long)t->queue.cache_hits,
				 (unsigned long long)t->queue.cache_misses);
			return false;
		}
	}
	return true;
}

static void cell(const char *src, enum zcbuf_memory m, uint64_t frames)
{
	struct zcbuf_pipeline_config cfg = config(CAPTURE, src, m, 0);
	struct zcbuf_pipeline_stats st = { 0 };
	struct sink s = { 0 };
	const char *name = zcbuf_memory_name(m);
	int want = expect(src, m), ret;
	char why[512] = "";

	ret = zcbuf_pipeline_new(ctx, &cfg, &s.pipe);
	if (ret) {
		const char *msg = zcbuf_last_error(ctx);
		/* a kind never tried says so instead of an errno */
		bool reason = want == ANY || (want < 0 && strstr(msg, want == -EDEADLK ?
							  "not tried" : strerror(-want)));

		tap_result(ret == -EXDEV && want != OK && reason && strstr(msg, "copies are not allowed"),
			   "%s %s strict: refused (%s); expected %s: %s", src, name, en(ret),
			   want == OK ? "ok" : want == ANY ? "ok or refused" : en(want), msg);
		return;
	}
	if (!tap_result(want != -EXDEV && (want == OK || want == ANY), "%s %s strict: made; "
			"expected %s", src, name, want == OK ? "ok" : want == ANY ? "ok or refused" :
			en(want)))
		goto out;
	ret = zcbuf_pipeline_run(s.pipe, frames, consume, &s);
	zcbuf_pipeline_get_stats(s.pipe, &st);
	tap_result(!ret && s.frames == frames && st.frames == frames && !s.bad &&
		   !st.copied_frames && !st.copied_bytes && stages_ok(&st, src, m, why, sizeof(why)),
		   "%s %s strict: %llu frames at %.1f fps, %llu with the reference checksum "
		   "0x%016llx, %llu copies; %s %s", src, name, (unsigned long long)st.frames, st.fps,
		   (unsigned long long)(s.frames - s.bad), (unsigned long long)ref_sum,
		   (unsigned long long)st.copied_frames, ret ? zcbuf_last_error(ctx) : "", why);
out:
	zcbuf_pipeline_free(s.pipe);
}

/* Copies allowed, m2m queues by MMAP: every frame copied in and out, counted, still equal. */
static void copy_cell(const char *src, uint64_t frames)
{
	struct zcbuf_pipeline_config cfg = config(CAPTURE, src, ZCBUF_MEMORY_MMAP,
						  ZCBUF_PIPELINE_ALLOW_COPY);
	struct zcbuf_pipeline_stats st = { 0 };
	struct sink s = { 0 };
	uint64_t out_copies = 0, cap_copies = 0;
	int ret;

	cfg.capture_memory = ZCBUF_MEMORY_AUTO;
	ret = zcbuf_pipeline_new(ctx, &cfg, &s.pipe);
	if (!ret)
		ret = zcbuf_pipeline_run(s.pipe, frames, consume, &s);
	zcbuf_pipeline_get_stats(s.pipe, &st);
	out_copies = st.stage[ZCBUF_STAGE_M2M_OUTPUT].queue.copied_frames;
	cap_copies = st.stage[ZCBUF_STAGE_M2M_CAPTURE].queue.copied_frames;
	/* the output copies at each put, the capture side at each get */
	/* vivid's own buffers: vim2m's capture side is its own MMAP, nothing to copy */
	uint64_t want_cap = strcmp(src, "v4l2") ? frames : 0;

	tap_result(!ret && !s.bad && s.frames == frames && out_copies == frames &&
		   cap_copies == want_cap && st.copied_frames == frames + want_cap &&
		   st.copied_bytes == (frames + want_cap) * SIZE &&
		   !st.stage[ZCBUF_STAGE_CAPTURE].queue.copied_frames,
		   "%s, m2m by mmap, copies allowed: %llu frames equal the reference, %llu + %llu "
		   "copies, %llu bytes; %s", src, (unsigned long long)s.frames,
		   (unsigned long long)out_copies, (unsigned long long)cap_copies,
		   (unsigned long long)st.copied_bytes, ret ? zcbuf_last_error(ctx) : "ok");
	zcbuf_pipeline_free(s.pipe);
}

/* vivid-001 disconnects after frame 5: the run fails cleanly, the pipeline frees. */
static void vanish(void)
{
	struct zcbuf_pipeline_config cfg = config(VANISHING, "heap:system", ZCBUF_MEMORY_DMABUF, 0);
	struct sink s = { .disconnect_at = 5 };
	int vid = open_video(VANISHING), ret;

	ret = vid < 0 ? vid : vivid_setup(vid);
	if (vid >= 0)
		close(vid);
	if (!ret)
		ret = zcbuf_pipeline_new(ctx, &cfg, &s.pipe);
	if (!tap_result(!ret, "vanish: pipeline from %s: %s", VANISHING,
			ret ? zcbuf_last_error(ctx) : "ok"))
		return;
	ret = zcbuf_pipeline_run(s.pipe, 100, NULL, NULL);
	tap_result(!ret, "vanish: 100 frames before: %s", ret ? zcbuf_last_error(ctx) : "ok");
	s.bad = 0;
	ret = zcbuf_pipeline_run(s.pipe, 100, consume, &s);
	tap_result((ret == -ENODEV || ret == -EPIPE) && s.frames == 5 &&
		   strstr(zcbuf_last_error(ctx), "pipeline: ") &&
		   strstr(zcbuf_last_error(ctx), strerror(-ret)),
		   "vanish: Disconnect after frame 5 fails the run: %s after %llu frames, \"%s\"",
		   en(ret), (unsigned long long)s.frames, zcbuf_last_error(ctx));
	ret = zcbuf_pipeline_run(s.pipe, 1, NULL, NULL);
	tap_result(ret == -ENODEV, "vanish: running again: %s, \"%s\"", en(ret),
		   zcbuf_last_error(ctx));
	zcbuf_pipeline_free(s.pipe);
}

int main(int argc, char **argv)
{
	const char *kernel = NULL;
	uint64_t frames = 30;
	unsigned int i, j;
	int fds, ret;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--reference")) {
			ret = reference(&ref_sum);
			printf("0x%016llx\n", (unsigned long long)ref_sum);
			return ret ? 1 : 0;
		}
		if (i + 1 < (unsigned int)argc && !strcmp(argv[i], "--kernel"))
			kernel = argv[++i];
		else if (i + 1 < (unsigned int)argc && !strcmp(argv[i], "--frames"))
			frames = strtoull(argv[++i], NULL, 10);
	}
	zcbuf_kernel = kernel_is_zcbuf(kernel);
	tap_diag("kernel: %s", zcbuf_kernel ? "zcbuf" : "stock");
	if (zcbuf_ctx_new(&ctx))
		return 1;
	fds = count_fds();
	ret = reference(&ref_sum);
	if (!tap_result(!ret, "reference: vivid %ux%u RGB24 by MMAP, copied through vim2m MMAP "
			"buffers: checksum 0x%016llx (%s)", W, H, (unsigned long long)ref_sum,
			ret ? en(ret) : "ok"))
		return tap_done();
	for (i = 0; i < ARRAY(sources); i++)
		for (j = 0; j < ARRAY(modes); j++)
			cell(sources[i], modes[j], frames);
	copy_cell("heap:system", frames);
	copy_cell("v4l2", frames);
	vanish();
	tap_result(count_fds() == fds, "no fd left open: %d before, %d after", fds, count_fds());
	zcbuf_ctx_free(ctx);
	return tap_done();
}
