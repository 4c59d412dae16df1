// SPDX-License-Identifier: MIT
/*
 * In-guest test of libzcbuf's sources and buffers against the real kernel:
 * dma-heaps (system, CMA), udmabuf, vgem dumb buffers and vivid MMAP
 * buffers exported with VIDIOC_EXPBUF, single- and multi-planar.
 *
 * For each source and format: allocate, check the planes against the
 * layout, map, write a pattern through the library between
 * DMA_BUF_IOCTL_SYNC START/END (WRITE), and check it through a mapping the
 * test makes itself (mmap of each dma-buf fd, SYNC READ); then the other
 * way round (the test writes, the library reads between START/END READ);
 * check the dma-buf name in /proc/self/fdinfo and that every fd is
 * close-on-exec; free, and check no fd is left open. Where the source has a
 * path of its own the bytes are checked through it too: pread of the memfd
 * behind a udmabuf, the vgem card's own mmap of the GEM object, vivid's
 * mmap of the video buffer.
 *
 * Then bad input: unknown heap, zero sizes, a udmabuf over size_limit_mb
 * (and what the kernel itself says to one), fds that are not dma-bufs,
 * planes outside their dma-buf, VIDIOC_EXPBUF of a wrong index, plane or
 * queue, CPU access misuse, a read-only dma-buf written: each a negative
 * errno and a message, no crash, no fd left behind.
 *
 * Usage: libzcbuf-sources (modprobe vgem, and vivid with
 *        n_devs=2 node_types=0x1,0x1 multiplanar=1,2 first). Prints TAP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <zcbuf/zcbuf.h>

#include "guest-util.h"
#include "tap.h"

#define VIVID_SP "vivid-000-vid-cap"	/* single-planar */
#define VIVID_MP "vivid-001-vid-cap"	/* multi-planar */
#define W 640
#define H 480
#define ZC_ARRAY(a) (sizeof(a) / sizeof((a)[0]))

static struct zcbuf_ctx *ctx;
static char vivid_sp[64], vivid_mp[64];	/* /dev/videoN */

static uint8_t pattern(unsigned int seed, unsigned int p, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull + (p + 1) * 0xbf58476d1ce4e5b9ull + seed;

	return (uint8_t)(x >> 56);
}

/* ---- through the library ---------------------------------------------- */

/*
 * Write (@write) or check the pattern of @seed in every plane through the
 * library's mapping, between SYNC START and END: 0, 1 when a check found
 * another byte, or a negative errno.
 */
static int lib_access(struct zcbuf_buffer *buf, unsigned int seed, bool write)
{
	int n = zcbuf_buffer_num_planes(buf), p, ret, bad = 0;

	ret = zcbuf_buffer_map(buf);
	if (!ret)
		ret = zcbuf_buffer_begin_cpu(buf, write ? ZCBUF_CPU_WRITE : ZCBUF_CPU_READ);
	for (p = 0; !ret && p < n; p++) {
		struct zcbuf_plane pl;
		uint8_t *d;
		uint64_t i;

		ret = zcbuf_buffer_get_plane(buf, p, &pl);
		if (!ret)
			ret = zcbuf_buffer_plane_data(buf, p, (void **)&d);
		for (i = 0; !ret && i < pl.length && !bad; i++) {
			if (write)
				d[i] = pattern(seed, p, i);
			else
				bad = d[i] != pattern(seed, p, i);
		}
	}
	if (!ret)
		ret = zcbuf_buffer_end_cpu(buf);
	return ret ? ret : bad;
}

static int lib_write(struct zcbuf_buffer *buf, unsigned int seed)
{
	return lib_access(buf, seed, true);
}

/* 0 when every plane holds the pattern, 1 when not, or a negative errno */
static int lib_check(struct zcbuf_buffer *buf, unsigned int seed)
{
	return lib_access(buf, seed, false);
}

/* ---- through the test's own mapping of each dma-buf --------------------- */

/* Write (or check) the pattern through mmap of the plane's fd, with syncs. */
static int raw_access(struct zcbuf_buffer *buf, unsigned int seed, bool write)
{
	int n = zcbuf_buffer_num_planes(buf), p, bad = 0;

	for (p = 0; p < n && !bad; p++) {
		uint64_t dir = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ, i;
		struct zcbuf_plane pl;
		size_t len;
		uint8_t *m;

		zcbuf_buffer_get_plane(buf, p, &pl);
		len = pl.offset + pl.length;
		m = mmap(NULL, len, write ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, pl.fd, 0);
		if (m == MAP_FAILED)
			return -errno;
		if (dmabuf_sync(pl.fd, DMA_BUF_SYNC_START | dir)) {
			munmap(m, len);
			return -EIO;
		}
		for (i = 0; i < pl.length && !bad; i++) {
			if (write)
				m[pl.offset + i] = pattern(seed, p, i);
			else
				bad = m[pl.offset + i] != pattern(seed, p, i);
		}
		dmabuf_sync(pl.fd, DMA_BUF_SYNC_END | dir);
		munmap(m, len);
	}
	return bad;
}

/* "name:\tzcbuf:heap:system" in the fdinfo of every plane's fd */
static bool fdinfo_named(struct zcbuf_buffer *buf, const char *name)
{
	int n = zcbuf_buffer_num_planes(buf), p;
	char path[64], text[1024], want[64];

	snprintf(want, sizeof(want), "\nname:\t%s\n", name);
	for (p = 0; p < n; p++) {
		struct zcbuf_plane pl;

		zcbuf_buffer_get_plane(buf, p, &pl);
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pl.fd);
		if (read_file(path, text, sizeof(text)) || !strstr(text, want))
			return false;
	}
	return true;
}

static bool all_cloexec_dmabufs(struct zcbuf_buffer *buf)
{
	int n = zcbuf_buffer_num_planes(buf), p;

	for (p = 0; p < n; p++) {
		struct zcbuf_plane pl;
		struct statfs sfs;

		zcbuf_buffer_get_plane(buf, p, &pl);
		if (!(fcntl(pl.fd, F_GETFD) & FD_CLOEXEC) || fstatfs(pl.fd, &sfs) ||
		    (uint32_t)sfs.f_type != DMA_BUF_MAGIC)
			return false;
	}
	return true;
}

/*
 * The buffer has the format asked for (or, for raw bytes from a video
 * device, the device's) and its planes are that format's layout with the
 * strides the source chose; raw bytes are one plane of the size asked for.
 */
static bool planes_match(struct zcbuf_buffer *buf, const struct zcbuf_format *fmt, uint64_t size,
			 char *why, size_t len)
{
	uint32_t strides[ZCBUF_MAX_PLANES] = { 0 };
	struct zcbuf_plane pl[ZCBUF_MAX_PLANES];
	struct zcbuf_format have;
	struct zcbuf_layout l;
	int n = zcbuf_buffer_num_planes(buf), p, ndma = zcbuf_buffer_num_dmabufs(buf);

	for (p = 0; p < n; p++)
		zcbuf_buffer_get_plane(buf, p, &pl[p]);
	zcbuf_buffer_get_format(buf, &have);
	if (fmt && memcmp(fmt, &have, sizeof(have))) {
		snprintf(why, len, "the buffer's format is not the one asked for");
		return false;
	}
	if (!have.fourcc) {
		snprintf(why, len, "%d planes, %d dma-bufs, %llu bytes", n, ndma,
			 (unsigned long long)pl[0].length);
		return n == 1 && ndma == 1 && pl[0].length == size && pl[0].offset == 0;
	}
	for (p = 0; p < n; p++)
		strides[p] = pl[p].stride;
	if (zcbuf_format_layout(ctx, &have, strides, &l)) {
		snprintf(why, len, "%s", zcbuf_last_error(ctx));
		return false;
	}
	snprintf(why, len, "%ux%u %.4s: %d planes in %d dma-bufs, stride %u", have.width,
		 have.height, (const char *)&have.fourcc, n, ndma, pl[0].stride);
	if ((uint32_t)n != l.num_planes || (uint32_t)ndma != l.num_mem_planes)
		return false;
	for (p = 0; p < n; p++) {
		if (pl[p].stride != l.plane[p].stride || pl[p].length < l.plane[p].size ||
		    pl[p].offset != l.plane[p].offset ||
		    (pl[p].fd == pl[0].fd) != (l.plane[p].mem == 0))
			return false;
	}
	return true;
}

/* ---- each source, each format ------------------------------------------- */

struct fmt_case {
	const char *what;
	struct zcbuf_format fmt;	/* fourcc 0: raw bytes of .size */
	uint64_t size;
};

static void run_case(const char *source, const char *name, const struct fmt_case *c,
		     unsigned int seed)
{
	const struct zcbuf_format *fmt = c->fmt.fourcc ? &c->fmt : NULL;
	struct zcbuf_buffer *buf = NULL;
	int fds = count_fds(), ret;
	char why[160];

	ret = zcbuf_alloc(ctx, source, fmt, c->size, &buf);
	if (!tap_result(!ret, "%s %s: allocate (%s)", source, c->what,
			ret ? zcbuf_last_error(ctx) : "ok"))
		return;
	tap_result(planes_match(buf, fmt, c->size, why, sizeof(why)) && all_cloexec_dmabufs(buf),
		   "%s %s: planes as the layout says, close-on-exec dma-bufs (%s)", source, c->what,
		   why);
	ret = lib_write(buf, seed);
	tap_result(!ret && !raw_access(buf, seed, false),
		   "%s %s: pattern written between SYNC START/END WRITE reads back through a "
		   "second mapping (%s)", source, c->what, ret ? zcbuf_last_error(ctx) : "ok");
	ret = raw_access(buf, seed + 1, true);
	tap_result(!ret && lib_check(buf, seed + 1) == 0,
		   "%s %s: pattern written through a second mapping reads back between SYNC "
		   "START/END READ", source, c->what);
	tap_result(fdinfo_named(buf, name), "%s %s: dma-bufs named '%s' (fdinfo)", source,
		   c->what, name);
	zcbuf_buffer_free(buf);
	tap_result(count_fds() == fds, "%s %s: freed, no fd left open (%d before, %d after)",
		   source, c->what, fds, count_fds());
}

static const struct fmt_case common[] = {
	{ "raw 1 MiB + 123 bytes", { 0, 0, 0 }, (1 << 20) + 123 },
	{ "640x480 NV12", { V4L2_PIX_FMT_NV12, W, H }, 0 },
	{ "640x480 NV12M", { V4L2_PIX_FMT_NV12M, W, H }, 0 },
	{ "64x48 YUV420M", { V4L2_PIX_FMT_YUV420M, 64, 48 }, 0 },
	{ "322x2 YUV420", { V4L2_PIX_FMT_YUV420, 322, 2 }, 0 },
	{ "33x7 RGB24", { V4L2_PIX_FMT_RGB24, 33, 7 }, 0 },
};

static const struct fmt_case vivid_sp_cases[] = {
	{ "current format, 4096 bytes", { 0, 0, 0 }, 4096 },
	{ "640x480 YUYV", { V4L2_PIX_FMT_YUYV, W, H }, 0 },
	{ "640x480 NV12", { V4L2_PIX_FMT_NV12, W, H }, 0 },
	{ "640x480 YUV420", { V4L2_PIX_FMT_YUV420, W, H }, 0 },
};

static const struct fmt_case vivid_mp_cases[] = {
	{ "640x480 NV12M", { V4L2_PIX_FMT_NV12M, W, H }, 0 },
	{ "640x480 YUV420M", { V4L2_PIX_FMT_YUV420M, W, H }, 0 },
	{ "640x480 NV12 (one plane on an MPLANE queue)", { V4L2_PIX_FMT_NV12, W, H }, 0 },
};

static void sources(const char *cma_name)
{
	char source[96], name[64];
	unsigned int i, seed = 1;

	for (i = 0; i < ZC_ARRAY(common); i++)
		run_case("heap:system", "zcbuf:heap:system", &common[i], seed++);
	snprintf(name, sizeof(name), "zcbuf:heap:%s", cma_name);
	for (i = 0; i < ZC_ARRAY(common); i++)
		run_case("heap:cma", name, &common[i], seed++);
	for (i = 0; i < ZC_ARRAY(common); i++)
		run_case("udmabuf", "zcbuf:udmabuf", &common[i], seed++);
	for (i = 0; i < ZC_ARRAY(common); i++)
		run_case("drm:vgem", "zcbuf:drm:vgem", &common[i], seed++);
	snprintf(source, sizeof(source), "v4l2:%s", vivid_sp);
	for (i = 0; i < ZC_ARRAY(vivid_sp_cases); i++)
		run_case(source, "zcbuf:v4l2", &vivid_sp_cases[i], seed++);
	snprintf(source, sizeof(source), "v4l2:%s", vivid_mp);
	for (i = 0; i < ZC_ARRAY(vivid_mp_cases); i++)
		run_case(source, "zcbuf:v4l2", &vivid_mp_cases[i], seed++);
}

/* ---- the sources' own paths ----------------------------------------------- */

/* udmabuf: the bytes are the memfd's; memory planes at page-aligned offsets */
static void udmabuf_memfd(void)
{
	struct zcbuf_format fmt = { V4L2_PIX_FMT_NV12M, 128, 96 };
	const uint64_t base = 3 * 4096, off1 = base + 12288;	/* 12288: 3 pages of Y */
	struct zcbuf_buffer *buf = NULL;
	int fds = count_fds(), ret, bad = 0, memfd;
	uint8_t *data = malloc(12288);
	uint64_t i;

	memfd = memfd_create("zcbuf-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ftruncate(memfd, off1 + 8192);
	fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK);
	ret = zcbuf_udmabuf_from_memfd(ctx, memfd, base, &fmt, 0, &buf);
	tap_result(!ret && zcbuf_buffer_num_dmabufs(buf) == 2,
		   "udmabuf of a caller's memfd from offset %llu: NV12M in two udmabufs (%s)",
		   (unsigned long long)base, ret ? zcbuf_last_error(ctx) : "ok");
	if (ret)
		goto out;
	ret = lib_write(buf, 77);
	pread(memfd, data, 12288, base);
	for (i = 0; i < 12288 && !bad; i++)
		bad = data[i] != pattern(77, 0, i);
	pread(memfd, data, 6144, off1);
	for (i = 0; i < 6144 && !bad; i++)
		bad = data[i] != pattern(77, 1, i);
	tap_result(!ret && !bad, "udmabuf: the pattern the library wrote is in the memfd (pread) "
		   "at offsets %llu and %llu", (unsigned long long)base, (unsigned long long)off1);
	for (i = 0; i < 6144; i++)
		data[i] = pattern(78, 1, i);
	pwrite(memfd, data, 6144, off1);
	for (i = 0; i < 12288; i++)
		data[i] = pattern(78, 0, i);
	pwrite(memfd, data, 12288, base);
	tap_result(lib_check(buf, 78) == 0, "udmabuf: what pwrite put in the memfd, the library "
		   "reads between SYNC START/END READ");
	zcbuf_buffer_free(buf);
out:
	close(memfd);
	free(data);
	tap_result(count_fds() == fds, "udmabuf of a memfd: no fd left open");
}

/* vgem: the card maps the GEM object behind the PRIME fd on its own */
static void vgem_card(void)
{
	struct zcbuf_format fmt = { V4L2_PIX_FMT_NV12, W, H };
	struct zcbuf_buffer *buf = NULL;
	int fds = count_fds(), card, ret, bad = 0;
	struct zcbuf_plane y, uv;
	uint32_t handle = 0;
	uint64_t off, i;
	uint8_t *m;

	card = zcbuf_drm_open(ctx, "vgem");
	ret = card < 0 ? card : zcbuf_drm_dumb_alloc(ctx, card, &fmt, 0, &buf);
	if (!tap_result(!ret, "drm vgem: dumb NV12 buffer (%s)", ret ? zcbuf_last_error(ctx) : "ok"))
		goto out;
	ret = lib_write(buf, 90);
	zcbuf_buffer_get_plane(buf, 0, &y);
	zcbuf_buffer_get_plane(buf, 1, &uv);
	if (!ret && !drmPrimeFDToHandle(card, y.fd, &handle) &&
	    !drmModeMapDumbBuffer(card, handle, &off)) {
		m = mmap(NULL, uv.offset + uv.length, PROT_READ, MAP_SHARED, card, (off_t)off);
		if (m != MAP_FAILED) {
			for (i = 0; i < y.length && !bad; i++)
				bad = m[i] != pattern(90, 0, i);
			for (i = 0; i < uv.length && !bad; i++)
				bad = m[uv.offset + i] != pattern(90, 1, i);
			munmap(m, uv.offset + uv.length);
		} else {
			bad = 1;
		}
	} else {
		bad = 1;
	}
	tap_result(!ret && !bad, "drm vgem: the pattern the library wrote is in the GEM object "
		   "(PRIME fd to handle, mmap through the card)");
	if (handle)
		drmCloseBufferHandle(card, handle);
	zcbuf_buffer_free(buf);
out:
	if (card >= 0)
		close(card);
	tap_result(count_fds() == fds, "drm vgem: no fd or GEM handle fd left open");
}

static int reqbufs(int vid, uint32_t type, uint32_t count)
{
	struct v4l2_requestbuffers req = { .count = count, .type = type,
					   .memory = V4L2_MEMORY_MMAP };

	return ioctl(vid, VIDIOC_REQBUFS, &req) ? -errno : (int)req.count;
}

static int set_fmt(int vid, uint32_t type, uint32_t fourcc, struct v4l2_format *f)
{
	memset(f, 0, sizeof(*f));
	f->type = type;
	if (type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		f->fmt.pix_mp.width = W;
		f->fmt.pix_mp.height = H;
		f->fmt.pix_mp.pixelformat = fourcc;
		f->fmt.pix_mp.field = V4L2_FIELD_NONE;
	} else {
		f->fmt.pix.width = W;
		f->fmt.pix.height = H;
		f->fmt.pix.pixelformat = fourcc;
		f->fmt.pix.field = V4L2_FIELD_NONE;
	}
	return ioctl(vid, VIDIOC_S_FMT, f) ? -errno : 0;
}

/* vivid: the exported buffer is the video buffer vivid maps on its own */
static void vivid_own(const char *node, uint32_t type, uint32_t fourcc, const char *what)
{
	struct v4l2_plane vp[VIDEO_MAX_PLANES];
	struct zcbuf_buffer *buf = NULL;
	int fds = count_fds(), vid, ret, bad = 0, n;
	struct v4l2_buffer vb;
	struct v4l2_format f;
	unsigned int p, mp = type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	uint64_t i;

	vid = open_video(node);
	ret = vid < 0 ? vid : set_fmt(vid, type, fourcc, &f);
	if (!ret)
		ret = reqbufs(vid, type, 2) == 2 ? 0 : -ENOMEM;
	if (!ret)
		ret = zcbuf_v4l2_export(ctx, vid, type, 1, &buf);
	if (!tap_result(!ret, "%s %s: export buffer 1 (%s)", node, what,
			ret ? zcbuf_last_error(ctx) : "ok"))
		goto out;
	ret = lib_write(buf, 100);
	memset(&vb, 0, sizeof(vb));
	vb.type = type;
	vb.index = 1;
	vb.memory = V4L2_MEMORY_MMAP;
	vb.m.planes = vp;
	vb.length = VIDEO_MAX_PLANES;
	n = ioctl(vid, VIDIOC_QUERYBUF, &vb) ? -1 : (mp ? (int)vb.length : 1);
	bad = n < 1;
	for (p = 0; (int)p < n && !bad && !ret; p++) {
		uint32_t len = mp ? vp[p].length : vb.length;
		off_t off = mp ? vp[p].m.mem_offset : vb.m.offset;
		struct zcbuf_plane pl;
		uint8_t *m = mmap(NULL, len, PROT_READ, MAP_SHARED, vid, off);
		int cp, ncp = zcbuf_buffer_num_planes(buf);

		if (m == MAP_FAILED) {
			bad = 1;
			break;
		}
		/* every colour plane in this memory plane */
		for (cp = 0; cp < ncp && !bad; cp++) {
			zcbuf_buffer_get_plane(buf, cp, &pl);
			if ((mp && (unsigned int)cp != p && n > 1) || pl.offset + pl.length > len)
				continue;
			for (i = 0; i < pl.length && !bad; i++)
				bad = m[pl.offset + i] != pattern(100, cp, i);
		}
		munmap(m, len);
	}
	tap_result(!ret && !bad, "%s %s: the pattern the library wrote is in the video buffer "
		   "(mmap of the video node)", node, what);
	zcbuf_buffer_free(buf);
out:
	if (vid >= 0) {
		reqbufs(vid, type, 0);
		close(vid);
	}
	tap_result(count_fds() == fds, "%s %s: no fd left open", node, what);
}

/* ---- the layout math against vivid's ------------------------------------- */

/*
 * vivid puts the picture 128 bytes into one plane of NV16M and NV61M
 * (PLANE0_DATA_OFFSET, to exercise data_offset) and counts them in that
 * plane's sizeimage.
 */
static uint32_t vivid_data_offset(uint32_t fourcc, unsigned int plane)
{
	if ((fourcc == V4L2_PIX_FMT_NV16M && plane == 0) ||
	    (fourcc == V4L2_PIX_FMT_NV61M && plane == 1))
		return 128;
	return 0;
}

static void vivid_layouts(void)
{
	static const uint32_t sp[] = {
		V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_NV21,
		V4L2_PIX_FMT_NV16, V4L2_PIX_FMT_NV24, V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_YVU420,
		V4L2_PIX_FMT_YUV422P, V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_RGB565, V4L2_PIX_FMT_RGB24,
		V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_XBGR32, V4L2_PIX_FMT_ARGB32,
	};
	static const uint32_t mp[] = {
		V4L2_PIX_FMT_NV12M, V4L2_PIX_FMT_NV21M, V4L2_PIX_FMT_NV16M, V4L2_PIX_FMT_YUV420M,
		V4L2_PIX_FMT_YVU420M, V4L2_PIX_FMT_YUV422M, V4L2_PIX_FMT_YUV444M,
		V4L2_PIX_FMT_NV61M,
	};
	unsigned int i, p, checked = 0, bad = 0;
	int vid;

	for (int pass = 0; pass < 2; pass++) {
		uint32_t type = pass ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
		const uint32_t *list = pass ? mp : sp;
		unsigned int n = pass ? ZC_ARRAY(mp) : ZC_ARRAY(sp);

		vid = open_video(pass ? VIVID_MP : VIVID_SP);
		if (vid < 0) {
			bad++;
			continue;
		}
		for (i = 0; i < n; i++) {
			const struct zcbuf_format_info *info;
			struct zcbuf_layout l;
			struct v4l2_format f;
			struct zcbuf_format zf = { list[i], W, H };
			bool ok;

			zcbuf_format_info_get(list[i], &info);
			if (set_fmt(vid, type, list[i], &f) || zcbuf_format_layout(ctx, &zf, NULL, &l)) {
				tap_diag("%s: S_FMT or layout failed: %s", info->name, zcbuf_last_error(ctx));
				bad++;
				continue;
			}
			if (pass) {
				ok = f.fmt.pix_mp.pixelformat == list[i] &&
				     f.fmt.pix_mp.num_planes == l.num_mem_planes;
				for (p = 0; ok && p < l.num_mem_planes; p++)
					ok = f.fmt.pix_mp.plane_fmt[p].bytesperline ==
						     l.plane[p].stride &&
					     f.fmt.pix_mp.plane_fmt[p].sizeimage ==
						     l.mem_size[p] + vivid_data_offset(list[i], p);
			} else {
				ok = f.fmt.pix.pixelformat == list[i] &&
				     f.fmt.pix.bytesperline == l.plane[0].stride &&
				     f.fmt.pix.sizeimage == l.mem_size[0];
			}
			if (!ok) {
				tap_diag("%s: vivid bytesperline %u sizeimage %u, layout %u and %llu",
					 info->name, pass ? f.fmt.pix_mp.plane_fmt[0].bytesperline :
					 f.fmt.pix.bytesperline, pass ? f.fmt.pix_mp.plane_fmt[0].sizeimage :
					 f.fmt.pix.sizeimage, l.plane[0].stride,
					 (unsigned long long)l.mem_size[0]);
				bad++;
			}
			checked++;
		}
		close(vid);
	}
	tap_result(!bad && checked == ZC_ARRAY(sp) + ZC_ARRAY(mp),
		   "layout: bytesperline and sizeimage equal vivid's for %u formats at %ux%u "
		   "(single- and multi-planar)", checked, W, H);
}

/* ---- bad input -------------------------------------------------------------- */

/* The call failed with @err and left a message holding @needle. */
static void expect(int ret, int err, const char *needle, const char *what)
{
	const char *msg = zcbuf_last_error(ctx);

	tap_result(ret == err && zcbuf_last_errno(ctx) == err && strstr(msg, needle),
		   "%s: %d (%s), \"%s\"", what, ret, strerror(ret < 0 ? -ret : 0), msg);
}

static uint64_t udmabuf_limit(void)
{
	char text[32];

	if (read_file("/sys/module/udmabuf/parameters/size_limit_mb", text, sizeof(text)))
		return 0;
	return (uint64_t)strtoull(text, NULL, 10) << 20;
}

static void bad_input(void)
{
	struct zcbuf_format nv12 = { V4L2_PIX_FMT_NV12, W, H };
	uint64_t limit = udmabuf_limit();
	struct zcbuf_buffer *buf = NULL, *ro = NULL;
	int fds = count_fds(), vid, card, memfd, ret, dev, rofd;
	struct zcbuf_plane pl;
	char msg[96];
	void *data;

	expect(zcbuf_alloc(ctx, "heap:nosuch", NULL, 4096, &buf), -ENOENT,
	       "dma-heap 'nosuch': open /dev/dma_heap/nosuch: No such file or directory",
	       "unknown heap");
	expect(zcbuf_alloc(ctx, "heap:system", NULL, 0, &buf), -EINVAL, "0 bytes",
	       "heap: zero size");
	expect(zcbuf_alloc(ctx, "udmabuf", NULL, 0, &buf), -EINVAL, "0 bytes", "udmabuf: zero size");
	expect(zcbuf_alloc(ctx, "drm:vgem", NULL, 0, &buf), -EINVAL, "0 bytes", "vgem: zero size");

	/* udmabuf's size_limit_mb: ours first, and the kernel agrees */
	tap_result(limit == 64ull << 20, "udmabuf: size_limit_mb is the default 64 MiB (%llu bytes)",
		   (unsigned long long)limit);
	snprintf(msg, sizeof(msg), "limit of %llu MiB", (unsigned long long)(limit >> 20));
	expect(zcbuf_alloc(ctx, "udmabuf", NULL, limit + 1, &buf), -EINVAL, msg,
	       "udmabuf: one byte over the limit (a page more)");
	expect(zcbuf_udmabuf_alloc(ctx, NULL, limit + (1 << 20), &buf), -EINVAL, "size_limit_mb",
	       "udmabuf: 1 MiB over the limit");
	ret = zcbuf_udmabuf_alloc(ctx, NULL, limit, &buf);
	tap_result(!ret, "udmabuf: exactly the limit (%llu bytes) is allowed (%s)",
		   (unsigned long long)limit, ret ? zcbuf_last_error(ctx) : "ok");
	zcbuf_buffer_free(buf);
	buf = NULL;
	memfd = memfd_create("zcbuf-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ftruncate(memfd, (off_t)(limit + 4096));
	fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK);
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	{
		struct udmabuf_create c = { .memfd = (uint32_t)memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
					    .size = limit + 4096 };

		ret = ioctl(dev, UDMABUF_CREATE, &c);
		tap_result(ret < 0 && errno == EINVAL, "udmabuf: the kernel itself refuses a page "
			   "over the limit with EINVAL (what the library reports first)");
		if (ret >= 0)
			close(ret);
	}
	close(dev);
	close(memfd);

	/* fds that are not dma-bufs */
	memfd = memfd_create("zcbuf-test", MFD_CLOEXEC);
	ftruncate(memfd, 4096);
	pl = (struct zcbuf_plane){ .fd = memfd, .length = 4096 };
	expect(zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &buf), -EINVAL, "is not a dma-buf",
	       "wrap: a memfd");
	close(memfd);
	vid = open_video(VIVID_SP);
	pl.fd = vid;
	expect(zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &buf), -EINVAL, "is not a dma-buf",
	       "wrap: a video node");
	card = zcbuf_drm_open(ctx, "vgem");
	pl.fd = card;
	expect(zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &buf), -EINVAL, "is not a dma-buf",
	       "wrap: a DRM card");

	/* planes outside their dma-buf */
	ret = zcbuf_alloc(ctx, "heap:system", NULL, 8192, &buf);
	if (!ret) {
		struct zcbuf_buffer *w = NULL;

		zcbuf_buffer_get_plane(buf, 0, &pl);
		pl.offset = 4096;
		pl.length = 4097;
		expect(zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &w), -EINVAL, "is outside the dma-buf",
		       "wrap: a plane past the end of its dma-buf");
		pl.offset = UINT64_MAX;
		pl.length = 2;
		expect(zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &w), -EINVAL, "is outside the dma-buf",
		       "wrap: an offset that overflows");
		pl.offset = 0;
		pl.length = 8192;
		pl.stride = W;
		expect(zcbuf_buffer_wrap(ctx, &nv12, (struct zcbuf_plane[]){ pl, pl }, 2, &w),
		       -EINVAL, "plane 0: 8192 bytes, it needs 307200", "wrap: NV12 in too small planes");

		/* CPU access misuse */
		expect(zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ), -EINVAL, "not mapped",
		       "begin CPU access before map");
		zcbuf_buffer_map(buf);
		expect(zcbuf_buffer_plane_data(buf, 0, &data), -EPERM, "outside a CPU access",
		       "plane data outside a CPU access");
		expect(zcbuf_buffer_end_cpu(buf), -EINVAL, "none open", "end CPU access with none open");
		expect(zcbuf_buffer_begin_cpu(buf, 4), -EINVAL, "is not READ, WRITE", "access 4");
		zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ);
		expect(zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_WRITE), -EBUSY, "while one (READ) is open",
		       "begin CPU access twice");
		expect(zcbuf_buffer_plane_data(buf, 1, &data), -EINVAL, "no plane 1", "plane 1 of 1");
		expect(zcbuf_buffer_set_name(buf, "a name longer than thirty-one bytes"), -ENAMETOOLONG,
		       "at most 31", "a name too long");
		/* freed with the access open: END, unmap, close */
		zcbuf_buffer_free(buf);
		buf = NULL;
	} else {
		tap_result(false, "heap:system 8192 bytes: %s", zcbuf_last_error(ctx));
	}

	/* VIDIOC_EXPBUF that cannot work */
	if (vid >= 0 && reqbufs(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, 2) == 2) {
		expect(zcbuf_v4l2_export(ctx, vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, 2, &buf), -EINVAL,
		       "VIDIOC_QUERYBUF (video capture queue, index 2)", "v4l2 export: index 2 of 2");
		expect(zcbuf_v4l2_expbuf(ctx, vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, 7, 0, O_RDWR), -EINVAL,
		       "VIDIOC_EXPBUF (video capture queue, index 7, plane 0)",
		       "v4l2 expbuf: index 7 of 2");
		expect(zcbuf_v4l2_expbuf(ctx, vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, 1, O_RDWR), -EINVAL,
		       "plane 1", "v4l2 expbuf: plane 1 of a single-planar buffer");
		expect(zcbuf_v4l2_export(ctx, vid, V4L2_BUF_TYPE_VIDEO_OUTPUT, 0, &buf), -EINVAL,
		       "VIDIOC_G_FMT (video output queue)", "v4l2 export: an output queue the device lacks");

		/* a read-only export: read yes, write no */
		rofd = zcbuf_v4l2_expbuf(ctx, vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, 0,
					 O_RDONLY | O_CLOEXEC);
		pl = (struct zcbuf_plane){ .fd = rofd, .length = 4096 };
		ret = rofd < 0 ? rofd : zcbuf_buffer_wrap(ctx, NULL, &pl, 1, &ro);
		if (!ret)
			ret = zcbuf_buffer_map(ro);
		tap_result(!ret && !zcbuf_buffer_begin_cpu(ro, ZCBUF_CPU_READ) &&
			   !zcbuf_buffer_end_cpu(ro), "a read-only dma-buf maps and reads (%s)",
			   ret ? zcbuf_last_error(ctx) : "ok");
		expect(ro ? zcbuf_buffer_begin_cpu(ro, ZCBUF_CPU_WRITE) : -1, -EACCES, "read-only",
		       "a read-only dma-buf cannot be written");
		zcbuf_buffer_free(ro);
		if (rofd >= 0)
			close(rofd);
		reqbufs(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0);
	} else {
		tap_result(false, "vivid %s: REQBUFS 2", VIVID_SP);
	}
	expect(zcbuf_v4l2_export(ctx, card, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, &buf), -ENOTTY,
	       "VIDIOC_G_FMT", "v4l2 export of a DRM card");
	snprintf(msg, sizeof(msg), "v4l2:%s", vivid_sp);
	expect(zcbuf_alloc(ctx, msg, &(struct zcbuf_format){ V4L2_PIX_FMT_NV12M, W, H }, 0, &buf),
	       -EINVAL, "the driver chose", "v4l2: NV12M on a single-planar device");
	expect(zcbuf_drm_dumb_alloc(ctx, vid, NULL, 4096, &buf), -ENOTTY, "DRM_IOCTL_GET_CAP",
	       "drm dumb buffer on a video node");
	if (vid >= 0)
		close(vid);
	if (card >= 0)
		close(card);
	tap_result(buf == NULL && count_fds() == fds, "bad input: no buffer, no fd left open "
		   "(%d before, %d after)", fds, count_fds());
}

static int find_node(const char *name, char *path, size_t len)
{
	char link[64];
	int fd = open_video(name);
	ssize_t n;

	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	path[n] = '\0';
	return 0;
}

int main(void)
{
	struct zcbuf_buffer *probe = NULL;
	char cma[64] = "?";
	int fds;

	if (zcbuf_ctx_new(&ctx))
		return 1;
	if (!tap_result(!find_node(VIVID_SP, vivid_sp, sizeof(vivid_sp)) &&
			!find_node(VIVID_MP, vivid_mp, sizeof(vivid_mp)),
			"vivid nodes: %s is %s, %s is %s", VIVID_SP, vivid_sp, VIVID_MP, vivid_mp))
		return tap_done();
	/* which heap "heap:cma" picks, from the name it gives its buffers */
	if (!zcbuf_alloc(ctx, "heap:cma", NULL, 4096, &probe)) {
		const char *name;

		if (!zcbuf_buffer_get_name(probe, &name) && !strncmp(name, "zcbuf:heap:", 11))
			snprintf(cma, sizeof(cma), "%s", name + 11);
		zcbuf_buffer_free(probe);
	}
	tap_diag("heap:cma is /dev/dma_heap/%s", cma);
	fds = count_fds();

	sources(cma);
	udmabuf_memfd();
	vgem_card();
	vivid_own(VIVID_SP, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_PIX_FMT_NV12, "NV12");
	vivid_own(VIVID_MP, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, V4L2_PIX_FMT_NV12M, "NV12M");
	vivid_layouts();
	bad_input();
	tap_result(count_fds() == fds, "the whole run left no fd open (%d)", count_fds());
	zcbuf_ctx_free(ctx);
	return tap_done();
}
