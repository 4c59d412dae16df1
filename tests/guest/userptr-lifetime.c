// SPDX-License-Identifier: MIT
/*
 * In-guest lifetime cases of V4L2 USERPTR: the memory behind a queued
 * USERPTR capture buffer goes away, or is replaced, while vb2 holds it.
 *
 * Target: vivid capture with vb2-vmalloc (the first vivid instance with
 * allocators=0). Memory kinds:
 *   malloc         malloc(3) memory
 *   memfd          memfd MAP_SHARED
 *   heap-system    system dma-heap buffer, mmap of its dma-buf fd
 *   vgem-dumb      vgem dumb buffer, mmap through the card
 *   vivid-vmalloc  MMAP buffer of another vivid instance with vb2-vmalloc
 *   ivshmem        ivshmem-iopfn dma-buf of the PCI BAR (zcbuf only)
 * Events, each on one buffer queued by USERPTR:
 *   munmap-queued     munmap the range after QBUF, before STREAMON
 *   munmap-streaming  munmap it after STREAMON, before DQBUF
 *   close-fd          close the exporter's fd (memfd, dma-buf, vgem card,
 *                     the other vivid's node) after QBUF, the mapping kept
 *   exporter-exit     (heap-system, vgem) a child process allocates the
 *                     buffer and passes its dma-buf fd over a unix socket
 *                     (SCM_RIGHTS); we map and queue it, close our fd, the
 *                     child exits, then we stream
 *   remap-requeue     (memfd, heap-system) queue, DQBUF, munmap, mmap
 *                     another buffer of the kind at the same address
 *                     (MAP_FIXED), QBUF the same (address, length): which
 *                     buffer gets the frame
 *   mprotect-requeue  queue a second mapping of the memory that the CPU
 *                     never touched, alone in its page tables (none:
 *                     mprotect() tells no MMU notifier), DQBUF, mprotect()
 *                     it read-only, QBUF the same (address, length): zcbuf
 *                     must refuse (EFAULT: the device would write where the
 *                     process no longer can); stock reuses the plane it
 *                     pinned
 *
 * A case passes when QBUF gives what the USERPTR matrix expects for the kind
 * on the running kernel (stock: EFAULT for the PFNMAP kinds, and then the
 * case is not applicable there); DQBUF returns within 5 s, with or without
 * V4L2_BUF_FLAG_ERROR; without it, the frame is in the memory wherever that
 * is still reachable (a second mapping of the dma-buf, the vgem card or the
 * other vivid's buffer, pread of the memfd; after close-fd and
 * exporter-exit the mapping itself), equal to a reference captured by MMAP
 * from the same vivid instance (static pattern, OSD off); remap-requeue
 * lands where this kernel's table says (zcbuf: the new buffer, the old one
 * untouched after the remap; stock and userptr-off: the old one, vb2 reuses
 * the plane). Each case runs in a child process (20 s
 * timeout). After it is gone, nothing may be left: /proc/vmstat's FOLL_PIN
 * counters balance over the case, and debugfs' dma_buf/bufinfo lists no
 * dma-buf that appeared during the case.
 *
 * Usage: userptr-lifetime [--kernel stock|patched|userptr-off] [--table FILE]
 *          [--only KIND|EVENT|"KIND EVENT"]
 *        userptr-lifetime --self-test     the table and its rules, no devices
 * Prints TAP. The kernel variant comes from --kernel, else ZC_KERNEL_VARIANT,
 * else uname -r (guest-util.h's kernel_variant()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define DQBUF_TIMEOUT_MS 5000
#define CASE_TIMEOUT_S 20

/* ---- the cases and what each kernel should do --------------------------- */

enum event {
	EV_MUNMAP_QUEUED, EV_MUNMAP_STREAMING, EV_CLOSE, EV_EXIT, EV_REMAP,
	EV_IMPORTER_EXIT, EV_MPROTECT, NEVENTS
};
static const char *const event_names[NEVENTS] = {
	"munmap-queued", "munmap-streaming", "close-fd", "exporter-exit", "remap-requeue",
	"importer-exit", "mprotect-requeue",
};

/* remap-requeue: where the second frame lands. */
enum landing {
	L_UNSET,
	L_NEW,		/* the buffer mapped now; the old one keeps its canary */
	L_OLD,		/* the buffer mapped at QBUF time; the new one untouched */
	L_OTHER,	/* anything else */
};
static const char *const landing_names[] = {
	[L_UNSET] = "(unset)",
	[L_NEW] = "frame in the new buffer, old one untouched",
	[L_OLD] = "frame in the old buffer, new one untouched",
	[L_OTHER] = "neither",
};

struct lcase {
	enum kind kind;
	enum event ev;
	enum landing remap[NKV];	/* remap-requeue only */
};

/*
 * remap-requeue, on stock, zcbuf and userptr-off: stock 6.1.192 reuses the
 * plane of the same (address, length) whatever is mapped there now
 * (measured: the frame lands in the old memfd); zcbuf reacquires it (patch
 * 18, docs/kernel.md "Re-QBUF rule"); userptr-off reuses it as stock does
 * (the reacquiring comes with CONFIG_VIDEOBUF2_USERPTR_DMABUF). On stock
 * and userptr-off the heap buffer cannot be queued at all (EFAULT).
 */
static const struct lcase cases[] = {
	{ K_MALLOC, EV_MUNMAP_QUEUED, { 0 } },
	{ K_MALLOC, EV_MUNMAP_STREAMING, { 0 } },
	{ K_MEMFD, EV_MUNMAP_QUEUED, { 0 } },
	{ K_MEMFD, EV_MUNMAP_STREAMING, { 0 } },
	{ K_MEMFD, EV_CLOSE, { 0 } },
	{ K_MEMFD, EV_REMAP, { L_OLD, L_NEW, L_OLD } },
	{ K_HEAP, EV_MUNMAP_QUEUED, { 0 } },
	{ K_HEAP, EV_MUNMAP_STREAMING, { 0 } },
	{ K_HEAP, EV_CLOSE, { 0 } },
	{ K_HEAP, EV_EXIT, { 0 } },
	{ K_HEAP, EV_REMAP, { L_UNSET, L_NEW, L_UNSET } },
	{ K_VGEM, EV_MUNMAP_QUEUED, { 0 } },
	{ K_VGEM, EV_MUNMAP_STREAMING, { 0 } },
	{ K_VGEM, EV_CLOSE, { 0 } },
	{ K_VGEM, EV_EXIT, { 0 } },
	{ K_VIVID, EV_MUNMAP_QUEUED, { 0 } },
	{ K_VIVID, EV_MUNMAP_STREAMING, { 0 } },
	{ K_VIVID, EV_CLOSE, { 0 } },
	{ K_IVSHMEM, EV_MUNMAP_QUEUED, { 0 } },
	{ K_IVSHMEM, EV_MUNMAP_STREAMING, { 0 } },
	{ K_IVSHMEM, EV_CLOSE, { 0 } },
	/* The queuing process exits while streaming, cleaning up nothing. */
	{ K_MEMFD, EV_IMPORTER_EXIT, { 0 } },
	{ K_HEAP, EV_IMPORTER_EXIT, { 0 } },
	{ K_VGEM, EV_IMPORTER_EXIT, { 0 } },
	{ K_VIVID, EV_IMPORTER_EXIT, { 0 } },
	{ K_IVSHMEM, EV_IMPORTER_EXIT, { 0 } },
	/* The mapping turns read-only between two QBUFs of the same range. */
	{ K_MEMFD, EV_MPROTECT, { 0 } },
	{ K_HEAP, EV_MPROTECT, { 0 } },
	{ K_VGEM, EV_MPROTECT, { 0 } },
	{ K_VIVID, EV_MPROTECT, { 0 } },
	{ K_IVSHMEM, EV_MPROTECT, { 0 } },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* What a case measured, sent back by its child. */
struct outcome {
	bool done;		/* the case got to its end */
	bool pass;		/* the child's verdict on QBUF, DQBUF, the data */
	bool not_applicable;	/* QBUF refused as expected on this kernel */
	int new_dmabufs;	/* dma-bufs listed after QBUF, not before the case */
	char new_exporters[64];
	char text[320];		/* what happened, for TAP and the table */
};

/* ---- frames and canaries -------------------------------------------------- */

static uint8_t reference[FRAME_SIZE];

enum content { C_FRAME, C_CANARY, C_OTHER };

/*
 * What @seen (FRAME_SIZE bytes from offset @off of a buffer filled with the
 * canary) holds: the reference frame, still the canary, or something else
 * (*@at: the first byte that is neither).
 */
static enum content classify(const uint8_t *seen, size_t off, size_t *at)
{
	bool frame = true, can = true;
	size_t i;

	for (i = 0; i < FRAME_SIZE && (frame || can); i++) {
		frame = frame && seen[i] == reference[i];
		can = can && seen[i] == canary(off + i);
	}
	*at = i - 1;
	return frame ? C_FRAME : can ? C_CANARY : C_OTHER;
}

static const char *content_text(enum content c, size_t at, char *buf, size_t len)
{
	if (c == C_FRAME)
		return "the frame";
	if (c == C_CANARY)
		return "still the canary";
	snprintf(buf, len, "neither frame nor canary from byte %zu", at);
	return buf;
}

static enum landing landing_of(enum content old_c, enum content new_c)
{
	if (new_c == C_FRAME && old_c == C_CANARY)
		return L_NEW;
	if (old_c == C_FRAME && new_c == C_CANARY)
		return L_OLD;
	return L_OTHER;
}

/* ---- the memory of one case ---------------------------------------------- */

static int vivid_target = -1;

/* The canary over the whole queued mapping, through it. */
static void fill_canary(struct lmem *m)
{
	size_t i;

	if (m->dmabuf)
		sync_fd(m->fd, true, true);
	for (i = 0; i < m->map_len; i++)
		m->map[i] = canary(i);
	if (m->dmabuf)
		sync_fd(m->fd, false, true);
}

/*
 * Read the range (or, with @canary_in, write the canary over the buffer)
 * through the exporter's own path, not the queued mapping: pread/pwrite of
 * the memfd, else a new mapping of the exporter's fd. 0 or -errno.
 */
static int other_path(struct lmem *m, uint8_t *out, bool canary_in)
{
	uint8_t *p, *w = NULL;
	size_t i, off = range_off(m);
	int ret = 0;

	if (m->fd < 0)
		return -EBADF;
	if (m->kind == K_MEMFD) {
		if (!canary_in)
			return pread(m->fd, out, FRAME_SIZE, off) == FRAME_SIZE ? 0 : -EIO;
		w = malloc(BUF_LEN);
		for (i = 0; i < BUF_LEN; i++)
			w[i] = canary(i);
		ret = pwrite(m->fd, w, BUF_LEN, 0) == (ssize_t)BUF_LEN ? 0 : -EIO;
		free(w);
		return ret;
	}
	p = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, m->fd_off);
	if (p == MAP_FAILED)
		return -errno;
	if (m->dmabuf)
		sync_fd(m->fd, true, canary_in);
	if (canary_in)
		for (i = 0; i < BUF_LEN; i++)
			p[i] = canary(i);
	else
		memcpy(out, p + off, FRAME_SIZE);
	if (m->dmabuf)
		sync_fd(m->fd, false, canary_in);
	munmap(p, BUF_LEN);
	return 0;
}

/* ---- the exporting process ----------------------------------------------- */

static int send_fd(int sock, int fd)
{
	char byte = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EIO;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The exporter: allocate a buffer of @kind (a system-heap dma-buf, or a
 * vgem dumb buffer exported by PRIME), send its dma-buf fd, wait for the
 * word and exit, dropping everything it held.
 */
static void exporter_main(enum kind kind, int sock)
{
	uint32_t handle;
	uint64_t size;
	int fd = -1, card;
	char go;

	if (kind == K_HEAP) {
		fd = heap_alloc("system", BUF_LEN);
	} else {
		card = open_vgem();
		if (card >= 0 && !vgem_create_dumb(card, FRAME_PAGES, &handle, &size) &&
		    drmPrimeHandleToFD(card, handle, DRM_CLOEXEC | DRM_RDWR, &fd))
			fd = -1;
	}
	/* The fd stays open: our exit drops it. */
	if (fd < 0 || send_fd(sock, fd))
		_exit(1);
	_exit(read(sock, &go, 1) == 1 ? 0 : 2);
}

/* ---- one case, in a child ------------------------------------------------ */

static enum kernel_variant variant;

/*
 * QBUF of each kind on userptr-off (mem-kind.c's table has stock and
 * zcbuf): what the USERPTR matrix's cap-vmalloc column says there. Nothing
 * is imported: the page-backed kinds are pinned, the VM_PFNMAP ones fail as
 * on stock, and so does the ivshmem BAR, whose driver is there now.
 */
static const enum qbuf_expect qbuf_userptr_off[NKINDS] = {
	[K_MALLOC] = Q_OK, [K_MEMFD] = Q_OK, [K_HEAP] = Q_EFAULT, [K_VGEM] = Q_EFAULT,
	[K_VIVID] = Q_OK, [K_IVSHMEM] = Q_EFAULT,
};

static enum qbuf_expect qbuf_expect_of(enum kind k)
{
	if (variant == KV_USERPTR_OFF)
		return qbuf_userptr_off[k];
	return kinds[k].qbuf[variant == KV_PATCHED ? PATCHED : STOCK];
}

static struct leak_mark mark;	/* the parent's, before the case */

struct run_arg {
	const struct lcase *c;
};

__attribute__((format(printf, 2, 3)))
static void say(struct outcome *o, const char *fmt, ...)
{
	size_t n = strlen(o->text);
	va_list ap;

	if (n >= sizeof(o->text))
		return;
	va_start(ap, fmt);
	vsnprintf(o->text + n, sizeof(o->text) - n, fmt, ap);
	va_end(ap);
}

static void note_dmabufs(struct outcome *o)
{
	struct dmabuf_list *now = malloc(sizeof(*now));

	if (now && !read_bufinfo(now))
		o->new_dmabufs = new_dmabufs(&mark.before, now, o->new_exporters,
					     sizeof(o->new_exporters));
	free(now);
}

/*
 * QBUF of @m on @vid, checked against the kind's expectation. True when the
 * case goes on (QBUF succeeded as expected).
 */
static bool queue(int vid, const struct lmem *m, struct outcome *o)
{
	enum qbuf_expect x = qbuf_expect_of(m->kind);
	int ret = vid_qbuf(vid, CAP, V4L2_MEMORY_USERPTR, m->uptr, FRAME_SIZE);

	note_dmabufs(o);
	if (!ret) {
		say(o, "QBUF ok");
		if (x == Q_OK)
			return true;
		say(o, ", expected %s", x == Q_EFAULT ? "EFAULT" : "no driver");
		return false;
	}
	say(o, "QBUF %s", errname(-ret));
	if (x == Q_EFAULT && ret == -EFAULT) {
		say(o, " as the matrix expects: not applicable on %s",
		    kernel_variant_names[variant]);
		o->not_applicable = o->pass = true;
	} else {
		say(o, ", expected %s", x == Q_OK ? "ok" : "no driver");
	}
	return false;
}

/*
 * DQBUF within 5 s. True when a frame came back without ERROR (its data to
 * be checked), false otherwise; o->pass is cleared on a hang or short frame.
 */
static bool dequeue(int vid, struct outcome *o)
{
	uint32_t flags = 0;
	int ret = vid_dqbuf(vid, CAP, V4L2_MEMORY_USERPTR, DQBUF_TIMEOUT_MS, &flags);

	if (ret == FRAME_SIZE) {
		say(o, "; DQBUF without ERROR");
		return true;
	}
	if (ret == -EIO) {
		say(o, "; DQBUF with V4L2_BUF_FLAG_ERROR");
		return false;
	}
	o->pass = false;
	if (ret == -ETIMEDOUT)
		say(o, "; DQBUF: no buffer within %d s", DQBUF_TIMEOUT_MS / 1000);
	else if (ret < 0)
		say(o, "; DQBUF %s", errname(-ret));
	else
		say(o, "; DQBUF without ERROR but %d bytes", ret);
	return false;
}

/* The frame seen through @via: right, or the case fails. */
static void check_frame(const uint8_t *seen, size_t off, const char *via, struct outcome *o)
{
	char buf[64];
	size_t at;
	enum content c = classify(seen, off, &at);

	say(o, "; %s: %s", via, content_text(c, at, buf, sizeof(buf)));
	if (c != C_FRAME)
		o->pass = false;
}

static int open_target(struct outcome *o)
{
	int vid = open_vivid(vivid_target), ret;

	ret = vid < 0 ? vid : vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, V4L2_MEMORY_USERPTR, 1, NULL);
	if (ret) {
		say(o, "vivid-%03d USERPTR queue: %s", vivid_target, errname(-ret));
		if (vid >= 0)
			close(vid);
		return -1;
	}
	return vid;
}

static void close_target(int vid, struct outcome *o)
{
	int ret;

	vid_stream(vid, CAP, false);
	ret = vid_reqbufs(vid, CAP, V4L2_MEMORY_USERPTR, 0, NULL);
	if (ret) {
		say(o, "; REQBUFS 0: %s", errname(-ret));
		o->pass = false;
	}
	close(vid);
}

/* munmap-queued, munmap-streaming, close-fd. */
static void case_gone(const struct lcase *c, struct outcome *o)
{
	uint8_t *seen = malloc(FRAME_SIZE);
	char err[128];
	struct lmem m;
	int vid, ret;

	if (setup_kind(c->kind, &m, err, sizeof(err))) {
		say(o, "setup: %s", err);
		return;
	}
	fill_canary(&m);
	vid = open_target(o);
	if (vid < 0)
		return;
	o->pass = true;
	if (!queue(vid, &m, o))
		goto out;
	if (c->ev == EV_MUNMAP_QUEUED) {
		munmap(m.map, m.map_len);
		m.mapped = false;
		say(o, "; munmap");
	} else if (c->ev == EV_CLOSE) {
		close(m.fd);
		m.fd = -1;
		say(o, "; close");
	}
	ret = vid_stream(vid, CAP, true);
	if (ret) {
		say(o, "; STREAMON %s", errname(-ret));
		o->pass = false;
		goto out;
	}
	if (c->ev == EV_MUNMAP_STREAMING) {
		munmap(m.map, m.map_len);
		m.mapped = false;
		say(o, "; STREAMON; munmap");
	}
	if (c->ev == EV_IMPORTER_EXIT) {
		/*
		 * Leave everything as it is: the exit tears the mm down
		 * before the files, so vb2 releases the plane (and its MMU
		 * notifier) after the address space is gone. The parent
		 * checks that nothing is left.
		 */
		say(o, "; STREAMON; exit with the buffer queued");
		free(seen);
		o->done = true;
		return;
	}
	if (!dequeue(vid, o))
		goto out;
	if (c->ev == EV_CLOSE) {
		/* The fd is gone, the mapping is not (and no sync without an fd). */
		memcpy(seen, (uint8_t *)m.uptr, FRAME_SIZE);
		check_frame(seen, range_off(&m), "frame through the mapping", o);
	} else if (!kinds[c->kind].other_path) {
		say(o, "; frame not checked: no other path to the memory");
	} else if ((ret = other_path(&m, seen, false))) {
		say(o, "; %s: %s", kinds[c->kind].other_path, errname(-ret));
		o->pass = false;
	} else {
		check_frame(seen, range_off(&m), kinds[c->kind].other_path, o);
	}
out:
	/* The exporter's side goes first: the plane lets go last. */
	release_mem(&m);
	close_target(vid, o);
	free(seen);
	o->done = true;
}

/* exporter-exit: the buffer comes from a child process that then exits. */
static void case_exit(const struct lcase *c, struct outcome *o)
{
	uint8_t *seen = malloc(FRAME_SIZE);
	int sv[2], fd, vid = -1, status, ret;
	char err[128];
	struct lmem m;
	pid_t pid;

	memset(&m, 0, sizeof(m));
	m.fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		say(o, "socketpair: %s", errname(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		exporter_main(c->kind, sv[1]);
	}
	close(sv[1]);
	fd = pid < 0 ? -ECHILD : recv_fd(sv[0]);
	if (fd < 0) {
		say(o, "no dma-buf fd from the exporting process: %s", errname(-fd));
		goto out;
	}
	m.kind = c->kind;
	m.dmabuf = true;
	if (map_shared(&m, fd, 0, err, sizeof(err))) {
		say(o, "%s", err);
		close(fd);
		goto out;
	}
	fill_canary(&m);
	vid = open_target(o);
	if (vid < 0)
		goto out;
	o->pass = true;
	if (!queue(vid, &m, o))
		goto out;
	close(m.fd);
	m.fd = -1;
	/* The word to exit; the socket closing says it too. */
	if (write(sv[0], "x", 1) != 1 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		say(o, "; the exporting process did not exit cleanly");
		o->pass = false;
		goto out;
	}
	pid = -1;
	say(o, "; our fd closed, the exporting process exited");
	ret = vid_stream(vid, CAP, true);
	if (ret) {
		say(o, "; STREAMON %s", errname(-ret));
		o->pass = false;
		goto out;
	}
	if (dequeue(vid, o)) {
		memcpy(seen, (uint8_t *)m.uptr, FRAME_SIZE);
		check_frame(seen, 0, "frame through the mapping", o);
	}
out:
	release_mem(&m);
	if (vid >= 0)
		close_target(vid, o);
	close(sv[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	free(seen);
	o->done = true;
}

/*
 * Queue @m, stream, and the first frame must come back without an error;
 * false (and o->pass false, unless QBUF was refused as this kernel's
 * matrix expects) when not.
 */
static bool first_frame(int vid, const struct lmem *m, struct outcome *o)
{
	int ret;

	if (!queue(vid, m, o))
		return false;
	ret = vid_stream(vid, CAP, true);
	if (ret || !dequeue(vid, o)) {
		say(o, "; the first frame did not come (STREAMON %s)", errname(-ret));
		o->pass = false;
		return false;
	}
	return true;
}

/*
 * remap-requeue: queue buffer A at X, DQBUF (the frame must be in A), map
 * buffer B at X instead (munmap, mmap MAP_FIXED), refill A with the canary
 * through its own fd, QBUF X again: where does the frame land?
 */
static void case_remap(const struct lcase *c, struct outcome *o)
{
	uint8_t *seen_old = malloc(FRAME_SIZE), *seen_new = malloc(FRAME_SIZE);
	enum content old_c, new_c;
	struct lmem a, b;
	enum landing l;
	char err[128], buf[64], buf2[64];
	size_t at, at_old = 0;
	int vid, ret;
	void *p;

	if (setup_kind(c->kind, &a, err, sizeof(err)) ||
	    setup_kind(c->kind, &b, err, sizeof(err))) {
		say(o, "setup: %s", err);
		return;
	}
	fill_canary(&a);
	fill_canary(&b);
	vid = open_target(o);
	if (vid < 0)
		return;
	o->pass = true;
	if (!first_frame(vid, &a, o))
		goto out;
	if (a.dmabuf)
		sync_fd(a.fd, true, false);
	old_c = classify((uint8_t *)a.uptr, 0, &at);
	if (a.dmabuf)
		sync_fd(a.fd, false, false);
	if (old_c != C_FRAME) {
		say(o, "; first frame not in A: %s", content_text(old_c, at, buf, sizeof(buf)));
		o->pass = false;
		goto out;
	}
	munmap(a.map, a.map_len);
	a.mapped = false;
	p = mmap(a.map, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, b.fd, 0);
	if (p != a.map) {
		say(o, "; mmap B MAP_FIXED at A's address: %s", errname(errno));
		o->pass = false;
		goto out;
	}
	ret = other_path(&a, NULL, true);
	if (ret) {
		say(o, "; refilling A with the canary: %s", errname(-ret));
		o->pass = false;
		munmap(p, BUF_LEN);
		goto out;
	}
	say(o, "; munmap A, B mapped at its address, A refilled with the canary");
	ret = vid_qbuf(vid, CAP, V4L2_MEMORY_USERPTR, a.uptr, FRAME_SIZE);
	if (ret) {
		say(o, "; QBUF again: %s", errname(-ret));
		o->pass = false;
	} else if (dequeue(vid, o)) {
		ret = other_path(&a, seen_old, false);
		if (b.dmabuf)
			sync_fd(b.fd, true, false);
		memcpy(seen_new, p, FRAME_SIZE);
		if (b.dmabuf)
			sync_fd(b.fd, false, false);
		old_c = ret ? C_OTHER : classify(seen_old, 0, &at_old);
		new_c = classify(seen_new, 0, &at);
		l = landing_of(old_c, new_c);
		say(o, "; %s", landing_names[l]);
		if (l == L_OTHER)
			say(o, " (old: %s, new: %s)",
			    content_text(old_c, at_old, buf, sizeof(buf)),
			    content_text(new_c, at, buf2, sizeof(buf2)));
		if (l != c->remap[variant]) {
			say(o, ", expected: %s", landing_names[c->remap[variant]]);
			o->pass = false;
		}
	} else {
		o->pass = false;
	}
	munmap(p, BUF_LEN);
out:
	release_mem(&a);
	release_mem(&b);
	close_target(vid, o);
	free(seen_old);
	free(seen_new);
	o->done = true;
}

/*
 * A second shared mapping of @a's memory into @q, alone in a 2 MiB-aligned
 * stretch of address space: no page table is shared with another mapping,
 * so until the CPU touches it, the range has none (mprotect() then changes
 * no page table and tells no MMU notifier). 0 or -1 with errno.
 */
static int map_untouched(struct lmem *q, const struct lmem *a)
{
	const size_t huge = 2UL << 20;
	uint8_t *r = mmap(NULL, 2 * huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0), *at;

	if (r == MAP_FAILED)
		return -1;
	at = (uint8_t *)(((unsigned long)r + huge - 1) & ~(huge - 1));
	if (mmap(at, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, a->fd,
		 a->fd_off) == MAP_FAILED)
		return -1;
	*q = *a;
	q->map = at;
	q->map_len = BUF_LEN;
	q->uptr = (unsigned long)at;
	return 0;
}

/*
 * mprotect-requeue: what the second QBUF of a range made read-only must
 * give. zcbuf checks at every QBUF that the mapping still allows the
 * device's access; stock pins once and reuses the pin, and so does
 * userptr-off (the check comes with CONFIG_VIDEOBUF2_USERPTR_DMABUF).
 */
static int mprotect_requeue_errno(void)
{
	return variant == KV_PATCHED ? EFAULT : 0;
}

static void case_mprotect(const struct lcase *c, struct outcome *o)
{
	struct lmem a, q;
	char err[128] = "";
	int vid, ret, want = mprotect_requeue_errno();

	if (setup_kind(c->kind, &a, err, sizeof(err)) || map_untouched(&q, &a)) {
		say(o, "setup: %s", err[0] ? err : errname(errno));
		return;
	}
	vid = open_target(o);
	if (vid < 0)
		return;
	o->pass = true;
	if (!first_frame(vid, &q, o))
		goto out;
	if (mprotect(q.map, q.map_len, PROT_READ)) {
		say(o, "; mprotect: %s", errname(errno));
		o->pass = false;
		goto out;
	}
	ret = vid_qbuf(vid, CAP, V4L2_MEMORY_USERPTR, q.uptr, FRAME_SIZE);
	say(o, "; mprotect(PROT_READ), QBUF again: %s", ret ? errname(-ret) : "ok");
	if (-ret != want) {
		say(o, ", expected %s", want ? errname(want) : "ok");
		o->pass = false;
	} else if (!ret && !dequeue(vid, o)) {
		o->pass = false;
	}
out:
	munmap(q.map, q.map_len);
	release_mem(&a);
	close_target(vid, o);
	o->done = true;
}

static void case_child(void *arg, void *out)
{
	const struct lcase *c = ((struct run_arg *)arg)->c;
	struct outcome *o = out;

	memset(o, 0, sizeof(*o));
	if (c->ev == EV_EXIT)
		case_exit(c, o);
	else if (c->ev == EV_REMAP)
		case_remap(c, o);
	else if (c->ev == EV_MPROTECT)
		case_mprotect(c, o);
	else
		case_gone(c, o);
}

/* ---- the parent ------------------------------------------------------------ */

static void write_table_line(FILE *f, const struct lcase *c, const char *measured, bool pass)
{
	if (!f)
		return;
	fprintf(f, "%-14s %-17s %-4s %s\n", kinds[c->kind].name, event_names[c->ev],
		pass ? "ok" : "FAIL", measured);
}

static bool wanted(const struct lcase *c, const char *only)
{
	char both[64];

	if (!only)
		return true;
	snprintf(both, sizeof(both), "%s %s", kinds[c->kind].name, event_names[c->ev]);
	return !strcmp(only, kinds[c->kind].name) || !strcmp(only, event_names[c->ev]) ||
	       !strcmp(only, both);
}

static void run_one(const struct lcase *c, FILE *table)
{
	const char *kname = kinds[c->kind].name, *ename = event_names[c->ev];
	struct run_arg arg = { c };
	char wchan[64] = "?", left[200], text[600];
	struct outcome o = { 0 };
	int status, ret;
	bool clean;

	leak_mark_begin(&mark);
	ret = run_in_child(case_child, &arg, &o, sizeof(o), CASE_TIMEOUT_S, wchan,
			   sizeof(wchan), &status);
	if (ret) {
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, o.text, sizeof(o.text));
		o.done = o.pass = false;
	} else if (!o.done) {
		o.pass = false;
	}
	tap_result(o.pass, "%s %s: %s", kname, ename, o.text);
	clean = leak_mark_end(&mark, left, sizeof(left));
	tap_result(clean, "%s %s: nothing left: %s; dma-bufs new after QBUF: %d (%s)", kname,
		   ename, left, o.new_dmabufs, o.new_dmabufs ? o.new_exporters : "none");
	snprintf(text, sizeof(text), "%s [%s, dma-bufs new after QBUF %d]", o.text, left,
		 o.new_dmabufs);
	write_table_line(table, c, text, o.pass && clean);
}

/* The reference frame, from the target's MMAP queue; false when unusable. */
static bool prepare(void)
{
	int vid, ret, n;
	long long a, r;

	if (!tap_result(read_pins(&a, &r), "/proc/vmstat has FOLL_PIN counters"))
		return false;
	if (!tap_result(!read_bufinfo(&mark.before), "debugfs lists dma-bufs (dma_buf/bufinfo)"))
		return false;
	vivid_target = mem_kinds_prepare(&n);
	if (!tap_result(vivid_target >= 0, "two vivid instances with vb2-vmalloc (%d found)", n))
		return false;
	vid = open_vivid(vivid_target);
	ret = vid < 0 ? vid : vivid_reference_frame(vid, reference);
	if (vid >= 0)
		close(vid);
	ret = tap_result(!ret,
			 "vivid-%03d (target, vb2-vmalloc): static pattern, no OSD; two MMAP frames identical (the reference) (%s); vivid-%03d lends its MMAP buffer",
			 vivid_target, ret ? errname(-ret) : "ok", mem_vivid_source);
	return ret;
}

/* Host-side check of the table and of the rules. */
static int self_test(void)
{
	static uint8_t seen[FRAME_SIZE];
	unsigned int i, remaps = 0, bad = 0;
	size_t at;

	printf("TAP version 13\n");
	for (i = 0; i < NCASES; i++) {
		if (cases[i].ev == EV_REMAP) {
			remaps++;
			bad += cases[i].remap[KV_PATCHED] != L_NEW;
			bad += kinds[cases[i].kind].qbuf[STOCK] == Q_OK &&
			       cases[i].remap[KV_STOCK] == L_UNSET;
			/* userptr-off reuses the plane as stock does */
			bad += cases[i].remap[KV_USERPTR_OFF] != cases[i].remap[KV_STOCK];
		}
		if (cases[i].ev == EV_EXIT)
			bad += cases[i].kind != K_HEAP && cases[i].kind != K_VGEM;
		if (cases[i].ev == EV_CLOSE || cases[i].ev == EV_MPROTECT)
			bad += cases[i].kind == K_MALLOC;
	}
	tap_result(remaps == 2 && !bad,
		   "remap cases expect the new buffer on zcbuf, have a stock expectation where stock can queue and userptr-off's is stock's; exit cases only for heap and vgem; close and mprotect cases need an fd");
	variant = KV_PATCHED;
	tap_result(mprotect_requeue_errno() == EFAULT,
		   "mprotect-requeue: zcbuf refuses a device write where the process can no longer write");
	variant = KV_USERPTR_OFF;
	tap_result(mprotect_requeue_errno() == 0 && qbuf_expect_of(K_IVSHMEM) == Q_EFAULT,
		   "userptr-off: mprotect-requeue reuses the pin, as stock; its own QBUF table");
	for (i = 0, bad = 0; i < NKINDS; i++)
		bad += qbuf_userptr_off[i] != (i == K_IVSHMEM ? Q_EFAULT : kinds[i].qbuf[STOCK]);
	tap_result(!bad, "QBUF on userptr-off as on stock, but the ivshmem BAR is there: EFAULT (VM_PFNMAP) (%u kinds differ)",
		   bad);
	variant = KV_STOCK;
	for (i = 0, bad = 0; i < NKINDS; i++)
		bad += kinds[i].qbuf[PATCHED] != Q_OK;
	tap_result(!bad && kinds[K_HEAP].qbuf[STOCK] == Q_EFAULT &&
		   kinds[K_IVSHMEM].qbuf[STOCK] == Q_NODRV,
		   "QBUF as the matrix: every kind ok on zcbuf; PFNMAP kinds EFAULT on stock");
	for (i = 0; i < FRAME_SIZE; i++) {
		reference[i] = (uint8_t)(i * 7 + 3);
		seen[i] = canary(i);
	}
	tap_result(classify(seen, 0, &at) == C_CANARY && classify(reference, 0, &at) == C_FRAME,
		   "classify: the canary and the frame");
	seen[100] = reference[100] ^ 0xff;
	tap_result(classify(seen, 0, &at) == C_OTHER && at == 100,
		   "classify: a changed byte in the canary is neither, from that byte on");
	memcpy(seen, reference, FRAME_SIZE);
	seen[FRAME_SIZE - 1] ^= 1;
	tap_result(classify(seen, 0, &at) == C_OTHER && at == FRAME_SIZE - 1,
		   "classify: a frame wrong in its last byte is neither");
	tap_result(landing_of(C_CANARY, C_FRAME) == L_NEW && landing_of(C_FRAME, C_CANARY) == L_OLD &&
		   landing_of(C_FRAME, C_FRAME) == L_OTHER && landing_of(C_CANARY, C_CANARY) == L_OTHER &&
		   landing_of(C_OTHER, C_FRAME) == L_OTHER,
		   "landing: new only when the old buffer kept its canary, old only when the new one did");
	return tap_done();
}

int main(int argc, char **argv)
{
	const char *kernel_arg = NULL, *table_path = NULL, *only = NULL;
	FILE *table = NULL;
	unsigned int i;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--self-test"))
			return self_test();
		if (!strcmp(argv[i], "--kernel") && i + 1 < (unsigned int)argc)
			kernel_arg = argv[++i];
		else if (!strcmp(argv[i], "--table") && i + 1 < (unsigned int)argc)
			table_path = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < (unsigned int)argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--kernel stock|patched|userptr-off] [--table FILE] [--only KIND|EVENT|\"KIND EVENT\"] | --self-test\n",
				argv[0]);
			return 2;
		}
	}
	variant = kernel_variant(kernel_arg);
	printf("TAP version 13\n");
	tap_diag("USERPTR lifetime cases, expectations of the %s kernel",
		 kernel_variant_names[variant]);
	if (!prepare())
		return tap_done();
	if (table_path) {
		table = fopen(table_path, "we");
		if (!table)
			tap_result(false, "open %s: %s", table_path, strerror(errno));
		else
			fprintf(table, "# USERPTR lifetime cases on the %s kernel (tests/guest/userptr-lifetime.c)\n",
				kernel_variant_names[variant]);
	}
	for (i = 0; i < NCASES; i++) {
		const struct lcase *c = &cases[i];

		if (!wanted(c, only))
			continue;
		if (qbuf_expect_of(c->kind) == Q_NODRV) {
			tap_result(true, "%s %s: # SKIP no %s on %s", kinds[c->kind].name,
				   event_names[c->ev], "ivshmem-iopfn driver",
				   kernel_variant_names[variant]);
			write_table_line(table, c, "not run: no driver", true);
			continue;
		}
		run_one(c, table);
	}
	if (table)
		fclose(table);
	return tap_done();
}
