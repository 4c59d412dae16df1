// SPDX-License-Identifier: MIT
/*
 * bench-import [--iters N] [--sizes MiB,MiB...] [--queue Q] [--path P]
 *              [--mode M]: what one VIDIOC_QBUF costs to import a buffer, per
 * queue, path and buffer size, on the running kernel. Numbers only: nothing
 * here passes or fails on time. --queue, --path and --mode keep only the
 * cells of that name (tests/bench/profile loops one cell under perf).
 *
 * Queues: vivid-000's capture queue (vb2-vmalloc) and vim2m's OUTPUT queue,
 * both at 320x180 RGB24; the buffers are larger than sizeimage, which vb2
 * accepts, so that the cost of importing N MiB is what is measured.
 *
 * Paths: USERPTR of malloc memory (pinned), USERPTR of the mmap of a system
 * dma-heap buffer (imported through the dma-buf on the zcbuf kernel, EFAULT
 * on stock), and the same dma-buf by DMABUF fd. Modes:
 *   first:  REQBUFS 1, QBUF (timed), STREAMOFF, REQBUFS 0: a fresh import
 *   cached: the same buffer on the same index again (QBUF timed, STREAMOFF);
 *           10 times N iterations: each is tens of µs, where one interrupt
 *           moves a median of a few samples
 *   rotate: 3 buffers over 2 indexes, so every QBUF finds another buffer
 *           on its index: release plus import, what a pool larger than the
 *           queue without an index cache costs
 * STREAMOFF of a queue that is not streaming returns every buffer without
 * releasing its memory, so QBUF can be repeated without frames.
 *
 * Output, one TSV line per cell:
 *   import QUEUE PATH MODE MIB N STATUS MEDIAN_US P10_US P90_US MIN_US MAX_US
 * STATUS is "ok" or the errno name of the first failed QBUF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/videodev2.h>

#include "guest-util.h"

#define NBUF 3
#define NIDX 2
#define MAX_ITERS 1000
#define CACHED_FACTOR 10

enum path { P_MALLOC, P_HEAP_USERPTR, P_DMABUF };
static const char *const path_names[] = { "malloc-userptr", "heap-userptr", "heap-dmabuf" };
enum mode { M_FIRST, M_CACHED, M_ROTATE };
static const char *const mode_names[] = { "first", "cached", "rotate" };

struct target {
	const char *name;	/* report name */
	const char *node;	/* sysfs name of the video node */
	uint32_t type;
	int fd;
};

struct mem {
	void *addr;		/* malloc memory or the dma-buf's mapping */
	int fd;			/* dma-buf, or -1 */
};

static int qbuf(struct target *t, enum path p, uint32_t index, struct mem *m, size_t len)
{
	struct v4l2_buffer buf = { .type = t->type, .index = index };

	if (p == P_DMABUF) {
		buf.memory = V4L2_MEMORY_DMABUF;
		buf.m.fd = m->fd;
	} else {
		buf.memory = V4L2_MEMORY_USERPTR;
		buf.m.userptr = (unsigned long)m->addr;
		buf.length = len;
	}
	if (V4L2_TYPE_IS_OUTPUT(t->type))
		buf.bytesused = FRAME_SIZE;
	return ioctl(t->fd, VIDIOC_QBUF, &buf) ? -errno : 0;
}

static int mem_alloc(enum path p, size_t len, struct mem *m)
{
	m->fd = -1;
	if (p == P_MALLOC) {
		if (posix_memalign(&m->addr, PAGE, len))
			return -ENOMEM;
		memset(m->addr, 0x5a, len);	/* fault it in: pinning is measured, not faults */
		return 0;
	}
	m->fd = heap_alloc("system", len);
	if (m->fd < 0)
		return m->fd;
	m->addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->addr == MAP_FAILED) {
		close(m->fd);
		return -errno;
	}
	return 0;
}

static void mem_free(enum path p, size_t len, struct mem *m)
{
	if (p == P_MALLOC) {
		free(m->addr);
		return;
	}
	munmap(m->addr, len);
	close(m->fd);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One cell: @n timed QBUFs into @us; 0 or the first QBUF's -errno. */
static int run_cell(struct target *t, enum path p, enum mode md, size_t len, int n, double *us)
{
	uint32_t memory = p == P_DMABUF ? V4L2_MEMORY_DMABUF : V4L2_MEMORY_USERPTR;
	struct mem m[NBUF];
	int nbuf = md == M_ROTATE ? NBUF : 1, i, ret = 0;
	double t0;

	for (i = 0; i < nbuf; i++) {
		ret = mem_alloc(p, len, &m[i]);
		if (ret) {
			while (i--)
				mem_free(p, len, &m[i]);
			return ret;
		}
	}
	if (md != M_FIRST) {
		ret = vid_reqbufs(t->fd, t->type, memory, md == M_ROTATE ? NIDX : 1, NULL);
		/* cached: the untimed first import */
		if (!ret && md == M_CACHED)
			ret = qbuf(t, p, 0, &m[0], len);
		if (!ret)
			ret = vid_stream(t->fd, t->type, false);
	}
	for (i = 0; !ret && i < n; i++) {
		uint32_t index = md == M_ROTATE ? i % NIDX : 0;

		if (md == M_FIRST)
			ret = vid_reqbufs(t->fd, t->type, memory, 1, NULL);
		if (ret)
			break;
		t0 = now_ms();
		ret = qbuf(t, p, index, &m[md == M_ROTATE ? i % NBUF : 0], len);
		us[i] = (now_ms() - t0) * 1000.0;
		if (ret)
			break;
		/* every index queued: give them back, keeping their memory */
		if (md != M_ROTATE || index == NIDX - 1)
			ret = vid_stream(t->fd, t->type, false);
		if (!ret && md == M_FIRST)
			ret = vid_reqbufs(t->fd, t->type, memory, 0, NULL);
	}
	vid_stream(t->fd, t->type, false);
	vid_reqbufs(t->fd, t->type, memory, 0, NULL);
	for (i = 0; i < nbuf; i++)
		mem_free(p, len, &m[i]);
	return ret;
}

static double pct(const double *sorted, int n, int p)
{
	return sorted[(n - 1) * p / 100];
}

int main(int argc, char **argv)
{
	struct target targets[] = {
		{ "vivid-cap", "vivid-000-vid-cap", V4L2_BUF_TYPE_VIDEO_CAPTURE, -1 },
		{ "vim2m-out", "vim2m", V4L2_BUF_TYPE_VIDEO_OUTPUT, -1 },
	};
	int sizes[16] = { 1, 4, 8, 16, 32 }, nsizes = 5, iters = 31, i, ti, s;
	const char *only_q = NULL, *only_p = NULL, *only_m = NULL;
	static double us[MAX_ITERS * CACHED_FACTOR];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iters") && i + 1 < argc) {
			iters = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
			char *tok = strtok(argv[++i], ",");

			for (nsizes = 0; tok && nsizes < 16; tok = strtok(NULL, ","))
				sizes[nsizes++] = atoi(tok);
		} else if (!strcmp(argv[i], "--queue") && i + 1 < argc) {
			only_q = argv[++i];
		} else if (!strcmp(argv[i], "--path") && i + 1 < argc) {
			only_p = argv[++i];
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			only_m = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--iters N] [--sizes MiB,...] [--queue Q] [--path P] [--mode M]\n",
				argv[0]);
			return 2;
		}
	}
	if (iters < 1 || iters > MAX_ITERS || !nsizes) {
		fprintf(stderr, "bench-import: --iters 1..%d and at least one size\n", MAX_ITERS);
		return 2;
	}
	for (ti = 0; ti < 2; ti++) {
		struct target *t = &targets[ti];

		t->fd = open_video(t->node);
		if (t->fd < 0 || vid_set_format(t->fd, t->type)) {
			fprintf(stderr, "bench-import: %s: %s\n", t->node,
				errname(t->fd < 0 ? -t->fd : errno));
			return 1;
		}
	}
	printf("#kind\tqueue\tpath\tmode\tmib\tn\tstatus\tmedian_us\tp10_us\tp90_us\tmin_us\tmax_us\n");
	for (s = 0; s < nsizes; s++) {
		for (ti = 0; ti < 2; ti++) {
			enum path p;
			enum mode md;

			for (p = P_MALLOC; p <= P_DMABUF; p++) {
				for (md = M_FIRST; md <= M_ROTATE; md++) {
					struct target *t = &targets[ti];
					size_t len = (size_t)sizes[s] << 20;
					int n = md == M_CACHED ? iters * CACHED_FACTOR : iters, ret;

					if ((only_q && strcmp(only_q, t->name)) ||
					    (only_p && strcmp(only_p, path_names[p])) ||
					    (only_m && strcmp(only_m, mode_names[md])))
						continue;
					ret = run_cell(t, p, md, len, n, us);
					printf("import\t%s\t%s\t%s\t%d\t%d\t", t->name, path_names[p],
					       mode_names[md], sizes[s], n);
					if (ret) {
						/* a refusal (stock: EFAULT, CMA pages) is data */
						printf("%s\t-\t-\t-\t-\t-\n", errname(-ret));
					} else {
						qsort(us, n, sizeof(*us), cmp_double);
						printf("ok\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n",
						       pct(us, n, 50), pct(us, n, 10),
						       pct(us, n, 90), us[0], us[n - 1]);
					}
					fflush(stdout);
				}
			}
		}
	}
	return 0;
}
