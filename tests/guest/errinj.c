// SPDX-License-Identifier: MIT
/*
 * vivid's error-injection controls pressed while a USERPTR capture buffer
 * of each memory kind (mem-kind.h) is queued or streaming on a vb2-vmalloc
 * vivid instance: the documented errno or buffer flag must appear, the
 * stream must come back after STREAMOFF (a good frame), and once the case's
 * process is gone nothing may be left pinned or listed in dma_buf/bufinfo.
 *
 *   buf-error   "Inject V4L2_BUF_FLAG_ERROR": DQBUF gives the buffer with
 *               V4L2_BUF_FLAG_ERROR; the next one is good
 *   reqbufs     "Inject VIDIOC_REQBUFS Error" after a frame: REQBUFS(1)
 *               EINVAL (the imported planes released), again: ok
 *   qbuf        "Inject VIDIOC_QBUF Error": QBUF EINVAL (after the import,
 *               which must unwind), QBUF again: ok
 *   streamon    "Inject VIDIOC_STREAMON Error": STREAMON EINVAL, the buffer
 *               stays queued, STREAMON again: ok
 *   fatal       "Inject Fatal Streaming Error": DQBUF and QBUF EIO until
 *               STREAMOFF
 *   dropped     "Percentage of Dropped Buffers" 100: no buffer within 1 s,
 *               STREAMOFF takes the queued buffer back
 *   seq-wrap    "Wrap Sequence Number": the first sequence is 2^32 - 128
 *   time-wrap   "Wrap Timestamp" (menu 2, 32-bit seconds): the first
 *               timestamp is within a minute before 2^31 s
 *   disconnect  "Disconnect" while streaming: DQBUF and QBUF ENODEV;
 *               close() releases everything. Kills the instance: run alone
 *               (--disconnect) and reload vivid afterwards
 *
 * With --unbind ROUNDS (suite "unbind"), instead, ROUNDS times per kind:
 *   unbind-in-dqbuf  blocked in DQBUF (100% dropped) when vivid's device is
 *                    unbound: DQBUF returns an error, QBUF ENODEV; bound
 *                    again after the case. For vivid-vmalloc the unbind
 *                    takes the exporter too (one platform device carries
 *                    every vivid instance)
 *
 * Usage: errinj [--kernel stock|patched] [--disconnect | --unbind ROUNDS]
 *               [--only KIND]
 * Prints TAP. Kinds whose QBUF this kernel refuses (stock: the PFNMAP
 * kinds, EFAULT) are checked for that errno once and skipped.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define UP V4L2_MEMORY_USERPTR
#define FRAME_MS 5000
#define CASE_TIMEOUT_S 30

enum inj {
	I_BUF_ERROR, I_REQBUFS, I_QBUF, I_STREAMON, I_FATAL, I_DROPPED,
	I_SEQ_WRAP, I_TIME_WRAP, I_DISCONNECT, I_UNBIND_DQBUF, NINJ
};
static const char *const inj_names[NINJ] = {
	"buf-error", "reqbufs", "qbuf", "streamon", "fatal", "dropped",
	"seq-wrap", "time-wrap", "disconnect", "unbind-in-dqbuf",
};

/* One platform device carries every vivid instance. */
#define VIVID_DRIVER "/sys/bus/platform/drivers/vivid"
#define VIVID_DEVICE "vivid.0"

static enum kernel kernel;
static int target = -1;

struct outcome {
	bool done, pass;
	char text[400];
};

static void say(struct outcome *o, const char *fmt, ...)
{
	size_t used = strlen(o->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->text + used, sizeof(o->text) - used, fmt, ap);
	va_end(ap);
}

/* @ret must be @want (0 or a negative errno); say what it was. */
static bool expect(struct outcome *o, const char *what, int ret, int want)
{
	say(o, "%s%s %s", o->text[0] ? "; " : "", what, ret ? errname(-ret) : "ok");
	if (ret != want)
		say(o, " (want %s)", want ? errname(-want) : "ok");
	return ret == want;
}

/* Wait for a buffer and dequeue it into @buf: 0 or -errno (-ETIMEDOUT). */
static int dqbuf(int vid, int timeout_ms, struct v4l2_buffer *buf)
{
	struct pollfd pfd = { .fd = vid, .events = POLLIN };

	memset(buf, 0, sizeof(*buf));
	buf->type = CAP;
	buf->memory = UP;
	if (poll(&pfd, 1, timeout_ms) == 0)
		return -ETIMEDOUT;
	return ioctl(vid, VIDIOC_DQBUF, buf) ? -errno : 0;
}

/* A frame of the whole size and without the ERROR flag: 0, else -EIO. */
static int good_frame(int vid, struct v4l2_buffer *buf)
{
	int ret = dqbuf(vid, FRAME_MS, buf);

	if (ret)
		return ret;
	return (buf->flags & V4L2_BUF_FLAG_ERROR) || buf->bytesused != FRAME_SIZE ? -EIO : 0;
}

/* QBUF, DQBUF a good frame: the stream works (again). */
static bool one_frame(struct outcome *o, int vid, const struct lmem *m, const char *what)
{
	struct v4l2_buffer buf;
	char desc[64];

	snprintf(desc, sizeof(desc), "QBUF%s", what);
	if (!expect(o, desc, vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0))
		return false;
	return expect(o, "good frame", good_frame(vid, &buf), 0);
}

static bool restart(struct outcome *o, int vid, const struct lmem *m)
{
	return expect(o, "STREAMOFF", vid_stream(vid, CAP, false), 0) &&
	       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
	       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
	       expect(o, "good frame", good_frame(vid, &(struct v4l2_buffer){ 0 }), 0);
}

/*
 * An unbind waits for no process: it ends long before the process here
 * would let go (never, until the unbind). Measured on a quiet two-CPU TCG
 * guest: 250-320 ms; two guests side by side take about twice that.
 */
#define UNBIND_MS 3000

/* Unbind vivid (all its instances) after @delay_ms, in a child. */
static pid_t unbind_later(int delay_ms)
{
	pid_t pid = fork();
	double t0;

	if (pid)
		return pid;
	usleep(delay_ms * 1000);
	t0 = now_ms();
	if (write_file(VIVID_DRIVER "/unbind", VIVID_DEVICE))
		_exit(1);
	_exit(now_ms() - t0 < UNBIND_MS ? 0 : 2);
}

/*
 * The unbind child's verdict: 0 when it unbound within UNBIND_MS,
 * -ETIMEDOUT when it took longer, -EIO when it failed.
 */
static int unbind_done(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	if (!WIFEXITED(status))
		return -EIO;
	return WEXITSTATUS(status) == 0 ? 0 : WEXITSTATUS(status) == 2 ? -ETIMEDOUT : -EIO;
}

/* Bind vivid again when it is not bound. */
static int rebind(void)
{
	if (!access(VIVID_DRIVER "/" VIVID_DEVICE, F_OK))
		return 0;
	return write_file(VIVID_DRIVER "/bind", VIVID_DEVICE);
}

/*
 * Blocked in DQBUF (no buffer ever completes) when vivid's device is
 * unbound: vb2 releases the queue, the DQBUF must come back with an error
 * (any: EINVAL, the queue stopped streaming), the node is gone (ENODEV).
 */
static bool unbind_in_dqbuf(struct outcome *o, int vid, const struct lmem *m)
{
	struct v4l2_buffer buf = { .type = CAP, .memory = UP };
	double t0;
	pid_t pid;
	int ret;

	if (!expect(o, "drop 100%",
		    vid_set_ctrl_by_name(vid, "Percentage of Dropped Buffers", 100), 0) ||
	    !expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) ||
	    !expect(o, "STREAMON", vid_stream(vid, CAP, true), 0))
		return false;
	pid = unbind_later(500);
	t0 = now_ms();
	ret = ioctl(vid, VIDIOC_DQBUF, &buf) ? -errno : 0;
	say(o, "; blocking DQBUF %s after %.1f s", ret ? errname(-ret) : "ok",
	    (now_ms() - t0) / 1000);
	return ret != 0 && expect(o, "unbind", unbind_done(pid), 0) &&
	       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), -ENODEV);
}

/* Set the wrap control @ctrl to @value, then stream one good frame into @buf. */
static bool wrapped_frame(struct outcome *o, int vid, const struct lmem *m, const char *ctrl,
			  int value, struct v4l2_buffer *buf)
{
	return expect(o, "wrap", vid_set_ctrl_by_name(vid, ctrl, value), 0) &&
	       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
	       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
	       expect(o, "good frame", good_frame(vid, buf), 0);
}

static bool inject(struct outcome *o, int vid, enum inj inj, const struct lmem *m)
{
	struct v4l2_buffer buf;
	const uint32_t wrap_s = (1U << 31) - 16;
	int ret;

	switch (inj) {
	case I_BUF_ERROR:
		return expect(o, "press", vid_press_by_name(vid, "Inject V4L2_BUF_FLAG_ERROR"), 0) &&
		       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
		       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       expect(o, "DQBUF", dqbuf(vid, FRAME_MS, &buf), 0) &&
		       expect(o, "FLAG_ERROR", buf.flags & V4L2_BUF_FLAG_ERROR ? 0 : -ENOMSG, 0) &&
		       one_frame(o, vid, m, " again");
	case I_REQBUFS:
		return expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       one_frame(o, vid, m, "") &&
		       expect(o, "STREAMOFF", vid_stream(vid, CAP, false), 0) &&
		       expect(o, "press", vid_press_by_name(vid, "Inject VIDIOC_REQBUFS Error"), 0) &&
		       expect(o, "REQBUFS(1)", vid_reqbufs(vid, CAP, UP, 1, NULL), -EINVAL) &&
		       expect(o, "REQBUFS(1)", vid_reqbufs(vid, CAP, UP, 1, NULL), 0) &&
		       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       one_frame(o, vid, m, "");
	case I_QBUF:
		return expect(o, "press", vid_press_by_name(vid, "Inject VIDIOC_QBUF Error"), 0) &&
		       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), -EINVAL) &&
		       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       one_frame(o, vid, m, " again");
	case I_STREAMON:
		return expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
		       expect(o, "press", vid_press_by_name(vid, "Inject VIDIOC_STREAMON Error"), 0) &&
		       expect(o, "STREAMON", vid_stream(vid, CAP, true), -EINVAL) &&
		       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       expect(o, "good frame", good_frame(vid, &buf), 0);
	case I_FATAL:
		return expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       one_frame(o, vid, m, "") &&
		       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
		       expect(o, "press", vid_press_by_name(vid, "Inject Fatal Streaming Error"), 0) &&
		       expect(o, "DQBUF", dqbuf(vid, FRAME_MS, &buf), -EIO) &&
		       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), -EIO) &&
		       restart(o, vid, m);
	case I_DROPPED:
		ret = expect(o, "drop 100%",
			     vid_set_ctrl_by_name(vid, "Percentage of Dropped Buffers", 100), 0) &&
		      expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
		      expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		      expect(o, "DQBUF", dqbuf(vid, 1000, &buf), -ETIMEDOUT) &&
		      expect(o, "drop 0%",
			     vid_set_ctrl_by_name(vid, "Percentage of Dropped Buffers", 0), 0) &&
		      restart(o, vid, m);
		return ret;
	case I_SEQ_WRAP:
		ret = wrapped_frame(o, vid, m, "Wrap Sequence Number", 1, &buf);
		if (ret)
			say(o, ", sequence %#x", buf.sequence);
		return ret && buf.sequence >= 0xffffff80 &&
		       expect(o, "unwrap", vid_set_ctrl_by_name(vid, "Wrap Sequence Number", 0), 0);
	case I_TIME_WRAP:
		ret = wrapped_frame(o, vid, m, "Wrap Timestamp", 2, &buf);
		if (ret)
			say(o, ", timestamp %lld s", (long long)buf.timestamp.tv_sec);
		return ret && buf.timestamp.tv_sec >= wrap_s - 60 &&
		       buf.timestamp.tv_sec <= wrap_s + 16 &&
		       expect(o, "unwrap", vid_set_ctrl_by_name(vid, "Wrap Timestamp", 0), 0);
	case I_DISCONNECT:
		return expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0) &&
		       expect(o, "STREAMON", vid_stream(vid, CAP, true), 0) &&
		       expect(o, "press", vid_press_by_name(vid, "Disconnect"), 0) &&
		       expect(o, "DQBUF", dqbuf(vid, FRAME_MS, &buf), -ENODEV) &&
		       expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), -ENODEV);
	case I_UNBIND_DQBUF:
		return unbind_in_dqbuf(o, vid, m);
	case NINJ:	/* only the import: applicable() */
		return expect(o, "QBUF", vid_qbuf(vid, CAP, UP, m->uptr, FRAME_SIZE), 0);
	}
	return false;
}

struct run_arg {
	enum kind kind;
	enum inj inj;
};

static void case_child(void *arg, void *out)
{
	const struct run_arg *a = arg;
	struct outcome *o = out;
	struct lmem m;
	char err[128];
	int vid, ret;

	o->done = true;
	vid = open_vivid(target);
	ret = vid < 0 ? vid : vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, UP, 1, NULL);
	if (ret) {
		say(o, "vivid-%03d USERPTR queue: %s", target, errname(-ret));
		return;
	}
	if (setup_kind(a->kind, &m, err, sizeof(err))) {
		say(o, "%s", err);
		return;
	}
	o->pass = inject(o, vid, a->inj, &m);
	/* The exporter's side goes first, so the plane lets go last. */
	release_mem(&m);
	if (a->inj != I_DISCONNECT && a->inj != I_UNBIND_DQBUF) {
		vid_stream(vid, CAP, false);
		ret = vid_reqbufs(vid, CAP, UP, 0, NULL);
		if (ret) {
			o->pass = false;
			say(o, "; REQBUFS(0) %s", errname(-ret));
		}
	}
	close(vid);
}

/* Does this kernel import @kind by USERPTR at all? Checked once. */
static bool applicable(enum kind kind)
{
	enum qbuf_expect want = kinds[kind].qbuf[kernel];

	if (want == Q_NODRV) {
		tap_result(true, "%s # SKIP no ivshmem-iopfn driver on %s", kinds[kind].name,
			   kernel_names[kernel]);
		return false;
	}
	if (want == Q_EFAULT) {
		struct outcome o = { 0 };
		struct run_arg a = { kind, NINJ };
		char wchan[64];
		int status;

		run_in_child(case_child, &a, &o, sizeof(o), CASE_TIMEOUT_S, wchan,
			     sizeof(wchan), &status);
		tap_result(strstr(o.text, "QBUF EFAULT") != NULL,
			   "%s: QBUF EFAULT on %s, injection cases not applicable (%s)",
			   kinds[kind].name, kernel_names[kernel], o.text);
		return false;
	}
	return true;
}

static void run_one(enum kind kind, enum inj inj)
{
	struct run_arg a = { kind, inj };
	struct leak_mark *mark = malloc(sizeof(*mark));
	struct outcome o = { 0 };
	char wchan[64] = "?", left[200];
	int status, ret;
	double t0 = now_ms();

	leak_mark_begin(mark);
	ret = run_in_child(case_child, &a, &o, sizeof(o), CASE_TIMEOUT_S, wchan,
			   sizeof(wchan), &status);
	if (ret)
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, o.text, sizeof(o.text));
	tap_result(!ret && o.done && o.pass, "%s %s: %s (%.1f s)", kinds[kind].name,
		   inj_names[inj], o.text, (now_ms() - t0) / 1000);
	if (inj >= I_UNBIND_DQBUF) {
		ret = rebind();
		tap_result(!ret, "%s %s: vivid bound again", kinds[kind].name, inj_names[inj]);
	}
	ret = leak_mark_end(mark, left, sizeof(left));
	tap_result(ret, "%s %s: nothing left: %s", kinds[kind].name, inj_names[inj], left);
	free(mark);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *karg = NULL;
	bool disconnect = false, unbind = false;
	int n, k, i, r, rounds = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			karg = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--disconnect")) {
			disconnect = true;
		} else if (!strcmp(argv[i], "--unbind") && i + 1 < argc) {
			unbind = true;
			rounds = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--kernel stock|patched] [--disconnect | --unbind ROUNDS] [--only KIND]\n",
				argv[0]);
			return 2;
		}
	}
	kernel = kernel_is_zcbuf(karg) ? PATCHED : STOCK;
	target = mem_kinds_prepare(&n);
	if (!tap_result(target >= 0, "two vivid instances with vb2-vmalloc (%d found)", n))
		return tap_done();
	tap_diag("vivid error injection on vivid-%03d, USERPTR, %s kernel%s", target,
		 kernel_names[kernel], disconnect ? ", disconnect" : "");
	for (k = 0; k < NKINDS; k++) {
		if (only && strcmp(only, kinds[k].name))
			continue;
		if (!applicable(k))
			continue;
		if (disconnect) {
			run_one(k, I_DISCONNECT);
			continue;
		}
		for (r = 0; unbind && r < rounds; r++)
			run_one(k, I_UNBIND_DQBUF);
		if (unbind)
			continue;
		for (i = 0; i < I_DISCONNECT; i++)
			run_one(k, i);
	}
	return tap_done();
}
