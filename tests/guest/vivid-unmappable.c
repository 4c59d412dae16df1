// SPDX-License-Identifier: MIT
/*
 * In-guest regression test: a DMABUF buffer that vivid's vb2-dma-contig
 * instance cannot map with the CPU. vivid fills capture buffers through
 * vb2_plane_vaddr(), which dma-contig answers with dma_buf_vmap() at the
 * first frame. The memory is a huge page, which dma-contig can take without
 * an IOMMU. Linux 6.1's udmabuf has no vmap: vivid then wrote the frame
 * through a NULL pointer (a KASAN report and an oops). With the base fix
 * the buffer completes with V4L2_BUF_FLAG_ERROR; with the zcbuf series,
 * whose udmabuf has vmap, the frame lands in the memfd and matches a frame
 * captured into a vivid MMAP buffer.
 *
 * Usage: vivid-unmappable [--kernel stock|patched]. Needs vivid loaded with
 * a vb2-dma-contig instance and /dev/udmabuf. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/udmabuf.h>
#include <linux/videodev2.h>

#include "guest-util.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
/* One huge page: memory dma-contig can take, contiguous without an IOMMU */
#define LEN (2UL << 20)

/*
 * A udmabuf over a sealed hugetlb memfd of LEN bytes: its fd, the memfd in
 * *memfd.
 */
static int udmabuf_new(int *memfd)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = LEN };
	int dev, buf = -1;

	*memfd = memfd_create("vivid-unmappable",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB);
	/* 6.1's udmabuf only finds hugetlb pages that exist: allocate them */
	if (*memfd < 0 || ftruncate(*memfd, LEN) || fallocate(*memfd, 0, 0, LEN) ||
	    fcntl(*memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return -errno;
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	c.memfd = *memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &c);
	if (buf < 0)
		buf = -errno;
	close(dev);
	return buf;
}

int main(int argc, char **argv)
{
	bool zcbuf = kernel_is_zcbuf(argc > 2 && !strcmp(argv[1], "--kernel") ?
				     argv[2] : NULL);
	static uint8_t ref[FRAME_SIZE];
	int vid, inst, memfd = -1, buf, ret;
	uint8_t *data;

	printf("TAP version 13\n");
	vid = vivid_instances(1, &inst, 1) >= 1 ? open_vivid(inst) : -ENODEV;
	ret = vid < 0 ? vid : vivid_static_frames(vid);
	if (!ret)
		ret = vivid_capture_mmap(vid, ref);
	if (!tap_result(ret >= 0, "a reference frame from vivid's dma-contig instance (%s)",
			ret >= 0 ? "ok" : errname(-ret)))
		return tap_done();
	write_file("/proc/sys/vm/nr_hugepages", "1");
	buf = udmabuf_new(&memfd);
	if (!tap_result(buf >= 0, "a udmabuf of a %lu KiB huge page (%s)", LEN >> 10,
			buf >= 0 ? "ok" : errname(-buf)))
		return tap_done();

	ret = vid_reqbufs(vid, CAP, V4L2_MEMORY_DMABUF, 1, NULL);
	if (!ret)
		ret = vid_qbuf(vid, CAP, V4L2_MEMORY_DMABUF, buf, LEN);
	if (!ret)
		ret = vid_stream(vid, CAP, true);
	if (!tap_result(!ret, "queue it as a DMABUF buffer and stream (%s)",
			ret ? errname(-ret) : "ok"))
		return tap_done();
	ret = vid_dqbuf(vid, CAP, V4L2_MEMORY_DMABUF, 10000, NULL);
	vid_stream(vid, CAP, false);
	vid_reqbufs(vid, CAP, V4L2_MEMORY_DMABUF, 0, NULL);

	if (!zcbuf) {
		tap_result(ret == -EIO,
			   "udmabuf has no vmap: the frame completes with V4L2_BUF_FLAG_ERROR (%s)",
			   ret == -EIO ? "ok" : ret >= 0 ? "no error flag" : errname(-ret));
	} else {
		tap_result(ret == FRAME_SIZE, "udmabuf vmaps: a good frame (%s)",
			   ret == FRAME_SIZE ? "ok" : ret >= 0 ? "short" : errname(-ret));
		data = mmap(NULL, LEN, PROT_READ, MAP_SHARED, memfd, 0);
		tap_result(data != MAP_FAILED && !memcmp(data, ref, FRAME_SIZE),
			   "the frame in the memfd matches the MMAP reference");
		if (data != MAP_FAILED)
			munmap(data, LEN);
	}
	close(buf);
	close(memfd);
	close(vid);
	write_file("/proc/sys/vm/nr_hugepages", "0");
	return tap_done();
}
