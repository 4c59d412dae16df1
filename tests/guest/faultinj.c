// SPDX-License-Identifier: MIT
/*
 * fail-nth sweeps over V4L2 buffer imports and exports (suite "faultinj"):
 * a call runs with the n-th fault point of the thread failing (slab, page
 * allocator, usercopy: fail-nth.h), for n = 1, 2, ... until the call no
 * longer reaches point n. Each injected fault must either be absorbed (the
 * call succeeds) or come back as an errno the call may return (below);
 * REQBUFS(0) must then release the buffer; the call must end, once no
 * fault hits it, as it should without one, and when that is a success the
 * same memory must then capture a good frame; and once the case's process
 * is gone nothing may be left pinned or listed in dma_buf/bufinfo.
 *
 * The sweeps:
 *  - QBUF and PREPARE_BUF of USERPTR memory of each kind (mem-kind.h) on a
 *    vb2-vmalloc vivid capture queue;
 *  - on a vb2-dma-contig vivid capture queue: USERPTR QBUF of each dma-buf
 *    kind and of an anonymous transparent huge page (vivid's
 *    contig_userptr, the series' only), DMABUF QBUF of each dma-buf kind's
 *    dma-buf, and VIDIOC_EXPBUF of the queue's own MMAP buffer. Without an
 *    IOMMU, dma-contig takes DMA-contiguous memory only: the ivshmem BAR
 *    and the huge page (pinned, then mapped by vivid through
 *    vb2_plane_vaddr() to draw the frame) import; the other kinds are
 *    refused with EFAULT, or import when their pages happen to be
 *    contiguous, and are swept up to that.
 *
 * On the zcbuf kernel the dma-buf kinds' USERPTR runs the new path (find
 * the dma-buf behind the VMA, attach and map or vmap, the MMU interval
 * notifier) and must take no pin at any fault point; malloc, memfd and the
 * huge page run the pinning path on both kernels. The IO-PFN export path
 * has its own sweeps in iopfn-ivshmem.c.
 *
 * Usage: faultinj [--kernel stock|patched] [--only MEMORY]
 * (MEMORY: a kind's name, "anon-huge", or "mmap" for the EXPBUF sweep)
 * Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
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
/* More than any call reaches: the sweep stops at the first unreached n. */
#define MAX_POINTS 2000

enum op { OP_QBUF, OP_PREPARE, OP_DMABUF, OP_EXPBUF, NOPS };
static const char *const op_names[NOPS] = {
	"QBUF", "PREPARE_BUF", "DMABUF QBUF", "EXPBUF",
};
static const uint32_t op_memory[NOPS] = {
	UP, UP, V4L2_MEMORY_DMABUF, V4L2_MEMORY_MMAP,
};

/* Memory beyond mem-kind.h's kinds. */
enum { MEM_HUGE = NKINDS, MEM_NONE };

/* A capture queue the sweeps run on. */
struct queue {
	const char *prefix;	/* of its cases' names */
	int inst;		/* vivid instance */
	bool contig;		/* vb2-dma-contig */
};

static enum kernel kernel;
static struct queue vmalloc_q = { "", -1, false };
static struct queue contig_q = { "dma-contig ", -1, true };

static const char *mem_name(int mem)
{
	if (mem < NKINDS)
		return kinds[mem].name;
	return mem == MEM_HUGE ? "anon-huge" : "mmap";
}

/*
 * The zcbuf kernel imports these kinds through the dma-buf behind the
 * mapping. When the owner cannot provide it (exporting a V4L2 buffer on
 * demand fails), the import must fail: pinning the pages instead would be
 * another path with another errno, or, for vivid's vmalloc buffer, a
 * silent pin of another device's memory.
 */
static bool via_dmabuf(int mem)
{
	return kernel == PATCHED && mem != K_MALLOC && mem != K_MEMFD && mem < NKINDS;
}

/*
 * Must the call succeed without a fault? On vb2-vmalloc every kind swept
 * imports. On dma-contig only DMA-contiguous memory does: the huge page,
 * the BAR (zcbuf) and the queue's own buffer (EXPBUF); the rest may be
 * refused with EFAULT.
 */
static bool must_succeed(const struct queue *q, int mem, enum op op)
{
	return !q->contig || op == OP_EXPBUF || mem == MEM_HUGE ||
	       (mem == K_IVSHMEM && kernel == PATCHED);
}

/*
 * What a call may return when a fault hits it: besides success, ENOMEM,
 * and EFAULT (a failed copy of the argument, or the import's refusal of
 * memory it cannot reach). And EINVAL where vb2 says so of any failure:
 * VIDIOC_EXPBUF of whatever keeps it from exporting the buffer, a failed
 * allocation too (vb2_core_expbuf(), both kernels), and on stock DMABUF
 * QBUF of a dma-buf vb2-dma-contig cannot map (6.1's vb2_dc_map_dmabuf();
 * the series passes the exporter's errno on).
 */
enum result { RES_OK, RES_ENOMEM, RES_EFAULT, RES_EINVAL, NRESULTS };
static const char *const result_names[NRESULTS] = { "ok", "ENOMEM", "EFAULT", "EINVAL" };

/* The class of @ret, or NRESULTS when @op may not return it. */
static enum result result_of(enum op op, int ret)
{
	switch (ret) {
	case 0:
		return RES_OK;
	case -ENOMEM:
		return RES_ENOMEM;
	case -EFAULT:
		return RES_EFAULT;
	case -EINVAL:
		return op == OP_EXPBUF || (op == OP_DMABUF && kernel == STOCK) ? RES_EINVAL :
									      NRESULTS;
	default:
		return NRESULTS;
	}
}

struct sweep {
	bool done, pass;
	/* injected faults by what the call returned; its last result, unhit */
	int points, injected[NRESULTS], last;
	char text[300];
};

struct run_arg {
	const struct queue *q;
	int mem;
	enum op op;
};

/* The memory a case queues, and for DMABUF QBUF its dma-buf. */
struct source {
	struct lmem m;
	int dmabuf;
};

/*
 * The call under test on buffer 0: 0 or -errno. EXPBUF's new fd goes to
 * @fd (-1 otherwise).
 */
static int call_op(int vid, enum op op, const struct source *src, int *fd)
{
	struct v4l2_exportbuffer exp = { .type = CAP, .flags = O_RDWR | O_CLOEXEC };

	*fd = -1;
	switch (op) {
	case OP_QBUF:
		return vid_qbuf(vid, CAP, UP, src->m.uptr, FRAME_SIZE);
	case OP_PREPARE:
		return vid_prepare_buf(vid, CAP, UP, src->m.uptr, FRAME_SIZE);
	case OP_DMABUF:
		return vid_qbuf(vid, CAP, V4L2_MEMORY_DMABUF, (unsigned long)src->dmabuf, 0);
	case OP_EXPBUF:
		if (ioctl(vid, VIDIOC_EXPBUF, &exp))
			return -errno;
		*fd = exp.fd;
		return 0;
	case NOPS:
		break;
	}
	return -EINVAL;
}

/*
 * One fault point: REQBUFS(1), the armed call, REQBUFS(0), which must
 * succeed whatever the call did. 1: the fault was injected, 0: the call
 * did not reach point @n (its result in s->last), -1: the case failed
 * (said in @s).
 */
static int one_point(struct sweep *s, int vid, int nth, int n, enum op op,
		     const struct source *src)
{
	uint32_t mem = op_memory[op];
	bool injected;
	int ret, fd;

	ret = vid_reqbufs(vid, CAP, mem, 1, NULL);
	if (ret) {
		snprintf(s->text, sizeof(s->text), "point %d: REQBUFS(1) %s", n, errname(-ret));
		return -1;
	}
	if (!fault_arm(nth, n)) {
		snprintf(s->text, sizeof(s->text), "point %d: cannot arm fail-nth", n);
		return -1;
	}
	ret = call_op(vid, op, src, &fd);
	injected = fault_disarm(nth);
	if (fd >= 0)
		close(fd);
	if (result_of(op, ret) == NRESULTS) {
		snprintf(s->text, sizeof(s->text), "point %d: %s %s (want ok, ENOMEM, EFAULT%s)",
			 n, op_names[op], errname(-ret),
			 result_of(op, -EINVAL) == RES_EINVAL ? ", EINVAL" : "");
		return -1;
	}
	if (injected)
		s->injected[result_of(op, ret)]++;
	s->last = ret;
	ret = vid_reqbufs(vid, CAP, mem, 0, NULL);
	if (ret) {
		snprintf(s->text, sizeof(s->text), "point %d: REQBUFS(0) %s", n, errname(-ret));
		return -1;
	}
	return injected;
}

/* After the sweep the memory imports (or the buffer exports) and a frame lands in it. */
static bool frame_after(struct sweep *s, int vid, enum op op, const struct source *src)
{
	uint32_t mem = op_memory[op], flags = 0;
	int ret, fd = -1;

	ret = vid_reqbufs(vid, CAP, mem, 1, NULL);
	if (!ret)
		ret = call_op(vid, op == OP_PREPARE ? OP_QBUF : op, src, &fd);
	if (!ret && op == OP_EXPBUF)
		ret = vid_qbuf(vid, CAP, mem, 0, 0);
	if (!ret)
		ret = vid_stream(vid, CAP, true);
	if (!ret)
		ret = vid_dqbuf(vid, CAP, mem, 5000, &flags);
	vid_stream(vid, CAP, false);
	if (fd >= 0)
		close(fd);
	vid_reqbufs(vid, CAP, mem, 0, NULL);
	if (ret != FRAME_SIZE) {
		snprintf(s->text + strlen(s->text), sizeof(s->text) - strlen(s->text),
			 "; then a frame: %s", ret < 0 ? errname(-ret) : "short");
		return false;
	}
	return true;
}

/* The memory of @a, and its dma-buf for DMABUF QBUF: 0, or -1 said in @s. */
static int setup_source(const struct run_arg *a, struct source *src, struct sweep *s)
{
	char err[128];
	int ret = 0;

	memset(src, 0, sizeof(*src));
	src->m.fd = -1;
	src->dmabuf = -1;
	if (a->mem < NKINDS)
		ret = setup_kind(a->mem, &src->m, err, sizeof(err));
	else if (a->mem == MEM_HUGE)
		ret = setup_huge(&src->m, err, sizeof(err));
	if (ret) {
		snprintf(s->text, sizeof(s->text), "%s", err);
		return -1;
	}
	if (a->op == OP_DMABUF) {
		src->dmabuf = export_dmabuf(&src->m);
		if (src->dmabuf < 0) {
			snprintf(s->text, sizeof(s->text), "its dma-buf: %s", errname(-src->dmabuf));
			return -1;
		}
	}
	return 0;
}

static void sweep_child(void *arg, void *out)
{
	const struct run_arg *a = arg;
	struct sweep *s = out;
	struct source src;
	int vid, nth, n, r = 1;
	bool ended_ok;

	s->done = true;
	vid = open_vivid(a->q->inst);
	if (vid < 0 || vid_set_format(vid, CAP)) {
		snprintf(s->text, sizeof(s->text), "vivid-%03d: cannot set its format", a->q->inst);
		return;
	}
	if (setup_source(a, &src, s))
		goto out;
	nth = fault_injection_start();
	if (nth < 0) {
		snprintf(s->text, sizeof(s->text), "no /proc/thread-self/fail-nth");
		goto out;
	}
	for (n = 1; n < MAX_POINTS && r == 1; n++)
		r = one_point(s, vid, nth, n, a->op, &src);
	fault_injection_stop(nth);
	s->points = n - 2;
	if (r)
		goto out;
	/* Without a fault the call ends as it must. */
	ended_ok = !s->last || (s->last == -EFAULT && !must_succeed(a->q, a->mem, a->op));
	if (!ended_ok)
		snprintf(s->text, sizeof(s->text), "without a fault %s %s (want ok%s)%s",
			 op_names[a->op], errname(-s->last),
			 must_succeed(a->q, a->mem, a->op) ? "" : " or EFAULT",
			 a->mem == MEM_HUGE ? ": no huge page behind it?" : "");
	else if (s->last)
		snprintf(s->text, sizeof(s->text), "without a fault refused: %s",
			 errname(-s->last));
	/* At least one fault must have come back as an error of its own. */
	s->pass = ended_ok && s->points > s->injected[s->last ? RES_EFAULT : RES_OK] &&
		  (s->last || frame_after(s, vid, a->op, &src));
out:
	if (src.dmabuf >= 0)
		close(src.dmabuf);
	release_mem(&src.m);
	close(vid);
}

static void run_sweep(const struct queue *q, int mem, enum op op)
{
	struct run_arg a = { q, mem, op };
	struct leak_mark *mark = malloc(sizeof(*mark));
	struct sweep s = { 0 };
	char wchan[64] = "?", left[200], name[96], errors[96] = "";
	int status, ret, absorbed = 0;
	enum result r;
	double t0 = now_ms();

	snprintf(name, sizeof(name), "%s%s %s", q->prefix, mem_name(mem), op_names[op]);
	if (!mark) {
		tap_result(false, "%s: out of memory", name);
		return;
	}
	leak_mark_begin(mark);
	ret = run_in_child(sweep_child, &a, &s, sizeof(s), CASE_TIMEOUT_S, wchan,
			   sizeof(wchan), &status);
	if (ret)
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, s.text, sizeof(s.text));
	/* A fault is absorbed when the call ends as it does without one. */
	for (r = 0; r < NRESULTS; r++) {
		if (r == result_of(op, s.last))
			absorbed = s.injected[r];
		else if (s.injected[r] || r == RES_ENOMEM || r == RES_EFAULT)
			snprintf(errors + strlen(errors), sizeof(errors) - strlen(errors),
				 "%s%s %d", errors[0] ? ", " : "", result_names[r], s.injected[r]);
	}
	tap_result(!ret && s.done && s.pass,
		   "%s: fail-nth over %d fault points: %d errors (%s), %d absorbed%s%s%s (%.1f s)",
		   name, s.points, s.points - absorbed, errors, absorbed,
		   s.pass && !s.last ? ", then a good frame" : "", s.text[0] ? ": " : "", s.text,
		   (now_ms() - t0) / 1000);
	ret = leak_mark_end(mark, left, sizeof(left));
	tap_result(ret, "%s: nothing left: %s", name, left);
	if (via_dmabuf(mem) && op_memory[op] == UP) {
		long long acquired = 0, released = 0;

		read_pins(&acquired, &released);
		tap_result(acquired == mark->acquired,
			   "%s: a failed dma-buf lookup is an error, never a pin: FOLL_PIN +%lld",
			   name, acquired - mark->acquired);
	}
	free(mark);
}

static bool selected(const char *only, int mem)
{
	return !only || !strcmp(only, mem_name(mem));
}

/* USERPTR on the vb2-vmalloc queue: every kind whose QBUF imports. */
static void vmalloc_sweeps(const char *only)
{
	int k, i;

	tap_diag("fail-nth over USERPTR imports on vivid-%03d, %s kernel", vmalloc_q.inst,
		 kernel_names[kernel]);
	for (k = 0; k < NKINDS; k++) {
		if (!selected(only, k))
			continue;
		if (kinds[k].qbuf[kernel] != Q_OK) {
			/* errinj and badinput check the refusal itself */
			tap_result(true, "%s # SKIP %s on %s: no import to inject into",
				   kinds[k].name, kinds[k].qbuf[kernel] == Q_EFAULT ?
				   "QBUF is EFAULT" : "no driver", kernel_names[kernel]);
			continue;
		}
		for (i = OP_QBUF; i <= OP_PREPARE; i++)
			run_sweep(&vmalloc_q, k, i);
	}
}

/* Does the dma-contig queue offer USERPTR? */
static bool contig_userptr(void)
{
	uint32_t caps = 0;
	int vid = open_vivid(contig_q.inst);

	if (vid < 0)
		return false;
	vid_reqbufs(vid, CAP, V4L2_MEMORY_MMAP, 0, &caps);
	close(vid);
	return caps & V4L2_BUF_CAP_SUPPORTS_USERPTR;
}

/* USERPTR and DMABUF imports and EXPBUF on the vb2-dma-contig queue. */
static void contig_sweeps(const char *only)
{
	bool userptr = contig_userptr();
	int k;

	tap_diag("fail-nth over imports and exports on vivid-%03d (vb2-dma-contig), %s kernel",
		 contig_q.inst, kernel_names[kernel]);
	/* The series' vivid offers it there on request (contig_userptr). */
	if (kernel == PATCHED && !tap_result(userptr, "vivid-%03d offers USERPTR on dma-contig",
					     contig_q.inst))
		userptr = false;
	/*
	 * Ordinary memory takes the pinning path, swept with the huge page:
	 * malloc's and memfd's scattered pages would only be refused at its
	 * end, after the same steps.
	 */
	for (k = K_HEAP; k <= MEM_HUGE; k++) {
		if (!selected(only, k))
			continue;
		if (!userptr)
			tap_result(true, "%s%s QBUF # SKIP no USERPTR on %s's dma-contig vivid",
				   contig_q.prefix, mem_name(k), kernel_names[kernel]);
		else if (k < NKINDS && kinds[k].qbuf[kernel] == Q_NODRV)
			tap_result(true, "%s%s QBUF # SKIP no driver on %s", contig_q.prefix,
				   mem_name(k), kernel_names[kernel]);
		else
			run_sweep(&contig_q, k, OP_QBUF);
	}
	for (k = K_HEAP; k < NKINDS; k++) {
		if (!selected(only, k))
			continue;
		if (kinds[k].qbuf[kernel] == Q_NODRV)
			tap_result(true, "%s%s DMABUF QBUF # SKIP no driver on %s", contig_q.prefix,
				   mem_name(k), kernel_names[kernel]);
		else
			run_sweep(&contig_q, k, OP_DMABUF);
	}
	if (!selected(only, MEM_NONE))
		return;
	/* The series made that failure quiet. */
	if (kernel == STOCK)
		tap_result(true, "%smmap EXPBUF # SKIP stock's vb2_dc_get_dmabuf() WARNs when it cannot allocate the export's table",
			   contig_q.prefix);
	else
		run_sweep(&contig_q, MEM_NONE, OP_EXPBUF);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *karg = NULL;
	int n, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			karg = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--kernel stock|patched] [--only MEMORY]\n",
				argv[0]);
			return 2;
		}
	}
	kernel = kernel_is_zcbuf(karg) ? PATCHED : STOCK;
	vmalloc_q.inst = mem_kinds_prepare(&n);
	if (!tap_result(vmalloc_q.inst >= 0, "two vivid instances with vb2-vmalloc (%d found)", n))
		return tap_done();
	vmalloc_sweeps(only);
	n = vivid_instances(1, &contig_q.inst, 1);
	if (!tap_result(n >= 1, "a vivid instance with vb2-dma-contig (%d found)", n))
		return tap_done();
	contig_sweeps(only);
	tap_result(dma_api_debug_on(), "DMA-API debugging is still on after the sweeps");
	return tap_done();
}
