// SPDX-License-Identifier: MIT
/*
 * fail-nth sweep over the V4L2 USERPTR import (suite "faultinj"): for each
 * memory kind (mem-kind.h) on a vb2-vmalloc vivid capture queue, QBUF or
 * PREPARE_BUF of the kind's range runs with the n-th fault point of the
 * thread failing (slab, page allocator, usercopy: fail-nth.h), for n = 1,
 * 2, ... until the call no longer reaches point n. Each injected fault
 * must either be absorbed (the call succeeds) or come back as ENOMEM or
 * EFAULT; REQBUFS(0) must then release the buffer; after the sweep the same
 * range must queue and capture a good frame; and once the case's process
 * is gone nothing may be left pinned or listed in dma_buf/bufinfo.
 *
 * On the zcbuf kernel the dma-buf kinds run the new path (find the dma-buf
 * behind the VMA, attach or vmap, the MMU interval notifier) and must take
 * no pin at any fault point; malloc and memfd run the pinning path on both
 * kernels. The IO-PFN export path has
 * its own sweeps in iopfn-ivshmem.c.
 *
 * Usage: faultinj [--kernel stock|patched] [--only KIND]
 * Prints TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fail-nth.h"
#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define UP V4L2_MEMORY_USERPTR
#define CASE_TIMEOUT_S 120
/* More than any import reaches: the sweep stops at the first unreached n. */
#define MAX_POINTS 2000

enum op { OP_QBUF, OP_PREPARE, NOPS };
static const char *const op_names[NOPS] = { "QBUF", "PREPARE_BUF" };

static enum kernel kernel;
static int target = -1;

/*
 * The zcbuf kernel imports these kinds through the dma-buf behind the
 * mapping. When the owner cannot provide it (exporting a V4L2 buffer on
 * demand fails), the import must fail: pinning the pages instead would be
 * another path with another errno, or, for vivid's vmalloc buffer, a
 * silent pin of another device's memory.
 */
static bool via_dmabuf(enum kind kind)
{
	return kernel == PATCHED && kind != K_MALLOC && kind != K_MEMFD;
}

struct sweep {
	bool done, pass;
	int points, errors, absorbed, enomem, efault;
	char text[300];
};

struct run_arg {
	enum kind kind;
	enum op op;
};

/* QBUF or PREPARE_BUF of buffer 0 at @uptr: 0 or -errno. */
static int queue_op(int vid, enum op op, unsigned long uptr)
{
	struct v4l2_buffer buf = {
		.type = CAP, .memory = UP, .index = 0, .m.userptr = uptr, .length = FRAME_SIZE,
	};

	if (op == OP_QBUF)
		return vid_qbuf(vid, CAP, UP, uptr, FRAME_SIZE);
	return ioctl(vid, VIDIOC_PREPARE_BUF, &buf) ? -errno : 0;
}

/*
 * One fault point: REQBUFS(1), the armed call, REQBUFS(0), which must
 * succeed whatever the call did. 1: the fault was injected, 0: the call
 * did not reach point @n, -1: the case failed (said in @s).
 */
static int one_point(struct sweep *s, int vid, int nth, int n, enum op op,
		     const struct lmem *m)
{
	bool injected;
	int ret;

	ret = vid_reqbufs(vid, CAP, UP, 1, NULL);
	if (ret) {
		snprintf(s->text, sizeof(s->text), "point %d: REQBUFS(1) %s", n, errname(-ret));
		return -1;
	}
	if (!fault_arm(nth, n)) {
		snprintf(s->text, sizeof(s->text), "point %d: cannot arm fail-nth", n);
		return -1;
	}
	ret = queue_op(vid, op, m->uptr);
	injected = fault_disarm(nth);
	if (injected && !ret)
		s->absorbed++;
	else if (injected)
		s->errors++;
	if (ret == -ENOMEM)
		s->enomem++;
	else if (ret == -EFAULT)
		s->efault++;
	if (ret && ret != -ENOMEM && ret != -EFAULT) {
		snprintf(s->text, sizeof(s->text), "point %d: %s %s (want ok, ENOMEM or EFAULT)",
			 n, op_names[op], errname(-ret));
		return -1;
	}
	if (!injected && ret) {
		snprintf(s->text, sizeof(s->text), "point %d not reached, yet %s %s", n,
			 op_names[op], errname(-ret));
		return -1;
	}
	ret = vid_reqbufs(vid, CAP, UP, 0, NULL);
	if (ret) {
		snprintf(s->text, sizeof(s->text), "point %d: REQBUFS(0) %s", n, errname(-ret));
		return -1;
	}
	return injected;
}

/* After the sweep the range imports and a frame lands in it. */
static bool frame_after(struct sweep *s, int vid, const struct lmem *m)
{
	uint32_t flags = 0;
	int ret;

	ret = vid_reqbufs(vid, CAP, UP, 1, NULL);
	if (!ret)
		ret = queue_op(vid, OP_QBUF, m->uptr);
	if (!ret)
		ret = vid_stream(vid, CAP, true);
	if (!ret)
		ret = vid_dqbuf(vid, CAP, UP, 5000, &flags);
	vid_stream(vid, CAP, false);
	vid_reqbufs(vid, CAP, UP, 0, NULL);
	if (ret != FRAME_SIZE) {
		snprintf(s->text + strlen(s->text), sizeof(s->text) - strlen(s->text),
			 "; then a frame: %s", ret < 0 ? errname(-ret) : "short");
		return false;
	}
	return true;
}

static void sweep_child(void *arg, void *out)
{
	const struct run_arg *a = arg;
	struct sweep *s = out;
	struct lmem m;
	char err[128];
	int vid, nth, n, r = 1;

	s->done = true;
	vid = open_vivid(target);
	if (vid < 0 || vid_set_format(vid, CAP)) {
		snprintf(s->text, sizeof(s->text), "vivid-%03d: cannot set its format", target);
		return;
	}
	if (setup_kind(a->kind, &m, err, sizeof(err))) {
		snprintf(s->text, sizeof(s->text), "%s", err);
		return;
	}
	nth = fault_injection_start();
	if (nth < 0) {
		snprintf(s->text, sizeof(s->text), "no /proc/thread-self/fail-nth");
	} else {
		for (n = 1; n < MAX_POINTS && r == 1; n++)
			r = one_point(s, vid, nth, n, a->op, &m);
		fault_injection_stop(nth);
		s->points = n - 2;
		s->pass = r == 0 && s->errors > 0 && frame_after(s, vid, &m);
	}
	release_mem(&m);
	close(vid);
}

static void run_sweep(enum kind kind, enum op op)
{
	struct run_arg a = { kind, op };
	struct leak_mark *mark = malloc(sizeof(*mark));
	struct sweep s = { 0 };
	char wchan[64] = "?", left[200];
	int status, ret;
	double t0 = now_ms();

	if (!mark) {
		tap_result(false, "%s %s: out of memory", kinds[kind].name, op_names[op]);
		return;
	}
	leak_mark_begin(mark);
	ret = run_in_child(sweep_child, &a, &s, sizeof(s), CASE_TIMEOUT_S, wchan,
			   sizeof(wchan), &status);
	if (ret)
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, s.text, sizeof(s.text));
	tap_result(!ret && s.done && s.pass,
		   "%s %s: fail-nth over %d fault points: %d errors (ENOMEM %d, EFAULT %d), %d absorbed, then a good frame%s%s (%.1f s)",
		   kinds[kind].name, op_names[op], s.points, s.errors, s.enomem, s.efault,
		   s.absorbed, s.text[0] ? ": " : "", s.text, (now_ms() - t0) / 1000);
	ret = leak_mark_end(mark, left, sizeof(left));
	tap_result(ret, "%s %s: nothing left: %s", kinds[kind].name, op_names[op], left);
	if (via_dmabuf(kind)) {
		long long acquired = 0, released = 0;

		read_pins(&acquired, &released);
		tap_result(acquired == mark->acquired,
			   "%s %s: a failed dma-buf lookup is an error, never a pin: FOLL_PIN +%lld",
			   kinds[kind].name, op_names[op], acquired - mark->acquired);
	}
	free(mark);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *karg = NULL;
	int n, k, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			karg = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--kernel stock|patched] [--only KIND]\n", argv[0]);
			return 2;
		}
	}
	kernel = kernel_is_zcbuf(karg) ? PATCHED : STOCK;
	target = mem_kinds_prepare(&n);
	if (!tap_result(target >= 0, "two vivid instances with vb2-vmalloc (%d found)", n))
		return tap_done();
	tap_diag("fail-nth over USERPTR imports on vivid-%03d, %s kernel", target,
		 kernel_names[kernel]);
	for (k = 0; k < NKINDS; k++) {
		if (only && strcmp(only, kinds[k].name))
			continue;
		if (kinds[k].qbuf[kernel] != Q_OK) {
			/* errinj and badinput check the refusal itself */
			tap_result(true, "%s # SKIP %s on %s: no import to inject into",
				   kinds[k].name, kinds[k].qbuf[kernel] == Q_EFAULT ?
				   "QBUF is EFAULT" : "no driver", kernel_names[kernel]);
			continue;
		}
		for (i = 0; i < NOPS; i++)
			run_sweep(k, i);
	}
	return tap_done();
}
