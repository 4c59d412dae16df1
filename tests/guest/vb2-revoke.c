// SPDX-License-Identifier: MIT
/*
 * In-guest test of videobuf2 reacting when the exporter of memory it
 * imports revokes it. The memory is the ivshmem-iopfn BAR, queued as
 * USERPTR (the address of its dma-buf's mapping) or as a DMABUF buffer into
 * vivid capture (vb2-vmalloc and vb2-dma-contig) and vim2m output
 * (vb2-vmalloc), and revoked by unbinding the driver while the buffer is
 *
 *  - queued: before STREAMON;
 *  - prepared: PREPARE_BUF, never queued;
 *  - dequeued: userspace holds it after a good frame;
 *  - active: the driver has it and keeps it for as long as userspace lets
 *    it (vivid dropping every frame, vim2m with no capture buffer to run a
 *    job).
 *
 * vb2 lets go of the memory of a buffer the driver does not hold right
 * away, so the unbind ends within a second whatever userspace does next; an
 * active buffer is let go of as soon as the driver gives it back, which
 * vivid and vim2m do at once for a buffer their device has not started on.
 * A queued or active buffer then completes with V4L2_BUF_FLAG_ERROR, and
 * queueing the buffer again fails with ENODEV. Before, the unbind
 * waited for as long as userspace kept the buffer.
 *
 * The BAR queued in vivid while another thread holds vivid's lock (its
 * S_EXT_CTRLS stalled by userfaultfd): vb2's revocation work needs the
 * lock and tries again until it is free; the unbind waits that long only.
 *
 * Then media requests on vim2m, holding the BAR and a control. A request
 * queued before STREAMON: the revocation lets go of the buffer, and once
 * streaming starts vb2 fails it without handing it to vim2m; the request
 * must still complete, the control's part of it too. A request queued while
 * streaming, with no job to run: vim2m gives the buffer back, and completes
 * the request's control. And a buffer prepared, or in a request not queued
 * yet, and then revoked: queueing the request that holds it fails with
 * ENODEV.
 *
 * Then vim2m jobs: one running on the BAR, which the unbind must wait for
 * (its buffer still completes with the error flag), and one queued behind
 * another context's, whose fd is closed at the point where the release
 * waits for the reservation lock the revocation holds (fence wait): vb2's
 * revocation work runs while the release has stopped it.
 *
 * And vim2m's fd closed while the unbind revokes the BAR it holds, at a few
 * offsets in time: vim2m releases its queues without their lock, so vb2's
 * revocation work and the release must not meet (the kernel log says if
 * they do).
 *
 * Usage: vb2-revoke. Needs vivid loaded with a vb2-vmalloc instance and a
 * vb2-dma-contig one with contig_userptr=1, vim2m, vgem, ivshmem-iopfn. TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/media.h>
#include <linux/userfaultfd.h>
#include <linux/videodev2.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "ivshmem-util.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define OUT V4L2_BUF_TYPE_VIDEO_OUTPUT
#define MAP_LEN (FRAME_PAGES * PAGE)

struct target {
	const char *name;
	int allocator;		/* vivid's, for capture targets */
	bool m2m;		/* vim2m: the BAR is its output buffer */
};

static const struct target targets[] = {
	{ "vivid vb2-vmalloc capture", 0, false },
	{ "vivid vb2-dma-contig capture", 1, false },
	{ "vim2m vb2-vmalloc output", 0, true },
};

enum when { QUEUED, PREPARED, DEQUEUED, ACTIVE };
static const char *const when_names[] = { "queued", "prepared", "dequeued", "active" };

/*
 * vb2 lets go of what the driver does not hold at once: the unbind's bound,
 * measured against an idle unbind (ivshmem_unbind_bound_ms()).
 */
static int unbind_ms;

static char pci_addr[64];

static int open_target(const struct target *t)
{
	int inst;

	if (t->m2m)
		return open_video("vim2m");
	if (vivid_instances(t->allocator, &inst, 1) < 1)
		return -ENODEV;
	return open_vivid(inst);
}

/*
 * The BAR as a buffer's memory: a dma-buf of it, mapped, and what QBUF takes
 * for the memory type (USERPTR: the mapping's address; DMABUF: the fd).
 */
struct bar {
	int fd;
	void *map;
	unsigned long mem;
};

/* Export and map the BAR: 0 or -ENODEV; bar_put() undoes it either way. */
static int bar_get(struct bar *b, int dev, uint32_t memory)
{
	b->fd = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	b->map = b->fd < 0 ? MAP_FAILED :
		 mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	b->mem = memory == V4L2_MEMORY_USERPTR ? (unsigned long)b->map : (unsigned long)b->fd;
	return b->map == MAP_FAILED ? -ENODEV : 0;
}

static void bar_put(struct bar *b)
{
	if (b->map != MAP_FAILED)
		munmap(b->map, MAP_LEN);
	if (b->fd >= 0)
		close(b->fd);
	b->map = MAP_FAILED;
	b->fd = -1;
}

static const char *memory_name(uint32_t memory)
{
	return memory == V4L2_MEMORY_USERPTR ? "USERPTR" : "DMABUF";
}

/*
 * vivid dropping every frame keeps a queued buffer for as long as userspace
 * lets it: the driver holds it, and only the driver can give it back.
 */
static int vid_drop_all(int vid, bool on)
{
	return vid_set_ctrl_by_name(vid, "Percentage of Dropped Buffers", on ? 100 : 0);
}

/* Whether the driver holds buffer 0: queued, not done. */
static bool driver_holds(int vid, uint32_t type, uint32_t memory)
{
	struct v4l2_buffer buf = { .type = type, .memory = memory, .index = 0 };

	return !ioctl(vid, VIDIOC_QUERYBUF, &buf) &&
	       (buf.flags & (V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_DONE)) == V4L2_BUF_FLAG_QUEUED;
}

/* vim2m runs a job once its capture queue has a buffer too. */
static int m2m_start_capture(int vid)
{
	int ret = vid_reqbufs(vid, CAP, V4L2_MEMORY_MMAP, 1, NULL);

	if (!ret)
		ret = vid_qbuf(vid, CAP, V4L2_MEMORY_MMAP, 0, 0);
	return ret ? ret : vid_stream(vid, CAP, true);
}

/* STREAMON the BAR's queue; for vim2m, start jobs when @run is set. */
static int start(int vid, const struct target *t, bool run)
{
	int ret = vid_stream(vid, t->m2m ? OUT : CAP, true);

	return !ret && t->m2m && run ? m2m_start_capture(vid) : ret;
}

static int setup(int vid, const struct target *t, uint32_t memory,
		 unsigned long mem, enum when when)
{
	uint32_t type = t->m2m ? OUT : CAP;
	int ret;

	ret = vid_set_format(vid, type);
	if (!ret && t->m2m)
		ret = vid_set_format(vid, CAP);
	if (!ret && !t->m2m)
		ret = vid_drop_all(vid, when == ACTIVE);
	if (!ret)
		ret = vid_reqbufs(vid, type, memory, 1, NULL);
	if (ret)
		return ret;
	if (when == PREPARED)
		return vid_prepare_buf(vid, type, memory, mem, FRAME_SIZE);
	return vid_qbuf(vid, type, memory, mem, FRAME_SIZE);
}

/*
 * Unbind the BAR's driver while userspace does nothing: it must end within
 * @bound_ms. Returns the unbind child; *waited: what ivshmem_unbind_wait()
 * said after 10 s at most; *ms: how long it took.
 */
static pid_t unbind_within(const char *what, int bound_ms, int *waited, double *ms)
{
	pid_t pid = ivshmem_unbind_timed(pci_addr, 10000, waited, ms);

	tap_result(*waited == 0 && *ms < bound_ms,
		   "%s: the unbind ends within %d ms (%.0f ms%s)", what, bound_ms,
		   *ms, *waited ? ", still waiting" : "");
	return pid;
}

/* The same within unbind_ms: vb2 lets go of what the driver does not hold. */
static pid_t unbind_timed(const char *what, int *waited)
{
	double ms;

	return unbind_within(what, unbind_ms, waited, &ms);
}

/*
 * After a case, with the queue closed: let the unbind child @pid finish
 * (@waited: what ivshmem_unbind_wait() said so far; closing the queue must
 * release the BAR at least), then bind the driver again. Returns its
 * device fd, or -1.
 */
static int finish_unbind(int dev, pid_t pid, int waited, const char *what)
{
	if (waited == -1) {
		waited = ivshmem_unbind_wait(pid, 10000);
		tap_diag("%s: the unbind %s after close", what,
			 waited == 0 ? "finished" : "still waits");
		if (waited == -1)
			ivshmem_unbind_kill(pid);
	}
	close(dev);
	dev = ivshmem_rebind(pci_addr);
	if (dev < 0)
		tap_diag("%s: binding the driver again failed", what);
	return dev;
}

/*
 * Revoke the BAR while buffer 0 of @t's queue imports it at @when. Returns
 * the device fd of the driver bound again, or -1.
 */
static int test_revoke(int dev, const struct target *t, uint32_t memory,
		       enum when when)
{
	uint32_t type = t->m2m ? OUT : CAP;
	int vid, ret, waited = -1;
	struct bar bar;
	char what[128];
	pid_t pid;

	snprintf(what, sizeof(what), "%s, %s, %s", t->name, memory_name(memory),
		 when_names[when]);
	ret = bar_get(&bar, dev, memory);
	vid = open_target(t);
	ret = ret || vid < 0 ? -ENODEV : setup(vid, t, memory, bar.mem, when);
	if (!tap_result(!ret, "%s: the BAR is %s (%s)", what,
			when == PREPARED ? "prepared" : "queued", ret ? errname(-ret) : "ok"))
		goto out;

	ret = when == QUEUED || when == PREPARED ? 0 : start(vid, t, when == DEQUEUED);
	if (ret)
		tap_result(false, "%s: STREAMON (%s)", what, errname(-ret));
	if (when == DEQUEUED) {
		ret = vid_dqbuf(vid, type, memory, 10000, NULL);
		tap_result(ret > 0, "%s: a good frame first (%s)", what,
			   ret > 0 ? "ok" : errname(-ret));
	} else if (when == ACTIVE) {
		usleep(200000);	/* the driver has the buffer by now */
		tap_result(driver_holds(vid, type, memory),
			   "%s: the driver holds the buffer (QUERYBUF: queued, not done)", what);
	}

	/* Whatever userspace does next, it does after the unbind's bound */
	pid = unbind_timed(what, &waited);

	ret = 0;
	if (when == QUEUED)
		ret = start(vid, t, true);
	else if (when == ACTIVE && t->m2m)
		ret = m2m_start_capture(vid);
	if (ret)
		tap_result(false, "%s: start streaming (%s)", what, errname(-ret));
	if (when == QUEUED || when == ACTIVE) {
		ret = vid_dqbuf(vid, type, memory, 10000, NULL);
		tap_result(ret == -EIO,
			   "%s: the buffer completes with V4L2_BUF_FLAG_ERROR (%s)", what,
			   ret == -EIO ? "ok" : ret >= 0 ? "no error flag" : errname(-ret));
	}
	ret = vid_qbuf(vid, type, memory, bar.mem, FRAME_SIZE);
	tap_result(ret == -ENODEV, "%s: queueing it again fails with ENODEV (%s)",
		   what, ret ? errname(-ret) : "queued");
	vid_stream(vid, type, false);
	if (t->m2m)
		vid_stream(vid, CAP, false);
	else
		vid_drop_all(vid, false);
	close(vid);
	vid = -1;
	dev = finish_unbind(dev, pid, waited, what);
out:
	if (vid >= 0)
		close(vid);
	bar_put(&bar);
	return dev;
}

/*
 * vim2m releases its queues under a lock of its own, not the queues' lock:
 * close the video fd while the unbind revokes the BAR it holds, at a few
 * offsets in time, so that vb2's revocation work and the queue's release
 * meet. The kernel log (KASAN, lockdep) is the judge; the unbind must end
 * in time and the driver bind again.
 */
static int test_revoke_close(int dev, uint32_t memory)
{
	static const unsigned int delays_us[] = { 0, 200, 1000, 3000, 10000 };
	const struct target *t = &targets[2];
	unsigned int i, ok = 0;
	int vid, ret, waited;
	struct bar bar;
	char what[64];
	pid_t pid;

	for (i = 0; i < sizeof(delays_us) / sizeof(delays_us[0]) && dev >= 0; i++) {
		snprintf(what, sizeof(what), "vim2m close during the unbind, %s, +%u us",
			 memory_name(memory), delays_us[i]);
		ret = bar_get(&bar, dev, memory);
		vid = open_target(t);
		if (ret || vid < 0 || setup(vid, t, memory, bar.mem, ACTIVE) ||
		    start(vid, t, false)) {
			tap_result(false, "%s: the BAR is queued and streaming", what);
			if (vid >= 0)
				close(vid);
			bar_put(&bar);
			break;
		}
		pid = ivshmem_unbind_start(pci_addr);
		usleep(delays_us[i]);
		close(vid);
		waited = ivshmem_unbind_wait(pid, 10000);
		ok += waited == 0;
		bar_put(&bar);
		dev = finish_unbind(dev, pid, waited, what);
	}
	tap_result(ok == i && i == sizeof(delays_us) / sizeof(delays_us[0]),
		   "vim2m close during the unbind, %s: %u of %u unbinds ended, the driver bound again",
		   memory_name(memory), ok, i);
	return dev;
}

/*
 * vivid's lock (its queues' lock too), held by a thread for as long as the
 * test likes: S_EXT_CTRLS of vivid's "String" control, whose value sits in
 * a page userfaultfd keeps missing. The ioctl copies it under the lock.
 */
struct held_lock {
	int vid, uffd, ret;
	char *page;
	pthread_t thread;
};

static void *set_string_ctrl(void *arg)
{
	struct held_lock *h = arg;
	struct v4l2_ext_control c = { .size = 4, .string = h->page };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL, .count = 1, .controls = &c,
	};
	int id = vid_ctrl_id_by_name(h->vid, "String");

	c.id = id;
	h->ret = id < 0 ? id : ioctl(h->vid, VIDIOC_S_EXT_CTRLS, &cs) ? -errno : 0;
	return NULL;
}

/* Start holding the lock: 0 once the thread waits for its page, or -errno. */
static int hold_lock(struct held_lock *h, int vid)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct pollfd pfd;
	struct uffd_msg msg;

	*h = (struct held_lock){ .vid = vid, .uffd = -1, .page = MAP_FAILED };
	h->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h->uffd < 0 || ioctl(h->uffd, UFFDIO_API, &api))
		return -errno;
	h->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->page == MAP_FAILED)
		return -errno;
	reg.range = (struct uffdio_range){ .start = (unsigned long)h->page, .len = PAGE };
	if (ioctl(h->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	if (pthread_create(&h->thread, NULL, set_string_ctrl, h))
		return -EAGAIN;
	pfd = (struct pollfd){ .fd = h->uffd, .events = POLLIN };
	if (poll(&pfd, 1, 5000) != 1 || read(h->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return -ETIMEDOUT;
	return 0;
}

/* Let the thread's copy complete and wait for it: its ioctl's result. */
static int release_lock(struct held_lock *h)
{
	static char value[PAGE] = "abc";
	struct uffdio_copy copy = {
		.dst = (unsigned long)h->page, .src = (unsigned long)value, .len = PAGE,
	};
	int ret = -EBADF;

	if (h->uffd >= 0 && h->page != MAP_FAILED && !ioctl(h->uffd, UFFDIO_COPY, &copy)) {
		pthread_join(h->thread, NULL);
		ret = h->ret;
	}
	if (h->page != MAP_FAILED)
		munmap(h->page, PAGE);
	if (h->uffd >= 0)
		close(h->uffd);
	return ret;
}

/*
 * The BAR queued in vivid (before STREAMON) while another thread holds
 * vivid's lock, which the queue's revocation work needs: the work does not
 * sleep on it (REQBUFS(0) cancels the work with it held) but tries again a
 * jiffy later, so the unbind waits for as long as the lock is held, and ends
 * within unbind_ms once it is free.
 */
static int test_revoke_locked(int dev, uint32_t memory)
{
	const struct target *t = &targets[0];
	struct held_lock h = { .uffd = -1, .page = MAP_FAILED };
	int vid, ret, waited = -1, held = -1;
	struct bar bar;
	char what[80];
	double t_free;
	pid_t pid = -1;

	snprintf(what, sizeof(what), "%s, %s, queued, vivid's lock held", t->name,
		 memory_name(memory));
	ret = bar_get(&bar, dev, memory);
	vid = open_target(t);
	ret = ret || vid < 0 ? -ENODEV : setup(vid, t, memory, bar.mem, QUEUED);
	if (!ret)
		ret = hold_lock(&h, vid);
	if (!tap_result(!ret, "%s: the BAR is queued, a thread holds the lock (%s)", what,
			errname(-ret)))
		goto out;

	pid = ivshmem_unbind_start(pci_addr);
	held = ivshmem_unbind_wait(pid, unbind_ms);
	tap_result(held == -1, "%s: the unbind waits while the lock is held (%d ms)", what,
		   unbind_ms);
	t_free = now_ms();
	ret = release_lock(&h);
	tap_result(!ret, "%s: the thread's ioctl completes (%s)", what, errname(-ret));
	waited = held == -1 ? ivshmem_unbind_wait(pid, 10000) : held;
	tap_result(waited == 0 && now_ms() - t_free < unbind_ms,
		   "%s: the unbind ends within %d ms of the lock's release (%.0f ms)", what,
		   unbind_ms, now_ms() - t_free);
	close(vid);
	vid = -1;
	dev = finish_unbind(dev, pid, waited, what);
out:
	if (h.uffd >= 0)
		release_lock(&h);
	if (vid >= 0)
		close(vid);
	bar_put(&bar);
	return dev;
}

/* vim2m's "Transaction Time (msec)": how long its jobs take. */
static int m2m_set_job_ms(int vid, int ms)
{
	return vid_set_ctrl_by_name(vid, "Transaction Time (msec)", ms);
}

/* How long the job that reads the BAR takes: the unbind waits for it. */
#define JOB_MS 1000

/*
 * The BAR is vim2m's OUTPUT buffer in the job vim2m runs (for JOB_MS):
 * vim2m cannot give the buffer back while its device reads it, and later
 * completes it without error. The unbind waits for the job to end, and
 * the buffer is dequeued with V4L2_BUF_FLAG_ERROR all the same: its
 * exporter revoked what the device read. The CAPTURE buffer is good.
 * Returns the device fd of the driver bound again, or -1.
 */
static int test_revoke_job(int dev, uint32_t memory)
{
	const struct target *t = &targets[2];
	int vid, ret, waited = -1;
	struct bar bar;
	char what[64];
	double ms;
	pid_t pid;

	snprintf(what, sizeof(what), "vim2m job running on the BAR, %s", memory_name(memory));
	ret = bar_get(&bar, dev, memory);
	vid = open_target(t);
	ret = ret || vid < 0 ? -ENODEV : setup(vid, t, memory, bar.mem, QUEUED);
	if (!ret)
		ret = m2m_set_job_ms(vid, JOB_MS);
	/* vim2m starts the job in STREAMON */
	if (!ret)
		ret = start(vid, t, true);
	if (!tap_result(!ret && driver_holds(vid, OUT, memory),
			"%s: vim2m runs a %d ms job on it (%s)", what, JOB_MS,
			ret ? errname(-ret) : "QUERYBUF: queued, not done"))
		goto out;

	pid = unbind_within(what, JOB_MS + unbind_ms, &waited, &ms);
	tap_result(ms >= JOB_MS / 2, "%s: the unbind waited for the job (%.0f ms)", what, ms);
	ret = vid_dqbuf(vid, OUT, memory, 5000, NULL);
	tap_result(ret == -EIO,
		   "%s: the buffer completes with V4L2_BUF_FLAG_ERROR although the job ended well (%s)",
		   what, ret == -EIO ? "ok" : ret >= 0 ? "no error flag" : errname(-ret));
	ret = vid_dqbuf(vid, CAP, V4L2_MEMORY_MMAP, 5000, NULL);
	tap_result(ret > 0, "%s: the job's CAPTURE buffer is good (%s)", what,
		   ret > 0 ? "ok" : errname(-ret));
	ret = vid_qbuf(vid, OUT, memory, bar.mem, FRAME_SIZE);
	tap_result(ret == -ENODEV, "%s: queueing it again fails with ENODEV (%s)",
		   what, ret ? errname(-ret) : "queued");
	vid_stream(vid, OUT, false);
	vid_stream(vid, CAP, false);
	close(vid);
	vid = -1;
	dev = finish_unbind(dev, pid, waited, what);
out:
	if (vid >= 0)
		close(vid);
	bar_put(&bar);
	return dev;
}

/* How long the other vim2m context keeps the device busy. */
#define BUSY_MS 2000
/* How long revocation waits for a dma-buf's fences (IOPFN_FENCE_WAIT, HZ / 2). */
#define FENCE_WAIT_MS 500

/* A vim2m context with MMAP buffers whose job keeps the device for @ms. */
static int m2m_start_busy(int vid, int ms)
{
	int ret = vid_set_format(vid, OUT);

	if (!ret)
		ret = vid_set_format(vid, CAP);
	if (!ret)
		ret = m2m_set_job_ms(vid, ms);
	if (!ret)
		ret = vid_reqbufs(vid, OUT, V4L2_MEMORY_MMAP, 1, NULL);
	if (!ret)
		ret = vid_qbuf(vid, OUT, V4L2_MEMORY_MMAP, 0, FRAME_SIZE);
	if (!ret)
		ret = vid_stream(vid, OUT, true);
	return ret ? ret : m2m_start_capture(vid);
}

/*
 * vim2m closed at a set point of the revocation of the BAR it holds. The
 * BAR is the CAPTURE buffer (DMABUF) of a job vim2m queued but cannot start
 * while another context's job keeps the device, so vim2m keeps the buffer
 * when vb2 asks for it. The dma-buf holds a fence nobody signals: the
 * revocation tells vb2 and then waits FENCE_WAIT_MS for the fence with the
 * dma-buf's reservation lock held. The fd is closed in that wait: the
 * release stops vb2's revocation work, has vim2m give the buffer back, which
 * schedules the work, and lets go of the memory, for which it waits for the
 * reservation lock. So the work runs while the release has it stopped, and
 * must leave the queue alone (the kernel log says if it does not). The close
 * must end only with the fence wait, the unbind soon after, the other
 * context's job must still run then (the BAR's job never started), and the
 * driver bind again. Returns its device fd, or -1.
 */
static int test_revoke_release(int dev)
{
	const char *what = "vim2m closed while the revocation waits for a fence";
	int card, busy, vid = -1, fa, ret, waited = -1;
	struct ivshmem_iopfn_info info;
	double t0, t_revoked, t_close, t_closed;
	uint32_t fence;
	pid_t pid;

	card = open_vgem();
	busy = open_video("vim2m");
	ret = card < 0 || busy < 0 ? -ENODEV : m2m_start_busy(busy, BUSY_MS);
	fa = ret ? -1 : ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	vid = fa < 0 ? -1 : open_video("vim2m");
	if (!ret)
		ret = fa < 0 ? fa : vid < 0 ? vid : vid_set_format(vid, OUT);
	if (!ret)
		ret = vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, OUT, V4L2_MEMORY_MMAP, 1, NULL);
	if (!ret)
		ret = vid_qbuf(vid, OUT, V4L2_MEMORY_MMAP, 0, FRAME_SIZE);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, V4L2_MEMORY_DMABUF, 1, NULL);
	if (!ret)
		ret = vid_qbuf(vid, CAP, V4L2_MEMORY_DMABUF, (unsigned long)fa, 0);
	if (!ret)
		ret = vid_stream(vid, OUT, true);
	if (!ret)
		ret = vid_stream(vid, CAP, true);
	if (!tap_result(!ret && driver_holds(busy, OUT, V4L2_MEMORY_MMAP) &&
			driver_holds(vid, CAP, V4L2_MEMORY_DMABUF),
			"%s: the BAR waits in a job queued behind another context's (%s)",
			what, errname(-ret)))
		goto out;
	ret = dmabuf_add_vgem_fence(card, fa, &fence);
	if (!tap_result(!ret, "%s: a pending vgem fence in the BAR's dma-buf (%s)", what,
			errname(-ret)))
		goto out;

	t0 = now_ms();
	pid = ivshmem_unbind_start(pci_addr);
	/* The range is marked revoked right before vb2 is told */
	while (!ioctl(dev, IVSHMEM_IOPFN_IOC_INFO, &info) && now_ms() - t0 < 5000)
		usleep(1000);
	t_revoked = now_ms();
	/* vb2 is told at once; the fence wait lasts FENCE_WAIT_MS from then */
	usleep(50 * 1000);
	t_close = now_ms();
	close(vid);
	vid = -1;
	t_closed = now_ms();
	/* A close that did not wait for the lock ends in a few ms */
	tap_result(t_closed - t_revoked >= FENCE_WAIT_MS * 3 / 5 &&
		   t_closed - t_revoked < FENCE_WAIT_MS + unbind_ms,
		   "%s: the close waits for the revocation's fence wait (ends %.0f ms after the revocation began, %.0f ms in close)",
		   what, t_closed - t_revoked, t_closed - t_close);
	tap_result(driver_holds(busy, OUT, V4L2_MEMORY_MMAP),
		   "%s: the other context's job still runs after the close", what);
	waited = ivshmem_unbind_wait(pid, 5000);
	tap_result(waited == 0 && now_ms() - t_revoked < FENCE_WAIT_MS + unbind_ms,
		   "%s: the unbind ends within %d ms of the fence wait (%.0f ms after the revocation began)",
		   what, unbind_ms, now_ms() - t_revoked);
	vgem_fence_signal(card, fence);
	dev = finish_unbind(dev, pid, waited, what);
out:
	if (vid >= 0)
		close(vid);
	if (fa >= 0)
		close(fa);
	/* Waits for the other context's job */
	if (busy >= 0)
		close(busy);
	if (card >= 0)
		close(card);
	return dev;
}

/* vim2m's media device, where its requests come from: an fd or -errno. */
static int open_vim2m_media(void)
{
	char path[PATH_MAX], model[64];
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/sys/bus/media/devices/media%d/model", i);
		if (read_file(path, model, sizeof(model)) || strncmp(model, "vim2m", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/media%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return -ENODEV;
}

static int prepare_or_queue(int vid, uint32_t memory, unsigned long mem, int request)
{
	struct v4l2_buffer buf = { .type = OUT, .memory = memory, .bytesused = FRAME_SIZE };

	if (memory == V4L2_MEMORY_USERPTR) {
		buf.m.userptr = mem;
		buf.length = FRAME_SIZE;
	} else {
		buf.m.fd = (int)mem;
	}
	if (request >= 0) {
		buf.flags = V4L2_BUF_FLAG_REQUEST_FD;
		buf.request_fd = request;
	}
	return ioctl(vid, request >= 0 ? VIDIOC_QBUF : VIDIOC_PREPARE_BUF, &buf) ? -errno : 0;
}

/* A control of the request, so that the request holds more than the buffer. */
static int request_set_hflip(int vid, int request)
{
	struct v4l2_ext_control c = { .id = V4L2_CID_HFLIP, .value = 1 };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_REQUEST_VAL, .count = 1, .request_fd = request,
		.controls = &c,
	};

	return ioctl(vid, VIDIOC_S_EXT_CTRLS, &cs) ? -errno : 0;
}

/*
 * Where a request that holds the BAR stands when the BAR is revoked:
 *  - REQ_PREPARED: the buffer is only prepared, and put in the request after;
 *  - REQ_IN_REQUEST: the buffer, which imported the BAR when queued once
 *    before, is in a request that is not queued yet;
 *  - REQ_QUEUED: the request is queued, before STREAMON;
 *  - REQ_STREAMING: the request is queued while the OUTPUT queue streams:
 *    vim2m has the buffer but no job for it (no CAPTURE buffer), and gives
 *    it back.
 */
enum req_when { REQ_PREPARED, REQ_IN_REQUEST, REQ_QUEUED, REQ_STREAMING };
static const char *const req_when_names[] = {
	"of a prepared buffer", "not queued yet", "queued", "queued while streaming",
};

static int queue_request(int req)
{
	return ioctl(req, MEDIA_REQUEST_IOC_QUEUE) ? -errno : 0;
}

/* Put the BAR, buffer 0 of @vid's OUTPUT queue, where @when says. */
static int request_setup(int vid, uint32_t memory, unsigned long mem, int req,
			 enum req_when when)
{
	int ret = 0;

	switch (when) {
	case REQ_PREPARED:
		return prepare_or_queue(vid, memory, mem, -1);
	case REQ_IN_REQUEST:
		/* STREAMOFF hands the buffer back with the BAR still imported */
		ret = vid_qbuf(vid, OUT, memory, mem, FRAME_SIZE);
		if (!ret)
			ret = vid_stream(vid, OUT, false);
		return ret ? ret : prepare_or_queue(vid, memory, mem, req);
	case REQ_STREAMING:
		ret = vid_stream(vid, OUT, true);
		/* fall through */
	case REQ_QUEUED:
		if (!ret)
			ret = prepare_or_queue(vid, memory, mem, req);
		return ret ? ret : queue_request(req);
	}
	return -EINVAL;
}

/*
 * vim2m with a request that holds the BAR (OUTPUT buffer 0) and a control,
 * revoked at @when. A request not queued then cannot be queued after (the
 * buffer must import the BAR again); a queued one completes, the control's
 * part too, with the buffer in error. Returns the device fd of the driver
 * bound again, or -1.
 */
static int test_revoke_request(int dev, uint32_t memory, enum req_when when)
{
	int vid, media, req = -1, ret, waited = -1;
	struct pollfd pfd;
	struct bar bar;
	char what[96];
	pid_t pid;

	snprintf(what, sizeof(what), "vim2m request %s, %s", req_when_names[when],
		 memory_name(memory));
	ret = bar_get(&bar, dev, memory);
	vid = open_video("vim2m");
	media = open_vim2m_media();
	ret = ret || vid < 0 ? -ENODEV : media < 0 ? media : 0;
	if (!ret)
		ret = vid_set_format(vid, OUT);
	if (!ret)
		ret = vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, OUT, memory, 1, NULL);
	if (!ret)
		ret = ioctl(media, MEDIA_IOC_REQUEST_ALLOC, &req) ? -errno : 0;
	if (!ret)
		ret = request_set_hflip(vid, req);
	if (!ret)
		ret = request_setup(vid, memory, bar.mem, req, when);
	if (!tap_result(!ret, "%s: the BAR %s, a request with a control (%s)", what,
			when == REQ_PREPARED ? "prepared" : "in the request", errname(-ret)))
		goto out;
	if (when == REQ_STREAMING)
		tap_result(driver_holds(vid, OUT, memory),
			   "%s: vim2m holds the buffer (QUERYBUF: queued, not done)", what);

	pid = unbind_timed(what, &waited);
	if (when == REQ_PREPARED || when == REQ_IN_REQUEST) {
		ret = when == REQ_PREPARED ? prepare_or_queue(vid, memory, bar.mem, req) : 0;
		if (!ret)
			ret = queue_request(req);
		tap_result(ret == -ENODEV,
			   "%s: queueing the request that holds it fails with ENODEV (%s)",
			   what, ret ? errname(-ret) : "queued");
		goto stop;
	}
	if (when == REQ_QUEUED) {
		ret = vid_stream(vid, OUT, true);
		tap_result(!ret, "%s: STREAMON (%s)", what, errname(-ret));
	}
	pfd = (struct pollfd){ .fd = req, .events = POLLPRI };
	ret = poll(&pfd, 1, 5000);
	tap_result(ret == 1 && (pfd.revents & POLLPRI),
		   "%s: the request completes (poll: %s)", what,
		   ret == 1 ? "POLLPRI" : ret == 0 ? "nothing in 5 s" : errname(errno));
	ret = vid_dqbuf(vid, OUT, memory, 5000, NULL);
	tap_result(ret == -EIO, "%s: the buffer comes back with V4L2_BUF_FLAG_ERROR (%s)", what,
		   ret == -EIO ? "ok" : ret >= 0 ? "no error flag" : errname(-ret));
stop:
	vid_stream(vid, OUT, false);
	close(vid);
	vid = -1;
	dev = finish_unbind(dev, pid, waited, what);
out:
	if (req >= 0)
		close(req);
	if (media >= 0)
		close(media);
	if (vid >= 0)
		close(vid);
	bar_put(&bar);
	return dev;
}

int main(void)
{
	static const uint32_t memories[] = { V4L2_MEMORY_USERPTR, V4L2_MEMORY_DMABUF };
	unsigned int t, m, w;
	int dev;

	printf("TAP version 13\n");
	dev = ivshmem_open(pci_addr, sizeof(pci_addr));
	if (!tap_result(dev >= 0, "open /dev/ivshmem0 (%s)", errname(-dev)))
		return tap_done();
	unbind_ms = ivshmem_unbind_bound_ms(pci_addr, &dev);
	if (!tap_result(unbind_ms > 0, "an idle unbind and rebind work: unbinds may take %d ms",
			unbind_ms))
		return tap_done();
	for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		for (m = 0; m < 2; m++)
			for (w = QUEUED; w <= ACTIVE && dev >= 0; w++)
				dev = test_revoke(dev, &targets[t], memories[m], w);
	if (dev >= 0)
		dev = test_revoke_locked(dev, V4L2_MEMORY_DMABUF);
	for (m = 0; m < 2; m++)
		for (w = REQ_PREPARED; w <= REQ_STREAMING && dev >= 0; w++)
			dev = test_revoke_request(dev, memories[m], w);
	for (m = 0; m < 2 && dev >= 0; m++)
		dev = test_revoke_job(dev, memories[m]);
	if (dev >= 0)
		dev = test_revoke_release(dev);
	for (m = 0; m < 2 && dev >= 0; m++)
		dev = test_revoke_close(dev, memories[m]);
	if (dev >= 0)
		close(dev);
	return tap_done();
}
