// SPDX-License-Identifier: MIT
/*
 * USERPTR buffers while the kernel's memory management moves, merges,
 * splits, reclaims and write-protects the memory behind them (suite
 * "mm-moves"), on the guest of tests/vm/run: two NUMA nodes, node 1 wholly
 * above 4 GiB, transparent huge pages, KSM, swap and memcg.
 *
 * Every buffer starts on node 1 (the process is bound there), so it sits
 * above 4 GiB. Per memory kind (anonymous, memfd, a tmpfs file, udmabuf,
 * system heap, vgem, another vivid's MMAP buffer, the ivshmem BAR), per
 * event, per state, on a vb2-vmalloc vivid capture queue, in a child
 * process of its own:
 *
 *   events  move_pages() of the frame's pages to node 0; migrate_pages()
 *           of the process to node 0; a NUMA-balancing scan (the buffer
 *           read from node 0's CPU with a fast scan period); MADV_HUGEPAGE
 *           + MADV_COLLAPSE; munmap of one page of the huge page around
 *           the frame, outside it (a PMD split); KSM merging the frame's
 *           pages with an identical twin; compact_memory; memcg reclaim
 *           (memory.reclaim, MADV_PAGEOUT) to swap; an mprotect round
 *           trip; fork; soft-dirty clearing (clear_refs 4)
 *   states  idle (the event, then QBUF and a frame), queued (QBUF, the
 *           event, STREAMON and a frame), streaming (twice: QBUF while
 *           streaming, the event while vivid fills it, DQBUF; the second
 *           QBUF comes after the first event)
 *
 * A case passes when every frame is seen whole through the process's own
 * mapping (so vivid wrote the memory the address maps now, not a page the
 * event replaced), KSM's twin still holds what it held (a merged page was
 * never written), the ioctls gave no unexpected errno, and afterwards
 * nothing is pinned and no dma-buf is left. For anonymous memory in the
 * idle state the event must have done its work (pages moved, merged,
 * collapsed, swapped out): otherwise the case tests nothing. What each
 * event did is on the case's line. The kernel log is the runner's oracle.
 *
 * Usage: mm-moves [--kernel VARIANT] [--thp always|madvise] [--events LIST]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/udmabuf.h>
#include <linux/videodev2.h>

#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define MPOL_BIND 2
#define MPOL_MF_MOVE (1 << 1)

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define UP V4L2_MEMORY_USERPTR
/* Page-backed kinds: two huge pages, the frame 3 pages into the first. */
#define BIG_LEN (2 * HPAGE)
#define FRAME_OFF (3 * PAGE)
#define CGROUP "/sys/fs/cgroup/mm-moves"
#define SCAN_DIR "/sys/kernel/debug/sched/numa_balancing"

enum mkind { M_ANON, M_MEMFD, M_TMPFS, M_UDMABUF, M_HEAP, M_VGEM, M_VIVID, M_IVSHMEM, NMKINDS };
static const char *const mkind_names[NMKINDS] = {
	"anon", "memfd", "tmpfs", "udmabuf", "heap-system", "vgem", "vivid-vmalloc", "ivshmem",
};
/* The mem-kind.h kind behind each dma-buf kind made there. */
static const enum kind from_mem_kind[NMKINDS] = {
	[M_HEAP] = K_HEAP, [M_VGEM] = K_VGEM, [M_VIVID] = K_VIVID, [M_IVSHMEM] = K_IVSHMEM,
};

enum event {
	E_MOVE_PAGES, E_MIGRATE_PAGES, E_NUMA_SCAN, E_THP_COLLAPSE, E_THP_SPLIT, E_KSM,
	E_COMPACT, E_RECLAIM, E_MPROTECT, E_FORK, E_SOFT_DIRTY, NEVENTS
};
static const char *const event_names[NEVENTS] = {
	"move-pages", "migrate-pages", "numa-scan", "thp-collapse", "thp-split", "ksm",
	"compact", "reclaim", "mprotect", "fork", "soft-dirty",
};

enum state { S_IDLE, S_QUEUED, S_STREAMING, NSTATES };
static const char *const state_names[NSTATES] = { "idle", "queued", "streaming" };

static enum kernel_variant variant;
static int vivid_target;
static bool events_on[NEVENTS];
static uint8_t reference[FRAME_SIZE];

/* One case's memory: the mapping, the frame's address in it, a KSM twin. */
struct buf {
	enum mkind kind;
	uint8_t *map;
	size_t len;
	uint8_t *frame;
	int fd;			/* memfd, tmpfs file or dma-buf; -1 */
	bool dmabuf;
	struct lmem lm;		/* the kinds mem-kind.c makes */
	uint8_t *twin;		/* KSM: identical private memory */
};

/* A case's outcome, filled in the child and copied to the parent. */
struct outcome {
	bool pass, not_applicable;
	char text[768];
};

__attribute__((format(printf, 2, 3)))
static void say(struct outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappendf(o->text, sizeof(o->text), fmt, ap);
	va_end(ap);
}

/* The same, and the case fails. */
__attribute__((format(printf, 2, 3)))
static void fail(struct outcome *o, const char *fmt, ...)
{
	va_list ap;

	o->pass = false;
	va_start(ap, fmt);
	vappendf(o->text, sizeof(o->text), fmt, ap);
	va_end(ap);
}

static long long vmstat(const char *name)
{
	char line[128];
	long long v = -1;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/vmstat", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			v = atoll(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

static int bind_to_node(int node)
{
	unsigned long mask = 1UL << node;

	return syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 8 * sizeof(mask)) ? -errno : 0;
}

/* ---- memory ----------------------------------------------------------- */

static int udmabuf_of(int memfd, size_t len)
{
	struct udmabuf_create create = { .memfd = memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
					 .size = len };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), fd;

	if (dev < 0)
		return -errno;
	fd = ioctl(dev, UDMABUF_CREATE, &create);
	fd = fd < 0 ? -errno : fd;
	close(dev);
	return fd;
}

static int shmem_fd(enum mkind kind, size_t len)
{
	char path[64];
	int fd;

	if (kind == M_TMPFS) {
		snprintf(path, sizeof(path), "/dev/shm/mm-moves.%d", getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			unlink(path);
	} else {
		fd = memfd_create("mm-moves", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	}
	if (fd < 0 || ftruncate(fd, len))
		return -errno;
	if (kind == M_UDMABUF && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))
		return -errno;
	return fd;
}

static int setup_buf(enum mkind kind, struct buf *b, struct outcome *o)
{
	char err[128] = "";
	int fd;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->fd = -1;
	switch (kind) {
	case M_ANON:
		b->map = map_hpage_aligned(BIG_LEN, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1);
		break;
	case M_MEMFD:
	case M_TMPFS:
	case M_UDMABUF:
		fd = shmem_fd(kind, BIG_LEN);
		if (fd < 0) {
			fail(o, "%s: %s", mkind_names[kind], errname(-fd));
			return -1;
		}
		if (kind == M_UDMABUF) {
			int dfd = udmabuf_of(fd, BIG_LEN);

			close(fd);
			if (dfd < 0) {
				fail(o, "UDMABUF_CREATE: %s", errname(-dfd));
				return -1;
			}
			fd = dfd;
			b->dmabuf = true;
		}
		b->fd = fd;
		b->map = map_hpage_aligned(BIG_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
		break;
	default:
		if (setup_kind(from_mem_kind[kind], &b->lm, err, sizeof(err))) {
			fail(o, "%s: %s", mkind_names[kind], err);
			return -1;
		}
		b->map = b->lm.map;
		b->len = b->lm.map_len;
		b->frame = (uint8_t *)b->lm.uptr;
		b->fd = b->lm.fd;
		b->dmabuf = b->lm.dmabuf;
		return 0;
	}
	if (!b->map) {
		fail(o, "mmap: %s", errname(errno));
		return -1;
	}
	b->len = BIG_LEN;
	b->frame = b->map + FRAME_OFF;
	return 0;
}

static void cpu_access(struct buf *b, bool start)
{
	if (b->dmabuf)
		sync_fd(b->fd, start, true);
}

static void fill_canary(struct buf *b)
{
	size_t i;

	cpu_access(b, true);
	for (i = 0; i < FRAME_SIZE; i++)
		b->frame[i] = canary(i);
	cpu_access(b, false);
}

/* The frame as the process sees it now. */
static bool frame_seen(struct buf *b, struct outcome *o, const char *when)
{
	size_t i, diff = FRAME_SIZE, canaries = 0;

	cpu_access(b, true);
	for (i = 0; i < FRAME_SIZE; i++) {
		if (b->frame[i] != reference[i] && diff == FRAME_SIZE)
			diff = i;
		canaries += b->frame[i] == canary(i);
	}
	cpu_access(b, false);
	if (diff == FRAME_SIZE)
		return true;
	fail(o, "; %s: the process sees %s from byte %zu (page %zu), not the frame", when,
	     canaries > FRAME_SIZE / 2 ? "its canary" : "other data", diff, diff / PAGE);
	return false;
}

/* The PFN behind @addr (0: none, or not root). */
static uint64_t pfn_of(int pagemap, const void *addr)
{
	uint64_t e = 0;

	if (pread(pagemap, &e, 8, ((unsigned long)addr / PAGE) * 8) != 8 || !(e >> 63))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* Pages of the frame on each node, and how many lie above 4 GiB. */
static void where(struct buf *b, int *node0, int *node1, int *high)
{
	void *pages[FRAME_PAGES];
	int status[FRAME_PAGES];
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t i;

	*node0 = *node1 = *high = 0;
	for (i = 0; i < FRAME_PAGES; i++)
		pages[i] = b->frame + i * PAGE;
	if (!syscall(SYS_move_pages, 0, FRAME_PAGES, pages, NULL, status, 0))
		for (i = 0; i < FRAME_PAGES; i++) {
			*node0 += status[i] == 0;
			*node1 += status[i] == 1;
		}
	for (i = 0; pm >= 0 && i < FRAME_PAGES; i++)
		*high += pfn_of(pm, pages[i]) >= (4ULL << 30) / PAGE;
	if (pm >= 0)
		close(pm);
}

/* ---- events --------------------------------------------------------------- */

/* What an event did, and whether it did its work (for the idle anon check). */
struct effect {
	bool worked;
	char what[160];
};

static void ev_move_pages(struct buf *b, struct effect *e)
{
	void *pages[FRAME_PAGES];
	int nodes[FRAME_PAGES], status[FRAME_PAGES], moved = 0, errs = 0, first = 0;
	size_t i;
	long ret;

	for (i = 0; i < FRAME_PAGES; i++) {
		pages[i] = b->frame + i * PAGE;
		nodes[i] = 0;
		status[i] = -ENOENT;	/* what a page move_pages() did not get to says */
	}
	ret = syscall(SYS_move_pages, 0, FRAME_PAGES, pages, nodes, status, MPOL_MF_MOVE);
	for (i = 0; ret >= 0 && i < FRAME_PAGES; i++) {
		moved += status[i] == 0;
		if (status[i] < 0 && !errs++)
			first = -status[i];
	}
	if (ret < 0)
		snprintf(e->what, sizeof(e->what), "move_pages: %s", errname(errno));
	else
		snprintf(e->what, sizeof(e->what), "move_pages: %d of %lu on node 0%s%s", moved,
			 FRAME_PAGES, errs ? ", first error " : "", errs ? errname(first) : "");
	/* A page still in a per-CPU LRU batch, say, is EBUSY: most must move. */
	e->worked = moved > (int)FRAME_PAGES / 2;
}

static void ev_migrate_pages(struct buf *b, struct effect *e)
{
	unsigned long from = 1UL << 1, to = 1UL << 0;
	int n0, n1, high;
	long ret = syscall(SYS_migrate_pages, 0, 8 * sizeof(from), &from, &to);

	where(b, &n0, &n1, &high);
	snprintf(e->what, sizeof(e->what), "migrate_pages: %s, %d of the frame's pages on node 0",
		 ret < 0 ? errname(errno) : "ok", n0);
	e->worked = ret >= 0 && n0 == (int)FRAME_PAGES;
}

static void ev_numa_scan(struct buf *b, struct effect *e)
{
	long long faults = vmstat("numa_hint_faults"), migrated = vmstat("numa_pages_migrated");
	volatile uint8_t sink = 0;
	double end = now_ms() + 1500;
	size_t i;

	/*
	 * Both CPUs sit in node 0: node 1's pages are misplaced for this task.
	 * NUMA balancing leaves tasks bound to a node alone: unbind first.
	 */
	syscall(SYS_set_mempolicy, 0, NULL, 0);
	cpu_access(b, true);
	while (now_ms() < end)
		for (i = 0; i < FRAME_SIZE; i += PAGE)
			sink += b->frame[i];
	cpu_access(b, false);
	faults = vmstat("numa_hint_faults") - faults;
	migrated = vmstat("numa_pages_migrated") - migrated;
	snprintf(e->what, sizeof(e->what), "NUMA balancing: %lld hint faults, %lld pages migrated",
		 faults, migrated);
	e->worked = faults > 0;
}

static void ev_thp_collapse(struct buf *b, struct effect *e)
{
	uint8_t *huge = (uint8_t *)((unsigned long)b->frame & ~(HPAGE - 1));
	int hp = madvise(huge, HPAGE, MADV_HUGEPAGE) ? errno : 0;
	int co = madvise(huge, HPAGE, MADV_COLLAPSE) ? errno : 0;

	snprintf(e->what, sizeof(e->what), "MADV_HUGEPAGE %s, MADV_COLLAPSE %s",
		 hp ? errname(hp) : "ok", co ? errname(co) : "ok");
	e->worked = !hp && !co;
}

static void ev_thp_split(struct buf *b, struct effect *e)
{
	uint8_t *last = (uint8_t *)((unsigned long)b->frame & ~(HPAGE - 1)) + HPAGE - PAGE;

	if (b->len < BIG_LEN) {
		snprintf(e->what, sizeof(e->what), "no huge page: a %zu KiB mapping", b->len >> 10);
		return;
	}
	snprintf(e->what, sizeof(e->what), "munmap of the huge page's last page: %s",
		 munmap(last, PAGE) ? errname(errno) : "ok");
	e->worked = true;
}

/* How many of the frame's pages KSM has merged with the twin's. */
static int merged_with_twin(struct buf *b)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), n = 0;
	size_t i;
	uint64_t pfn;

	for (i = 0; pm >= 0 && i < FRAME_PAGES; i++) {
		pfn = pfn_of(pm, b->frame + i * PAGE);
		n += pfn && pfn == pfn_of(pm, b->twin + FRAME_OFF + i * PAGE);
	}
	if (pm >= 0)
		close(pm);
	return n;
}

static void ev_ksm(struct buf *b, struct effect *e)
{
	double end = now_ms() + 10000;
	int ret, merged = 0;
	size_t i;

	/* The twin holds the canary the frame's memory was filled with. */
	if (!b->twin) {
		b->twin = map_hpage_aligned(BIG_LEN, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (!b->twin) {
			snprintf(e->what, sizeof(e->what), "twin: %s", errname(errno));
			return;
		}
		for (i = 0; i < FRAME_SIZE; i++)
			b->twin[FRAME_OFF + i] = canary(i);
		madvise(b->twin, BIG_LEN, MADV_MERGEABLE);
	}
	ret = madvise(b->map, b->len, MADV_MERGEABLE) ? errno : 0;
	/* Only anonymous private memory merges; give ksmd time for the rest. */
	while (!ret && b->kind == M_ANON && merged < (int)FRAME_PAGES && now_ms() < end) {
		usleep(50000);
		merged = merged_with_twin(b);
	}
	snprintf(e->what, sizeof(e->what), "MADV_MERGEABLE %s, %d of the frame's pages merged with the twin's",
		 ret ? errname(ret) : "ok", merged);
	e->worked = !ret && merged > (int)FRAME_PAGES / 2;
}

static void ev_compact(struct buf *b, struct effect *e)
{
	long long moved = vmstat("compact_migrate_scanned");
	int ret = write_file("/proc/sys/vm/compact_memory", "1");

	(void)b;
	snprintf(e->what, sizeof(e->what), "compact_memory: %s, %lld pages scanned to migrate",
		 ret ? errname(-ret) : "ok", vmstat("compact_migrate_scanned") - moved);
	e->worked = !ret;
}

static void ev_reclaim(struct buf *b, struct effect *e)
{
	long long out = vmstat("pswpout");
	int rec = write_file(CGROUP "/memory.reclaim", "64M");
	int po = madvise(b->frame, FRAME_SIZE, MADV_PAGEOUT) ? errno : 0;

	out = vmstat("pswpout") - out;
	/* memory.reclaim says EAGAIN when it found less than asked: still reclaim. */
	snprintf(e->what, sizeof(e->what), "memory.reclaim %s, MADV_PAGEOUT %s, %lld pages swapped out",
		 rec ? errname(-rec) : "ok", po ? errname(po) : "ok", out);
	e->worked = out > 0;
}

static void ev_mprotect(struct buf *b, struct effect *e)
{
	int r = mprotect(b->map, b->len, PROT_READ) ? errno : 0;
	int w = mprotect(b->map, b->len, PROT_READ | PROT_WRITE) ? errno : 0;

	snprintf(e->what, sizeof(e->what), "mprotect read-only %s, read-write %s",
		 r ? errname(r) : "ok", w ? errname(w) : "ok");
	e->worked = !r && !w;
}

static void ev_fork(struct buf *b, struct effect *e)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		volatile uint8_t sink = b->frame[0];

		(void)sink;
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	snprintf(e->what, sizeof(e->what), "fork: child %s", pid < 0 ? errname(errno) :
		 WIFEXITED(status) && !WEXITSTATUS(status) ? "exited" : "failed");
	e->worked = pid > 0;
}

static void ev_soft_dirty(struct buf *b, struct effect *e)
{
	int ret = write_file("/proc/self/clear_refs", "4");

	(void)b;
	snprintf(e->what, sizeof(e->what), "clear_refs 4 (soft-dirty): %s",
		 ret ? errname(-ret) : "ok");
	e->worked = !ret;
}

static void (*const event_fns[NEVENTS])(struct buf *, struct effect *) = {
	ev_move_pages, ev_migrate_pages, ev_numa_scan, ev_thp_collapse, ev_thp_split, ev_ksm,
	ev_compact, ev_reclaim, ev_mprotect, ev_fork, ev_soft_dirty,
};

/* ---- one case --------------------------------------------------------------- */

struct job {
	enum mkind kind;
	enum event event;
	enum state state;
};

static bool qbuf(int vid, struct buf *b, struct outcome *o)
{
	int ret = vid_qbuf(vid, CAP, UP, (unsigned long)b->frame, FRAME_SIZE);
	bool stock_efault = variant != KV_PATCHED && b->kind >= M_HEAP &&
			    b->kind != M_VIVID;

	if (!ret)
		return true;
	if (ret == -EFAULT && stock_efault) {
		say(o, "QBUF EFAULT: a VM_PFNMAP mapping, not applicable on %s",
		    kernel_variant_names[variant]);
		o->not_applicable = true;
		return false;
	}
	fail(o, "; QBUF %s", errname(-ret));
	return false;
}

static bool dequeue(int vid, struct outcome *o)
{
	int ret = vid_dqbuf(vid, CAP, UP, 5000, NULL);

	if (ret == FRAME_SIZE)
		return true;
	fail(o, "; DQBUF %s", ret < 0 ? errname(-ret) : "short");
	return false;
}

static void apply(const struct job *j, struct buf *b, struct outcome *o, bool check_work)
{
	struct effect e = { 0 };

	event_fns[j->event](b, &e);
	say(o, "; %s", e.what);
	if (check_work && !e.worked)
		fail(o, " (did nothing: the case tests nothing)");
}

static void run_case(void *arg, void *out)
{
	const struct job *j = arg;
	struct outcome *o = out;
	char pid[16];
	struct buf b;
	int vid, n0, n1, high, i, ret;
	bool work = j->kind == M_ANON && j->state == S_IDLE;

	o->pass = true;
	if (j->kind == M_IVSHMEM && access("/sys/bus/pci/drivers/ivshmem_iopfn", F_OK)) {
		say(o, "no ivshmem-iopfn driver on %s", kernel_variant_names[variant]);
		o->not_applicable = true;
		return;
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_file(CGROUP "/cgroup.procs", pid);
	if (bind_to_node(1) || setup_buf(j->kind, &b, o))
		return;
	fill_canary(&b);
	where(&b, &n0, &n1, &high);
	if (j->kind <= M_UDMABUF) {
		say(o, "pages on node 1: %d, above 4 GiB: %d of %lu", n1, high, FRAME_PAGES);
		if (high != (int)FRAME_PAGES)
			fail(o, " (a page-backed buffer bound to node 1 must lie above 4 GiB)");
	} else {
		/* move_pages() looks up each page with follow_page(): a PFN map has none */
		say(o, "allocated on node 1 (move_pages() finds %d of its pages, pagemap %d)",
		    n0 + n1, high);
		if (n0 + n1 && j->kind != M_VIVID)
			fail(o, " (a PFN mapping has no pages to report)");
	}

	vid = open_vivid(vivid_target);
	ret = vid < 0 ? vid : vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, UP, 1, NULL);
	if (ret) {
		fail(o, "; vivid-%03d USERPTR queue: %s", vivid_target, errname(-ret));
		return;
	}
	switch (j->state) {
	case S_IDLE:
		apply(j, &b, o, work);
		fill_canary(&b);
		if (qbuf(vid, &b, o) && !vid_stream(vid, CAP, true) && dequeue(vid, o))
			frame_seen(&b, o, "after the frame");
		break;
	case S_QUEUED:
		if (!qbuf(vid, &b, o))
			break;
		apply(j, &b, o, false);
		if (!vid_stream(vid, CAP, true) && dequeue(vid, o))
			frame_seen(&b, o, "after the frame");
		break;
	case S_STREAMING:
		if (vid_stream(vid, CAP, true)) {
			fail(o, "; STREAMON %s", errname(errno));
			break;
		}
		for (i = 0; i < 2 && o->pass; i++) {
			fill_canary(&b);
			if (!qbuf(vid, &b, o))
				break;
			apply(j, &b, o, false);
			if (dequeue(vid, o))
				frame_seen(&b, o, i ? "second frame" : "first frame");
		}
		break;
	case NSTATES:
		break;
	}
	if (b.twin) {
		for (i = 0; i < (int)FRAME_SIZE && b.twin[FRAME_OFF + i] == canary(i); i++)
			;
		if (i < (int)FRAME_SIZE)
			fail(o, "; KSM's twin changed at byte %d: the device wrote a merged page", i);
		else
			say(o, "; KSM's twin intact");
	}
	vid_stream(vid, CAP, false);
	ret = vid_reqbufs(vid, CAP, UP, 0, NULL);
	if (ret)
		fail(o, "; REQBUFS(0) %s", errname(-ret));
	close(vid);
}

static void one_case(const struct job *j)
{
	struct outcome o = { 0 };
	struct leak_mark mark;
	char wchan[64] = "", text[256];
	double start = now_ms();
	int status = 0, ret;

	leak_mark_begin(&mark);
	ret = run_in_child(run_case, (void *)j, &o, sizeof(o), 60, wchan, sizeof(wchan), &status);
	if (ret) {
		child_failure(ret, 60, wchan, status, text, sizeof(text));
		o.pass = false;
		say(&o, "; %s", text);
	}
	if (!leak_mark_end(&mark, text, sizeof(text))) {
		o.pass = false;
		say(&o, "; left behind: %s", text);
	}
	say(&o, " (%.0f ms)", now_ms() - start);
	if (o.not_applicable && o.pass)
		tap_result(true, "%s %s %s # SKIP %s", mkind_names[j->kind],
			   event_names[j->event], state_names[j->state], o.text);
	else
		tap_result(o.pass, "%s %s %s: %s", mkind_names[j->kind], event_names[j->event],
			   state_names[j->state], o.text);
}

/*
 * A buffer above 4 GiB queued on a device with a 32-bit DMA mask (vivid's
 * dma-contig instance): the DMA API would bounce it through swiotlb, which
 * is no zero-copy import and which vb2-dma-contig's kernel mapping of the
 * buffer does not survive (it would write past the first page): EFAULT.
 * A huge page makes the memory contiguous, so only the reach refuses it.
 */
static int dma32_target = -1;

static void run_dma32(void *arg, void *out)
{
	struct outcome *o = out;
	struct buf b;
	int vid, n0, n1, high, ret;

	(void)arg;
	o->pass = true;
	if (bind_to_node(1) || setup_buf(M_ANON, &b, o))
		return;
	fill_canary(&b);
	where(&b, &n0, &n1, &high);
	say(o, "anonymous huge page on node 1, %d of %lu pages above 4 GiB", high, FRAME_PAGES);
	vid = open_vivid(dma32_target);
	ret = vid < 0 ? vid : vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, UP, 1, NULL);
	/* The series' vivid offers USERPTR there (contig_userptr); stock's does not. */
	if (ret == -EINVAL && variant == KV_STOCK) {
		say(o, "; stock vivid has no USERPTR on dma-contig (REQBUFS EINVAL)");
		o->not_applicable = true;
		close(vid);
		return;
	}
	if (!ret)
		ret = vid_qbuf(vid, CAP, UP, (unsigned long)b.frame, FRAME_SIZE);
	say(o, "; QBUF on vivid-%03d (dma-contig, 32-bit DMA mask): %s", dma32_target,
	    ret ? errname(-ret) : "ok");
	if (ret != -EFAULT || high != (int)FRAME_PAGES)
		fail(o, " (expected EFAULT for memory above 4 GiB)");
	if (vid >= 0)
		close(vid);
}

static void dma32_case(void)
{
	struct outcome o = { 0 };
	struct leak_mark mark;
	char wchan[64] = "", text[256];
	int status = 0, ret;

	leak_mark_begin(&mark);
	ret = run_in_child(run_dma32, NULL, &o, sizeof(o), 60, wchan, sizeof(wchan), &status);
	if (ret) {
		child_failure(ret, 60, wchan, status, text, sizeof(text));
		fail(&o, "; %s", text);
	}
	if (!leak_mark_end(&mark, text, sizeof(text)))
		fail(&o, "; left behind: %s", text);
	if (o.not_applicable && o.pass)
		tap_result(true, "USERPTR above 4 GiB on a 32-bit DMA queue # SKIP %s", o.text);
	else
		tap_result(o.pass, "USERPTR above 4 GiB on a 32-bit DMA queue: %s", o.text);
}

/* ---- set-up ------------------------------------------------------------------ */

static bool prepare(const char *thp)
{
	char swaps[256] = "";
	int vid, ret, n;

	ret = access("/sys/devices/system/node/node1", F_OK);
	if (!tap_result(!ret, "two NUMA nodes (node1 in sysfs)"))
		return false;
	read_file("/proc/swaps", swaps, sizeof(swaps));
	if (!tap_result(strchr(swaps, '\n') && strchr(swaps, '\n')[1], "swap is on (/proc/swaps)"))
		return false;
	ret = write_file("/sys/kernel/mm/transparent_hugepage/enabled", thp);
	if (!tap_result(!ret, "THP mode %s (%s)", thp, ret ? errname(-ret) : "set"))
		return false;
	/* KSM as fast as it goes; NUMA balancing scanning a new task at once. */
	write_file("/sys/kernel/mm/ksm/pages_to_scan", "10000");
	write_file("/sys/kernel/mm/ksm/sleep_millisecs", "1");
	ret = write_file("/sys/kernel/mm/ksm/run", "1");
	if (!tap_result(!ret, "ksmd runs (%s)", ret ? errname(-ret) : "ok"))
		return false;
	write_file("/proc/sys/kernel/numa_balancing", "1");
	write_file(SCAN_DIR "/scan_delay_ms", "0");
	write_file(SCAN_DIR "/scan_period_min_ms", "10");
	write_file(SCAN_DIR "/scan_period_max_ms", "100");
	mkdir(CGROUP, 0755);
	ret = access(CGROUP "/memory.reclaim", F_OK) ? -errno : 0;
	if (!tap_result(!ret, "memory cgroup %s with memory.reclaim (%s)", CGROUP,
			ret ? errname(-ret) : "ok"))
		return false;
	vivid_target = mem_kinds_prepare(&n);
	if (!tap_result(vivid_target >= 0, "two vivid instances with vb2-vmalloc (%d found)", n))
		return false;
	n = vivid_instances(1, &dma32_target, 1);
	if (!tap_result(n == 1, "a vivid instance with vb2-dma-contig (%d found)", n))
		return false;
	vid = open_vivid(vivid_target);
	ret = vid < 0 ? vid : vivid_reference_frame(vid, reference);
	if (vid >= 0)
		close(vid);
	return tap_result(!ret, "vivid-%03d: the reference frame (%s)", vivid_target,
			  ret ? errname(-ret) : "ok");
}

/* The suite's script puts back the settings prepare() changed. */
static void finish(void)
{
	write_file("/sys/kernel/mm/ksm/run", "2");	/* unmerge everything */
	rmdir(CGROUP);
}

static bool parse_events(char *list)
{
	char *tok;
	int e;

	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		for (e = 0; e < NEVENTS && strcmp(tok, event_names[e]); e++)
			;
		if (e == NEVENTS) {
			fprintf(stderr, "unknown event %s\n", tok);
			return false;
		}
		events_on[e] = true;
	}
	return true;
}

int main(int argc, char **argv)
{
	const char *kernel_arg = NULL, *thp = "always";
	struct job j;
	int i, e;

	for (e = 0; e < NEVENTS; e++)
		events_on[e] = true;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			kernel_arg = argv[++i];
		} else if (!strcmp(argv[i], "--thp") && i + 1 < argc) {
			thp = argv[++i];
		} else if (!strcmp(argv[i], "--events") && i + 1 < argc) {
			memset(events_on, 0, sizeof(events_on));
			if (!parse_events(argv[++i]))
				return 2;
		} else {
			fprintf(stderr, "usage: %s [--kernel VARIANT] [--thp always|madvise] [--events LIST]\n",
				argv[0]);
			return 2;
		}
	}
	variant = kernel_variant(kernel_arg);
	printf("TAP version 13\n");
	tap_diag("mm-moves on %s, THP %s", kernel_variant_names[variant], thp);
	if (prepare(thp)) {
		if (!strcmp(thp, "always"))
			dma32_case();
		for (j.kind = 0; j.kind < NMKINDS; j.kind++)
			for (j.event = 0; j.event < NEVENTS; j.event++)
				for (j.state = 0; j.state < NSTATES; j.state++)
					if (events_on[j.event])
						one_case(&j);
	}
	finish();
	return tap_done();
}
