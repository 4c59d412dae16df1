// SPDX-License-Identifier: MIT
/*
 * In-guest matrix of V4L2 USERPTR imports: for each kind of memory (a row)
 * and each queue (a target), allocate the memory, queue it as
 * V4L2_MEMORY_USERPTR, stream one frame and check both the QBUF errno and
 * the data seen through the memory's own path (the file, the memfd, the
 * dma-buf mapping with DMA_BUF_IOCTL_SYNC).
 *
 * Targets:
 *   cap-vmalloc  capture on a vivid instance with vb2-vmalloc (allocators=0)
 *   cap-contig   capture on a vivid instance with vb2-dma-contig
 *                (allocators=1); stock vivid offers USERPTR only with
 *                vmalloc, so this target runs only where the queue
 *                advertises V4L2_BUF_CAP_SUPPORTS_USERPTR
 *   out-vim2m    vim2m's OUTPUT queue (vb2-vmalloc); the frame must come
 *                out of its capture queue (MMAP) unchanged
 *
 * The expected outcome of every row and target is written below for each
 * kernel variant: stock 6.1.192 (measured), the zcbuf kernel ("patched",
 * "-zcbuf") and the series without CONFIG_VIDEOBUF2_USERPTR_DMABUF
 * ("userptr-off", "-zcbuf-userptr-off"). Each
 * case runs in a child process with a timeout, so a kernel that never
 * returns from QBUF (6.1's FOLL_LONGTERM retry loop on CMA pages) costs a
 * timeout, not the suite; such rows are skipped unless --probe-hangs.
 * After each row, /proc/vmstat's FOLL_PIN counters must balance. Before
 * QBUF, each case counts the pages of the range that sit in the CMA area
 * (/proc/self/pagemap against the kernel log's "cma: Reserved"): a long-term
 * pin must migrate those, which explains doubled pin counts and decides the
 * stock outcome of udmabuf.
 *
 * Usage: userptr-matrix [--kernel stock|patched|userptr-off] [--matrix FILE]
 *          [--ext4-dir DIR] [--tmpfs-dir DIR] [--only ROW] [--probe-hangs]
 *          [--timeout SECONDS_PER_CASE] [--repeat N]
 *        userptr-matrix --self-test     the table and its rules, no devices
 *        userptr-matrix --list          the table of expectations
 * Prints TAP. The kernel variant comes from --kernel, else ZC_KERNEL_VARIANT,
 * else uname -r (guest-util.h's kernel_variant()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "tap.h"

/* The frame format is guest-util.h's. Half a frame: the dma-buf of the
 * mixed-range rows. */
#define HALF_PAGES (FRAME_PAGES / 2)

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/* ---- expectations ------------------------------------------------------- */

enum target { CAP_VMALLOC, CAP_CONTIG, OUT_VIM2M, NTARGETS };
static const char *const target_names[NTARGETS] = {
	"cap-vmalloc", "cap-contig", "out-vim2m",
};

enum expect {
	E_UNSET,	/* a hole in the table: the self-test catches it */
	E_OK,		/* QBUF succeeds and the frame is right */
	E_EFAULT,	/* QBUF fails with EFAULT, memory untouched */
	E_EITHER,	/* vb2-dma-contig without IOMMU: EFAULT, or ok with
			 * the right frame when the pages happen to be
			 * physically contiguous */
	E_OK_NOCMA,	/* ok unless pages of the range sit in CMA pageblocks:
			 * a long-term pin must migrate them, and pages
			 * someone else holds do not migrate. GUP-fast pins
			 * the leading pages outside CMA, the slow path fails
			 * with ENOMEM on the rest: ENOMEM when the first
			 * page is in CMA, else a short pin, which vb2 turns
			 * into EFAULT */
	E_OK_ENOMEM,	/* the same pinned by the series, which has no
			 * GUP-fast part (pin_user_pages() under mmap_lock):
			 * ok without CMA pages, else ENOMEM wherever they sit */
	E_EITHER_ENOMEM, /* E_EITHER without CMA pages, else ENOMEM (the pin
			  * fails before dma-contig looks at contiguity) */
	E_HANG,		/* not run: QBUF would never return */
	E_NODRV,	/* not run: no such exporter on this kernel */
};

static const char *const expect_names[] = {
	[E_UNSET] = "(unset)",
	[E_OK] = "ok",
	[E_EFAULT] = "EFAULT",
	[E_EITHER] = "EFAULT or ok (contiguous by chance)",
	[E_OK_NOCMA] = "ok; CMA pages: ENOMEM (1st) or EFAULT",
	[E_OK_ENOMEM] = "ok; CMA pages: ENOMEM",
	[E_EITHER_ENOMEM] = "EFAULT or ok; CMA pages: ENOMEM",
	[E_HANG] = "not run: would hang (6.1 GUP retry loop)",
	[E_NODRV] = "not run: no driver",
};

struct mem;
struct row {
	const char *name;
	const char *what;
	/* Allocate the memory; 0, or -errno with m->err saying why. */
	int (*setup)(struct mem *m, enum target t);
	/*
	 * Ordinary memory or a dma-buf mapping: on userptr-off the first
	 * expects what zcbuf does, the second what stock does (the rule the
	 * self-test checks the userptr-off column against).
	 */
	enum { ORDINARY, DMABUF } memory;
	enum expect expect[NKV][NTARGETS];
};

/* What one case measured. */
enum measured {
	M_NONE,		/* not run */
	M_OK,		/* QBUF ok, frame right, canaries intact */
	M_ERRNO,	/* QBUF failed with errno, memory untouched */
	M_BAD,		/* anything else wrong: see detail */
	M_HANG,		/* killed after the timeout, still in the kernel */
	M_SETUP,	/* the memory could not be set up: see detail */
};

struct result {
	enum measured kind;
	int err;
	/* Before QBUF: mapped pages of the range, how many in CMA, the index
	 * of the first of those (-1: none); after QBUF: how many in CMA. */
	int pages, cma_pages, first_cma, cma_after;
	char detail[200];
};

/* ---- small helpers ------------------------------------------------------ */

/* The output frame's bytes (the canary is guest-util.h's). */
static inline uint8_t out_pixel(size_t i)
{
	return (uint8_t)(i * 7 + (i / FRAME_BPL) * 31 + 1);
}

/* ---- devices ------------------------------------------------------------ */

/* Which vivid instance plays which part, from vivid's allocators parameter. */
static int vivid_target[2] = { -1, -1 };	/* vmalloc, dma-contig */
static int vivid_source[2] = { -1, -1 };	/* vmalloc, dma-contig */

static int find_vivid_instances(void)
{
	int a, inst[2];

	for (a = 0; a < 2; a++) {
		if (vivid_instances(a, inst, 2) < 2)
			return -ENODEV;
		vivid_target[a] = inst[0];
		vivid_source[a] = inst[1];
	}
	return 0;
}

/* ---- memory kinds (rows) ------------------------------------------------ */

/*
 * The memory of one case. [view, view + view_len) is what the CPU can see
 * around the USERPTR range [uptr, uptr + len): it is filled with the canary
 * first, and every byte of it outside the range must keep it. The
 * exporter's own path is io_fd (pread/pwrite at io_off + offset into view)
 * when there is one, else the mapping itself, with DMA_BUF_IOCTL_SYNC on
 * sync_fd around CPU access when the memory is a dma-buf.
 */
struct mem {
	unsigned long uptr;
	size_t len;
	uint8_t *view;
	size_t view_len;
	int io_fd;
	off_t io_off;
	bool read_via_view;	/* a private mapping: the file must not change */
	int sync_fd;
	char err[160];
};

static const char *tmpfs_dir = "/tmp";
static const char *ext4_dir;
static char cma_heap[NAME_MAX + 1];

static int fail(struct mem *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct mem *m, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(m->err))
		snprintf(m->err + n, sizeof(m->err) - n, ": %s", errname(err));
	return -(err ? err : EINVAL);
}

static void mem_init(struct mem *m, void *p, size_t len)
{
	m->uptr = (unsigned long)p;
	m->len = FRAME_SIZE;
	m->view = p;
	m->view_len = len;
}

static int map_fd(struct mem *m, int fd, int prot, int flags, size_t len)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		return fail(m, errno, "mmap");
	mem_init(m, p, len);
	return 0;
}

static int setup_malloc(struct mem *m, enum target t)
{
	void *p = malloc(FRAME_SIZE);

	(void)t;
	if (!p)
		return fail(m, ENOMEM, "malloc");
	mem_init(m, p, FRAME_SIZE);
	return 0;
}

static int setup_anon_shared(struct mem *m, enum target t)
{
	(void)t;
	return map_fd(m, -1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      FRAME_PAGES * PAGE);
}

static int new_memfd(struct mem *m, const char *name, unsigned int flags)
{
	int fd = memfd_create(name, MFD_CLOEXEC | flags);

	if (fd < 0)
		return fail(m, errno, "memfd_create");
	if (ftruncate(fd, FRAME_PAGES * PAGE))
		return fail(m, errno, "ftruncate");
	return fd;
}

/* A file mapping whose exporter path is the file itself. */
static int map_file(struct mem *m, int fd, int prot, int flags)
{
	int ret = map_fd(m, fd, prot, flags, FRAME_PAGES * PAGE);

	m->io_fd = fd;
	return ret;
}

static int setup_memfd(struct mem *m, enum target t)
{
	int fd = new_memfd(m, "userptr", 0);

	(void)t;
	return fd < 0 ? fd : map_file(m, fd, PROT_READ | PROT_WRITE, MAP_SHARED);
}

static int open_file_in(struct mem *m, const char *dir, long magic)
{
	char path[PATH_MAX];
	struct statfs st;
	int fd;

	if (!dir)
		return fail(m, 0, "no directory given for this file system");
	if (statfs(dir, &st))
		return fail(m, errno, "statfs %s", dir);
	if ((long)st.f_type != magic)
		return fail(m, 0, "%s is not the expected file system (magic %#lx)",
			    dir, (long)st.f_type);
	snprintf(path, sizeof(path), "%s/userptr-%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(m, errno, "open %s", path);
	unlink(path);
	if (ftruncate(fd, FRAME_PAGES * PAGE))
		return fail(m, errno, "ftruncate");
	return fd;
}

static int setup_tmpfs(struct mem *m, enum target t)
{
	int fd = open_file_in(m, tmpfs_dir, TMPFS_MAGIC);

	(void)t;
	return fd < 0 ? fd : map_file(m, fd, PROT_READ | PROT_WRITE, MAP_SHARED);
}

static int setup_ext4(struct mem *m, enum target t)
{
	int fd = open_file_in(m, ext4_dir, EXT4_SUPER_MAGIC);

	(void)t;
	return fd < 0 ? fd : map_file(m, fd, PROT_READ | PROT_WRITE, MAP_SHARED);
}

/*
 * PROT_READ MAP_PRIVATE of a memfd: written through the file before the
 * device sees it, read back through the mapping (a capture that succeeds
 * lands in a private copy), and the file itself must keep its canary.
 */
static int setup_ro_private(struct mem *m, enum target t)
{
	int fd = new_memfd(m, "userptr-ro-private", 0), ret;

	(void)t;
	if (fd < 0)
		return fd;
	ret = map_file(m, fd, PROT_READ, MAP_PRIVATE);
	m->read_via_view = true;
	return ret;
}

static int setup_ro_shared(struct mem *m, enum target t)
{
	int fd = new_memfd(m, "userptr-ro-shared", 0);

	(void)t;
	return fd < 0 ? fd : map_file(m, fd, PROT_READ, MAP_SHARED);
}

static int setup_secret(struct mem *m, enum target t)
{
	int fd = syscall(SYS_memfd_secret, O_CLOEXEC);

	(void)t;
	if (fd < 0)
		return fail(m, errno, "memfd_secret (secretmem.enable=1?)");
	if (ftruncate(fd, FRAME_PAGES * PAGE))
		return fail(m, errno, "ftruncate");
	return map_fd(m, fd, PROT_READ | PROT_WRITE, MAP_SHARED, FRAME_PAGES * PAGE);
}

/* udmabuf of a sealed memfd; the memfd is the exporter's own path. */
static int setup_udmabuf(struct mem *m, enum target t)
{
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC, .size = FRAME_PAGES * PAGE,
	};
	int memfd = new_memfd(m, "udmabuf", MFD_ALLOW_SEALING), dev, buf;

	(void)t;
	if (memfd < 0)
		return memfd;
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return fail(m, errno, "F_SEAL_SHRINK");
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return fail(m, errno, "open /dev/udmabuf");
	create.memfd = memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	if (buf < 0)
		return fail(m, errno, "UDMABUF_CREATE");
	close(dev);
	if (map_fd(m, buf, PROT_READ | PROT_WRITE, MAP_SHARED, FRAME_PAGES * PAGE))
		return -EINVAL;
	m->io_fd = memfd;
	return 0;
}

static int setup_heap(struct mem *m, const char *heap, size_t pages)
{
	int fd = heap_alloc(heap, pages * PAGE);

	if (fd < 0)
		return fail(m, -fd, "allocate from dma-heap %s", heap);
	m->sync_fd = fd;
	return map_fd(m, fd, PROT_READ | PROT_WRITE, MAP_SHARED, pages * PAGE);
}

static int setup_heap_system(struct mem *m, enum target t)
{
	(void)t;
	return setup_heap(m, "system", FRAME_PAGES);
}

static int setup_heap_cma(struct mem *m, enum target t)
{
	(void)t;
	if (!cma_heap[0])
		return fail(m, ENOENT, "no CMA heap in /dev/dma_heap");
	return setup_heap(m, cma_heap, FRAME_PAGES);
}

static int vgem_dumb(struct mem *m, int card, uint32_t *handle)
{
	uint64_t size;
	int ret = vgem_create_dumb(card, FRAME_PAGES, handle, &size);

	if (ret)
		return fail(m, -ret, "vgem CREATE_DUMB");
	if (size < FRAME_PAGES * PAGE)
		return fail(m, 0, "vgem dumb buffer of %llu bytes is too small",
			    (unsigned long long)size);
	return 0;
}

static int setup_vgem_dumb(struct mem *m, enum target t)
{
	struct drm_mode_map_dumb map = { 0 };
	int card = open_vgem(), ret;
	void *p;

	(void)t;
	if (card < 0)
		return fail(m, -card, "no vgem card in /dev/dri");
	ret = vgem_dumb(m, card, &map.handle);
	if (ret)
		return ret;
	if (drmIoctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return fail(m, errno, "vgem MAP_DUMB");
	p = mmap(NULL, FRAME_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 card, map.offset);
	if (p == MAP_FAILED)
		return fail(m, errno, "mmap of the vgem card");
	mem_init(m, p, FRAME_PAGES * PAGE);
	return 0;
}

static int setup_vgem_prime(struct mem *m, enum target t)
{
	int card = open_vgem(), fd, ret;
	uint32_t handle;

	(void)t;
	if (card < 0)
		return fail(m, -card, "no vgem card in /dev/dri");
	ret = vgem_dumb(m, card, &handle);
	if (ret)
		return ret;
	if (drmPrimeHandleToFD(card, handle, DRM_CLOEXEC | DRM_RDWR, &fd))
		return fail(m, errno, "vgem PRIME handle to fd");
	m->sync_fd = fd;
	return map_fd(m, fd, PROT_READ | PROT_WRITE, MAP_SHARED, FRAME_PAGES * PAGE);
}

/* An MMAP capture buffer of another vivid instance, mapped. */
static int setup_vivid_mmap(struct mem *m, int inst)
{
	const uint32_t type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer buf = { .type = type, .memory = V4L2_MEMORY_MMAP };
	int vid = open_vivid(inst), ret;
	void *p;

	if (vid < 0)
		return fail(m, -vid, "open vivid-%03d", inst);
	ret = vid_set_format(vid, type);
	if (!ret)
		ret = vid_reqbufs(vid, type, V4L2_MEMORY_MMAP, 1, NULL);
	if (ret)
		return fail(m, -ret, "vivid-%03d MMAP buffer", inst);
	if (ioctl(vid, VIDIOC_QUERYBUF, &buf))
		return fail(m, errno, "vivid-%03d QUERYBUF", inst);
	p = mmap(NULL, FRAME_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 vid, buf.m.offset);
	if (p == MAP_FAILED)
		return fail(m, errno, "mmap of vivid-%03d's buffer", inst);
	mem_init(m, p, FRAME_PAGES * PAGE);
	return 0;
}

static int setup_vivid_vmalloc(struct mem *m, enum target t)
{
	(void)t;
	return setup_vivid_mmap(m, vivid_source[0]);
}

static int setup_vivid_contig(struct mem *m, enum target t)
{
	(void)t;
	return setup_vivid_mmap(m, vivid_source[1]);
}

static int setup_ivshmem(struct mem *m, enum target t)
{
	struct ivshmem_iopfn_export exp = { .flags = O_RDWR | O_CLOEXEC };
	int dev = open("/dev/ivshmem0", O_RDWR | O_CLOEXEC);

	(void)t;
	if (dev < 0)
		return fail(m, errno, "open /dev/ivshmem0");
	if (ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, &exp))
		return fail(m, errno, "IVSHMEM_IOPFN_IOC_EXPORT");
	close(dev);
	m->sync_fd = exp.fd;
	return map_fd(m, exp.fd, PROT_READ | PROT_WRITE, MAP_SHARED, FRAME_PAGES * PAGE);
}

static int setup_null(struct mem *m, enum target t)
{
	(void)t;
	m->uptr = 0;
	m->len = FRAME_SIZE;
	return 0;
}

/* malloc'ed memory, the range starting at page offset 0xff8. */
static int setup_unaligned(struct mem *m, enum target t)
{
	size_t len = (FRAME_PAGES + 2) * PAGE;
	uint8_t *p = malloc(len);
	unsigned long start;

	(void)t;
	if (!p)
		return fail(m, ENOMEM, "malloc");
	start = (((unsigned long)p + PAGE - 1) & ~(PAGE - 1)) + 0xff8;
	mem_init(m, p, len);
	m->uptr = start;
	return 0;
}

/* How many VMAs of /proc/self/maps [start, end) touches. */
static int count_vmas(unsigned long start, unsigned long end)
{
	unsigned long lo, hi;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < end && hi > start)
			n++;
	fclose(f);
	return n;
}

/* Private anonymous memory, its second half replaced by shared anonymous. */
static int setup_two_vmas(struct mem *m, enum target t)
{
	size_t len = FRAME_PAGES * PAGE;
	uint8_t *p;
	int n;

	(void)t;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail(m, errno, "mmap");
	if (mmap(p + HALF_PAGES * PAGE, len - HALF_PAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return fail(m, errno, "mmap MAP_FIXED");
	mem_init(m, p, len);
	n = count_vmas(m->uptr, m->uptr + m->len);
	if (n != 2)
		return fail(m, 0, "the range covers %d VMAs, not 2", n);
	return 0;
}

/*
 * Half a frame of system-heap dma-buf, then (heap_then_anon) anonymous
 * memory right after it, or (past_end) nothing: an unmapped guard page.
 */
static int setup_heap_mixed(struct mem *m, bool anon_after)
{
	size_t len = (FRAME_PAGES + 1) * PAGE, heap_len = HALF_PAGES * PAGE;
	uint8_t *p;
	int fd, n;

	p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail(m, errno, "reserve address space");
	fd = heap_alloc("system", heap_len);
	if (fd < 0)
		return fail(m, -fd, "allocate from dma-heap system");
	if (mmap(p, heap_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
	    MAP_FAILED)
		return fail(m, errno, "mmap the dma-buf MAP_FIXED");
	m->sync_fd = fd;
	if (anon_after) {
		if (mmap(p + heap_len, len - heap_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return fail(m, errno, "mmap anonymous MAP_FIXED");
		mem_init(m, p, len);
	} else {
		munmap(p + heap_len, len - heap_len);
		mem_init(m, p, heap_len);
	}
	n = count_vmas(m->uptr, m->uptr + m->len);
	if (n != (anon_after ? 2 : 1))
		return fail(m, 0, "the range covers %d VMAs", n);
	return 0;
}

static int setup_heap_then_anon(struct mem *m, enum target t)
{
	(void)t;
	return setup_heap_mixed(m, true);
}

static int setup_heap_past_end(struct mem *m, enum target t)
{
	(void)t;
	return setup_heap_mixed(m, false);
}

/*
 * The matrix. Per row: { cap-vmalloc, cap-contig, out-vim2m } on stock
 * 6.1.192, on the zcbuf kernel and on userptr-off, in that order.
 *
 * Stock: vb2 pins with pin_user_pages_fast(FOLL_WRITE | FOLL_FORCE |
 * FOLL_LONGTERM) in both directions; VM_IO/VM_PFNMAP mappings fail. The
 * cap-contig column is what vb2-dma-contig would do without an IOMMU (one
 * physically contiguous range or EFAULT); stock vivid does not offer
 * USERPTR on dma-contig, so it only runs where the queue advertises it.
 *
 * zcbuf: a range inside one mapping with a dma-buf behind it is imported
 * through the dma-buf (dma-contig needs it DMA-contiguous); ordinary memory
 * follows upstream 6.5: FOLL_WRITE only for capture, never FOLL_FORCE, no
 * writable long-term pins of file mappings that need dirty tracking.
 *
 * userptr-off: nothing is imported through a dma-buf, so a dma-buf row
 * expects what stock does (its pages pinned, VM_PFNMAP refused), and the
 * ivshmem BAR, whose driver is there now, is VM_PFNMAP: EFAULT. Every pin
 * follows the series' GUP rules, so an ordinary row expects what zcbuf
 * does. Its vivid offers USERPTR on dma-contig (contig_userptr), so the
 * cap-contig column runs. Comments name the cells that differ from the
 * variant the row otherwise follows.
 */
#define T(vm, contig, out) { vm, contig, out }
static const struct row rows[] = {
	{ "malloc", "malloc(3) memory", setup_malloc, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "anon-shared", "MAP_SHARED | MAP_ANONYMOUS", setup_anon_shared, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "memfd", "memfd MAP_SHARED", setup_memfd, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "tmpfs-file", "tmpfs file MAP_SHARED", setup_tmpfs, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "ext4-file", "ext4 file MAP_SHARED (virtio disk)", setup_ext4, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_EFAULT, E_EFAULT, E_OK),
	    /* not stock's: no writable long-term pin of a dirty-tracked file */
	    T(E_EFAULT, E_EFAULT, E_OK) } },
	{ "ro-private", "PROT_READ MAP_PRIVATE of a memfd", setup_ro_private, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_EFAULT, E_EFAULT, E_OK),
	    /* not stock's: capture pins FOLL_WRITE without FOLL_FORCE */
	    T(E_EFAULT, E_EFAULT, E_OK) } },
	{ "ro-shared", "PROT_READ MAP_SHARED of a memfd", setup_ro_shared, ORDINARY,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_EFAULT, E_EFAULT, E_OK),
	    /* not stock's: output pins without FOLL_WRITE */
	    T(E_EFAULT, E_EFAULT, E_OK) } },
	{ "memfd-secret", "memfd_secret(2) MAP_SHARED", setup_secret, ORDINARY,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_EFAULT, E_EFAULT, E_EFAULT),
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "udmabuf", "mmap of a udmabuf (sealed memfd)", setup_udmabuf, DMABUF,
	  { T(E_OK_NOCMA, E_EITHER, E_OK_NOCMA), T(E_OK, E_EITHER, E_OK),
	    /*
	     * not zcbuf's: pinned, so pages udmabuf holds in CMA fail; not
	     * quite stock's: without GUP-fast, always with ENOMEM
	     */
	    T(E_OK_ENOMEM, E_EITHER_ENOMEM, E_OK_ENOMEM) } },
	{ "heap-system", "mmap of a dma-heap system buffer", setup_heap_system, DMABUF,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_OK, E_EITHER, E_OK),
	    /* not zcbuf's: VM_PFNMAP, not imported */
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "heap-cma", "mmap of a dma-heap CMA buffer", setup_heap_cma, DMABUF,
	  { T(E_HANG, E_HANG, E_HANG), T(E_OK, E_OK, E_OK),
	    /* not zcbuf's: pinned, and 6.1's long-term pin retries forever */
	    T(E_HANG, E_HANG, E_HANG) } },
	{ "vgem-dumb", "mmap of a vgem dumb buffer through the card", setup_vgem_dumb, DMABUF,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_OK, E_EITHER, E_OK),
	    /* not zcbuf's: VM_PFNMAP, not imported */
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "vgem-prime", "mmap of a vgem buffer's PRIME fd", setup_vgem_prime, DMABUF,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_OK, E_EITHER, E_OK),
	    /* not zcbuf's: VM_PFNMAP, not imported */
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "vivid-vmalloc", "mmap of another vivid's vmalloc MMAP buffer", setup_vivid_vmalloc,
	  DMABUF,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "vivid-contig", "mmap of another vivid's dma-contig MMAP buffer", setup_vivid_contig,
	  DMABUF,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_OK, E_OK, E_OK),
	    /* not zcbuf's: VM_PFNMAP, not imported */
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "ivshmem", "mmap of an ivshmem-iopfn dma-buf (PCI BAR)", setup_ivshmem, DMABUF,
	  { T(E_NODRV, E_NODRV, E_NODRV), T(E_OK, E_OK, E_OK),
	    /* not stock's (no driver there) nor zcbuf's: VM_PFNMAP, not imported */
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "null", "NULL pointer", setup_null, ORDINARY,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_EFAULT, E_EFAULT, E_EFAULT),
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "unaligned", "malloc(3) memory from page offset 0xff8", setup_unaligned, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "two-vmas", "private then shared anonymous VMA", setup_two_vmas, ORDINARY,
	  { T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK), T(E_OK, E_EITHER, E_OK) } },
	{ "heap-then-anon", "dma-heap mapping, then an anonymous VMA", setup_heap_then_anon, DMABUF,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_EFAULT, E_EFAULT, E_EFAULT),
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
	{ "heap-past-end", "dma-heap mapping, then an unmapped page", setup_heap_past_end, DMABUF,
	  { T(E_EFAULT, E_EFAULT, E_EFAULT), T(E_EFAULT, E_EFAULT, E_EFAULT),
	    T(E_EFAULT, E_EFAULT, E_EFAULT) } },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static bool outcome_matches(enum expect x, const struct result *r)
{
	bool efault = r->kind == M_ERRNO && r->err == EFAULT;

	switch (x) {
	case E_OK:
		return r->kind == M_OK;
	case E_EFAULT:
		return efault;
	case E_EITHER:
		return r->kind == M_OK || efault;
	case E_OK_NOCMA:
		if (!r->cma_pages)
			return r->kind == M_OK;
		return r->kind == M_ERRNO && r->err == (r->first_cma == 0 ? ENOMEM : EFAULT);
	case E_OK_ENOMEM:
	case E_EITHER_ENOMEM:
		if (r->cma_pages)
			return r->kind == M_ERRNO && r->err == ENOMEM;
		return outcome_matches(x == E_OK_ENOMEM ? E_OK : E_EITHER, r);
	case E_HANG:
		return r->kind == M_HANG;
	default:
		return false;
	}
}

static void describe(const struct result *r, char *buf, size_t len)
{
	int n = 0;

	switch (r->kind) {
	case M_NONE: n = snprintf(buf, len, "not run: %s", r->detail); break;
	case M_OK: n = snprintf(buf, len, "ok"); break;
	case M_ERRNO: n = snprintf(buf, len, "%s", errname(r->err)); break;
	case M_HANG: n = snprintf(buf, len, "hang: %s", r->detail); break;
	case M_BAD: n = snprintf(buf, len, "wrong: %s", r->detail); break;
	case M_SETUP: n = snprintf(buf, len, "setup failed: %s", r->detail); break;
	}
	if (r->cma_pages && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " [%d/%d pages in CMA from #%d, %d after QBUF]",
			 r->cma_pages, r->pages, r->first_cma, r->cma_after);
}

/* ---- where the pages are ------------------------------------------------ */

/* The default CMA area, from the kernel log ("cma: Reserved N MiB at X"). */
static unsigned long long cma_first_pfn, cma_end_pfn;

static void find_cma_area(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	unsigned long long mib, base;
	char rec[1024], *msg;
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;	/* overwritten records */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (msg && sscanf(msg + 1, "cma: Reserved %llu MiB at %llx", &mib, &base) == 2) {
			cma_first_pfn = base / PAGE;
			cma_end_pfn = cma_first_pfn + mib * 256;
			break;
		}
	}
	close(fd);
}

/* MemFree and CmaFree: why user pages may land in CMA pageblocks. */
static const char *meminfo_line(void)
{
	static char out[128];
	long long memfree = -1, cmafree = -1, cmatotal = -1;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %lld", &memfree);
		sscanf(line, "CmaFree: %lld", &cmafree);
		sscanf(line, "CmaTotal: %lld", &cmatotal);
	}
	if (f)
		fclose(f);
	snprintf(out, sizeof(out), "MemFree %lld kB, CmaTotal %lld kB, CmaFree %lld kB",
		 memfree, cmatotal, cmafree);
	return out;
}

/*
 * Touch each mapped page of the range (a read) and count, from
 * /proc/self/pagemap, how many are present and how many are in CMA.
 */
static int count_cma_pages(const struct mem *m, int *pages, int *first_cma)
{
	int cma = 0, i = 0;

	unsigned long a, end = m->uptr + m->len;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e, pfn;

	if (fd < 0 || !m->view_len)
		goto out;
	*pages = 0;
	*first_cma = -1;
	for (a = m->uptr & ~(PAGE - 1); a < end; a += PAGE, i++) {
		unsigned long v = (unsigned long)m->view, touch = a < v ? v : a;

		if (a + PAGE <= v || a >= v + m->view_len)
			continue;
		(void)*(volatile uint8_t *)touch;
		if (pread(fd, &e, sizeof(e), a / PAGE * sizeof(e)) != sizeof(e) ||
		    !(e >> 63))
			continue;
		pfn = e & ((1ULL << 55) - 1);
		(*pages)++;
		if (pfn >= cma_first_pfn && pfn < cma_end_pfn) {
			if (!cma++)
				*first_cma = i;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return cma;
}

/* ---- one case, in a child ----------------------------------------------- */

static uint8_t reference[2][FRAME_SIZE];	/* per capture target */
static uint8_t *frame_buf;

static void sync_view(const struct mem *m, bool start, bool write)
{
	if (m->sync_fd >= 0)
		dmabuf_sync(m->sync_fd, (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
				       (write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ));
}

static size_t range_off(const struct mem *m)
{
	return m->uptr - (unsigned long)m->view;
}

/* The canary over the whole view, through the exporter's path. */
static int fill_canary(struct mem *m)
{
	uint8_t *buf;
	size_t i;
	int ret = 0;

	if (!m->view_len)
		return 0;
	buf = malloc(m->view_len);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < m->view_len; i++)
		buf[i] = canary(i);
	if (m->io_fd >= 0) {
		if (pwrite(m->io_fd, buf, m->view_len, m->io_off) != (ssize_t)m->view_len)
			ret = -EIO;
	} else {
		sync_view(m, true, true);
		memcpy(m->view, buf, m->view_len);
		sync_view(m, false, true);
	}
	free(buf);
	return ret;
}

/* The output frame into the range, through the exporter's path. */
static int write_frame(struct mem *m, const uint8_t *frame)
{
	size_t off = range_off(m), n;

	if (off >= m->view_len)
		return 0;
	/* Past its end, a range may run into memory that is not mapped. */
	n = m->view_len - off < m->len ? m->view_len - off : m->len;
	if (m->io_fd >= 0)
		return pwrite(m->io_fd, frame, n, m->io_off + off) == (ssize_t)n ? 0 : -EIO;
	sync_view(m, true, true);
	memcpy(m->view + off, frame, n);
	sync_view(m, false, true);
	return 0;
}

/*
 * Check the view: the range holds expect (or the canary when expect is
 * NULL), everything else the canary. The range is read through the
 * exporter's path. Returns true, or false with why in r->detail.
 */
static bool check_view(const struct mem *m, const uint8_t *expect, struct result *r)
{
	size_t off = range_off(m), i, in_view;
	uint8_t *seen, *range;
	bool ok = true;

	if (!m->view_len)
		return true;
	seen = malloc(m->view_len);
	range = malloc(m->len);
	sync_view(m, true, false);
	memcpy(seen, m->view, m->view_len);
	sync_view(m, false, false);
	in_view = off < m->view_len ? m->view_len - off : 0;
	if (in_view > m->len)
		in_view = m->len;
	if (m->io_fd >= 0 && !m->read_via_view) {
		if (pread(m->io_fd, range, in_view, m->io_off + off) != (ssize_t)in_view)
			memset(range, 0, in_view);
	} else {
		memcpy(range, seen + off, in_view);
	}
	for (i = 0; i < m->view_len && ok; i++) {
		if (i >= off && i < off + m->len)
			continue;
		if (seen[i] != canary(i)) {
			snprintf(r->detail, sizeof(r->detail),
				 "canary overwritten at range %+zd", (ssize_t)i - (ssize_t)off);
			ok = false;
		}
	}
	if (ok && expect && in_view < m->len) {
		snprintf(r->detail, sizeof(r->detail), "only %zu bytes of the range are mapped",
			 in_view);
		ok = false;
	}
	for (i = 0; i < in_view && ok; i++) {
		uint8_t want = expect ? expect[i] : canary(off + i);

		if (range[i] != want) {
			snprintf(r->detail, sizeof(r->detail),
				 "%s differs at byte %zu (%#x, expected %#x)",
				 expect ? "frame" : "untouched memory", i, range[i], want);
			ok = false;
		}
	}
	/* A private mapping: what the device wrote must not reach the file. */
	if (ok && m->read_via_view && m->io_fd >= 0) {
		if (pread(m->io_fd, range, m->len, m->io_off + off) != (ssize_t)m->len)
			memset(range, 0, m->len);
		for (i = 0; i < m->len && ok; i++)
			if (range[i] != canary(off + i)) {
				snprintf(r->detail, sizeof(r->detail),
					 "the file behind the private mapping changed at byte %zu", i);
				ok = false;
			}
	}
	free(seen);
	free(range);
	return ok;
}

static void set_result(struct result *r, enum measured kind, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_result(struct result *r, enum measured kind, int err, const char *fmt, ...)
{
	va_list ap;

	r->kind = kind;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static void case_capture(struct mem *m, enum target t, struct result *r)
{
	const uint32_t type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int vid = open_vivid(vivid_target[t == CAP_CONTIG]), ret, pages, first;

	if (vid < 0 || vid_set_format(vid, type) ||
	    vid_reqbufs(vid, type, V4L2_MEMORY_USERPTR, 1, NULL)) {
		set_result(r, M_BAD, 0, "vivid USERPTR queue setup: %s", errname(errno));
		return;
	}
	r->cma_pages = count_cma_pages(m, &r->pages, &r->first_cma);
	ret = vid_qbuf(vid, type, V4L2_MEMORY_USERPTR, m->uptr, m->len);
	r->cma_after = count_cma_pages(m, &pages, &first);
	if (ret) {
		if (check_view(m, NULL, r))
			set_result(r, M_ERRNO, -ret, "QBUF");
		else
			set_result(r, M_BAD, 0, "QBUF %s, but %s", errname(-ret), r->detail);
	} else {
		ret = vid_stream(vid, type, true);
		if (!ret)
			ret = vid_dqbuf(vid, type, V4L2_MEMORY_USERPTR, 20000, NULL);
		vid_stream(vid, type, false);
		if (ret != FRAME_SIZE)
			set_result(r, M_BAD, 0, "QBUF ok, then streaming: %s",
				   ret < 0 ? errname(-ret) : "short frame");
		else if (check_view(m, reference[t == CAP_CONTIG], r))
			set_result(r, M_OK, 0, "ok");
		else
			set_result(r, M_BAD, 0, "QBUF ok, but %s", r->detail);
	}
	if (vid_reqbufs(vid, type, V4L2_MEMORY_USERPTR, 0, NULL) && r->kind != M_BAD)
		set_result(r, M_BAD, 0, "REQBUFS 0 failed: %s", errname(errno));
	close(vid);
}

static void case_output(struct mem *m, struct result *r)
{
	const uint32_t out = V4L2_BUF_TYPE_VIDEO_OUTPUT, cap = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int vid = open_video("vim2m"), ret, pages, first;
	uint8_t *p = MAP_FAILED;
	size_t plen = 0;

	ret = vid < 0 ? vid : vim2m_userptr_queues(vid, &p, &plen);
	if (ret) {
		set_result(r, M_BAD, 0, "vim2m queue setup: %s", errname(-ret));
		return;
	}
	if (write_frame(m, frame_buf)) {
		set_result(r, M_BAD, 0, "writing the frame through the exporter failed");
		return;
	}
	r->cma_pages = count_cma_pages(m, &r->pages, &r->first_cma);
	ret = vid_qbuf(vid, out, V4L2_MEMORY_USERPTR, m->uptr, m->len);
	r->cma_after = count_cma_pages(m, &pages, &first);
	if (ret) {
		set_result(r, M_ERRNO, -ret, "QBUF");
	} else {
		ret = vid_stream(vid, out, true);
		if (!ret)
			ret = vid_stream(vid, cap, true);
		if (!ret)
			ret = vid_dqbuf(vid, cap, V4L2_MEMORY_MMAP, 20000, NULL);
		if (ret == FRAME_SIZE && vid_dqbuf(vid, out, V4L2_MEMORY_USERPTR, 20000, NULL) < 0)
			ret = -EIO;
		if (ret != FRAME_SIZE) {
			set_result(r, M_BAD, 0, "QBUF ok, then streaming: %s",
				   ret < 0 ? errname(-ret) : "short frame");
		} else {
			size_t i;

			for (i = 0; i < FRAME_SIZE && p[i] == frame_buf[i]; i++)
				;
			if (i == FRAME_SIZE)
				set_result(r, M_OK, 0, "ok");
			else
				set_result(r, M_BAD, 0, "vim2m's frame differs at byte %zu", i);
		}
	}
	ret = vim2m_userptr_release(vid, p, plen);
	if (ret && r->kind != M_BAD)
		set_result(r, M_BAD, 0, "REQBUFS 0 failed: %s", errname(-ret));
	close(vid);
}

static void run_case_child(const struct row *row, enum target t, struct result *r)
{
	struct mem m = { .io_fd = -1, .sync_fd = -1 };

	if (row->setup(&m, t)) {
		set_result(r, M_SETUP, 0, "%s", m.err);
		return;
	}
	if (fill_canary(&m)) {
		set_result(r, M_SETUP, 0, "filling the canary failed");
		return;
	}
	if (t == OUT_VIM2M)
		case_output(&m, r);
	else
		case_capture(&m, t, r);
}

static int case_timeout_s = 20;

struct case_arg {
	const struct row *row;
	enum target t;
};

static void case_child(void *arg, void *out)
{
	const struct case_arg *a = arg;

	run_case_child(a->row, a->t, out);
}

/* Run the case in a child, wait up to timeout_s; the child is killed after. */
static void run_case(const struct row *row, enum target t, int timeout_s,
		     struct result *r)
{
	struct case_arg a = { row, t };
	char wchan[64] = "?";
	double t0 = now_ms();
	int status, ret;

	memset(r, 0, sizeof(*r));
	ret = run_in_child(case_child, &a, r, sizeof(*r), timeout_s, wchan,
			   sizeof(wchan), &status);
	if (ret == -ETIMEDOUT)
		set_result(r, M_HANG, 0, "no answer after %d s (wchan %s), killed after %.1f s",
			   timeout_s, wchan, (now_ms() - t0) / 1e3);
	else if (ret == -ECHILD)
		set_result(r, M_BAD, 0, "the case died (%s %d)",
			   WIFSIGNALED(status) ? "signal" : "exit",
			   WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	else if (ret)
		set_result(r, M_SETUP, 0, "pipe or fork: %s", errname(-ret));
}

/* ---- the matrix --------------------------------------------------------- */

struct cell {
	struct result r;
	bool run, passed;
	long long pins_acquired, pins_released;
};

static struct cell cells[NROWS][NTARGETS];

static void write_matrix(const char *path, enum kernel_variant k)
{
	char measured[256];
	unsigned int i, t;
	FILE *f;

	f = fopen(path, "we");
	if (!f) {
		tap_result(false, "write the matrix to %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "# USERPTR import matrix measured on the %s kernel (tests/guest/userptr-matrix.c)\n",
		kernel_variant_names[k]);
	fprintf(f, "%-15s %-12s %-42s %-36s %-42s %s\n", "row", "target", "stock expectation",
		"patched expectation", "userptr-off expectation", "measured");
	for (i = 0; i < NROWS; i++)
		for (t = 0; t < NTARGETS; t++) {
			describe(&cells[i][t].r, measured, sizeof(measured));
			fprintf(f, "%-15s %-12s %-42s %-36s %-42s %s%s\n", rows[i].name,
				target_names[t], expect_names[rows[i].expect[KV_STOCK][t]],
				expect_names[rows[i].expect[KV_PATCHED][t]],
				expect_names[rows[i].expect[KV_USERPTR_OFF][t]], measured,
				cells[i][t].run && !cells[i][t].passed ? "  <-- FAIL" : "");
		}
	fclose(f);
}

/* The cells the series changes on the running kernel (on stock: on zcbuf). */
static void list_changed(enum kernel_variant k)
{
	enum kernel_variant c = k == KV_STOCK ? KV_PATCHED : k;
	unsigned int i, t;

	tap_diag("changed on %s (stock -> %s expectation):", kernel_variant_names[c],
		 kernel_variant_names[c]);
	for (i = 0; i < NROWS; i++)
		for (t = 0; t < NTARGETS; t++)
			if (rows[i].expect[KV_STOCK][t] != rows[i].expect[c][t])
				tap_diag("  %-14s %-11s %s -> %s", rows[i].name, target_names[t],
					 expect_names[rows[i].expect[KV_STOCK][t]],
					 expect_names[rows[i].expect[c][t]]);
}

/*
 * Stock's expectation of a dma-buf row, pinned by the series instead: the
 * same, but where pages in CMA make stock's pin fail (E_OK_NOCMA somewhere
 * in the row), without GUP-fast they always fail with ENOMEM.
 */
static enum expect pinned_by_series(const struct row *r, enum target t)
{
	bool cma = false;
	unsigned int i;

	for (i = 0; i < NTARGETS; i++)
		cma |= r->expect[KV_STOCK][i] == E_OK_NOCMA;
	if (cma && r->expect[KV_STOCK][t] == E_OK_NOCMA)
		return E_OK_ENOMEM;
	if (cma && r->expect[KV_STOCK][t] == E_EITHER)
		return E_EITHER_ENOMEM;
	return r->expect[KV_STOCK][t];
}

/*
 * The rule of the userptr-off column: an ordinary row expects what zcbuf
 * does (the series' GUP rules), a dma-buf row what stock does (nothing is
 * imported; pinned_by_series()), except the ivshmem BAR, which stock has no
 * driver for: EFAULT (VM_PFNMAP). How many cells break it; the first one
 * into @first.
 */
static unsigned int userptr_off_rule_breaks(char *first, size_t len)
{
	unsigned int i, t, n = 0;

	for (i = 0; i < NROWS; i++)
		for (t = 0; t < NTARGETS; t++) {
			const struct row *r = &rows[i];
			enum expect want = r->memory == ORDINARY ? r->expect[KV_PATCHED][t] :
					   !strcmp(r->name, "ivshmem") ? E_EFAULT :
					   pinned_by_series(r, t);

			if (r->expect[KV_USERPTR_OFF][t] == want)
				continue;
			if (!n++)
				snprintf(first, len, "%s %s: %s, the rule says %s", r->name,
					 target_names[t], expect_names[r->expect[KV_USERPTR_OFF][t]],
					 expect_names[want]);
		}
	return n;
}

static void variant_child(void *arg, void *out)
{
	*(enum kernel_variant *)out = kernel_variant(arg);
}

/* Host-side check of the table and of the matching rules. */
static int self_test(void)
{
	struct result ok = { .kind = M_OK }, efault = { .kind = M_ERRNO, .err = EFAULT };
	struct result einval = { .kind = M_ERRNO, .err = EINVAL }, bad = { .kind = M_BAD };
	struct result hang = { .kind = M_HANG };
	unsigned int i, j, t, k, holes = 0, dups = 0, changed = 0;

	printf("TAP version 13\n");
	for (i = 0; i < NROWS; i++) {
		for (k = 0; k < NKV; k++)
			for (t = 0; t < NTARGETS; t++)
				holes += rows[i].expect[k][t] == E_UNSET;
		for (j = i + 1; j < NROWS; j++)
			dups += !strcmp(rows[i].name, rows[j].name);
		for (t = 0; t < NTARGETS; t++)
			changed += rows[i].expect[KV_STOCK][t] != rows[i].expect[KV_PATCHED][t];
	}
	tap_result(!holes, "every row has an expectation per kernel and target (%u holes)", holes);
	tap_result(!dups, "row names are unique");
	tap_result(outcome_matches(E_OK, &ok) && !outcome_matches(E_OK, &efault) &&
		   !outcome_matches(E_OK, &bad),
		   "\"ok\" accepts only a right frame");
	tap_result(outcome_matches(E_EFAULT, &efault) && !outcome_matches(E_EFAULT, &einval) &&
		   !outcome_matches(E_EFAULT, &ok) && !outcome_matches(E_EFAULT, &hang),
		   "\"EFAULT\" accepts EFAULT only, not another errno");
	tap_result(outcome_matches(E_EITHER, &ok) && outcome_matches(E_EITHER, &efault) &&
		   !outcome_matches(E_EITHER, &bad) && !outcome_matches(E_EITHER, &einval),
		   "\"EFAULT or ok\" accepts both, never a wrong frame or another errno");
	tap_result(outcome_matches(E_HANG, &hang) && !outcome_matches(E_HANG, &ok),
		   "a probed hang matches only a hang");
	{
		struct result first_enomem = { .kind = M_ERRNO, .err = ENOMEM, .pages = 43,
					       .cma_pages = 2, .first_cma = 0 };
		struct result later_efault = { .kind = M_ERRNO, .err = EFAULT, .pages = 43,
					       .cma_pages = 2, .first_cma = 1 };
		struct result first_efault = first_enomem, later_enomem = later_efault;
		struct result cma_ok = { .kind = M_OK, .pages = 43, .cma_pages = 1 };
		struct result enomem = { .kind = M_ERRNO, .err = ENOMEM, .pages = 43, .first_cma = -1 };

		first_efault.err = EFAULT;
		later_enomem.err = ENOMEM;
		tap_result(outcome_matches(E_OK_NOCMA, &ok) && !outcome_matches(E_OK_NOCMA, &enomem) &&
			   !outcome_matches(E_OK_NOCMA, &cma_ok) &&
			   outcome_matches(E_OK_NOCMA, &first_enomem) &&
			   !outcome_matches(E_OK_NOCMA, &first_efault) &&
			   outcome_matches(E_OK_NOCMA, &later_efault) &&
			   !outcome_matches(E_OK_NOCMA, &later_enomem),
			   "\"ok unless in CMA\": ok without CMA pages, ENOMEM when the first page is in CMA, else EFAULT");
		tap_result(outcome_matches(E_OK_ENOMEM, &ok) &&
			   !outcome_matches(E_OK_ENOMEM, &enomem) &&
			   !outcome_matches(E_OK_ENOMEM, &cma_ok) &&
			   outcome_matches(E_OK_ENOMEM, &first_enomem) &&
			   outcome_matches(E_OK_ENOMEM, &later_enomem) &&
			   !outcome_matches(E_OK_ENOMEM, &later_efault) &&
			   outcome_matches(E_EITHER_ENOMEM, &efault) &&
			   outcome_matches(E_EITHER_ENOMEM, &later_enomem) &&
			   !outcome_matches(E_EITHER_ENOMEM, &later_efault) &&
			   !outcome_matches(E_EITHER_ENOMEM, &enomem),
			   "\"ok (or EFAULT or ok) unless in CMA\" without GUP-fast: ENOMEM wherever the CMA pages are, nothing else then");
	}
	tap_result(changed >= 10, "zcbuf changes %u cells of the matrix", changed);
	{
		char first[160] = "";
		unsigned int n = userptr_off_rule_breaks(first, sizeof(first));

		tap_result(!n, "userptr-off: ordinary rows as zcbuf, dma-buf rows as stock (pinned without GUP-fast), ivshmem EFAULT (%u cells break it%s%s)",
			   n, n ? ", first " : "", first);
	}
	for (i = 0; i < NROWS; i++) {
		if (!strcmp(rows[i].name, "heap-system"))
			tap_result(rows[i].expect[KV_STOCK][CAP_VMALLOC] == E_EFAULT &&
				   rows[i].expect[KV_PATCHED][CAP_VMALLOC] == E_OK,
				   "lookup: heap-system on cap-vmalloc is EFAULT on stock, ok on zcbuf");
		if (!strcmp(rows[i].name, "ro-shared"))
			tap_result(rows[i].expect[KV_STOCK][OUT_VIM2M] == E_EFAULT &&
				   rows[i].expect[KV_PATCHED][OUT_VIM2M] == E_OK &&
				   rows[i].expect[KV_PATCHED][CAP_VMALLOC] == E_EFAULT,
				   "lookup: ro-shared output is EFAULT on stock, ok on zcbuf; capture EFAULT");
	}
	setenv("ZC_KERNEL_VARIANT", "stock", 1);
	tap_result(kernel_variant(NULL) == KV_STOCK && kernel_variant("patched") == KV_PATCHED &&
		   kernel_variant("userptr-off") == KV_USERPTR_OFF,
		   "the kernel variant comes from --kernel or ZC_KERNEL_VARIANT");
	setenv("ZC_KERNEL_VARIANT", "userptr-off", 1);
	tap_result(kernel_variant(NULL) == KV_USERPTR_OFF && !kernel_is_zcbuf(NULL),
		   "ZC_KERNEL_VARIANT=userptr-off: userptr-off, which does not import dma-bufs");
	{
		const char *bad_names[] = { "zcbuf", "userptr_off" };
		enum kernel_variant v;
		char wchan[16];
		int b, ret, status, loud = 0;

		/* each exits in a child (its message on stderr is expected) */
		for (b = 0; b < 2; b++) {
			ret = run_in_child(variant_child, (void *)bad_names[b], &v, sizeof(v), 5,
					   wchan, sizeof(wchan), &status);
			loud += ret == -ECHILD && WIFEXITED(status) && WEXITSTATUS(status) == 2;
		}
		setenv("ZC_KERNEL_VARIANT", "stock-ish", 1);
		ret = run_in_child(variant_child, NULL, &v, sizeof(v), 5, wchan, sizeof(wchan),
				   &status);
		loud += ret == -ECHILD && WIFEXITED(status) && WEXITSTATUS(status) == 2;
		tap_result(loud == 3, "an unknown variant name, from --kernel or ZC_KERNEL_VARIANT, ends the program with status 2 (%d of 3)",
			   loud);
	}
	return tap_done();
}

static void list_table(void)
{
	unsigned int i, t;

	printf("%-15s %-12s %-42s %-42s %s\n", "row", "target", "stock", "patched",
	       "userptr-off");
	for (i = 0; i < NROWS; i++)
		for (t = 0; t < NTARGETS; t++)
			printf("%-15s %-12s %-42s %-42s %s\n", rows[i].name, target_names[t],
			       expect_names[rows[i].expect[KV_STOCK][t]],
			       expect_names[rows[i].expect[KV_PATCHED][t]],
			       expect_names[rows[i].expect[KV_USERPTR_OFF][t]]);
}

/* The setup every case relies on; false when nothing can run. */
static bool prepare(bool *contig_userptr, int *contig_err)
{
	long long a, rel;
	int i, vid, ret;
	uint32_t caps = 0;

	if (!tap_result(read_pins(&a, &rel), "/proc/vmstat has FOLL_PIN counters"))
		return false;
	ret = find_vivid_instances();
	if (!tap_result(!ret,
			"vivid instances: cap-vmalloc vivid-%03d, cap-contig vivid-%03d, sources vivid-%03d (vmalloc), vivid-%03d (dma-contig)",
			vivid_target[0], vivid_target[1], vivid_source[0], vivid_source[1]))
		return false;
	for (i = 0; i < 2; i++) {
		vid = open_vivid(vivid_target[i]);
		ret = vid < 0 ? vid : vivid_reference_frame(vid, reference[i]);
		if (!tap_result(!ret,
				"%s: static test pattern, no OSD; two MMAP frames are identical (the reference) (%s)",
				target_names[i], ret ? errname(-ret) : "ok"))
			return false;
		if (i == 1) {
			ret = vid_reqbufs(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_MMAP, 0, &caps);
			*contig_userptr = !ret && (caps & V4L2_BUF_CAP_SUPPORTS_USERPTR);
			*contig_err = -vid_reqbufs(vid, V4L2_BUF_TYPE_VIDEO_CAPTURE,
					       V4L2_MEMORY_USERPTR, 0, NULL);
		}
		close(vid);
	}
	frame_buf = malloc(FRAME_SIZE);
	for (i = 0; i < FRAME_SIZE; i++)
		frame_buf[i] = out_pixel(i);
	vid = open_video("vim2m");
	tap_result(vid >= 0, "vim2m is there");
	if (vid >= 0)
		close(vid);
	if (cma_heap_name(cma_heap, sizeof(cma_heap)))
		cma_heap[0] = '\0';
	find_cma_area();
	tap_diag("%s", meminfo_line());
	tap_diag("CMA heap: %s; CMA area: PFN %#llx-%#llx", cma_heap[0] ? cma_heap : "none",
		 cma_first_pfn, cma_end_pfn);
	return true;
}

int main(int argc, char **argv)
{
	const char *matrix = NULL, *only = NULL, *kernel_arg = NULL;
	bool probe_hangs = false, contig_userptr = false;
	int i, contig_err = 0, probe_timeout_s = 25, repeat = 1, n;
	unsigned int r, t;
	enum kernel_variant k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--self-test"))
			return self_test();
		if (!strcmp(argv[i], "--list")) {
			list_table();
			return 0;
		}
		if (!strcmp(argv[i], "--probe-hangs"))
			probe_hangs = true;
		else if (!strcmp(argv[i], "--kernel") && i + 1 < argc)
			kernel_arg = argv[++i];
		else if (!strcmp(argv[i], "--matrix") && i + 1 < argc)
			matrix = argv[++i];
		else if (!strcmp(argv[i], "--ext4-dir") && i + 1 < argc)
			ext4_dir = argv[++i];
		else if (!strcmp(argv[i], "--tmpfs-dir") && i + 1 < argc)
			tmpfs_dir = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			case_timeout_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--kernel stock|patched|userptr-off] [--matrix FILE] [--ext4-dir DIR] [--tmpfs-dir DIR] [--only ROW] [--probe-hangs] [--timeout S] [--repeat N] | --self-test | --list\n",
				argv[0]);
			return 2;
		}
	}
	k = kernel_variant(kernel_arg);
	printf("TAP version 13\n");
	tap_diag("expectations of the %s kernel", kernel_variant_names[k]);
	if (!prepare(&contig_userptr, &contig_err))
		return tap_done();
	/*
	 * Stock vivid offers USERPTR only with vmalloc; the series' vivid
	 * offers it on dma-contig on request (contig_userptr, with the option
	 * or without), and the cap-contig column of its kernels needs it.
	 */
	tap_result(contig_userptr == (k != KV_STOCK),
		   "cap-contig: vivid-%03d (vb2-dma-contig) %s USERPTR (REQBUFS: %s); %s",
		   vivid_target[1], contig_userptr ? "offers" : "does not offer",
		   contig_err ? errname(contig_err) : "ok",
		   k != KV_STOCK ? "the series' expectations need it" :
				   "stock vivid sets VB2_USERPTR for vmalloc only");

	/* --repeat: the whole selection again, for outcomes that vary */
	for (n = 0, r = 0; n < repeat; n++, r = 0)
	for (; r < NROWS; r++) {
		const struct row *row = &rows[r];
		char unbalanced[256] = "";
		long long acq = 0, rel = 0;

		if (only && strcmp(only, row->name))
			continue;
		for (t = 0; t < NTARGETS; t++) {
			enum expect x = row->expect[k][t];
			struct cell *c = &cells[r][t];
			long long a0, r0, a1, r1;
			char measured[256];

			if (t == CAP_CONTIG && !contig_userptr) {
				set_result(&c->r, M_NONE, 0, "queue has no USERPTR (REQBUFS %s)",
					   errname(contig_err));
				tap_result(true, "%s %s: # SKIP %s", target_names[t], row->name,
					   c->r.detail);
				continue;
			}
			if (x == E_HANG && !probe_hangs) {
				set_result(&c->r, M_NONE, 0, "would hang (6.1 GUP retry loop)");
				tap_result(true, "%s %s: # SKIP not run: would hang (6.1 GUP retry loop)",
					   target_names[t], row->name);
				continue;
			}
			if (x == E_NODRV && access("/dev/ivshmem0", F_OK)) {
				set_result(&c->r, M_NONE, 0, "no driver on %s", kernel_variant_names[k]);
				tap_result(true, "%s %s: # SKIP no ivshmem-iopfn driver on %s",
					   target_names[t], row->name, kernel_variant_names[k]);
				continue;
			}
			read_pins(&a0, &r0);
			run_case(row, t, x == E_HANG ? probe_timeout_s : case_timeout_s, &c->r);
			read_pins(&a1, &r1);
			c->run = true;
			c->pins_acquired = a1 - a0;
			c->pins_released = r1 - r0;
			acq += c->pins_acquired;
			rel += c->pins_released;
			if (c->pins_acquired != c->pins_released)
				snprintf(unbalanced + strlen(unbalanced),
					 sizeof(unbalanced) - strlen(unbalanced),
					 " %s: +%lld/-%lld;", target_names[t],
					 c->pins_acquired, c->pins_released);
			c->passed = outcome_matches(x, &c->r);
			describe(&c->r, measured, sizeof(measured));
			if (c->passed)
				tap_result(true, "%s %s: %s as expected on %s", target_names[t],
					   row->name, measured, kernel_variant_names[k]);
			else
				tap_result(false, "%s %s: %s, expected %s on %s", target_names[t],
					   row->name, measured, expect_names[x], kernel_variant_names[k]);
		}
		tap_result(!unbalanced[0], "%s: FOLL_PIN counters balance after the row (%lld acquired, %lld released)%s",
			   row->name, acq, rel, unbalanced);
	}
	list_changed(k);
	if (matrix)
		write_matrix(matrix, k);
	return tap_done();
}
