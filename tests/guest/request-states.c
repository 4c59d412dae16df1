// SPDX-License-Identifier: MIT
/*
 * The states of a buffer queued through a media request, checked where they
 * are deterministic. Before STREAMON nothing can complete the buffer, so:
 * after QBUF into a request it is IN_REQUEST; after the request is queued it
 * is QUEUED and no longer IN_REQUEST, and the request can be neither
 * reinitialised nor queued again (EBUSY). After STREAMON the first request
 * completes within a bounded wait, its buffer dequeues with the request's
 * fd, and only then may the request be reinitialised. STREAMOFF completes
 * the others (vivid's output keeps its last buffer until then), leaving no
 * buffer marked as belonging to a request.
 *
 * v4l2-compliance 1.22.1 makes the same checks on buffers it queues after
 * STREAMON, when the driver may already have completed them; upstream
 * v4l-utils has since made them before STREAMON only. The compliance suite
 * lists those two racing checks in its baseline, and this program keeps the
 * states they check tested.
 *
 * Usage: request-states VIDEO MEDIA [VIDEO MEDIA ...]. VIDEO is a vivid
 * capture or output node or a mem2mem node (its output queue takes the
 * requests); MEDIA is the media device it belongs to. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/media.h>
#include <linux/videodev2.h>

#include "tap.h"

#define NBUFS 2
/* A request completes within a frame or two; TCG under load is slower. */
#define COMPLETE_TIMEOUT_MS 10000

struct node {
	const char *path;
	int video, media;
	unsigned int type;	/* the queue that takes requests */
	unsigned int m2m_cap;	/* mem2mem: the capture queue, else 0 */
	bool mplane;
	struct v4l2_format fmt;
	int req[NBUFS];
};

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* The queue types of the node, from its capabilities; false if unusable. */
static bool node_types(struct node *n)
{
	struct v4l2_capability cap = { 0 };
	unsigned int caps;

	if (xioctl(n->video, VIDIOC_QUERYCAP, &cap))
		return false;
	caps = cap.device_caps;
	n->mplane = caps & (V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_VIDEO_OUTPUT_MPLANE |
			    V4L2_CAP_VIDEO_M2M_MPLANE);
	if (caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)) {
		n->type = n->mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
		n->m2m_cap = n->mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE :
					 V4L2_BUF_TYPE_VIDEO_CAPTURE;
	} else if (caps & (V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_VIDEO_OUTPUT_MPLANE)) {
		n->type = n->mplane ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
	} else if (caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)) {
		n->type = n->mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE :
				      V4L2_BUF_TYPE_VIDEO_CAPTURE;
	} else {
		return false;
	}
	n->fmt.type = n->type;
	return !xioctl(n->video, VIDIOC_G_FMT, &n->fmt);
}

static bool is_output(unsigned int type)
{
	return type == V4L2_BUF_TYPE_VIDEO_OUTPUT || type == V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
}

/* A v4l2_buffer of queue TYPE with room for every plane of the format. */
static void buf_init(const struct node *n, unsigned int type, unsigned int index,
		     struct v4l2_buffer *b, struct v4l2_plane *planes)
{
	unsigned int p;

	memset(b, 0, sizeof(*b));
	memset(planes, 0, VIDEO_MAX_PLANES * sizeof(*planes));
	b->type = type;
	b->memory = V4L2_MEMORY_MMAP;
	b->index = index;
	b->field = V4L2_FIELD_ANY;
	if (!n->mplane) {
		if (is_output(type))
			b->bytesused = n->fmt.fmt.pix.sizeimage;
		return;
	}
	b->m.planes = planes;
	b->length = n->fmt.fmt.pix_mp.num_planes;
	for (p = 0; is_output(type) && p < b->length; p++)
		planes[p].bytesused = n->fmt.fmt.pix_mp.plane_fmt[p].sizeimage;
}

/* The flags QUERYBUF reports for buffer INDEX of the request queue. */
static int query_flags(const struct node *n, unsigned int index, unsigned int *flags)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	buf_init(n, n->type, index, &b, planes);
	ret = xioctl(n->video, VIDIOC_QUERYBUF, &b);
	*flags = b.flags;
	return ret;
}

#define STATE_FLAGS (V4L2_BUF_FLAG_IN_REQUEST | V4L2_BUF_FLAG_REQUEST_FD | \
		     V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_DONE)

/* Checks that buffer INDEX has exactly the state flags WANT. */
static bool check_state(const struct node *n, unsigned int index, unsigned int want,
			const char *when)
{
	unsigned int flags = 0;
	int ret = query_flags(n, index, &flags);

	return tap_result(!ret && (flags & STATE_FLAGS) == want,
			  "%s buffer %u %s: state flags 0x%x, want 0x%x (QUERYBUF %s)",
			  n->path, index, when, flags & STATE_FLAGS, want,
			  ret ? strerror(-ret) : "ok");
}

/* Checks that request ioctl CMD on the request of buffer INDEX returns WANT. */
static bool check_req_ioctl(const struct node *n, unsigned int index, unsigned long cmd,
			    const char *name, int want, const char *when)
{
	int ret = xioctl(n->req[index], cmd, NULL);

	return tap_result(ret == want, "%s request %u %s: %s returns %s, want %s", n->path,
			  index, when, name, ret ? strerror(-ret) : "0",
			  want ? strerror(-want) : "0");
}

static int reqbufs(const struct node *n, unsigned int type, unsigned int count)
{
	struct v4l2_requestbuffers rb = {
		.count = count, .type = type, .memory = V4L2_MEMORY_MMAP,
	};

	return xioctl(n->video, VIDIOC_REQBUFS, &rb);
}

/* QBUF buffer INDEX into a new request and queue the request, checking each state. */
static bool queue_in_request(struct node *n, unsigned int index)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	ret = xioctl(n->media, MEDIA_IOC_REQUEST_ALLOC, &n->req[index]);
	if (!tap_result(!ret, "%s request %u allocated (%s)", n->path, index,
			ret ? strerror(-ret) : "ok"))
		return false;
	buf_init(n, n->type, index, &b, planes);
	b.flags = V4L2_BUF_FLAG_REQUEST_FD;
	b.request_fd = n->req[index];
	ret = xioctl(n->video, VIDIOC_QBUF, &b);
	if (!tap_result(!ret, "%s buffer %u: QBUF into request %u (%s)", n->path, index, index,
			ret ? strerror(-ret) : "ok"))
		return false;
	check_state(n, index, V4L2_BUF_FLAG_IN_REQUEST | V4L2_BUF_FLAG_REQUEST_FD,
		    "in an unqueued request");
	ret = xioctl(n->req[index], MEDIA_REQUEST_IOC_QUEUE, NULL);
	if (!tap_result(!ret, "%s request %u queued (%s)", n->path, index,
			ret ? strerror(-ret) : "ok"))
		return false;
	check_state(n, index, V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_REQUEST_FD,
		    "in a queued request, before STREAMON");
	check_req_ioctl(n, index, MEDIA_REQUEST_IOC_REINIT, "REINIT", -EBUSY,
			"queued, before STREAMON");
	check_req_ioctl(n, index, MEDIA_REQUEST_IOC_QUEUE, "QUEUE", -EBUSY,
			"queued, before STREAMON");
	return true;
}

/* mem2mem: capture buffers and STREAMON, so that jobs run. */
static int start_m2m_capture(const struct node *n)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < NBUFS; i++) {
		buf_init(n, n->m2m_cap, i, &b, planes);
		ret = xioctl(n->video, VIDIOC_QBUF, &b);
	}
	return ret ? ret : xioctl(n->video, VIDIOC_STREAMON, (void *)&n->m2m_cap);
}

/* Request INDEX is complete: no longer busy, and reinitialisable. */
static void check_completed(const struct node *n, unsigned int index, const char *when)
{
	check_req_ioctl(n, index, MEDIA_REQUEST_IOC_QUEUE, "QUEUE", -EBUSY, when);
	check_req_ioctl(n, index, MEDIA_REQUEST_IOC_REINIT, "REINIT", 0, when);
}

/* Waits, bounded, for request INDEX to complete, then dequeues its buffer. */
static void complete_and_dequeue(const struct node *n, unsigned int index)
{
	struct pollfd pfd = { .fd = n->req[index], .events = POLLPRI };
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	ret = poll(&pfd, 1, COMPLETE_TIMEOUT_MS);
	tap_result(ret == 1, "%s request %u completes after STREAMON (poll returned %d)", n->path,
		   index, ret);
	buf_init(n, n->type, 0, &b, planes);
	ret = xioctl(n->video, VIDIOC_DQBUF, &b);
	tap_result(!ret && b.index == index && (b.flags & V4L2_BUF_FLAG_REQUEST_FD) &&
		   b.request_fd == n->req[index],
		   "%s DQBUF returns buffer %u of request %u: index %u, flags 0x%x, request_fd %d (%s)",
		   n->path, index, index, b.index, b.flags, b.request_fd,
		   ret ? strerror(-ret) : "ok");
	check_state(n, index, 0, "dequeued");
	check_completed(n, index, "completed");
}

/* After STREAMOFF, the requests of buffers still queued have completed. */
static void check_after_streamoff(const struct node *n, unsigned int index)
{
	struct pollfd pfd = { .fd = n->req[index], .events = POLLPRI };
	int ret = poll(&pfd, 1, 0);

	tap_result(ret == 1, "%s request %u complete after STREAMOFF (poll returned %d)", n->path,
		   index, ret);
	check_state(n, index, 0, "after STREAMOFF");
	check_completed(n, index, "completed by STREAMOFF");
}

static void run_node(struct node *n)
{
	unsigned int i, queued = 0;
	int ret;

	if (!tap_result(node_types(n), "%s: a capture, output or mem2mem node with a format",
			n->path))
		return;
	ret = reqbufs(n, n->type, NBUFS);
	if (!ret && n->m2m_cap)
		ret = reqbufs(n, n->m2m_cap, NBUFS);
	if (!tap_result(!ret, "%s: REQBUFS %u MMAP buffers (%s)", n->path, NBUFS,
			ret ? strerror(-ret) : "ok"))
		return;
	while (queued < NBUFS && queue_in_request(n, queued))
		queued++;
	ret = xioctl(n->video, VIDIOC_STREAMON, &n->type);
	if (!ret && n->m2m_cap)
		ret = start_m2m_capture(n);
	if (tap_result(!ret, "%s: STREAMON (%s)", n->path, ret ? strerror(-ret) : "ok") && queued)
		complete_and_dequeue(n, 0);
	ret = xioctl(n->video, VIDIOC_STREAMOFF, &n->type);
	if (!ret && n->m2m_cap)
		ret = xioctl(n->video, VIDIOC_STREAMOFF, &n->m2m_cap);
	tap_result(!ret, "%s: STREAMOFF (%s)", n->path, ret ? strerror(-ret) : "ok");
	for (i = 1; i < queued; i++)
		check_after_streamoff(n, i);
	for (i = 0; i < queued; i++)
		close(n->req[i]);
	ret = reqbufs(n, n->type, 0);
	if (!ret && n->m2m_cap)
		ret = reqbufs(n, n->m2m_cap, 0);
	tap_result(!ret, "%s: REQBUFS 0 (%s)", n->path, ret ? strerror(-ret) : "ok");
}

int main(int argc, char **argv)
{
	int i;

	printf("TAP version 13\n");
	if (argc < 3 || argc % 2 != 1) {
		tap_result(false, "usage: request-states VIDEO MEDIA [VIDEO MEDIA ...]");
		return tap_done();
	}
	for (i = 1; i + 1 < argc; i += 2) {
		struct node n = { .path = argv[i] };

		/* Non-blocking: DQBUF of a request that never completed must not hang. */
		n.video = open(argv[i], O_RDWR | O_NONBLOCK | O_CLOEXEC);
		n.media = open(argv[i + 1], O_RDWR | O_CLOEXEC);
		if (tap_result(n.video >= 0 && n.media >= 0, "%s and %s open (%s)", argv[i],
			       argv[i + 1], n.video < 0 || n.media < 0 ? strerror(errno) : "ok"))
			run_node(&n);
		if (n.video >= 0)
			close(n.video);
		if (n.media >= 0)
			close(n.media);
	}
	return tap_done();
}
