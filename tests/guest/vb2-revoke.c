// SPDX-License-Identifier: MIT
/*
 * In-guest test of videobuf2 reacting when the exporter of memory it
 * imports revokes it. The memory is the ivshmem-iopfn BAR, queued as
 * USERPTR (the address of its dma-buf's mapping) or as a DMABUF buffer into
 * vivid capture (vb2-vmalloc and vb2-dma-contig) and vim2m output
 * (vb2-vmalloc), and revoked by unbinding the driver while the buffer is
 *
 *  - queued: before STREAMON. The unbind waits, the buffer completes with
 *    V4L2_BUF_FLAG_ERROR once streaming starts, and the unbind finishes
 *    when it is dequeued;
 *  - active: the driver has it (vivid at 1 frame per second, vim2m with no
 *    capture buffer to run a job). The same;
 *  - dequeued: userspace holds it after a good frame. The unbind waits
 *    until the next QBUF, which fails with ENODEV and lets go of the BAR.
 *
 * In every case queueing the buffer again fails with ENODEV. Before the
 * series, vb2 was never told: the buffer completed as good and the unbind
 * waited until the queue was freed.
 *
 * Then a media request on vim2m: its OUTPUT buffer prepared on the BAR
 * (PREPARE_BUF), the BAR revoked, the buffer queued in a request that also
 * sets a control. vb2 fails the buffer without handing it to vim2m, and
 * the request must still complete: the control's part of it too.
 *
 * Usage: vb2-revoke. Needs vivid loaded with a vb2-vmalloc instance and a
 * vb2-dma-contig one with contig_userptr=1, vim2m, ivshmem-iopfn. TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/media.h>
#include <linux/videodev2.h>

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

enum when { QUEUED, ACTIVE, DEQUEUED };
static const char *const when_names[] = { "queued", "active", "dequeued" };

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

/* One frame per second: the driver keeps a buffer long enough to revoke it. */
static int vid_set_fps(int vid, unsigned int fps)
{
	struct v4l2_streamparm p = { .type = CAP };

	p.parm.capture.timeperframe.numerator = 1;
	p.parm.capture.timeperframe.denominator = fps;
	if (ioctl(vid, VIDIOC_S_PARM, &p))
		return -errno;
	return p.parm.capture.timeperframe.numerator == 1 &&
	       p.parm.capture.timeperframe.denominator == fps ? 0 : -EINVAL;
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
	if (!ret && !t->m2m && when == ACTIVE)
		ret = vid_set_fps(vid, 1);
	if (!ret)
		ret = vid_reqbufs(vid, type, memory, 1, NULL);
	return ret ? ret : vid_qbuf(vid, type, memory, mem, FRAME_SIZE);
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
	int fa, vid, ret, waited = -1;
	unsigned long mem;
	char what[128];
	void *map;
	double t0;
	pid_t pid;

	snprintf(what, sizeof(what), "%s, %s, %s", t->name,
		 memory == V4L2_MEMORY_USERPTR ? "USERPTR" : "DMABUF",
		 when_names[when]);
	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	map = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	vid = open_target(t);
	mem = memory == V4L2_MEMORY_USERPTR ? (unsigned long)map : (unsigned long)fa;
	ret = map == MAP_FAILED || vid < 0 ? -ENODEV : setup(vid, t, memory, mem, when);
	if (!tap_result(!ret, "%s: the BAR is queued (%s)", what,
			ret ? errname(-ret) : "ok"))
		goto out;

	ret = when == QUEUED ? 0 : start(vid, t, when == DEQUEUED);
	if (ret)
		tap_result(false, "%s: STREAMON (%s)", what, errname(-ret));
	if (when == DEQUEUED) {
		ret = vid_dqbuf(vid, type, memory, 10000, NULL);
		tap_result(ret > 0, "%s: a good frame first (%s)", what,
			   ret > 0 ? "ok" : errname(-ret));
	} else if (when == ACTIVE) {
		usleep(200000);	/* the driver has the buffer by now */
	}

	pid = ivshmem_unbind_start(pci_addr);
	tap_result(ivshmem_unbind_wait(pid, 1000) == -1,
		   "%s: the unbind waits while vb2 maps the BAR", what);

	if (when == DEQUEUED) {
		ret = vid_qbuf(vid, type, memory, mem, FRAME_SIZE);
		tap_result(ret == -ENODEV, "%s: the next QBUF fails with ENODEV (%s)",
			   what, errname(-ret));
		t0 = now_ms();
		waited = ivshmem_unbind_wait(pid, 5000);
		tap_result(waited == 0, "%s: the unbind finishes once QBUF let go (%.0f ms)",
			   what, now_ms() - t0);
		goto stop;
	}

	if (when == QUEUED)
		ret = start(vid, t, true);
	else
		ret = t->m2m ? m2m_start_capture(vid) : 0;
	if (ret)
		tap_result(false, "%s: start streaming (%s)", what, errname(-ret));
	ret = vid_dqbuf(vid, type, memory, 10000, NULL);
	tap_result(ret == -EIO, "%s: the buffer completes with V4L2_BUF_FLAG_ERROR (%s)",
		   what, ret == -EIO ? "ok" : ret >= 0 ? "no error flag" : errname(-ret));
	t0 = now_ms();
	waited = ivshmem_unbind_wait(pid, 5000);
	tap_result(waited == 0, "%s: the unbind finishes once it is dequeued (%.0f ms)",
		   what, now_ms() - t0);
	ret = vid_qbuf(vid, type, memory, mem, FRAME_SIZE);
	tap_result(ret == -ENODEV, "%s: queueing it again fails with ENODEV (%s)",
		   what, errname(-ret));
stop:
	vid_stream(vid, type, false);
	if (t->m2m)
		vid_stream(vid, CAP, false);
	close(vid);
	vid = -1;
	dev = finish_unbind(dev, pid, waited, what);
out:
	if (vid >= 0)
		close(vid);
	if (map != MAP_FAILED)
		munmap(map, MAP_LEN);
	if (fa >= 0)
		close(fa);
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
 * A request whose buffer the exporter revoked after it was prepared: vb2
 * fails the buffer at queue time without giving it to vim2m, and the
 * request completes all the same. Returns the device fd of the driver bound
 * again, or -1.
 */
static int test_revoke_request(int dev, uint32_t memory)
{
	const char *what = memory == V4L2_MEMORY_USERPTR ? "vim2m request, USERPTR" :
							   "vim2m request, DMABUF";
	int fa, vid, media, req = -1, ret, waited = -1;
	struct pollfd pfd;
	unsigned long mem;
	void *map;
	pid_t pid;

	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	map = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	vid = open_video("vim2m");
	media = open_vim2m_media();
	mem = memory == V4L2_MEMORY_USERPTR ? (unsigned long)map : (unsigned long)fa;
	ret = map == MAP_FAILED || vid < 0 ? -ENODEV : media < 0 ? media : 0;
	if (!ret)
		ret = vid_set_format(vid, OUT);
	if (!ret)
		ret = vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, OUT, memory, 1, NULL);
	if (!ret)
		ret = prepare_or_queue(vid, memory, mem, -1);
	if (!ret)
		ret = vid_stream(vid, OUT, true);
	if (!ret)
		ret = ioctl(media, MEDIA_IOC_REQUEST_ALLOC, &req) ? -errno : 0;
	if (!ret)
		ret = request_set_hflip(vid, req);
	if (!tap_result(!ret, "%s: the BAR prepared, a request with a control (%s)", what,
			errname(-ret)))
		goto out;

	pid = ivshmem_unbind_start(pci_addr);
	tap_result(ivshmem_unbind_wait(pid, 1000) == -1,
		   "%s: the unbind waits while vb2 maps the BAR", what);
	ret = prepare_or_queue(vid, memory, mem, req);
	if (!ret)
		ret = ioctl(req, MEDIA_REQUEST_IOC_QUEUE) ? -errno : 0;
	tap_result(!ret, "%s: the revoked buffer is queued in the request (%s)", what,
		   errname(-ret));
	pfd = (struct pollfd){ .fd = req, .events = POLLPRI };
	ret = poll(&pfd, 1, 5000);
	tap_result(ret == 1 && (pfd.revents & POLLPRI),
		   "%s: the request completes (poll: %s)", what,
		   ret == 1 ? "POLLPRI" : ret == 0 ? "nothing in 5 s" : errname(errno));
	ret = vid_dqbuf(vid, OUT, memory, 5000, NULL);
	tap_result(ret == -EIO, "%s: the buffer comes back with V4L2_BUF_FLAG_ERROR (%s)", what,
		   ret == -EIO ? "ok" : ret >= 0 ? "no error flag" : errname(-ret));
	waited = ivshmem_unbind_wait(pid, 5000);
	tap_result(waited == 0, "%s: the unbind finishes once it is dequeued", what);
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
	if (map != MAP_FAILED)
		munmap(map, MAP_LEN);
	if (fa >= 0)
		close(fa);
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
	for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		for (m = 0; m < 2; m++)
			for (w = QUEUED; w <= DEQUEUED && dev >= 0; w++)
				dev = test_revoke(dev, &targets[t], memories[m], w);
	for (m = 0; m < 2 && dev >= 0; m++)
		dev = test_revoke_request(dev, memories[m]);
	if (dev >= 0)
		close(dev);
	return tap_done();
}
