// SPDX-License-Identifier: MIT
/*
 * In-guest test of IO-PFN ranges through their real owner, ivshmem-iopfn:
 * the shared memory of QEMU's ivshmem-plain device as dma-bufs.
 *
 *  - export, mmap, write and read back; a second export sees the same memory
 *  - import into vivid as a V4L2 DMABUF buffer, and
 *    check the frame vivid wrote into the BAR
 *  - vgem's import, a static attachment that revocation could not tell, is
 *    refused
 *  - unbind the driver while the buffer is only mmapped, and while vivid
 *    holds a vmap of it in a queued buffer: the unbind ends within a second,
 *    the mapping faults with SIGBUS, new imports fail, vivid's buffer
 *    completes with an error and cannot be queued again; and while a fence
 *    that userspace signals when it likes sits in the dma-buf: the unbind
 *    waits for it a while only
 *  - fail-nth sweeps over the export ioctl and over probe: every injected
 *    failure is an error or a success, nothing is left behind (file
 *    descriptors, device nodes; kmemleak checks memory after the suite);
 *    and the export's late failures on purpose (no free file descriptor:
 *    EMFILE; an argument it cannot write back: EFAULT), its dma-buf gone
 *
 * Usage: iopfn-ivshmem EXPECTED_SIZE_BYTES. Prints TAP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "fail-nth.h"
#include "ivshmem-util.h"
#include "tap.h"

/* A webcam size vivid offers (S_FMT would round 320x240 to it anyway). */
#define FRAME_W 320
#define FRAME_H 180

static char pci_addr[64];

/* ---- small helpers ------------------------------------------------------ */

/* An export whose reserved field is not zero: -errno, or a dma-buf fd. */
static int export_reserved(int dev)
{
	struct ivshmem_iopfn_export arg = { .flags = O_RDWR | O_CLOEXEC };

	arg.reserved[2] = 1;
	if (ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, &arg))
		return -errno;
	close(arg.fd);
	return 0;
}

/* ---- SIGBUS on access --------------------------------------------------- */

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static bool read_faults(volatile const uint32_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool faulted = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		faulted = true;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/* ---- vivid capture ------------------------------------------------------ */

static int vivid_set_format(int vid, struct v4l2_format *fmt)
{
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt->fmt.pix.width = FRAME_W;
	fmt->fmt.pix.height = FRAME_H;
	fmt->fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	return ioctl(vid, VIDIOC_S_FMT, fmt) ? -errno : 0;
}

static int reqbufs(int vid, unsigned int memory, unsigned int count)
{
	struct v4l2_requestbuffers req = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = memory,
	};

	return ioctl(vid, VIDIOC_REQBUFS, &req) ? -errno : 0;
}

static int qbuf(int vid, unsigned int memory, int fd)
{
	struct v4l2_buffer buf = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = memory,
		.index = 0,
	};

	if (memory == V4L2_MEMORY_DMABUF)
		buf.m.fd = fd;
	return ioctl(vid, VIDIOC_QBUF, &buf) ? -errno : 0;
}

/* Stream one frame into buffer 0; returns bytesused or -errno. */
static int capture_one(int vid, unsigned int memory)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret;
	struct pollfd pfd = { .fd = vid, .events = POLLIN };
	struct v4l2_buffer buf = { .type = type, .memory = memory };

	if (ioctl(vid, VIDIOC_STREAMON, &type))
		return -errno;
	ret = poll(&pfd, 1, 20000);
	if (ret == 1 && !ioctl(vid, VIDIOC_DQBUF, &buf))
		ret = buf.flags & V4L2_BUF_FLAG_ERROR ? -EIO : (int)buf.bytesused;
	else
		ret = ret == 0 ? -ETIMEDOUT : -errno;
	ioctl(vid, VIDIOC_STREAMOFF, &type);
	return ret;
}

/* The last line of a vivid frame: colour bars, the same in every frame. */
static bool vivid_reference_line(int vid, const struct v4l2_format *fmt,
				 uint8_t *line)
{
	struct v4l2_buffer buf = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	uint8_t *p;
	bool ok;

	if (reqbufs(vid, V4L2_MEMORY_MMAP, 1) || ioctl(vid, VIDIOC_QUERYBUF, &buf))
		return false;
	p = mmap(NULL, buf.length, PROT_READ, MAP_SHARED, vid, buf.m.offset);
	if (p == MAP_FAILED)
		return false;
	ok = !qbuf(vid, V4L2_MEMORY_MMAP, -1) && capture_one(vid, V4L2_MEMORY_MMAP) > 0;
	if (ok)
		memcpy(line, p + (fmt->fmt.pix.height - 1) * fmt->fmt.pix.bytesperline,
		       fmt->fmt.pix.bytesperline);
	munmap(p, buf.length);
	reqbufs(vid, V4L2_MEMORY_MMAP, 0);
	return ok;
}

/* ---- the tests ---------------------------------------------------------- */

static void fill(volatile uint32_t *p, size_t size, uint32_t seed)
{
	size_t i;

	for (i = 0; i < size / 4; i++)
		p[i] = seed ^ (uint32_t)(i * 2654435761u);
}

static bool check(volatile const uint32_t *p, size_t size, uint32_t seed)
{
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (p[i] != (seed ^ (uint32_t)(i * 2654435761u)))
			return false;
	return true;
}

static void test_export_and_mmap(int dev, size_t size)
{
	struct ivshmem_iopfn_info info;
	uint32_t *a, *b;
	int fa, fb;

	tap_result(!ioctl(dev, IVSHMEM_IOPFN_IOC_INFO, &info) && info.size == size,
		   "IVSHMEM_IOPFN_IOC_INFO reports the BAR size (%zu bytes)", size);
	tap_result(ivshmem_export(dev, O_WRONLY) == -EINVAL &&
		   ivshmem_export(dev, O_ACCMODE) == -EINVAL &&
		   ivshmem_export(dev, O_RDWR | O_NONBLOCK) == -EINVAL,
		   "export refuses O_WRONLY, access mode 3 and unknown flags with EINVAL");
	tap_result(export_reserved(dev) == -EINVAL,
		   "export refuses a non-zero reserved field with EINVAL");
	tap_result(ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, NULL) && errno == EFAULT,
		   "export of an argument it cannot read fails with EFAULT");
	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	fb = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	if (!tap_result(fa >= 0 && fb >= 0, "export two dma-bufs of the BAR"))
		return;
	tap_result(lseek(fa, 0, SEEK_END) == (off_t)size,
		   "the dma-buf is as large as the BAR");
	tap_result(mmap(NULL, size, PROT_READ, MAP_PRIVATE, fa, 0) == MAP_FAILED &&
		   errno == EINVAL, "a private (copy-on-write) mapping is refused with EINVAL");
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	b = mmap(NULL, size, PROT_READ, MAP_SHARED, fb, 0);
	if (tap_result(a != MAP_FAILED && b != MAP_FAILED, "mmap both dma-bufs")) {
		dmabuf_sync(fa, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		fill(a, size, 0x5a5a0001);
		dmabuf_sync(fa, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		dmabuf_sync(fb, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		tap_result(check(b, size, 0x5a5a0001),
			   "a pattern written through one dma-buf reads back through the other");
		dmabuf_sync(fb, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
	if (a != MAP_FAILED)
		munmap(a, size);
	if (b != MAP_FAILED)
		munmap(b, size);
	close(fa);
	close(fb);
}

/*
 * vgem's PRIME import attaches statically: revocation could not tell it, so
 * the exporter refuses it rather than wait for it.
 */
static void test_vgem_import(int dev)
{
	uint32_t handle;
	int card, fa, ret;

	card = open_vgem();
	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	if (!tap_result(card >= 0 && fa >= 0, "open vgem and export a dma-buf"))
		goto out;
	ret = drmPrimeFDToHandle(card, fa, &handle) ? -errno : 0;
	tap_result(ret == -EOPNOTSUPP,
		   "vgem's import (a static attachment) is refused with EOPNOTSUPP (%s)",
		   ret ? errname(-ret) : "imported");
	if (!ret)
		gem_close(card, handle);
out:
	if (fa >= 0)
		close(fa);
	if (card >= 0)
		close(card);
}

static void test_vivid_import(int dev, size_t size)
{
	uint8_t ref[FRAME_W * 3 * 2];
	struct v4l2_format fmt;
	uint8_t *bar = MAP_FAILED, *line;
	int vid, fa = -1, used;

	vid = open_video("vivid-000-vid-cap");
	if (!tap_result(vid >= 0 && !vivid_set_format(vid, &fmt) &&
			fmt.fmt.pix.width == FRAME_W && fmt.fmt.pix.height == FRAME_H &&
			fmt.fmt.pix.bytesperline <= sizeof(ref),
			"vivid-000 capture at %ux%u RGB24", FRAME_W, FRAME_H))
		goto out;
	tap_result(vivid_reference_line(vid, &fmt, ref),
		   "a reference frame captured into a vivid MMAP buffer");
	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	bar = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	if (!tap_result(bar != MAP_FAILED, "export and mmap a dma-buf"))
		goto out;
	memset(bar, 0xa5, size);
	tap_result(!reqbufs(vid, V4L2_MEMORY_DMABUF, 1) &&
		   !qbuf(vid, V4L2_MEMORY_DMABUF, fa),
		   "vivid queues the dma-buf as a DMABUF buffer (vb2-vmalloc vmaps it)");
	used = capture_one(vid, V4L2_MEMORY_DMABUF);
	tap_result(used == (int)fmt.fmt.pix.sizeimage, "vivid captures a frame into it");
	line = bar + (fmt.fmt.pix.height - 1) * fmt.fmt.pix.bytesperline;
	if (!tap_result(!memcmp(line, ref, fmt.fmt.pix.bytesperline),
			"the frame landed in the BAR and matches the MMAP reference"))
		tap_diag("last line: BAR %02x %02x %02x %02x..., reference %02x %02x %02x %02x...",
			 line[0], line[1], line[2], line[3], ref[0], ref[1], ref[2], ref[3]);
	tap_result(!reqbufs(vid, V4L2_MEMORY_DMABUF, 0), "vivid releases the buffer");
out:
	if (bar != MAP_FAILED)
		munmap(bar, size);
	if (fa >= 0)
		close(fa);
	if (vid >= 0)
		close(vid);
}

/* What every revocation must leave behind, whatever held the buffer. */
static void check_revoked(int dev, int fd, volatile uint32_t *map,
			  const char *what)
{
	tap_result(read_faults(map), "%s: the old mapping faults with SIGBUS", what);
	tap_result(dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == -ENODEV,
		   "%s: DMA_BUF_IOCTL_SYNC fails with ENODEV", what);
	tap_result(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
		   errno == ENODEV, "%s: a new mmap fails with ENODEV", what);
	tap_result(ivshmem_export(dev, O_RDWR) == -ENODEV,
		   "%s: exporting through an open device fd fails with ENODEV", what);
}

/* The bound of an unbind that waits for no userspace (ivshmem-util.h). */
static int unbind_bound_ms;

enum holder { HOLD_NOTHING, HOLD_VIVID };

/*
 * Unbind the driver while the BAR is mapped, and maybe queued in vivid (not
 * streaming: the buffer waits for userspace). Every importer the exporter
 * serves can be told, so the unbind ends within a second either way.
 */
static int test_unbind(int dev, size_t size, enum holder holder)
{
	static const char *const names[] = { "mmap only", "vivid vmap" };
	const char *what = names[holder];
	int fa, vid = -1, waited, ret;
	struct v4l2_format fmt;
	uint32_t *map;
	double ms;
	pid_t pid;

	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	if (!tap_result(map != MAP_FAILED, "%s: export and mmap", what))
		return dev;
	fill(map, 4096, 7);
	if (holder == HOLD_VIVID) {
		vid = open_video("vivid-000-vid-cap");
		tap_result(vid >= 0 && !vivid_set_format(vid, &fmt) &&
			   !reqbufs(vid, V4L2_MEMORY_DMABUF, 1) &&
			   !qbuf(vid, V4L2_MEMORY_DMABUF, fa),
			   "%s: vivid holds the dma-buf vmapped (queued buffer)", what);
	}

	pid = ivshmem_unbind_timed(pci_addr, 10000, &waited, &ms);
	tap_result(waited == 0 && ms < unbind_bound_ms, "%s: unbind completes within %d ms (%.0f ms)",
		   what, unbind_bound_ms, ms);
	check_revoked(dev, fa, map, what);
	if (holder == HOLD_VIVID) {
		ret = capture_one(vid, V4L2_MEMORY_DMABUF);
		tap_result(ret == -EIO,
			   "%s: streaming, the buffer comes back with V4L2_BUF_FLAG_ERROR (%s)",
			   what, ret >= 0 ? "no error flag" : errname(-ret));
		ret = qbuf(vid, V4L2_MEMORY_DMABUF, fa);
		tap_result(ret == -ENODEV, "%s: queueing it again fails with ENODEV (%s)",
			   what, ret ? errname(-ret) : "queued");
		reqbufs(vid, V4L2_MEMORY_DMABUF, 0);
	}
	if (waited < 0)
		ivshmem_unbind_kill(pid);
	munmap(map, size);
	close(fa);
	if (vid >= 0)
		close(vid);
	close(dev);
	tap_result(access("/dev/ivshmem0", F_OK) != 0, "%s: the device node is gone", what);
	dev = ivshmem_rebind(pci_addr);
	tap_result(dev >= 0, "%s: rebinding the driver brings the device back", what);
	return dev;
}

/*
 * A dma-buf whose file is gone while its dentry lives on (an O_PATH open of
 * /proc/self/fd/N holds it): revocation must not touch the freed file. The
 * runner's kernel-log check sees a use-after-free if it does.
 */
static int test_unbind_file_gone(int dev)
{
	const char *what = "file closed, dentry held";
	int fa, held, waited;
	char path[64];
	pid_t pid;

	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fa);
	held = fa < 0 ? -1 : open(path, O_PATH | O_CLOEXEC);
	if (!tap_result(held >= 0, "%s: an O_PATH fd holds the dma-buf's dentry", what))
		return dev;
	close(fa);
	/* Let RCU free the file: its memory is poisoned then (KASAN). */
	usleep(500 * 1000);
	pid = ivshmem_unbind_start(pci_addr);
	waited = ivshmem_unbind_wait(pid, 10000);
	tap_result(waited == 0, "%s: unbind completes", what);
	if (waited < 0)
		ivshmem_unbind_kill(pid);
	close(held);
	close(dev);
	dev = ivshmem_rebind(pci_addr);
	tap_result(dev >= 0, "%s: rebinding the driver brings the device back", what);
	return dev;
}

/*
 * A fence that userspace added to the dma-buf (DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
 * and signals when it likes: revocation waits for fences a while only, and
 * the unbind ends long before the fence does.
 */
static int test_unbind_fence(int dev)
{
	const char *what = "a fence userspace holds";
	int card, fa, ret, waited = -1;
	uint32_t fence;
	double ms;
	pid_t pid;

	card = open_vgem();
	fa = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	ret = card < 0 || fa < 0 ? -ENODEV : dmabuf_add_vgem_fence(card, fa, &fence);
	if (!tap_result(ret >= 0, "%s: a pending vgem fence is added to the dma-buf (%s)",
			what, ret < 0 ? errname(-ret) : "ok"))
		goto out;
	pid = ivshmem_unbind_timed(pci_addr, 15000, &waited, &ms);
	tap_result(waited == 0 && ms < unbind_bound_ms + 500,
		   "%s: the unbind ends within %d ms, before the fence (%.0f ms)", what,
		   unbind_bound_ms + 500, ms);
	if (waited < 0)
		ivshmem_unbind_kill(pid);
	vgem_fence_signal(card, fence);
	close(dev);
	dev = ivshmem_rebind(pci_addr);
	tap_result(dev >= 0, "%s: rebinding the driver brings the device back", what);
out:
	if (fa >= 0)
		close(fa);
	if (card >= 0)
		close(card);
	return dev;
}

/* fail-nth over the export ioctl: every fault point, every outcome clean. */
static void test_export_fault_injection(int dev)
{
	int n, fd, fds, errors = 0, leaks = 0, nth;

	nth = fault_injection_start();
	if (!tap_result(nth >= 0, "fail-nth is available"))
		return;
	for (n = 1; n < 200; n++) {
		bool injected;

		fds = count_fds();
		if (!fault_arm(nth, n))
			break;
		fd = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
		injected = fault_disarm(nth);
		if (fd >= 0)
			close(fd);
		else
			errors++;
		leaks += count_fds() != fds;
		if (!injected)
			break; /* fewer than n fault points: all were tried */
	}
	fault_injection_stop(nth);
	tap_result(n > 1 && errors > 0 && !leaks,
		   "fail-nth over %d fault points of the export: %d errors returned, %d fds leaked",
		   n - 1, errors, leaks);
	fd = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	tap_result(fd >= 0, "export works again after the sweep");
	if (fd >= 0)
		close(fd);
}

/* The dma-bufs the kernel has (DMABUF_SYSFS_STATS lists them): a count or -errno. */
static int count_dmabufs(void)
{
	DIR *d = opendir("/sys/kernel/dmabuf/buffers");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The export's failures after the dma-buf is made, which the fail-nth sweep
 * reaches only when its fault points fall that way: no file descriptor free
 * below RLIMIT_NOFILE (EMFILE), and an argument it can read but not write
 * back (EFAULT, the fd reserved for it unused). The dma-buf must go again
 * and no fd be left.
 */
static void test_export_late_failures(int dev)
{
	struct ivshmem_iopfn_export *ro;
	int lowest, before, with, after, fds, ret;
	struct rlimit old, lim;

	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (lowest >= 0)
		close(lowest);
	/* The count must see an export: one more while it is open */
	before = count_dmabufs();
	ret = ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	with = count_dmabufs();
	if (ret >= 0)
		close(ret);
	if (!tap_result(lowest >= 0 && before >= 0 && with == before + 1 &&
			!getrlimit(RLIMIT_NOFILE, &old),
			"late export failures: the lowest free fd is %d; the kernel lists %d dma-bufs, %d with an export open",
			lowest, before, with))
		return;

	/* Every fd below the limit is taken */
	lim = old;
	lim.rlim_cur = lowest;
	ret = setrlimit(RLIMIT_NOFILE, &lim) ? -errno : ivshmem_export(dev, O_RDWR | O_CLOEXEC);
	setrlimit(RLIMIT_NOFILE, &old);
	if (ret >= 0)
		close(ret);
	after = count_dmabufs();
	tap_result(ret == -EMFILE && after == before,
		   "no free fd: the export fails with EMFILE and leaves no dma-buf (%s, %d dma-bufs before, %d after)",
		   ret >= 0 ? "exported" : errname(-ret), before, after);

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_result(ro != MAP_FAILED, "read-only argument: map a page for it"))
		return;
	*ro = (struct ivshmem_iopfn_export){ .flags = O_RDWR | O_CLOEXEC };
	fds = count_fds();
	ret = mprotect(ro, PAGE, PROT_READ) ? -errno :
	      ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, ro) ? -errno : (int)ro->fd;
	if (ret >= 0)
		close(ret);
	after = count_dmabufs();
	tap_result(ret == -EFAULT && after == before && count_fds() == fds,
		   "read-only argument: the export fails with EFAULT and leaves no dma-buf or fd (%s, %d dma-bufs before, %d after)",
		   ret >= 0 ? "exported" : errname(-ret), before, after);
	munmap(ro, PAGE);
}

/*
 * fail-nth over probe: binding the driver runs its probe (iopfn_create(),
 * misc_register()...) in this thread. Every failure leaves no device node,
 * and the next bind works.
 */
static int test_probe_fault_injection(int dev)
{
	int n, nth, errors = 0, bound_anyway = 0, ret;

	close(dev);
	if (!tap_result(!write_file(IVSHMEM_DRIVER_DIR "/unbind", pci_addr),
			"probe sweep: unbind the driver"))
		return -1;
	nth = fault_injection_start();
	for (n = 1; nth >= 0 && n < 1000; n++) {
		bool injected;

		if (!fault_arm(nth, n))
			break;
		ret = write_file(IVSHMEM_DRIVER_DIR "/bind", pci_addr);
		injected = fault_disarm(nth);
		if (!injected && !ret)
			break; /* every fault point was tried */
		if (ret) {
			errors++;
			if (!access("/dev/ivshmem0", F_OK))
				break; /* a failed probe left its node behind */
		} else {
			bound_anyway++;
			if (write_file(IVSHMEM_DRIVER_DIR "/unbind", pci_addr))
				break;
		}
	}
	if (nth >= 0)
		fault_injection_stop(nth);
	tap_result(nth >= 0 && n > 1 && errors > 0 && access("/dev/ivshmem0", F_OK) == 0,
		   "fail-nth over %d fault points of probe: %d failed binds left nothing behind, %d absorbed, then it binds",
		   n - 1, errors, bound_anyway);
	dev = ivshmem_open(pci_addr, sizeof(pci_addr));
	tap_result(dev >= 0, "probe sweep: the device works after it");
	return dev;
}

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
	int dev;

	printf("TAP version 13\n");
	dev = ivshmem_open(pci_addr, sizeof(pci_addr));
	if (!tap_result(dev >= 0, "open /dev/ivshmem0 (%s)", strerror(dev < 0 ? -dev : 0)))
		return tap_done();
	tap_diag("ivshmem at PCI %s", pci_addr);
	unbind_bound_ms = ivshmem_unbind_bound_ms(pci_addr, &dev);
	if (!tap_result(unbind_bound_ms > 0, "an idle unbind and rebind work: unbinds may take %d ms",
			unbind_bound_ms))
		return tap_done();
	test_export_and_mmap(dev, size);
	test_vgem_import(dev);
	test_vivid_import(dev, size);
	dev = test_unbind(dev, size, HOLD_NOTHING);
	if (dev >= 0)
		dev = test_unbind(dev, size, HOLD_VIVID);
	if (dev >= 0)
		dev = test_unbind_file_gone(dev);
	if (dev >= 0)
		dev = test_unbind_fence(dev);
	if (dev >= 0) {
		test_export_fault_injection(dev);
		test_export_late_failures(dev);
		dev = test_probe_fault_injection(dev);
	}
	if (dev >= 0)
		close(dev);
	return tap_done();
}
