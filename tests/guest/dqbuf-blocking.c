// SPDX-License-Identifier: MIT
/*
 * A blocking VIDIOC_DQBUF must not block the queue's other ioctls: with one
 * thread asleep in DQBUF on a streaming queue that has no buffer queued,
 * STREAMOFF from another thread returns, and wakes the sleeper, which gets
 * EINVAL (the queue no longer streams).
 *
 * v4l2-compliance 1.22.1 tests this too, but gives STREAMOFF 250 ms of
 * wall-clock time, which a loaded TCG guest does not always meet (upstream
 * v4l-utils gives it 3 s since commit 5ff5635a2671, for VMs). Here the only
 * time limits are the ones that tell a deadlock from a slow machine: the
 * program waits until the sleeper is really asleep (its state in /proc), and
 * gives STREAMOFF and the wake-up WAIT_S seconds each.
 *
 * Usage: dqbuf-blocking VIDEO [VIDEO ...]: vivid capture or output nodes,
 * or mem2mem nodes (both queues are tested). Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "tap.h"

#define WAIT_S 20

struct call {
	int fd;
	unsigned int type;
	bool mplane;
	unsigned long cmd;
	pid_t tid;		/* set by the thread when it starts */
	int ret;		/* -errno of the ioctl */
	volatile bool done;
};

static void *call_fn(void *arg)
{
	struct call *c = arg;
	struct v4l2_plane planes[VIDEO_MAX_PLANES] = { 0 };
	struct v4l2_buffer b = { .type = c->type, .memory = V4L2_MEMORY_MMAP };
	void *ioarg = &b;

	__atomic_store_n(&c->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	if (c->mplane) {
		b.m.planes = planes;
		b.length = VIDEO_MAX_PLANES;
	}
	if (c->cmd == VIDIOC_STREAMOFF)
		ioarg = &c->type;
	c->ret = ioctl(c->fd, c->cmd, ioarg) ? -errno : 0;
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* The scheduler state letter of thread TID ('S': asleep), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' ? p[2] : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits up to WAIT_S seconds for COND; true if it held. */
#define WAIT_FOR(cond) ({						\
	int __ms = 0;							\
	while (!(cond) && __ms < WAIT_S * 1000) {			\
		sleep_ms(10);						\
		__ms += 10;						\
	}								\
	(cond);								\
})

static bool is_done(struct call *c)
{
	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

static pid_t tid_of(struct call *c)
{
	return __atomic_load_n(&c->tid, __ATOMIC_ACQUIRE);
}

/* A thread still blocked uses this frame: end the program, the kernel reaps it. */
static void __attribute__((noreturn)) abandon(const char *why)
{
	tap_diag("%s: ending the run with the thread still blocked", why);
	exit(tap_done());
}

static void test_queue(const char *path, int fd, unsigned int type, bool mplane)
{
	struct v4l2_requestbuffers rb = { .count = 2, .type = type, .memory = V4L2_MEMORY_MMAP };
	struct call dq = { .fd = fd, .type = type, .mplane = mplane, .cmd = VIDIOC_DQBUF };
	struct call off = { .fd = fd, .type = type, .cmd = VIDIOC_STREAMOFF };
	pthread_t dq_thread, off_thread;
	bool asleep;

	if (!tap_result(!ioctl(fd, VIDIOC_REQBUFS, &rb) && !ioctl(fd, VIDIOC_STREAMON, &type),
			"%s queue %u: REQBUFS 2 and STREAMON (%s)", path, type, strerror(errno)))
		return;
	if (pthread_create(&dq_thread, NULL, call_fn, &dq)) {
		tap_result(false, "%s queue %u: DQBUF thread created", path, type);
		return;
	}
	asleep = WAIT_FOR(tid_of(&dq) && thread_state(tid_of(&dq)) == 'S');
	tap_result(asleep && !is_done(&dq), "%s queue %u: DQBUF with nothing queued sleeps",
		   path, type);
	if (pthread_create(&off_thread, NULL, call_fn, &off)) {
		tap_result(false, "%s queue %u: STREAMOFF thread created", path, type);
		abandon("DQBUF");
	}
	WAIT_FOR(is_done(&off));
	tap_result(is_done(&off) && !off.ret,
		   "%s queue %u: STREAMOFF from another thread returns within %d s (%s)", path,
		   type, WAIT_S, is_done(&off) ? strerror(-off.ret) : "still blocked");
	WAIT_FOR(is_done(&dq));
	tap_result(is_done(&dq) && dq.ret == -EINVAL,
		   "%s queue %u: the sleeping DQBUF wakes with EINVAL (%s)", path, type,
		   is_done(&dq) ? strerror(-dq.ret) : "still asleep");
	if (!is_done(&off) || !is_done(&dq))
		abandon(is_done(&dq) ? "STREAMOFF" : "DQBUF");
	pthread_join(off_thread, NULL);
	pthread_join(dq_thread, NULL);
	rb.count = 0;
	tap_result(!ioctl(fd, VIDIOC_REQBUFS, &rb), "%s queue %u: REQBUFS 0 (%s)", path, type,
		   strerror(errno));
}

static void test_node(const char *path)
{
	struct v4l2_capability cap = { 0 };
	unsigned int caps;
	bool mplane;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (!tap_result(fd >= 0 && !ioctl(fd, VIDIOC_QUERYCAP, &cap), "%s opens (%s)", path,
			strerror(errno)))
		goto out;
	caps = cap.device_caps;
	mplane = caps & (V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_VIDEO_OUTPUT_MPLANE |
			 V4L2_CAP_VIDEO_M2M_MPLANE);
	if (caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE |
		    V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE))
		test_queue(path, fd, mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE :
					      V4L2_BUF_TYPE_VIDEO_CAPTURE, mplane);
	if (caps & (V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_VIDEO_OUTPUT_MPLANE |
		    V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE))
		test_queue(path, fd, mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE :
					      V4L2_BUF_TYPE_VIDEO_OUTPUT, mplane);
out:
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	int i;

	printf("TAP version 13\n");
	if (argc < 2)
		tap_result(false, "usage: dqbuf-blocking VIDEO [VIDEO ...]");
	for (i = 1; i < argc; i++)
		test_node(argv[i]);
	return tap_done();
}
