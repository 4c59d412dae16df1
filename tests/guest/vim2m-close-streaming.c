// SPDX-License-Identifier: MIT
/*
 * Close vim2m while its output queue streams with a request buffer that no
 * job has taken yet (the capture queue is not streaming): the release path
 * must cancel the queues, which completes the pending request against the
 * control handler, before it frees that handler (kernel/base-fixes/0001).
 * On a kernel without the fix this WARNs, and the test bed fails the run on
 * the kernel log; the program itself only checks that every step was
 * accepted.
 *
 * Usage: vim2m-close-streaming /dev/videoN /dev/mediaN [rounds]. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/media.h>
#include <linux/videodev2.h>

#include "tap.h"

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* One round: queue, stream, close at once; returns 0 or -errno. */
static int round_trip(const char *video, const char *media)
{
	int vid = -1, mdev = -1, req = -1, ret;
	unsigned int types[] = { V4L2_BUF_TYPE_VIDEO_OUTPUT, V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT };
	unsigned int i;

	vid = open(video, O_RDWR | O_CLOEXEC);
	mdev = open(media, O_RDWR | O_CLOEXEC);
	if (vid < 0 || mdev < 0) {
		ret = -errno;
		goto out;
	}
	ret = xioctl(vid, VIDIOC_G_FMT, &fmt);
	for (i = 0; !ret && i < 2; i++) {
		struct v4l2_requestbuffers rb = {
			.count = 1, .type = types[i], .memory = V4L2_MEMORY_MMAP,
		};

		ret = xioctl(vid, VIDIOC_REQBUFS, &rb);
	}
	if (!ret)
		ret = xioctl(mdev, MEDIA_IOC_REQUEST_ALLOC, &req);
	if (!ret) {
		struct v4l2_buffer out = {
			.type = V4L2_BUF_TYPE_VIDEO_OUTPUT, .memory = V4L2_MEMORY_MMAP,
			.flags = V4L2_BUF_FLAG_REQUEST_FD, .request_fd = req,
			.bytesused = fmt.fmt.pix.sizeimage,
		};

		ret = xioctl(vid, VIDIOC_QBUF, &out);
	}
	if (!ret)
		ret = xioctl(req, MEDIA_REQUEST_IOC_QUEUE, NULL);
	/* Output only: without a capture buffer no job takes the request. */
	if (!ret)
		ret = xioctl(vid, VIDIOC_STREAMON, &types[0]);
out:
	if (vid >= 0)
		close(vid);
	if (req >= 0)
		close(req);
	if (mdev >= 0)
		close(mdev);
	return ret;
}

int main(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[3]) : 5, i, ret = 0;

	printf("TAP version 13\n");
	if (argc < 3) {
		tap_result(false, "usage: vim2m-close-streaming VIDEO MEDIA [ROUNDS]");
		return tap_done();
	}
	for (i = 0; i < rounds && !ret; i++)
		ret = round_trip(argv[1], argv[2]);
	tap_result(!ret, "vim2m closed %d times while its output streams with a request pending (%s)",
		   i, ret ? strerror(-ret) : "every step accepted");
	return tap_done();
}
