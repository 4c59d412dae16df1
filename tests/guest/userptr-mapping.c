// SPDX-License-Identifier: MIT
/*
 * An import obeys the mapping it came through (suite "userptr"). For each
 * kind of memory (every dma-buf exporter the series handles, and a memfd
 * as the control that the kernel pins), a buffer of BUF_PAGES pages is
 * mapped in one shape, and one frame at the start of that mapping is
 * queued as a USERPTR buffer on vivid capture (vb2-vmalloc, vb2-dma-contig)
 * or on vim2m's OUTPUT queue. Through a second, whole mapping of the
 * buffer (the view) the case checks where the frame went: to the page of
 * the buffer the address maps and nowhere else, into the process's own
 * copy for a private mapping, or nowhere when QBUF failed.
 *
 * Shapes of the queued mapping:
 *   whole          the whole buffer, shared and writable: range at page 0
 *   at-offset      mmap() of the fd from page 1 on: page 1
 *   munmap-head    the whole buffer, its first page unmapped: page 1
 *   mprotect-head  the whole buffer, its first page made read-only (the
 *                  VMA splits): page 1
 *   mremap-tail    pages 2.. of a whole mapping moved elsewhere: page 2
 *   mremap-grow    the whole mapping grown by a page, the range crossing
 *                  the buffer's end: refused (EFAULT)
 *   mremap-shrink  the whole mapping shrunk below a frame, the range
 *                  running past it: refused (EFAULT)
 *   private        MAP_PRIVATE, PROT_READ | PROT_WRITE, of a read-only fd
 *                  where the kind has one: a dma-buf is never imported
 *                  through it (EFAULT); pinned memory goes to the
 *                  process's copy (capture) and the buffer is untouched
 *   ro-shared      MAP_SHARED, PROT_READ, of a read-only fd where the kind
 *                  has one: capture EFAULT, output reads the buffer
 *
 * Then: a USERPTR import of a vgem buffer through the card leaves a later
 * read-only PRIME export of it read-only.
 *
 * The expectation of every cell comes from the rules in expect_of(), for
 * stock 6.1.192 (GUP pins page-backed memory, with FOLL_WRITE | FOLL_FORCE
 * in both directions; VM_PFNMAP fails), for the zcbuf kernel (a dma-buf
 * mapping is imported through the dma-buf, at the page its VMA maps, only
 * through a shared mapping that allows the access; ordinary memory follows
 * upstream GUP: FOLL_WRITE for capture only, no FOLL_FORCE) and for
 * userptr-off (the series without CONFIG_VIDEOBUF2_USERPTR_DMABUF: nothing
 * is imported, every kind is pinned as zcbuf pins ordinary memory, and
 * VM_PFNMAP fails). --list prints them. Each case runs in a child with a
 * timeout; after it the FOLL_PIN counters balance and no dma-buf it made
 * is left (mem-kind.h's leak mark).
 *
 * Usage: userptr-mapping [--kernel stock|patched|userptr-off] [--only KIND|SHAPE]
 *        userptr-mapping --list | --self-test
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

/* Room for a frame from page 2 on. */
#define BUF_PAGES (FRAME_PAGES + 2)
#define BUF_BYTES (BUF_PAGES * PAGE)
#define CASE_TIMEOUT_S 20

/* ---- kinds of memory ---------------------------------------------------- */

/* What a kind is, as the expectations need it. */
enum {
	T_DMABUF = 1 << 0,	/* a dma-buf backs it (zcbuf imports it) */
	T_PAGES = 1 << 1,	/* struct pages behind the mapping: stock pins it */
	T_CONTIG = 1 << 2,	/* DMA-contiguous: a dma-contig queue takes it */
	T_FD_OFFSET = 1 << 3,	/* its fd maps from any page of the buffer */
	T_GROWS = 1 << 4,	/* mremap() may grow its mapping (no VM_DONTEXPAND) */
	T_PRIVATE = 1 << 5,	/* it can be mapped MAP_PRIVATE */
	T_CMA = 1 << 6,		/* CMA pages: a long-term pin never returns */
	T_MAYBE_CMA = 1 << 7,	/* pages that may sit in CMA: a pin may fail */
	T_ZCBUF_ONLY = 1 << 8,	/* its driver exists with the series only */
};

/* One buffer of a kind: how to map it, and how to sync CPU access. */
struct xbuf {
	int fd;		/* maps the buffer shared and writable at @off */
	off_t off;
	int ro_fd;	/* a read-only fd of the same buffer at @ro_off; -1: none */
	off_t ro_off;
	int sync_fd;	/* a dma-buf fd for DMA_BUF_IOCTL_SYNC; -1: none */
	char err[160];
};

struct xkind {
	const char *name;
	const char *what;
	int (*make)(struct xbuf *b);
	unsigned int traits;
};

static int mfail(struct xbuf *b, int err, const char *what)
{
	snprintf(b->err, sizeof(b->err), "%s: %s", what, errname(err));
	return -err;
}

/* The sources of vivid MMAP buffers: [0] vb2-vmalloc, [1] vb2-dma-contig. */
static int vivid_source[2] = { -1, -1 };
/* The capture targets, in the same order. */
static int vivid_target[2] = { -1, -1 };
static char cma_heap[64];

static int make_memfd(struct xbuf *b)
{
	char path[64];
	int fd = memfd_create("userptr-mapping", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, BUF_BYTES))
		return mfail(b, errno, "memfd");
	b->fd = fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	b->ro_fd = open(path, O_RDONLY | O_CLOEXEC);
	return b->ro_fd < 0 ? mfail(b, errno, "reopen the memfd read-only") : 0;
}

static int make_udmabuf(struct xbuf *b)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = BUF_BYTES };
	int memfd = memfd_create("userptr-mapping", MFD_CLOEXEC | MFD_ALLOW_SEALING), dev;

	if (memfd < 0 || ftruncate(memfd, BUF_BYTES) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return mfail(b, errno, "sealed memfd");
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	create.memfd = memfd;
	b->fd = dev < 0 ? -1 : ioctl(dev, UDMABUF_CREATE, &create);
	if (b->fd < 0)
		return mfail(b, errno, "UDMABUF_CREATE");
	close(dev);
	b->sync_fd = b->fd;
	return 0;
}

static int make_heap(struct xbuf *b, const char *heap)
{
	b->fd = heap_alloc(heap, BUF_BYTES);
	if (b->fd < 0)
		return mfail(b, -b->fd, heap);
	b->sync_fd = b->fd;
	return 0;
}

static int make_heap_system(struct xbuf *b)
{
	return make_heap(b, "system");
}

static int make_heap_cma(struct xbuf *b)
{
	return cma_heap[0] ? make_heap(b, cma_heap) : mfail(b, ENOENT, "CMA heap");
}

static int vgem_buffer(struct xbuf *b, int *card, uint32_t *handle)
{
	uint64_t size;
	int ret;

	*card = open_vgem();
	if (*card < 0)
		return mfail(b, -*card, "vgem card");
	ret = vgem_create_dumb(*card, BUF_PAGES, handle, &size);
	if (ret)
		return mfail(b, -ret, "vgem CREATE_DUMB");
	return size < BUF_BYTES ? mfail(b, ENOSPC, "vgem dumb buffer size") : 0;
}

static int make_vgem_card(struct xbuf *b)
{
	struct drm_mode_map_dumb map = { 0 };
	int ret = vgem_buffer(b, &b->fd, &map.handle);

	if (ret)
		return ret;
	if (drmIoctl(b->fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return mfail(b, errno, "vgem MAP_DUMB");
	b->off = map.offset;
	return 0;
}

static int make_vgem_prime(struct xbuf *b)
{
	uint32_t handle;
	int card, ret = vgem_buffer(b, &card, &handle);

	if (ret)
		return ret;
	if (drmPrimeHandleToFD(card, handle, DRM_CLOEXEC | DRM_RDWR, &b->fd) ||
	    drmPrimeHandleToFD(card, handle, DRM_CLOEXEC, &b->ro_fd))
		return mfail(b, errno, "vgem PRIME export");
	b->sync_fd = b->fd;
	return 0;
}

/* An MMAP buffer of BUF_PAGES pages (CREATE_BUFS) of vivid @inst. */
static int vivid_buffer(struct xbuf *b, int inst, int *vid, struct v4l2_buffer *buf)
{
	struct v4l2_create_buffers cb = {
		.count = 1, .memory = V4L2_MEMORY_MMAP,
		.format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
	};

	*vid = open_vivid(inst);
	if (*vid < 0)
		return mfail(b, -*vid, "open vivid");
	if (vid_set_format(*vid, cb.format.type) || ioctl(*vid, VIDIOC_G_FMT, &cb.format))
		return mfail(b, errno, "vivid format");
	cb.format.fmt.pix.sizeimage = BUF_BYTES;
	if (ioctl(*vid, VIDIOC_CREATE_BUFS, &cb))
		return mfail(b, errno, "vivid CREATE_BUFS");
	*buf = (struct v4l2_buffer){ .type = cb.format.type, .memory = V4L2_MEMORY_MMAP };
	if (ioctl(*vid, VIDIOC_QUERYBUF, buf))
		return mfail(b, errno, "vivid QUERYBUF");
	return buf->length < BUF_BYTES ? mfail(b, ENOSPC, "vivid buffer length") : 0;
}

/*
 * Through the video node. No read-only fd: vb2_mmap() wants VM_SHARED,
 * which a read-only file cannot give.
 */
static int make_vivid_node(struct xbuf *b, int inst)
{
	struct v4l2_buffer buf;
	int ret = vivid_buffer(b, inst, &b->fd, &buf);

	b->off = buf.m.offset;
	return ret;
}

/* Through VIDIOC_EXPBUF: a read-write and a read-only dma-buf. */
static int make_vivid_expbuf(struct xbuf *b, int inst)
{
	struct v4l2_exportbuffer rw = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .flags = O_RDWR | O_CLOEXEC };
	struct v4l2_exportbuffer ro = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .flags = O_RDONLY | O_CLOEXEC };
	struct v4l2_buffer buf;
	int vid, ret = vivid_buffer(b, inst, &vid, &buf);

	if (ret)
		return ret;
	if (ioctl(vid, VIDIOC_EXPBUF, &rw) || ioctl(vid, VIDIOC_EXPBUF, &ro))
		return mfail(b, errno, "VIDIOC_EXPBUF");
	close(vid);	/* the dma-bufs keep the buffer */
	b->fd = b->sync_fd = rw.fd;
	b->ro_fd = ro.fd;
	return 0;
}

static int make_vivid_vmalloc(struct xbuf *b)
{
	return make_vivid_node(b, vivid_source[0]);
}

static int make_vivid_vmalloc_exp(struct xbuf *b)
{
	return make_vivid_expbuf(b, vivid_source[0]);
}

static int make_vivid_contig(struct xbuf *b)
{
	return make_vivid_node(b, vivid_source[1]);
}

static int make_vivid_contig_exp(struct xbuf *b)
{
	return make_vivid_expbuf(b, vivid_source[1]);
}

static int make_ivshmem(struct xbuf *b)
{
	struct ivshmem_iopfn_export rw = { .flags = O_RDWR | O_CLOEXEC };
	struct ivshmem_iopfn_export ro = { .flags = O_RDONLY | O_CLOEXEC };
	int dev = open("/dev/ivshmem0", O_RDWR | O_CLOEXEC);

	if (dev < 0 || ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, &rw) ||
	    ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, &ro))
		return mfail(b, errno, "ivshmem-iopfn export");
	close(dev);
	b->fd = b->sync_fd = rw.fd;
	b->ro_fd = ro.fd;
	return 0;
}

static const struct xkind xkinds[] = {
	{ "memfd", "memfd (ordinary memory: pinned)", make_memfd,
	  T_PAGES | T_FD_OFFSET | T_GROWS | T_PRIVATE },
	{ "udmabuf", "udmabuf of a sealed memfd", make_udmabuf,
	  T_DMABUF | T_PAGES | T_FD_OFFSET | T_GROWS | T_MAYBE_CMA },
	{ "heap-system", "system dma-heap", make_heap_system, T_DMABUF | T_FD_OFFSET },
	{ "heap-cma", "CMA dma-heap", make_heap_cma,
	  T_DMABUF | T_PAGES | T_CONTIG | T_FD_OFFSET | T_GROWS | T_CMA },
	{ "vgem-card", "vgem dumb buffer through the card", make_vgem_card, T_DMABUF },
	{ "vgem-prime", "vgem dumb buffer through its PRIME fd", make_vgem_prime,
	  T_DMABUF | T_FD_OFFSET },
	{ "vivid-vmalloc", "vivid vb2-vmalloc MMAP buffer through the node", make_vivid_vmalloc,
	  T_DMABUF | T_PAGES },
	{ "vivid-vmalloc-exp", "vivid vb2-vmalloc buffer through VIDIOC_EXPBUF",
	  make_vivid_vmalloc_exp, T_DMABUF | T_PAGES | T_FD_OFFSET | T_PRIVATE },
	{ "vivid-contig", "vivid vb2-dma-contig MMAP buffer through the node", make_vivid_contig,
	  T_DMABUF | T_CONTIG },
	{ "vivid-contig-exp", "vivid vb2-dma-contig buffer through VIDIOC_EXPBUF",
	  make_vivid_contig_exp, T_DMABUF | T_CONTIG | T_FD_OFFSET | T_PRIVATE },
	{ "ivshmem", "ivshmem-iopfn dma-buf (PCI BAR)", make_ivshmem,
	  T_DMABUF | T_CONTIG | T_FD_OFFSET | T_ZCBUF_ONLY },
};
#define NXKINDS (sizeof(xkinds) / sizeof(xkinds[0]))

/* ---- shapes of the queued mapping ----------------------------------------- */

enum shape {
	S_WHOLE, S_AT_OFFSET, S_MUNMAP_HEAD, S_MPROTECT_HEAD, S_MREMAP_TAIL, S_MREMAP_GROW,
	S_MREMAP_SHRINK, S_PRIVATE, S_RO_SHARED, NSHAPES
};
static const char *const shape_names[NSHAPES] = {
	"whole", "at-offset", "munmap-head", "mprotect-head", "mremap-tail", "mremap-grow",
	"mremap-shrink", "private", "ro-shared",
};
/* The page of the buffer the queued range starts at. */
static const unsigned int shape_page[NSHAPES] = {
	[S_AT_OFFSET] = 1, [S_MUNMAP_HEAD] = 1, [S_MPROTECT_HEAD] = 1, [S_MREMAP_TAIL] = 2,
	[S_MREMAP_GROW] = 3,
};

/* Whether a frame from the shape's page fits in the buffer and the mapping. */
static bool range_in_buffer(enum shape s)
{
	return s != S_MREMAP_GROW && s != S_MREMAP_SHRINK;
}

/*
 * Map @b in @s; the queued range starts at *uptr. 0, or -errno of the call
 * that refused the mapping (expected where the kind forbids the shape).
 */
static int make_shape(const struct xbuf *b, enum shape s, unsigned long *uptr,
		      const char **call)
{
	int fd = b->ro_fd >= 0 ? b->ro_fd : b->fd;
	off_t ro_off = b->ro_fd >= 0 ? b->ro_off : b->off;
	uint8_t *p, *q, *dst;

	*call = "mmap";
	switch (s) {
	case S_AT_OFFSET:
		p = mmap(NULL, BUF_BYTES - PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd,
			 b->off + PAGE);
		break;
	case S_PRIVATE:
		p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, ro_off);
		break;
	case S_RO_SHARED:
		p = mmap(NULL, BUF_BYTES, PROT_READ, MAP_SHARED, fd, ro_off);
		break;
	default:
		p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, b->off);
		break;
	}
	if (p == MAP_FAILED)
		return -errno;
	*uptr = (unsigned long)p;
	switch (s) {
	case S_MUNMAP_HEAD:
		*call = "munmap";
		*uptr += PAGE;
		return munmap(p, PAGE) ? -errno : 0;
	case S_MPROTECT_HEAD:
		*call = "mprotect";
		*uptr += PAGE;
		return mprotect(p, PAGE, PROT_READ) ? -errno : 0;
	case S_MREMAP_TAIL:
		*call = "mremap";
		dst = mmap(NULL, BUF_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		q = dst == MAP_FAILED ? MAP_FAILED :
		    mremap(p + 2 * PAGE, BUF_BYTES - 2 * PAGE, BUF_BYTES - 2 * PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		*uptr = (unsigned long)q;
		return q == MAP_FAILED ? -errno : 0;
	case S_MREMAP_GROW:
		*call = "mremap";
		q = mremap(p, BUF_BYTES, BUF_BYTES + PAGE, MREMAP_MAYMOVE);
		*uptr = (unsigned long)q + 3 * PAGE;
		return q == MAP_FAILED ? -errno : 0;
	case S_MREMAP_SHRINK:
		*call = "mremap";
		return mremap(p, BUF_BYTES, FRAME_SIZE & ~(PAGE - 1), 0) == MAP_FAILED ? -errno : 0;
	default:
		return 0;
	}
}

/* ---- expectations ------------------------------------------------------- */

enum target { CAP_VMALLOC, CAP_CONTIG, OUT_VIM2M, NTARGETS };
static const char *const target_names[NTARGETS] = { "cap-vmalloc", "cap-contig", "out-vim2m" };

enum expect {
	E_OK,		/* the frame lands at (is read from) the range's page only */
	E_PRIVATE,	/* capture into the process's private copy; buffer untouched */
	E_EFAULT,	/* QBUF fails with EFAULT; buffer untouched */
	E_EITHER,	/* dma-contig, memory not contiguous: EFAULT, or E_OK by chance */
	E_OK_NOCMA,	/* E_OK, or (stock) ENOMEM/EFAULT when pages sit in CMA */
	E_OK_ENOMEM,	/* E_OK, or ENOMEM when pages sit in CMA (pinned by the
			 * series, which has no GUP-fast part to pin some) */
	E_EITHER_ENOMEM, /* E_EITHER, or ENOMEM (the same) */
	E_EFAULT_NOCMA,	/* EFAULT, or (pinned) ENOMEM when pages sit in CMA */
	E_NOMAP,	/* the kind does not allow the mapping: the shape is refused */
	E_HANG,		/* not run: 6.1's long-term pin of CMA pages never returns */
	E_NODRV,	/* not run: no such driver on this kernel */
	E_NOQUEUE,	/* not run: stock vivid offers no USERPTR on dma-contig */
};
static const char *const expect_names[] = {
	[E_OK] = "ok", [E_PRIVATE] = "ok, into the private copy", [E_EFAULT] = "EFAULT",
	[E_EITHER] = "EFAULT or ok", [E_OK_NOCMA] = "ok; CMA pages: ENOMEM or EFAULT",
	[E_OK_ENOMEM] = "ok; CMA pages: ENOMEM",
	[E_EITHER_ENOMEM] = "EFAULT or ok; CMA pages: ENOMEM",
	[E_EFAULT_NOCMA] = "EFAULT; CMA pages: ENOMEM",
	[E_NOMAP] = "mapping refused", [E_HANG] = "not run: would hang",
	[E_NODRV] = "not run: no driver", [E_NOQUEUE] = "not run: no USERPTR queue",
};

static enum kernel_variant variant;

/*
 * The rules the cells follow. Stock 6.1.192 pins with FOLL_WRITE |
 * FOLL_FORCE | FOLL_LONGTERM in both directions and cannot pin VM_PFNMAP.
 * zcbuf imports a dma-buf mapping through the dma-buf, only through a
 * shared mapping (capture: shared and writable; output: readable), at the
 * page its VMA maps; it pins ordinary memory with FOLL_WRITE for capture
 * only. userptr-off imports nothing: it pins every kind as zcbuf pins
 * ordinary memory, VM_PFNMAP fails as on stock, and pages a dma-buf holds
 * in CMA fail or hang as on stock. All refuse a range that leaves its
 * mapping or its buffer.
 */
static enum expect expect_of(enum kernel_variant k, const struct xkind *x, enum shape s,
			     enum target t)
{
	bool cap = t != OUT_VIM2M, contig_ok = !(t == CAP_CONTIG) || (x->traits & T_CONTIG);
	bool cma_fails = k != KV_PATCHED && (x->traits & T_MAYBE_CMA);

	if ((x->traits & T_ZCBUF_ONLY) && k == KV_STOCK)
		return E_NODRV;
	if ((s == S_PRIVATE && !(x->traits & T_PRIVATE)) ||
	    (s == S_MREMAP_GROW && !(x->traits & T_GROWS)))
		return E_NOMAP;
	if (t == CAP_CONTIG && k == KV_STOCK)
		return E_NOQUEUE;
	if ((x->traits & T_CMA) && k != KV_PATCHED)
		return E_HANG;
	if (s == S_MREMAP_GROW || s == S_MREMAP_SHRINK)
		return cma_fails ? E_EFAULT_NOCMA : E_EFAULT;
	if (k == KV_STOCK) {
		if (!(x->traits & T_PAGES) || s == S_RO_SHARED)
			return E_EFAULT;
		if (s == S_PRIVATE && cap)
			return E_PRIVATE;
		return cma_fails ? E_OK_NOCMA : E_OK;
	}
	if (k == KV_PATCHED && (x->traits & T_DMABUF)) {
		if (s == S_PRIVATE || (s == S_RO_SHARED && cap))
			return E_EFAULT;
		return contig_ok ? E_OK : E_EITHER;
	}
	/* Pinned with the series' GUP rules. */
	if (!(x->traits & T_PAGES) || (s == S_RO_SHARED && cap))
		return E_EFAULT;
	if (s == S_PRIVATE && cap)
		return t == CAP_CONTIG ? E_EITHER : E_PRIVATE;
	if (cma_fails)
		return contig_ok ? E_OK_ENOMEM : E_EITHER_ENOMEM;
	return contig_ok ? E_OK : E_EITHER;
}

static bool shape_applies(const struct xkind *x, enum shape s)
{
	return s != S_AT_OFFSET || (x->traits & T_FD_OFFSET);
}

/* ---- one case ----------------------------------------------------------- */

enum measured { M_OK, M_PRIVATE, M_ERRNO, M_NOMAP, M_BAD, M_SETUP };

struct result {
	enum measured kind;
	int err;
	char detail[200];
};

static uint8_t reference[2][FRAME_SIZE];	/* per capture target */
static uint8_t out_frame[FRAME_SIZE];		/* what vim2m is given */

static void say(struct result *r, enum measured kind, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void say(struct result *r, enum measured kind, int err, const char *fmt, ...)
{
	va_list ap;

	r->kind = kind;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static void view_sync(const struct xbuf *b, bool start, bool write)
{
	if (b->sync_fd >= 0)
		sync_fd(b->sync_fd, start, write);
}

/*
 * The buffer through the view holds @frame at @page (or nothing when
 * @frame is NULL) and the canary everywhere else. False with why in @r.
 */
static bool buffer_holds(const struct xbuf *b, const uint8_t *view, const uint8_t *frame,
			 unsigned int page, struct result *r)
{
	size_t at = page * PAGE, i;
	uint8_t *seen = malloc(BUF_BYTES);
	bool ok = true;

	view_sync(b, true, false);
	memcpy(seen, view, BUF_BYTES);
	view_sync(b, false, false);
	for (i = 0; i < BUF_BYTES && ok; i++) {
		bool in = frame && i >= at && i < at + FRAME_SIZE;
		uint8_t want = in ? frame[i - at] : canary(i);

		if (seen[i] == want)
			continue;
		/* Say where a misplaced frame went: its first byte's page. */
		snprintf(r->detail, sizeof(r->detail),
			 "buffer byte %zu (page %zu) is %#x, not the %s; expected the frame at page %u",
			 i, i / PAGE, seen[i], in ? "frame" : "canary", page);
		ok = false;
	}
	free(seen);
	return ok;
}

struct case_arg {
	const struct xkind *x;
	enum shape s;
	enum target t;
};

static int queue_setup(int vid, uint32_t type)
{
	int ret = vid_set_format(vid, type);

	return ret ? ret : vid_reqbufs(vid, type, V4L2_MEMORY_USERPTR, 1, NULL);
}

static void run_capture(const struct case_arg *a, const struct xbuf *b, const uint8_t *view,
			unsigned long uptr, struct result *r)
{
	const uint32_t type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	const uint8_t *ref = reference[a->t == CAP_CONTIG];
	int vid = open_vivid(vivid_target[a->t == CAP_CONTIG]), ret;

	if (vid < 0 || queue_setup(vid, type)) {
		say(r, M_SETUP, 0, "vivid USERPTR queue: %s", errname(errno));
		return;
	}
	ret = vid_qbuf(vid, type, V4L2_MEMORY_USERPTR, uptr, FRAME_SIZE);
	if (ret) {
		if (buffer_holds(b, view, NULL, 0, r))
			say(r, M_ERRNO, -ret, "QBUF %s", errname(-ret));
		else
			r->kind = M_BAD;
		close(vid);
		return;
	}
	ret = vid_stream(vid, type, true);
	if (!ret)
		ret = vid_dqbuf(vid, type, V4L2_MEMORY_USERPTR, 20000, NULL);
	vid_stream(vid, type, false);
	vid_reqbufs(vid, type, V4L2_MEMORY_USERPTR, 0, NULL);
	close(vid);
	if (ret != FRAME_SIZE) {
		say(r, M_BAD, 0, "QBUF ok, then streaming: %s", ret < 0 ? errname(-ret) : "short");
	} else if (a->s == S_PRIVATE) {
		/* The process's own copy has the frame; the buffer is untouched. */
		if (memcmp((void *)uptr, ref, FRAME_SIZE))
			say(r, M_BAD, 0, "the private mapping does not hold the frame");
		else if (buffer_holds(b, view, NULL, 0, r))
			say(r, M_PRIVATE, 0, "frame in the private copy only");
		else
			r->kind = M_BAD;
	} else if (buffer_holds(b, view, ref, shape_page[a->s], r)) {
		say(r, M_OK, 0, "frame at page %u", shape_page[a->s]);
	} else {
		r->kind = M_BAD;
	}
}

static void run_output(const struct case_arg *a, const struct xbuf *b, const uint8_t *view,
		       unsigned long uptr, struct result *r)
{
	const uint32_t out = V4L2_BUF_TYPE_VIDEO_OUTPUT, cap = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int vid = open_video("vim2m"), ret;
	uint8_t *p = MAP_FAILED;
	size_t plen = 0;

	ret = vid < 0 ? vid : vim2m_userptr_queues(vid, &p, &plen);
	if (ret) {
		say(r, M_SETUP, 0, "vim2m queues: %s", errname(-ret));
		return;
	}
	ret = vid_qbuf(vid, out, V4L2_MEMORY_USERPTR, uptr, FRAME_SIZE);
	if (ret) {
		say(r, M_ERRNO, -ret, "QBUF %s", errname(-ret));
	} else {
		ret = vid_stream(vid, out, true);
		if (!ret)
			ret = vid_stream(vid, cap, true);
		if (!ret)
			ret = vid_dqbuf(vid, cap, V4L2_MEMORY_MMAP, 20000, NULL);
		if (ret != FRAME_SIZE)
			say(r, M_BAD, 0, "QBUF ok, then streaming: %s",
			    ret < 0 ? errname(-ret) : "short");
		else if (memcmp(p, out_frame, FRAME_SIZE))
			say(r, M_BAD, 0, "vim2m did not read the frame at page %u",
			    shape_page[a->s]);
		else
			say(r, M_OK, 0, "read the frame at page %u", shape_page[a->s]);
	}
	vim2m_userptr_release(vid, p, plen);
	close(vid);
	/* The device only read: the buffer keeps what was written to it. */
	if (r->kind != M_BAD && r->kind != M_SETUP &&
	    !buffer_holds(b, view, range_in_buffer(a->s) ? out_frame : NULL,
			  shape_page[a->s], r))
		r->kind = M_BAD;
}

static void case_child(void *arg, void *out)
{
	const struct case_arg *a = arg;
	struct xbuf b = { .fd = -1, .ro_fd = -1, .sync_fd = -1 };
	struct result *r = out;
	unsigned long uptr = 0;
	const char *call;
	uint8_t *view;
	size_t i;
	int ret;

	if (a->x->make(&b)) {
		say(r, M_SETUP, 0, "%s", b.err);
		return;
	}
	view = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, b.off);
	if (view == MAP_FAILED) {
		say(r, M_SETUP, 0, "the view mapping: %s", errname(errno));
		return;
	}
	view_sync(&b, true, true);
	for (i = 0; i < BUF_BYTES; i++)
		view[i] = canary(i);
	/* What vim2m must read, where the range will start. */
	if (a->t == OUT_VIM2M && range_in_buffer(a->s))
		memcpy(view + shape_page[a->s] * PAGE, out_frame, FRAME_SIZE);
	view_sync(&b, false, true);
	ret = make_shape(&b, a->s, &uptr, &call);
	if (ret) {
		say(r, M_NOMAP, -ret, "%s: %s", call, errname(-ret));
		return;
	}
	/* The premise: the CPU sees at the address the page the case expects. */
	view_sync(&b, true, false);
	ret = memcmp((void *)uptr, view + shape_page[a->s] * PAGE, PAGE);
	view_sync(&b, false, false);
	if (ret) {
		say(r, M_BAD, 0, "the CPU does not see page %u of the buffer at the address",
		    shape_page[a->s]);
		return;
	}
	if (a->t == OUT_VIM2M)
		run_output(a, &b, view, uptr, r);
	else
		run_capture(a, &b, view, uptr, r);
}

static bool matches(enum expect x, const struct result *r)
{
	bool efault = r->kind == M_ERRNO && r->err == EFAULT;

	switch (x) {
	case E_OK:
		return r->kind == M_OK;
	case E_PRIVATE:
		return r->kind == M_PRIVATE;
	case E_EFAULT:
		return efault;
	case E_EITHER:
		return r->kind == M_OK || r->kind == M_PRIVATE || efault;
	case E_OK_NOCMA:
		return r->kind == M_OK || (r->kind == M_ERRNO && (r->err == ENOMEM || efault));
	case E_OK_ENOMEM:
	case E_EITHER_ENOMEM:
		return matches(x == E_OK_ENOMEM ? E_OK : E_EITHER, r) ||
		       (r->kind == M_ERRNO && r->err == ENOMEM);
	case E_EFAULT_NOCMA:
		return efault || (r->kind == M_ERRNO && r->err == ENOMEM);
	case E_NOMAP:
		return r->kind == M_NOMAP;
	default:
		return false;
	}
}

/* ---- the table ---------------------------------------------------------- */

static void list_table(void)
{
	unsigned int i, s, t;

	printf("%-18s %-14s %-12s %-28s %-28s %s\n", "kind", "shape", "target", "stock", "zcbuf",
	       "userptr-off");
	for (i = 0; i < NXKINDS; i++)
		for (s = 0; s < NSHAPES; s++)
			for (t = 0; t < NTARGETS && shape_applies(&xkinds[i], s); t++)
				printf("%-18s %-14s %-12s %-28s %-28s %s\n", xkinds[i].name,
				       shape_names[s], target_names[t],
				       expect_names[expect_of(KV_STOCK, &xkinds[i], s, t)],
				       expect_names[expect_of(KV_PATCHED, &xkinds[i], s, t)],
				       expect_names[expect_of(KV_USERPTR_OFF, &xkinds[i], s, t)]);
}

static const struct xkind *xkind_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < NXKINDS; i++)
		if (!strcmp(xkinds[i].name, name))
			return &xkinds[i];
	return NULL;
}

/*
 * What userptr-off must expect of a cell, said another way than
 * expect_of(): ordinary memory as zcbuf, the ivshmem BAR EFAULT (VM_PFNMAP;
 * its mapping refused where zcbuf's is), every other dma-buf
 * kind as stock, except where stock has no queue (cap-contig: left to
 * expect_of()), a read-only shared mapping on output (pinned without
 * FOLL_WRITE, it is read as ordinary memory is) and pages in CMA (pinned
 * without GUP-fast: ENOMEM, never a short pin). E_NODRV when the rule has
 * nothing to say.
 */
static enum expect userptr_off_rule(const struct xkind *x, enum shape s, enum target t)
{
	enum expect st = expect_of(KV_STOCK, x, s, t);

	if (!(x->traits & T_DMABUF))
		return expect_of(KV_PATCHED, x, s, t);
	if (x->traits & T_ZCBUF_ONLY)
		return expect_of(KV_PATCHED, x, s, t) == E_NOMAP ? E_NOMAP : E_EFAULT;
	if (st == E_NOQUEUE)
		return E_NODRV;
	if (s == S_RO_SHARED && t == OUT_VIM2M && (x->traits & T_PAGES) && st != E_HANG)
		return x->traits & T_MAYBE_CMA ? E_OK_ENOMEM : E_OK;
	return st == E_OK_NOCMA ? E_OK_ENOMEM : st;
}

/* The cells the rules must give, whatever else changes. */
static int self_test(void)
{
	const struct xkind *vm_exp = xkind_named("vivid-vmalloc-exp");
	const struct xkind *memfd = xkind_named("memfd"), *heap = xkind_named("heap-system");
	const struct xkind *cma = xkind_named("heap-cma"), *prime = xkind_named("vgem-prime");
	const struct xkind *udmabuf = xkind_named("udmabuf");
	unsigned int i, s, t, dmabuf_private_imports = 0, pinned_dmabuf_private = 0;
	unsigned int not_run = 0, breaks = 0;
	char first[200] = "";

	printf("TAP version 13\n");
	tap_result(vm_exp && memfd && heap && cma && prime && udmabuf,
		   "the kinds the checks name exist");
	if (!vm_exp || !memfd || !heap || !cma || !prime || !udmabuf)
		return tap_done();
	tap_result(expect_of(KV_PATCHED, vm_exp, S_PRIVATE, CAP_VMALLOC) == E_EFAULT &&
		   expect_of(KV_STOCK, vm_exp, S_PRIVATE, CAP_VMALLOC) == E_PRIVATE,
		   "a private mapping of a read-only EXPBUF dma-buf: EFAULT on zcbuf, the private copy on stock");
	tap_result(expect_of(KV_PATCHED, vm_exp, S_RO_SHARED, CAP_VMALLOC) == E_EFAULT &&
		   expect_of(KV_PATCHED, vm_exp, S_RO_SHARED, OUT_VIM2M) == E_OK,
		   "a read-only shared dma-buf mapping: never written, read by output");
	tap_result(expect_of(KV_PATCHED, heap, S_MUNMAP_HEAD, CAP_VMALLOC) == E_OK &&
		   expect_of(KV_STOCK, heap, S_MUNMAP_HEAD, CAP_VMALLOC) == E_EFAULT,
		   "a split heap mapping: imported at its page on zcbuf, EFAULT (VM_PFNMAP) on stock");
	tap_result(expect_of(KV_STOCK, cma, S_WHOLE, OUT_VIM2M) == E_HANG &&
		   expect_of(KV_PATCHED, cma, S_WHOLE, OUT_VIM2M) == E_OK,
		   "the CMA heap: not run on stock (hangs), ok on zcbuf");
	tap_result(expect_of(KV_PATCHED, memfd, S_PRIVATE, CAP_VMALLOC) == E_PRIVATE &&
		   expect_of(KV_PATCHED, memfd, S_RO_SHARED, OUT_VIM2M) == E_OK &&
		   expect_of(KV_STOCK, memfd, S_RO_SHARED, OUT_VIM2M) == E_EFAULT,
		   "ordinary memory keeps the upstream GUP rules on zcbuf");
	for (i = 0; i < NXKINDS; i++)
		for (t = 0; t < NTARGETS; t++) {
			enum expect e = expect_of(KV_PATCHED, &xkinds[i], S_PRIVATE, t);

			if (!(xkinds[i].traits & T_DMABUF))
				continue;
			dmabuf_private_imports += e == E_OK || e == E_EITHER;
			pinned_dmabuf_private += e == E_PRIVATE;
		}
	tap_result(!dmabuf_private_imports && !pinned_dmabuf_private,
		   "zcbuf neither imports nor pins a dma-buf through a private mapping");
	tap_result(expect_of(KV_PATCHED, prime, S_AT_OFFSET, OUT_VIM2M) == E_OK &&
		   !shape_applies(xkind_named("vgem-card"), S_AT_OFFSET),
		   "offsets into a PRIME fd are mapped; the card maps whole objects only");

	for (i = 0; i < NXKINDS; i++)
		for (s = 0; s < NSHAPES; s++)
			for (t = 0; t < NTARGETS && shape_applies(&xkinds[i], s); t++) {
				enum expect e = expect_of(KV_USERPTR_OFF, &xkinds[i], s, t);
				enum expect want = userptr_off_rule(&xkinds[i], s, t);

				not_run += e == E_NODRV || e == E_NOQUEUE;
				if (want == E_NODRV || e == want || breaks++)
					continue;
				snprintf(first, sizeof(first), "%s %s %s: %s, the rule says %s",
					 xkinds[i].name, shape_names[s], target_names[t],
					 expect_names[e], expect_names[want]);
			}
	tap_result(!not_run, "userptr-off has the driver and the dma-contig queue stock lacks: every cell but the CMA heap's runs (%u do not)",
		   not_run);
	tap_result(!breaks, "userptr-off: ordinary memory as zcbuf, dma-buf kinds as stock (pinned without GUP-fast; output reads a read-only mapping), ivshmem EFAULT (%u cells break it%s%s)",
		   breaks, breaks ? ", first " : "", first);
	tap_result(expect_of(KV_USERPTR_OFF, udmabuf, S_WHOLE, CAP_CONTIG) == E_EITHER_ENOMEM &&
		   expect_of(KV_USERPTR_OFF, heap, S_WHOLE, CAP_CONTIG) == E_EFAULT &&
		   expect_of(KV_USERPTR_OFF, cma, S_WHOLE, CAP_CONTIG) == E_HANG,
		   "userptr-off on dma-contig: udmabuf pinned (contiguous by chance), the heap VM_PFNMAP, CMA not run");
	return tap_done();
}

/* ---- what an import leaves of the exporter's state ----------------------- */

/*
 * A USERPTR import of a vgem buffer through the card must not decide what
 * the buffer's PRIME exports are: one asked for read-only after it must be
 * read-only (O_RDONLY, no shared writable mapping), as without the import.
 */
static void export_mode_child(void *arg, void *out)
{
	struct xbuf b = { .fd = -1, .ro_fd = -1, .sync_fd = -1 };
	struct drm_mode_map_dumb map = { 0 };
	struct result *r = out;
	int vid, fd, ret, mode;
	void *p, *w;

	(void)arg;
	if (vgem_buffer(&b, &b.fd, &map.handle) || drmIoctl(b.fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		say(r, M_SETUP, 0, "vgem buffer: %s", b.err[0] ? b.err : errname(errno));
		return;
	}
	p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, map.offset);
	vid = open_vivid(vivid_target[0]);
	if (p == MAP_FAILED || vid < 0 || queue_setup(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE)) {
		say(r, M_SETUP, 0, "mapping and queue: %s", errname(errno));
		return;
	}
	ret = vid_qbuf(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_USERPTR, (unsigned long)p,
		       FRAME_SIZE);
	if (drmPrimeHandleToFD(b.fd, map.handle, DRM_CLOEXEC, &fd)) {
		say(r, M_SETUP, 0, "PRIME export: %s", errname(errno));
		return;
	}
	mode = fcntl(fd, F_GETFL) & O_ACCMODE;
	w = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say(r, mode == O_RDONLY && w == MAP_FAILED && errno == EACCES ? M_OK : M_BAD, 0,
	    "QBUF of the card mapping %s; a read-only PRIME export after it: %s, shared writable mmap %s",
	    ret ? errname(-ret) : "ok", mode == O_RDONLY ? "O_RDONLY" : "O_RDWR",
	    w == MAP_FAILED ? errname(errno) : "made");
}

static void test_export_mode(void)
{
	struct result r = { 0 };
	char wchan[64] = "?";
	int ret, status;

	ret = run_in_child(export_mode_child, NULL, &r, sizeof(r), CASE_TIMEOUT_S, wchan,
			   sizeof(wchan), &status);
	if (ret)
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, r.detail, sizeof(r.detail));
	tap_result(!ret && r.kind == M_OK, "vgem export mode: %s", r.detail);
}

/* ---- main --------------------------------------------------------------- */

static bool prepare(bool *contig_userptr)
{
	uint32_t caps = 0;
	int a, i, inst[2], vid, ret;

	for (a = 0; a < 2; a++) {
		if (vivid_instances(a, inst, 2) < 2)
			return tap_result(false, "two vivid instances with allocator %d", a);
		vivid_target[a] = inst[0];
		vivid_source[a] = inst[1];
	}
	for (i = 0; i < 2; i++) {
		vid = open_vivid(vivid_target[i]);
		ret = vid < 0 ? vid : vivid_reference_frame(vid, reference[i]);
		if (!tap_result(!ret, "%s vivid-%03d: a static frame, the same twice (%s)",
				target_names[i], vivid_target[i], ret ? errname(-ret) : "ok"))
			return false;
		if (i == 1)
			*contig_userptr = !vid_reqbufs(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE,
						       V4L2_MEMORY_MMAP, 0, &caps) &&
					  (caps & V4L2_BUF_CAP_SUPPORTS_USERPTR);
		close(vid);
	}
	for (i = 0; i < FRAME_SIZE; i++)
		out_frame[i] = (uint8_t)(i * 11 + (i / FRAME_BPL) * 29 + 3);
	if (cma_heap_name(cma_heap, sizeof(cma_heap)))
		cma_heap[0] = '\0';
	tap_diag("vivid targets %03d (vmalloc) %03d (dma-contig), sources %03d %03d; CMA heap %s",
		 vivid_target[0], vivid_target[1], vivid_source[0], vivid_source[1],
		 cma_heap[0] ? cma_heap : "none");
	return true;
}

static void describe(const struct result *r, char *buf, size_t len)
{
	static const char *const names[] = {
		[M_OK] = "ok", [M_PRIVATE] = "ok (private copy)", [M_NOMAP] = "mapping refused",
		[M_BAD] = "wrong", [M_SETUP] = "setup failed",
	};

	if (r->kind == M_ERRNO)
		snprintf(buf, len, "%s", errname(r->err));
	else
		snprintf(buf, len, "%s: %s", names[r->kind], r->detail);
}

static void run_cell(const struct xkind *x, enum shape s, enum target t)
{
	struct case_arg a = { x, s, t };
	enum expect e = expect_of(variant, x, s, t);
	struct leak_mark mark;
	char wchan[64] = "?", text[256], left[200];
	struct result r = { 0 };
	int ret, status;

	if (e == E_HANG || e == E_NODRV || e == E_NOQUEUE) {
		tap_result(true, "%s %s %s: # SKIP %s", x->name, shape_names[s], target_names[t],
			   expect_names[e]);
		return;
	}
	leak_mark_begin(&mark);
	ret = run_in_child(case_child, &a, &r, sizeof(r), CASE_TIMEOUT_S, wchan, sizeof(wchan),
			   &status);
	if (ret) {
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, r.detail, sizeof(r.detail));
		r.kind = M_BAD;
	}
	describe(&r, text, sizeof(text));
	tap_result(matches(e, &r), "%s %s %s: %s (expected %s on %s)", x->name, shape_names[s],
		   target_names[t], text, expect_names[e], kernel_variant_names[variant]);
	if (!leak_mark_end(&mark, left, sizeof(left)))
		tap_result(false, "%s %s %s: something was left: %s", x->name, shape_names[s],
			   target_names[t], left);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *karg = NULL;
	bool contig_userptr = false;
	unsigned int i, s, t;
	int n;

	for (n = 1; n < argc; n++) {
		if (!strcmp(argv[n], "--list")) {
			list_table();
			return 0;
		} else if (!strcmp(argv[n], "--self-test")) {
			return self_test();
		} else if (!strcmp(argv[n], "--kernel") && n + 1 < argc) {
			karg = argv[++n];
		} else if (!strcmp(argv[n], "--only") && n + 1 < argc) {
			only = argv[++n];
		} else {
			fprintf(stderr, "usage: %s [--kernel stock|patched|userptr-off] [--only KIND|SHAPE] | --list | --self-test\n",
				argv[0]);
			return 2;
		}
	}
	variant = kernel_variant(karg);
	printf("TAP version 13\n");
	if (!prepare(&contig_userptr))
		return tap_done();
	/* The series' vivid offers it on request (contig_userptr), with the option or without. */
	tap_result(contig_userptr == (variant != KV_STOCK),
		   "cap-contig %s USERPTR, as the %s kernel should",
		   contig_userptr ? "offers" : "does not offer", kernel_variant_names[variant]);
	for (i = 0; i < NXKINDS; i++)
		for (s = 0; s < NSHAPES; s++) {
			if (!shape_applies(&xkinds[i], s) ||
			    (only && strcmp(only, xkinds[i].name) && strcmp(only, shape_names[s])))
				continue;
			for (t = 0; t < NTARGETS; t++)
				run_cell(&xkinds[i], s, t);
		}
	if (!only || !strcmp(only, "export-mode"))
		test_export_mode();
	return tap_done();
}
