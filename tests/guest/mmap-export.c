// SPDX-License-Identifier: MIT
/*
 * In-guest test: the kernel exports a video buffer found behind its mapping
 * only where userspace could export it, i.e. when the device node offers
 * VIDIOC_EXPBUF.
 *
 * Another vivid instance's MMAP buffer, mapped through its /dev/videoN, is
 * queued as a USERPTR buffer on vivid's vb2-vmalloc capture queue. The
 * lending instances are vb2-vmalloc and vb2-dma-contig, each with and
 * without VIDIOC_EXPBUF (vivid's no_expbuf parameter). Expected:
 *
 *  - without EXPBUF, the mapping is what it always was to an importer: its
 *    pages are pinned (vmalloc: FOLL_PIN counts them, no dma-buf appears)
 *    or it cannot be used (dma-contig, VM_PFNMAP: EFAULT);
 *  - with EXPBUF, the buffer is imported through a new dma-buf, nothing
 *    pinned, when the kernel imports USERPTR of dma-buf mappings
 *    (CONFIG_VIDEOBUF2_USERPTR_DMABUF, the "patched" variant), and as
 *    without EXPBUF otherwise ("userptr-off");
 *
 * and in every case that queues, the frame lands in the lending buffer, and
 * nothing stays pinned or exported once the importer let go.
 *
 * Usage: mmap-export [--kernel patched|userptr-off]. vivid must be loaded
 * with n_devs=5 allocators=0,0,1,0,1 no_expbuf=0,1,1,0,0 (instance 0
 * imports). Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "guest-util.h"
#include "mem-kind.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

struct lender {
	int inst;
	const char *what;
	bool expbuf;
	bool contig;
};

static const struct lender lenders[] = {
	{ 1, "vb2-vmalloc without EXPBUF", false, false },
	{ 2, "vb2-dma-contig without EXPBUF", false, true },
	{ 3, "vb2-vmalloc with EXPBUF", true, false },
	{ 4, "vb2-dma-contig with EXPBUF", true, true },
};

enum outcome { PINNED, IMPORTED, REFUSED, OTHER };
static const char *const outcome_names[] = {
	[PINNED] = "pinned, no dma-buf",
	[IMPORTED] = "imported through a new dma-buf, nothing pinned",
	[REFUSED] = "EFAULT",
	[OTHER] = "something else",
};

/* What QBUF of the lender's mapping does on a kernel that routes or not. */
static enum outcome expected(const struct lender *l, bool routes)
{
	if (l->expbuf && routes)
		return IMPORTED;
	return l->contig ? REFUSED : PINNED;
}

/* The lender's MMAP buffer, mapped shared through its device node. */
static uint8_t *lend(int vid, size_t *len)
{
	struct v4l2_buffer buf = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	void *p;

	if (vid_set_format(vid, CAP) || vid_reqbufs(vid, CAP, V4L2_MEMORY_MMAP, 1, NULL) ||
	    ioctl(vid, VIDIOC_QUERYBUF, &buf))
		return NULL;
	p = mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, vid, buf.m.offset);
	if (p == MAP_FAILED)
		return NULL;
	*len = buf.length;
	return p;
}

/* VIDIOC_EXPBUF of the lender's buffer 0: 0 or -errno. */
static int try_expbuf(int vid)
{
	struct v4l2_exportbuffer eb = { .type = CAP, .index = 0, .flags = O_RDWR };

	if (ioctl(vid, VIDIOC_EXPBUF, &eb))
		return -errno;
	close(eb.fd);
	return 0;
}

static void run_lender(int cap, const struct lender *l, bool routes, const uint8_t *ref)
{
	enum outcome want = expected(l, routes), got;
	long long acq0, rel0, acq1, rel1;
	struct dmabuf_list before, during;
	struct leak_mark mark;
	char names[128], text[256];
	int vid, ret, fresh;
	uint8_t *map;
	size_t len = 0;

	vid = open_vivid(l->inst);
	map = vid >= 0 ? lend(vid, &len) : NULL;
	if (!tap_result(map && len >= FRAME_SIZE, "%s (vivid-%03d): MMAP buffer mapped",
			l->what, l->inst)) {
		if (vid >= 0)
			close(vid);
		return;
	}
	ret = try_expbuf(vid);
	tap_result(l->expbuf ? ret == 0 : ret == -ENOTTY, "%s: VIDIOC_EXPBUF %s (%s)", l->what,
		   l->expbuf ? "exports" : "is ENOTTY", ret ? errname(-ret) : "ok");
	memset(map, 0x5a, len);

	leak_mark_begin(&mark);
	if (vid_reqbufs(cap, CAP, V4L2_MEMORY_USERPTR, 1, NULL) ||
	    !read_pins(&acq0, &rel0) || read_bufinfo(&before)) {
		tap_result(false, "%s: importer and counters ready", l->what);
		goto out;
	}
	ret = vid_qbuf(cap, CAP, V4L2_MEMORY_USERPTR, (unsigned long)map, len);
	read_pins(&acq1, &rel1);
	read_bufinfo(&during);
	fresh = new_dmabufs(&before, &during, names, sizeof(names));
	if (ret)
		got = ret == -EFAULT ? REFUSED : OTHER;
	else if (acq1 - acq0 >= (long long)FRAME_PAGES && fresh == 0)
		got = PINNED;
	else if (acq1 == acq0 && fresh == 1)
		got = IMPORTED;
	else
		got = OTHER;
	snprintf(text, sizeof(text), "QBUF %s, +%lld pins, %d new dma-buf(s) %s",
		 ret ? errname(-ret) : "ok", acq1 - acq0, fresh, names);
	tap_result(got == want, "%s, queued as USERPTR on %s kernel: %s (%s)", l->what,
		   routes ? "a routing" : "a non-routing", outcome_names[want], text);

	if (!ret) {
		ret = vid_stream(cap, CAP, true);
		if (!ret)
			ret = vid_dqbuf(cap, CAP, V4L2_MEMORY_USERPTR, 5000, NULL);
		vid_stream(cap, CAP, false);
		tap_result(ret == FRAME_SIZE && !memcmp(map, ref, FRAME_SIZE),
			   "%s: the frame lands in the lending buffer (%s)", l->what,
			   ret < 0 ? errname(-ret) : "dequeued");
	}
	vid_reqbufs(cap, CAP, V4L2_MEMORY_USERPTR, 0, NULL);
out:
	munmap(map, len);
	vid_reqbufs(vid, CAP, V4L2_MEMORY_MMAP, 0, NULL);
	close(vid);
	tap_result(leak_mark_end(&mark, text, sizeof(text)),
		   "%s: nothing pinned or exported is left (%s)", l->what, text);
}

int main(int argc, char **argv)
{
	const char *karg = argc > 2 && !strcmp(argv[1], "--kernel") ? argv[2] : NULL;
	const char *variant = karg ? karg : getenv("ZC_KERNEL_VARIANT");
	uint8_t *ref = malloc(FRAME_SIZE);
	bool routes;
	size_t i;
	int cap;

	if (!variant || (strcmp(variant, "patched") && strcmp(variant, "userptr-off"))) {
		tap_diag("usage: mmap-export [--kernel patched|userptr-off] (or ZC_KERNEL_VARIANT)");
		tap_result(false, "a zcbuf kernel variant is given (%s)", variant ? variant : "none");
		return tap_done();
	}
	routes = !strcmp(variant, "patched");
	tap_diag("expectations of the %s kernel: USERPTR of dma-buf mappings %s", variant,
		 routes ? "imported through the dma-buf" : "as on stock");
	cap = open_vivid(0);
	if (!tap_result(cap >= 0 && ref && !vivid_reference_frame(cap, ref),
			"vivid-000's vb2-vmalloc capture queue and its reference frame"))
		return tap_done();
	for (i = 0; i < sizeof(lenders) / sizeof(lenders[0]); i++)
		run_lender(cap, &lenders[i], routes, ref);
	close(cap);
	free(ref);
	return tap_done();
}
