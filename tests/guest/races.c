// SPDX-License-Identifier: MIT
/*
 * A bounded, seeded stressor of USERPTR import against concurrent changes
 * to the memory behind it (suite "races"). Per memory kind (mem-kind.h:
 * memfd as the page-backed control, system heap, vgem, another vivid's
 * MMAP buffer, the ivshmem BAR), a worker process on a vb2-vmalloc vivid
 * capture queue with two USERPTR buffers (one for vivid's MMAP buffer,
 * which it lends only once) runs three threads for a time box:
 *
 *   queue   QBUF (at the buffer's current address), DQBUF (non-blocking),
 *           STREAMON, STREAMOFF, REQBUFS(0) + REQBUFS(2)
 *   memory  in turn, once per few QBUFs and mostly while one runs: munmap
 *           and close the exporter's fd, then a new buffer of the kind;
 *           mremap to another address; madvise(MADV_DONTNEED)
 *   process fork (the child exits at once); close the video fd and open
 *           it again
 *
 * The queue thread queues a buffer it believes dequeued, with the other of
 * two lengths than its last QBUF, so that vb2 cannot reuse the plane and
 * every QBUF that succeeds imports the memory afresh: at least half of
 * them must (the import rate). Then the worker either cleans up and
 * answers (ending "exit") or is killed with SIGKILL where it stands
 * (ending "kill"). A case passes when the worker answered (or died of the
 * SIGKILL) within the box plus 20 s (no hang; the kernel's hung-task
 * detector watches too), every operation ran at least once, no ioctl
 * failed with an errno outside the expected set, and nothing was left
 * pinned or listed in dma_buf/bufinfo after it.
 *
 * On zcbuf, "swap" cases race the kind of memory itself: one thread flips
 * an address between a page-backed dma-buf (udmabuf, the CMA heap) and
 * anonymous PROT_NONE memory with mmap(MAP_FIXED), another queues that
 * address again and again. Each QBUF must import the dma-buf or fail with
 * EFAULT; nothing may ever be pinned (the FOLL_PIN counters do not move),
 * and the CMA heap must never reach the long-term pin that retries
 * forever. The seed is printed; the same seed gives the same choices (not
 * the same interleaving).
 *
 * Usage: races [--kernel stock|patched] [--seed N] [--seconds S] [--only KIND]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>
#include <linux/videodev2.h>

#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define UP V4L2_MEMORY_USERPTR
#define NBUF 2

enum op {
	OP_QBUF, OP_DQBUF, OP_STREAMON, OP_STREAMOFF, OP_REQBUFS, OP_RECYCLE,
	OP_MREMAP, OP_DONTNEED, OP_FORK, OP_REOPEN, NOPS
};
static const char *const op_names[NOPS] = {
	"qbuf", "dqbuf", "streamon", "streamoff", "reqbufs", "recycle", "mremap",
	"madvise", "fork", "reopen",
};

static enum kernel kernel;
static int target = -1;
static unsigned int seed;
static int seconds = 3;

/* The errnos a failed QBUF may give, counted apart to say why it failed. */
static const int qbuf_errnos[] = { EFAULT, EINVAL, EBUSY, EBADF, ENOMEM, ENODEV };
#define NQBUF_ERRNOS (sizeof(qbuf_errnos) / sizeof(qbuf_errnos[0]))

struct counts {
	bool done;
	unsigned long ran[NOPS], failed[NOPS];
	unsigned long qbuf_errno[NQBUF_ERRNOS + 1];	/* the last: any other */
	int bad_errno;		/* an ioctl errno outside the expected set */
	enum op bad_op;
	char why[200];
};

struct worker {
	enum kind kind;
	int nbuf;
	int vid;			/* swapped by the process thread */
	pthread_mutex_t mem_lock;	/* the slots, against the memory thread */
	struct lmem slot[NBUF];
	bool stop;
	struct counts *c;
};

/* What the queue thread believes of its queue (it alone changes it). */
struct qstate {
	int vid;		/* the fd the belief is about */
	bool queued[NBUF];
	size_t last_len[NBUF];	/* of the last QBUF that succeeded */
};

static int cur_vid(struct worker *w)
{
	return __atomic_load_n(&w->vid, __ATOMIC_RELAXED);
}

static void note(struct worker *w, enum op op, int ret)
{
	__atomic_fetch_add(&w->c->ran[op], 1, __ATOMIC_RELAXED);
	if (!ret)
		return;
	__atomic_fetch_add(&w->c->failed[op], 1, __ATOMIC_RELAXED);
	if (op == OP_QBUF) {
		unsigned int i;

		for (i = 0; i < NQBUF_ERRNOS && qbuf_errnos[i] != -ret; i++)
			;
		__atomic_fetch_add(&w->c->qbuf_errno[i], 1, __ATOMIC_RELAXED);
	}
	/*
	 * What racing userspace may see: the memory gone or changed (EFAULT,
	 * EINVAL for a length or state vb2 refuses, ENOMEM), the queue busy or
	 * not streaming (EBUSY, EINVAL, EAGAIN, EPIPE), the fd closed under
	 * it (EBADF), a revoked dma-buf (ENODEV), a failed buffer (EIO).
	 */
	switch (-ret) {
	case EFAULT: case EINVAL: case ENOMEM: case EBUSY: case EAGAIN: case EPIPE:
	case EBADF: case ENODEV: case EIO: case ETIMEDOUT: case ENOTTY:
		return;
	}
	w->c->bad_errno = -ret;
	w->c->bad_op = op;
}

static int qbuf(int vid, unsigned int index, unsigned long uptr, size_t len)
{
	struct v4l2_buffer buf = {
		.type = CAP, .memory = UP, .index = index,
		.m.userptr = uptr, .length = len,
	};

	return ioctl(vid, VIDIOC_QBUF, &buf) ? -errno : 0;
}

/* Non-blocking DQBUF: the index, or -errno (-EAGAIN: nothing done yet). */
static int dqbuf(int vid)
{
	struct v4l2_buffer buf = { .type = CAP, .memory = UP };

	return ioctl(vid, VIDIOC_DQBUF, &buf) ? -errno : (int)buf.index;
}

/*
 * Both lengths cover the range's mapping (a frame, and the frame's pages),
 * and vb2 reacquires a plane whose length changed: alternating them makes
 * every QBUF that succeeds an import.
 */
static size_t other_len(size_t len)
{
	return len == FRAME_SIZE ? BUF_LEN : FRAME_SIZE;
}

/* A dequeued buffer whose memory is there, at random; -1: none. */
static int pick_dequeued(struct worker *w, const struct qstate *q, unsigned int *r)
{
	int i, n = 0, pick[NBUF];

	for (i = 0; i < w->nbuf; i++)
		if (!q->queued[i] && __atomic_load_n(&w->slot[i].mapped, __ATOMIC_RELAXED))
			pick[n++] = i;
	return n ? pick[rand_r(r) % n] : -1;
}

/* Whether the queue of @vid has its USERPTR buffers (QUERYBUF of the first). */
static bool has_buffers(int vid)
{
	struct v4l2_buffer buf = { .type = CAP, .memory = UP };

	return !ioctl(vid, VIDIOC_QUERYBUF, &buf);
}

static void forget_queued(struct qstate *q)
{
	memset(q->queued, 0, sizeof(q->queued));
}

/* Non-blocking: a DQBUF on a streaming queue with nothing queued waits forever. */
static int open_nonblocking(void)
{
	int vid = open_vivid(target);

	if (vid >= 0 && fcntl(vid, F_SETFL, O_NONBLOCK)) {
		close(vid);
		return -errno;
	}
	return vid;
}

static int prepare_queue(int vid, int nbuf)
{
	int ret = vid_set_format(vid, CAP);

	return ret ? ret : vid_reqbufs(vid, CAP, UP, nbuf, NULL);
}

static void *queue_thread(void *arg)
{
	struct worker *w = arg;
	struct qstate q = { .vid = -1 };
	unsigned int r = seed;
	unsigned long uptr;
	int vid, i, op, ret;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		vid = cur_vid(w);
		if (vid != q.vid) {	/* reopened: a new queue, nothing queued */
			q.vid = vid;
			forget_queued(&q);
		}
		i = pick_dequeued(w, &q, &r);
		op = rand_r(&r) % 10;
		if (op < 5 && i < 0)
			op = 5;		/* nothing to queue: take one back */
		switch (op) {
		case 0: case 1: case 2: case 3: case 4:
			uptr = __atomic_load_n(&w->slot[i].uptr, __ATOMIC_RELAXED);
			ret = qbuf(vid, i, uptr, other_len(q.last_len[i]));
			note(w, OP_QBUF, ret);
			if (!ret) {
				q.queued[i] = true;
				q.last_len[i] = other_len(q.last_len[i]);
			} else if (ret == -EBUSY || (ret == -EINVAL && !has_buffers(vid))) {
				/*
				 * A reopen lost the race for the queue (a forked
				 * child still held the old file): take it once
				 * the old file is gone.
				 */
				ret = vid_reqbufs(vid, CAP, UP, w->nbuf, NULL);
				note(w, OP_REQBUFS, ret);
				if (!ret)
					forget_queued(&q);
			}
			break;
		case 5: case 6:
			ret = dqbuf(vid);
			if (ret >= 0 && ret < w->nbuf)
				q.queued[ret] = false;
			note(w, OP_DQBUF, ret >= 0 || ret == -EAGAIN ? 0 : ret);
			break;
		case 7:
			note(w, OP_STREAMON, vid_stream(vid, CAP, true));
			break;
		case 8:
			ret = vid_stream(vid, CAP, false);
			if (!ret)
				forget_queued(&q);
			note(w, OP_STREAMOFF, ret);
			break;
		case 9:
			ret = vid_reqbufs(vid, CAP, UP, 0, NULL);
			if (!ret)
				forget_queued(&q);
			note(w, OP_REQBUFS, ret ? ret : vid_reqbufs(vid, CAP, UP, w->nbuf, NULL));
			break;
		}
	}
	return NULL;
}

/* Release the exporter's side of @m and allocate the memory anew. */
static void recycle(struct worker *w, struct lmem *m)
{
	char err[128];

	/* vivid lends its one MMAP buffer: release before the next. */
	release_mem(m);
	__atomic_fetch_add(&w->c->ran[OP_RECYCLE], 1, __ATOMIC_RELAXED);
	/*
	 * vivid's next MMAP buffer can be EBUSY while its queue is still with
	 * the old file (a forked child's copy of the fd; on zcbuf also an
	 * import of the dma-buf behind the old mapping). Counted; tried again
	 * next time.
	 */
	if (setup_kind(w->kind, m, err, sizeof(err)))
		__atomic_fetch_add(&w->c->failed[OP_RECYCLE], 1, __ATOMIC_RELAXED);
}

/* Move the mapping of @m to another address. */
static void move_mapping(struct worker *w, struct lmem *m)
{
	void *to = mmap(NULL, m->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p = to == MAP_FAILED ? MAP_FAILED :
		  mremap(m->map, m->map_len, m->map_len, MREMAP_MAYMOVE | MREMAP_FIXED, to);

	__atomic_fetch_add(&w->c->ran[OP_MREMAP], 1, __ATOMIC_RELAXED);
	if (p == MAP_FAILED) {
		__atomic_fetch_add(&w->c->failed[OP_MREMAP], 1, __ATOMIC_RELAXED);
		if (to != MAP_FAILED)
			munmap(to, m->map_len);
		return;
	}
	__atomic_store_n(&m->uptr, (unsigned long)p + range_off(m), __ATOMIC_RELAXED);
	m->map = p;
}

/*
 * Wait for the queue thread's next few QBUFs (at most 100 ms), then a random
 * moment: the memory changes once per QBUFS_PER_CHANGE QBUFs however fast
 * the machine is, mostly while a QBUF runs, and most QBUFs still import.
 */
#define QBUFS_PER_CHANGE 4

static void pace_by_qbufs(struct worker *w, unsigned int *r)
{
	unsigned long until = __atomic_load_n(&w->c->ran[OP_QBUF], __ATOMIC_RELAXED) +
			      QBUFS_PER_CHANGE;
	int ms;

	for (ms = 0; ms < 100 && !__atomic_load_n(&w->stop, __ATOMIC_RELAXED) &&
		     __atomic_load_n(&w->c->ran[OP_QBUF], __ATOMIC_RELAXED) < until; ms++)
		usleep(1000);
	usleep(rand_r(r) % 2000);
}

static void *memory_thread(void *arg)
{
	struct worker *w = arg;
	unsigned int r = seed + 1, n;
	struct lmem *m;

	/* Each change in turn: a short run still makes every one of them. */
	for (n = 0; !__atomic_load_n(&w->stop, __ATOMIC_RELAXED); n++) {
		pace_by_qbufs(w, &r);
		m = &w->slot[rand_r(&r) % w->nbuf];
		pthread_mutex_lock(&w->mem_lock);
		switch (n % 3) {
		case 0:
			recycle(w, m);
			break;
		case 1:
			if (m->mapped)
				move_mapping(w, m);
			break;
		case 2:
			if (!m->mapped)
				break;
			__atomic_fetch_add(&w->c->ran[OP_DONTNEED], 1, __ATOMIC_RELAXED);
			if (madvise(m->map, m->map_len, MADV_DONTNEED))
				__atomic_fetch_add(&w->c->failed[OP_DONTNEED], 1, __ATOMIC_RELAXED);
			/*
			 * A video buffer's mapping is filled at mmap time and has
			 * no fault handler: emptied, it stays empty, and stock
			 * can pin nothing there. Map it anew, as its owner would.
			 */
			else if (m->kind == K_VIVID)
				recycle(w, m);
			break;
		}
		pthread_mutex_unlock(&w->mem_lock);
	}
	return NULL;
}

static void *process_thread(void *arg)
{
	struct worker *w = arg;
	unsigned int r = seed + 2;
	int vid, old;
	pid_t pid;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		usleep(5000 + rand_r(&r) % 20000);
		if (rand_r(&r) % 2) {
			pid = fork();
			if (pid == 0)
				_exit(0);
			note(w, OP_FORK, pid < 0 ? -errno : 0);
			if (pid > 0)
				waitpid(pid, NULL, 0);
			continue;
		}
		/* Non-blocking before the queue thread can see it. */
		vid = open_nonblocking();
		if (vid < 0) {
			note(w, OP_REOPEN, vid);
			continue;
		}
		old = __atomic_exchange_n(&w->vid, vid, __ATOMIC_RELAXED);
		/* The old file owns the queue until it is closed. */
		close(old);
		note(w, OP_REOPEN, prepare_queue(vid, w->nbuf));
	}
	return NULL;
}

struct run_arg {
	enum kind kind;
	bool kill;
};

static void worker_main(void *arg, void *out)
{
	const struct run_arg *a = arg;
	struct worker w = { .kind = a->kind, .c = out };
	pthread_t t[3];
	char err[128];
	int i, ret;

	w.nbuf = a->kind == K_VIVID ? 1 : NBUF;
	pthread_mutex_init(&w.mem_lock, NULL);
	w.vid = open_nonblocking();
	ret = w.vid < 0 ? w.vid : prepare_queue(w.vid, w.nbuf);
	if (ret) {
		snprintf(w.c->why, sizeof(w.c->why), "vivid-%03d queue: %s", target, errname(-ret));
		w.c->done = true;
		return;
	}
	for (i = 0; i < w.nbuf; i++) {
		if (setup_kind(a->kind, &w.slot[i], err, sizeof(err))) {
			snprintf(w.c->why, sizeof(w.c->why), "%s", err);
			w.c->done = true;
			return;
		}
	}
	pthread_create(&t[0], NULL, queue_thread, &w);
	pthread_create(&t[1], NULL, memory_thread, &w);
	pthread_create(&t[2], NULL, process_thread, &w);
	/* The "kill" ending: the parent's SIGKILL arrives in the middle. */
	sleep(a->kill ? seconds + 3600 : seconds);
	__atomic_store_n(&w.stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	vid_stream(w.vid, CAP, false);
	vid_reqbufs(w.vid, CAP, UP, 0, NULL);
	close(w.vid);
	for (i = 0; i < w.nbuf; i++)
		release_mem(&w.slot[i]);
	w.c->done = true;
}

static void run_one(enum kind kind, bool kill_it)
{
	struct run_arg a = { kind, kill_it };
	struct counts *c = calloc(1, sizeof(*c));
	struct leak_mark *mark = malloc(sizeof(*mark));
	char wchan[64] = "?", left[200], ran[400] = "";
	size_t used = 0;
	bool all_ran = true, ok;
	int status, ret, i;

	leak_mark_begin(mark);
	/* run_in_child kills the worker when the box (+ 20 s) is over. */
	ret = run_in_child(worker_main, &a, c, sizeof(*c), kill_it ? seconds : seconds + 20,
			   wchan, sizeof(wchan), &status);
	for (i = 0; i < NOPS; i++) {
		used += snprintf(ran + used, sizeof(ran) - used, "%s%s %lu/%lu", i ? ", " : "",
				 op_names[i], c->ran[i], c->failed[i]);
		all_ran &= c->ran[i] > 0;
	}
	if (kill_it) {
		/* The counts never come back from a killed worker. */
		ok = ret == -ETIMEDOUT && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		tap_result(ok, "%s kill: the worker died of SIGKILL after %d s (%s)",
			   kinds[kind].name, seconds, ret == -ETIMEDOUT ? "killed" : errname(-ret));
	} else {
		unsigned long qbufs = c->ran[OP_QBUF], imports = qbufs - c->failed[OP_QBUF];

		ok = !ret && c->done && !c->why[0] && all_ran && !c->bad_errno;
		tap_result(ok, "%s exit: %s%s%s%s (ran/failed: %s)", kinds[kind].name,
			   ret ? "no answer, wchan " : "answered", ret ? wchan : "",
			   c->why[0] ? "; " : "", c->why, ran);
		if (c->bad_errno)
			tap_diag("%s returned %s", op_names[c->bad_op], errname(c->bad_errno));
		tap_result(ok && imports * 2 >= qbufs,
			   "%s exit: %lu of %lu QBUFs imported (%.0f%%; at least half must)",
			   kinds[kind].name, imports, qbufs, qbufs ? 100.0 * imports / qbufs : 0.0);
		for (i = 0, used = 0; i <= (int)NQBUF_ERRNOS; i++)
			if (c->qbuf_errno[i])
				used += snprintf(ran + used, sizeof(ran) - used, " %s %lu",
						 i < (int)NQBUF_ERRNOS ? errname(qbuf_errnos[i]) :
									 "other",
						 c->qbuf_errno[i]);
		if (used)
			tap_diag("%s: the QBUFs that failed:%s", kinds[kind].name, ran);
	}
	tap_result(leak_mark_end(mark, left, sizeof(left)), "%s %s: nothing left: %s",
		   kinds[kind].name, kill_it ? "kill" : "exit", left);
	free(mark);
	free(c);
}

/* ---- swap: the kind of memory behind one address changes --------------- */

enum swap_kind { SW_UDMABUF, SW_CMA, NSWAPS };
static const char *const swap_names[NSWAPS] = { "swap-udmabuf", "swap-heap-cma" };

struct swap_counts {
	bool done;
	unsigned long qbufs, imported, refused, flips;
	int bad_errno;
	char why[160];
};

struct swapper {
	uint8_t *addr;		/* BUF_LEN bytes: the dma-buf or PROT_NONE memory */
	int dmabuf;
	bool stop;
	unsigned long flips;
};

/* A page-backed dma-buf of BUF_LEN bytes: an fd or -errno. */
static int swap_dmabuf(enum swap_kind k)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = BUF_LEN };
	char heap[64];
	int memfd, dev, fd;

	if (k == SW_CMA)
		return cma_heap_name(heap, sizeof(heap)) ? -ENOENT : heap_alloc(heap, BUF_LEN);
	memfd = memfd_create("races-swap", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, BUF_LEN) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return -errno;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	create.memfd = memfd;
	fd = dev < 0 ? -1 : ioctl(dev, UDMABUF_CREATE, &create);
	fd = fd < 0 ? -errno : fd;
	if (dev >= 0)
		close(dev);
	close(memfd);
	return fd;
}

/* Flip the address between the dma-buf and memory nothing may pin. */
static void *flip_thread(void *arg)
{
	struct swapper *sw = arg;

	while (!__atomic_load_n(&sw->stop, __ATOMIC_RELAXED)) {
		mmap(sw->addr, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		     sw->dmabuf, 0);
		mmap(sw->addr, BUF_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		sw->flips++;
	}
	return NULL;
}

static void swap_main(void *arg, void *out)
{
	const enum swap_kind *k = arg;
	struct swap_counts *c = out;
	struct swapper sw = { .dmabuf = swap_dmabuf(*k) };
	size_t len = FRAME_SIZE;
	pthread_t flipper;
	double end;
	int vid, ret;

	c->done = true;
	vid = open_vivid(target);
	ret = vid < 0 ? vid : vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, UP, 1, NULL);
	sw.addr = mmap(NULL, BUF_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ret || sw.dmabuf < 0 || sw.addr == MAP_FAILED) {
		snprintf(c->why, sizeof(c->why), "set-up: queue %s, dma-buf %s", errname(-ret),
			 sw.dmabuf < 0 ? errname(-sw.dmabuf) : "ok");
		return;
	}
	pthread_create(&flipper, NULL, flip_thread, &sw);
	for (end = now_ms() + seconds * 1000.0; now_ms() < end; len = other_len(len)) {
		ret = qbuf(vid, 0, (unsigned long)sw.addr, len);
		c->qbufs++;
		if (!ret) {
			c->imported++;
			/* Take it back: the next QBUF imports again. */
			vid_stream(vid, CAP, false);
		} else if (ret == -EFAULT) {
			c->refused++;
		} else {
			c->bad_errno = -ret;
			break;
		}
	}
	__atomic_store_n(&sw.stop, true, __ATOMIC_RELAXED);
	pthread_join(flipper, NULL);
	c->flips = sw.flips;
	vid_reqbufs(vid, CAP, UP, 0, NULL);
	close(vid);
}

static void run_swap(enum swap_kind k)
{
	struct swap_counts *c = calloc(1, sizeof(*c));
	struct leak_mark *mark = malloc(sizeof(*mark));
	char wchan[64] = "?", text[200], left[200];
	long long a0, r0, a1, r1;
	int status, ret;

	read_pins(&a0, &r0);
	leak_mark_begin(mark);
	ret = run_in_child(swap_main, &k, c, sizeof(*c), seconds + 20, wchan, sizeof(wchan),
			   &status);
	read_pins(&a1, &r1);
	if (ret)
		child_failure(ret, seconds + 20, wchan, status, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%lu QBUFs: %lu imported, %lu EFAULT, %lu flips%s%s",
			 c->qbufs, c->imported, c->refused, c->flips, c->why[0] ? "; " : "",
			 c->why);
	tap_result(!ret && !c->why[0] && !c->bad_errno && c->imported && c->refused, "%s: %s",
		   swap_names[k], text);
	if (c->bad_errno)
		tap_diag("QBUF returned %s", errname(c->bad_errno));
	/* A pin here is memory a dma-buf owns, pinned behind its back. */
	tap_result(a1 == a0 && r1 == r0, "%s: nothing was ever pinned (FOLL_PIN +%lld/-%lld)",
		   swap_names[k], a1 - a0, r1 - r0);
	tap_result(leak_mark_end(mark, left, sizeof(left)), "%s: nothing left: %s",
		   swap_names[k], left);
	free(mark);
	free(c);
}

int main(int argc, char **argv)
{
	static const enum kind race_kinds[] = { K_MEMFD, K_HEAP, K_VGEM, K_VIVID, K_IVSHMEM };
	const char *only = NULL, *karg = NULL;
	int n, i;
	enum kind k;

	seed = (unsigned int)time(NULL);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			karg = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--kernel stock|patched] [--seed N] [--seconds S] [--only KIND]\n",
				argv[0]);
			return 2;
		}
	}
	kernel = kernel_is_zcbuf(karg) ? PATCHED : STOCK;
	target = mem_kinds_prepare(&n);
	if (!tap_result(target >= 0, "two vivid instances with vb2-vmalloc (%d found)", n))
		return tap_done();
	tap_diag("races on vivid-%03d, %s kernel, seed %u, %d s per case", target,
		 kernel_names[kernel], seed, seconds);
	for (i = 0; i < (int)(sizeof(race_kinds) / sizeof(race_kinds[0])); i++) {
		k = race_kinds[i];
		if (only && strcmp(only, kinds[k].name))
			continue;
		if (kinds[k].qbuf[kernel] != Q_OK) {
			tap_result(true, "%s # SKIP QBUF %s on %s: nothing to race", kinds[k].name,
				   kinds[k].qbuf[kernel] == Q_NODRV ? "has no driver" : "is EFAULT",
				   kernel_names[kernel]);
			continue;
		}
		run_one(k, false);
		run_one(k, true);
	}
	for (i = 0; i < NSWAPS; i++) {
		if (only && strcmp(only, swap_names[i]))
			continue;
		if (kernel == STOCK)
			tap_result(true, "%s # SKIP stock pins page-backed dma-bufs (and never returns from a CMA pin): nothing to race",
				   swap_names[i]);
		else
			run_swap(i);
	}
	return tap_done();
}
