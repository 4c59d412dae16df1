// SPDX-License-Identifier: MIT
/*
 * Bad input to V4L2 USERPTR (and DMABUF) import on a vb2-vmalloc vivid
 * capture queue: bogus pointers and lengths, ranges that wrap or leave a
 * dma-buf's mapping, mappings at an offset, dma-buf mmap offsets that
 * overflow, PROT_NONE and PROT_READ mappings, a private mapping of a
 * read-only dma-buf, a range from ordinary memory into a dma-buf mapping,
 * fds that are not dma-bufs, a revoked IO-PFN dma-buf. Each case must give this kernel's errno (the
 * table below; the rows docs/kernel.md documents must agree with it:
 * --self-test DOC checks), and afterwards a good buffer must queue and
 * fill, and nothing may be left pinned or listed in dma_buf/bufinfo once
 * the case's process is gone. Further bad memory (secretmem, ext4
 * MAP_SHARED, read-only memfd, ranges over two VMAs) is in the USERPTR
 * matrix (userptr-matrix.c).
 *
 * Usage: badinput [--kernel stock|patched] [--only CASE]
 *        badinput --self-test DOCS/KERNEL.MD
 * Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "ivshmem-util.h"
#include "mem-kind.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define UP V4L2_MEMORY_USERPTR
#define DB V4L2_MEMORY_DMABUF
#define CASE_TIMEOUT_S 30
/* A case that cannot run here (no driver): not an errno. */
#define NOT_HERE 4095

static enum kernel kernel;
static int target = -1;
/* The vivid instance whose MMAP buffer the dma-buf mapping cases use. */
static int source = -1;

struct bad {
	uint32_t memory;	/* the queue's memory for the QBUF */
	unsigned long uptr;	/* USERPTR address, or DMABUF fd */
	size_t len;
	int mmap_err;		/* the case is an mmap, refused with this */
	const char *why;	/* set-up failure */
	char pci[32];		/* the ivshmem device to bind again afterwards */
};

typedef void (*setup_fn)(struct bad *b);

struct bcase {
	const char *name;
	setup_fn setup;
	int want[NKERNELS];	/* 0 or a positive errno */
	/* The "Case" cell of docs/kernel.md's errno table, when documented. */
	const char *doc;
};

/* A system dma-heap buffer of @pages pages mapped with @prot from @pgoff. */
static void *heap_map(size_t pages, int prot, off_t pgoff, size_t map_pages, int *fd)
{
	void *p;

	*fd = heap_alloc("system", pages * PAGE);
	if (*fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, map_pages * PAGE, prot, MAP_SHARED, *fd, pgoff * PAGE);
	return p;
}

static void set_ptr(struct bad *b, unsigned long uptr, size_t len)
{
	b->memory = UP;
	b->uptr = uptr;
	b->len = len;
}

static void s_null(struct bad *b) { set_ptr(b, 0, FRAME_SIZE); }
static void s_kernel(struct bad *b) { set_ptr(b, 0xffffffff81000000UL, FRAME_SIZE); }
static void s_noncanon(struct bad *b) { set_ptr(b, 0x0000800000000000UL, FRAME_SIZE); }
static void s_top(struct bad *b) { set_ptr(b, 0x00007ffffffff000UL, FRAME_SIZE); }
static void s_wrap(struct bad *b) { set_ptr(b, ~0UL & ~(PAGE - 1), FRAME_SIZE); }

static void s_malloc_len(struct bad *b, size_t len)
{
	uint8_t *p = malloc(FRAME_SIZE);

	if (!p)
		b->why = "malloc failed";
	set_ptr(b, (unsigned long)p, len);
}

static void s_len_zero(struct bad *b) { s_malloc_len(b, 0); }
static void s_len_short(struct bad *b) { s_malloc_len(b, FRAME_SIZE - 1); }
static void s_len_huge(struct bad *b) { s_malloc_len(b, 0xffffffffUL); }

/* The heap buffer's mapping, then a PROT_NONE guard page: the range runs on. */
static void s_heap_past_end(struct bad *b)
{
	uint8_t *r = mmap(NULL, BUF_LEN + PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = heap_alloc("system", BUF_LEN);

	if (r == MAP_FAILED || fd < 0 ||
	    mmap(r, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		b->why = "heap mapping before a guard page";
	set_ptr(b, (unsigned long)r + PAGE, BUF_LEN);
}

/* A mapping of pages 1.. of a bigger buffer: a range at an offset into it. */
static void s_heap_offset(struct bad *b)
{
	int fd;
	void *p = heap_map(FRAME_PAGES + 1, PROT_READ | PROT_WRITE, 1, FRAME_PAGES, &fd);

	if (p == MAP_FAILED)
		b->why = "heap mapping at page 1";
	set_ptr(b, (unsigned long)p, FRAME_SIZE);
}

static void s_heap_prot(struct bad *b, int prot)
{
	int fd;
	void *p = heap_map(FRAME_PAGES, prot, 0, FRAME_PAGES, &fd);

	if (p == MAP_FAILED)
		b->why = "heap mapping";
	set_ptr(b, (unsigned long)p, FRAME_SIZE);
}

static void s_heap_ro(struct bad *b) { s_heap_prot(b, PROT_READ); }
static void s_heap_none(struct bad *b) { s_heap_prot(b, PROT_NONE); }

static void s_anon_none(struct bad *b)
{
	void *p = mmap(NULL, BUF_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		b->why = "anonymous PROT_NONE mapping";
	set_ptr(b, (unsigned long)p, FRAME_SIZE);
}

/* The source vivid's MMAP buffer: its node fd, with the buffer's offset. */
static int source_buffer(struct bad *b, off_t *offset)
{
	struct v4l2_buffer buf = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	int vid = open_vivid(source);

	if (vid < 0 || vid_set_format(vid, CAP) ||
	    vid_reqbufs(vid, CAP, V4L2_MEMORY_MMAP, 1, NULL) ||
	    ioctl(vid, VIDIOC_QUERYBUF, &buf)) {
		b->why = "another vivid's MMAP buffer";
		return -1;
	}
	*offset = buf.m.offset;
	return vid;
}

/*
 * The review's case: a dma-buf exported read-only, mapped MAP_PRIVATE with
 * PROT_WRITE (which a read-only fd allows). Stock pins the private copy;
 * zcbuf never lets a device near the buffer through a private mapping.
 */
static void s_expbuf_ro_private(struct bad *b)
{
	struct v4l2_exportbuffer exp = { .type = CAP, .flags = O_RDONLY | O_CLOEXEC };
	off_t offset;
	int vid = source_buffer(b, &offset);
	void *p = MAP_FAILED;

	if (vid >= 0 && !ioctl(vid, VIDIOC_EXPBUF, &exp))
		p = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE, exp.fd, 0);
	if (p == MAP_FAILED)
		b->why = "a private mapping of a read-only EXPBUF dma-buf";
	set_ptr(b, (unsigned long)p, FRAME_SIZE);
}

/* Anonymous memory, then a mapping of another vivid's MMAP buffer. */
static void s_anon_then_dmabuf(struct bad *b)
{
	size_t half = BUF_LEN / 2 & ~(PAGE - 1);
	uint8_t *r = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	off_t offset;
	int vid = source_buffer(b, &offset);

	if (r == MAP_FAILED || vid < 0 ||
	    mmap(r + half, BUF_LEN - half, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, vid,
		 offset) == MAP_FAILED)
		b->why = "anonymous memory, then a video buffer's mapping";
	set_ptr(b, (unsigned long)r, FRAME_SIZE);
}

/* mmap of a dma-buf at @pgoff pages: the exporter side of offsets. */
static void s_mmap_at(struct bad *b, unsigned long pgoff)
{
	int fd = heap_alloc("system", BUF_LEN);
	void *p = fd < 0 ? MAP_FAILED :
		  mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pgoff * PAGE);

	if (fd < 0)
		b->why = "heap buffer";
	b->mmap_err = p == MAP_FAILED ? errno : 0;
}

static void s_mmap_past(struct bad *b) { s_mmap_at(b, 1); }
static void s_mmap_overflow(struct bad *b) { s_mmap_at(b, ~0UL / PAGE - 1); }

static void set_fd(struct bad *b, int fd)
{
	b->memory = DB;
	b->uptr = (unsigned long)fd;
}

static void s_fd_memfd(struct bad *b) { set_fd(b, memfd_create("badinput", MFD_CLOEXEC)); }
static void s_fd_minus(struct bad *b) { set_fd(b, -1); }
static void s_fd_closed(struct bad *b) { set_fd(b, 999); }

/* The BAR's dma-buf, mapped, then revoked by unbinding its driver. */
static void s_revoked(struct bad *b)
{
	int dev = ivshmem_open(b->pci, sizeof(b->pci)), fd;
	void *p;
	pid_t pid;

	if (dev < 0) {
		b->pci[0] = '\0';
		b->mmap_err = NOT_HERE;
		return;
	}
	fd = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	close(dev);
	p = fd < 0 ? MAP_FAILED : mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid = p == MAP_FAILED ? -1 : ivshmem_unbind_start(b->pci);
	if (pid < 0 || ivshmem_unbind_wait(pid, 10000)) {
		b->why = "export, mmap and unbind the BAR";
		if (pid > 0)
			ivshmem_unbind_kill(pid);
	}
	set_ptr(b, (unsigned long)p, FRAME_SIZE);
}

#define ADDR "address not in user space (NULL, kernel address, non-canonical, range wraps past the top)"
#define SHORT "length below the format's size image (0 included)"
#define NOACCESS "capture into a mapping without access (`PROT_NONE`, dma-buf or anonymous)"

static const struct bcase cases[] = {
	{ "null", s_null, { EFAULT, EFAULT }, ADDR },
	{ "kernel-address", s_kernel, { EFAULT, EFAULT }, ADDR },
	{ "non-canonical", s_noncanon, { EFAULT, EFAULT }, ADDR },
	{ "top-of-user-space", s_top, { EFAULT, EFAULT }, ADDR },
	{ "address-wraps", s_wrap, { EFAULT, EFAULT }, ADDR },
	{ "length-0", s_len_zero, { EINVAL, EINVAL }, SHORT },
	{ "length-short", s_len_short, { EINVAL, EINVAL }, SHORT },
	{ "length-4GiB", s_len_huge, { EFAULT, EFAULT },
	  "range runs into unmapped memory (a 4 GiB length on a small buffer)" },
	{ "heap-past-end", s_heap_past_end, { EFAULT, EFAULT },
	  "range leaves its dma-buf mapping (crosses into another VMA, runs past the buffer)" },
	{ "heap-at-offset", s_heap_offset, { EFAULT, 0 },
	  "mapping of a dma-buf from an offset into it (pages 1.. of the buffer)" },
	{ "heap-mmap-past-end", s_mmap_past, { EINVAL, EINVAL }, NULL },
	{ "heap-mmap-offset-overflow", s_mmap_overflow, { EOVERFLOW, EOVERFLOW }, NULL },
	{ "expbuf-ro-private", s_expbuf_ro_private, { 0, EFAULT },
	  "capture or output through a private mapping of a dma-buf (copy-on-write, even of a dma-buf opened read-only)" },
	{ "anon-then-dmabuf", s_anon_then_dmabuf, { 0, EFAULT },
	  "range runs from ordinary memory into a dma-buf mapping" },
	{ "heap-prot-read", s_heap_ro, { EFAULT, EFAULT },
	  "capture into a dma-buf mapping the process mapped read-only" },
	{ "heap-prot-none", s_heap_none, { EFAULT, EFAULT }, NOACCESS },
	/* Stock 6.1 pins with FOLL_FORCE: vivid writes through PROT_NONE. */
	{ "anon-prot-none", s_anon_none, { 0, EFAULT }, NOACCESS },
	{ "dmabuf-fd-memfd", s_fd_memfd, { EINVAL, EINVAL }, NULL },
	{ "dmabuf-fd-minus-1", s_fd_minus, { EINVAL, EINVAL }, NULL },
	{ "dmabuf-fd-closed", s_fd_closed, { EINVAL, EINVAL }, NULL },
	{ "ivshmem-revoked", s_revoked, { NOT_HERE, ENODEV },
	  "exporter refuses the attachment (IO-PFN range revoked)" },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

struct outcome {
	bool done;
	int got;		/* positive errno, 0, or NOT_HERE */
	bool requeue_ok;
	char text[200];
};

/*
 * After the bad QBUF (@queued: it worked): queue a good buffer (malloc, or
 * a heap dma-buf) unless the bad one is queued, stream, and a whole frame
 * must come back. 0 or -errno.
 */
static int frame_after(int vid, uint32_t memory, bool queued)
{
	uint8_t *p = malloc(FRAME_SIZE);
	int fd = -1, ret = 0;

	if (queued) {
		ret = 0;
	} else if (memory == DB) {
		fd = heap_alloc("system", BUF_LEN);
		ret = fd < 0 ? fd : vid_qbuf(vid, CAP, DB, (unsigned long)fd, 0);
	} else {
		ret = vid_qbuf(vid, CAP, UP, (unsigned long)p, FRAME_SIZE);
	}
	if (!ret)
		ret = vid_stream(vid, CAP, true);
	if (!ret)
		ret = vid_dqbuf(vid, CAP, memory, 5000, NULL);
	vid_stream(vid, CAP, false);
	if (fd >= 0)
		close(fd);
	return ret == FRAME_SIZE ? 0 : ret < 0 ? ret : -EIO;
}

static void case_child(void *arg, void *out)
{
	const struct bcase *c = arg;
	struct outcome *o = out;
	struct bad b = { 0 };
	int vid, ret;

	o->done = true;
	c->setup(&b);
	if (b.why) {
		snprintf(o->text, sizeof(o->text), "set-up failed: %s (%s)", b.why,
			 errname(errno));
		o->got = -1;
		return;
	}
	if (b.mmap_err || !b.memory) {
		o->got = b.mmap_err;
		o->requeue_ok = true;
		snprintf(o->text, sizeof(o->text), "mmap %s", b.mmap_err == NOT_HERE ?
			 "not here" : b.mmap_err ? errname(b.mmap_err) : "ok");
		return;
	}
	vid = open_vivid(target);
	ret = vid < 0 ? vid : vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, b.memory, 1, NULL);
	if (ret) {
		snprintf(o->text, sizeof(o->text), "vivid-%03d queue: %s", target, errname(-ret));
		o->got = -1;
		return;
	}
	o->got = -vid_qbuf(vid, CAP, b.memory, b.uptr, b.len);
	ret = frame_after(vid, b.memory, !o->got);
	o->requeue_ok = !ret;
	snprintf(o->text, sizeof(o->text), "QBUF %s; %s: %s", o->got ? errname(o->got) : "ok",
		 o->got ? "a good buffer after it" : "a frame into it", ret ? errname(-ret) : "filled");
	vid_reqbufs(vid, CAP, b.memory, 0, NULL);
	close(vid);
	if (b.pci[0]) {
		ret = ivshmem_rebind(b.pci);
		if (ret < 0) {
			o->requeue_ok = false;
			strncat(o->text, "; rebind failed", sizeof(o->text) - strlen(o->text) - 1);
		}
		close(ret);
	}
}

static void run_one(const struct bcase *c)
{
	struct leak_mark *mark = malloc(sizeof(*mark));
	struct outcome o = { 0 };
	char wchan[64] = "?", left[200];
	int want = c->want[kernel], status, ret;

	leak_mark_begin(mark);
	ret = run_in_child(case_child, (void *)c, &o, sizeof(o), CASE_TIMEOUT_S, wchan,
			   sizeof(wchan), &status);
	if (ret)
		child_failure(ret, CASE_TIMEOUT_S, wchan, status, o.text, sizeof(o.text));
	if (o.got == NOT_HERE && want == NOT_HERE) {
		tap_result(true, "%s # SKIP no ivshmem-iopfn driver on %s", c->name,
			   kernel_names[kernel]);
		free(mark);
		return;
	}
	tap_result(!ret && o.done && o.got == want && o.requeue_ok, "%s: %s (want %s)", c->name,
		   o.text, want ? errname(want) : "ok");
	tap_result(leak_mark_end(mark, left, sizeof(left)), "%s: nothing left: %s", c->name, left);
	free(mark);
}

/* Every documented case's errno must be in docs/kernel.md's table. */
static int self_test(const char *doc)
{
	FILE *f = fopen(doc, "re");
	char *text = NULL, row[512];
	size_t n = 0, i;

	if (!f || getdelim(&text, &n, '\0', f) < 0) {
		tap_result(false, "read %s", doc);
		return tap_done();
	}
	fclose(f);
	for (i = 0; i < NCASES; i++) {
		if (!cases[i].doc)
			continue;
		if (cases[i].want[PATCHED])
			snprintf(row, sizeof(row), "| %s | `%s`", cases[i].doc,
				 errname(cases[i].want[PATCHED]));
		else
			snprintf(row, sizeof(row), "| %s | ok", cases[i].doc);
		tap_result(strstr(text, row) != NULL, "%s: docs/kernel.md has \"%s\"",
			   cases[i].name, row);
	}
	free(text);
	return tap_done();
}

int main(int argc, char **argv)
{
	const char *only = NULL, *karg = NULL;
	int inst[2], i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--self-test") && i + 1 < argc)
			return self_test(argv[i + 1]);
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			karg = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--kernel stock|patched] [--only CASE]\n"
				"       %s --self-test DOCS/KERNEL.MD\n", argv[0], argv[0]);
			return 2;
		}
	}
	kernel = kernel_is_zcbuf(karg) ? PATCHED : STOCK;
	/* malloc: a mapping of its own, so a range runs into nothing after it. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	if (!tap_result(vivid_instances(0, inst, 2) == 2, "two vivid instances with vb2-vmalloc"))
		return tap_done();
	target = inst[0];
	source = inst[1];
	tap_diag("bad input to vivid-%03d, %s kernel", target, kernel_names[kernel]);
	for (i = 0; i < (int)NCASES; i++)
		if (!only || !strcmp(only, cases[i].name))
			run_one(&cases[i]);
	return tap_done();
}
