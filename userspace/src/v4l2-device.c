// SPDX-License-Identifier: MIT
/* V4L2 devices: open by path or by sysfs name, capabilities, their queues. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "v4l2.h"

#define SYS_V4L "/sys/class/video4linux"

/* Read a one-line sysfs file without its newline: 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	fclose(f);
	buf[ret ? 0 : strcspn(buf, "\n")] = '\0';
	return ret;
}

/* No udev needed: the node whose /sys/class/video4linux/NODE/name is @name. */
static int find_by_name(struct zcbuf_ctx *ctx, const char *name, char *path, size_t len)
{
	char file[300], found[64];
	struct dirent *e;
	DIR *d = opendir(SYS_V4L);

	if (!d)
		return zc_fail(ctx, errno, "v4l2 '%s': open " SYS_V4L, name);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "video", 5))
			continue;
		snprintf(file, sizeof(file), SYS_V4L "/%s/name", e->d_name);
		if (read_line(file, found, sizeof(found)) || strcmp(found, name))
			continue;
		/* the node names its /dev entry ("video3"), short by construction */
		snprintf(path, len, "/dev/%.32s", e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	return zc_fail_msg(ctx, ENOENT, "v4l2 '%s': no video node has that name (" SYS_V4L
			   "/video*/name)", name);
}

static void sysfs_name(const char *path, char *name, size_t len)
{
	const char *node = strrchr(path, '/');
	char file[300];

	snprintf(file, sizeof(file), SYS_V4L "/%s/name", node ? node + 1 : path);
	if (read_line(file, name, len))
		name[0] = '\0';
}

static int query(struct zcbuf_ctx *ctx, struct zcbuf_device *dev)
{
	struct zcbuf_device_info *info = &dev->info;
	struct v4l2_capability cap;
	uint32_t caps, cap_type = 0, out_type = 0;

	memset(&cap, 0, sizeof(cap));
	if (zc_xioctl(dev->fd, VIDIOC_QUERYCAP, &cap))
		return zc_fail(ctx, errno, "v4l2 %s: VIDIOC_QUERYCAP", info->path);
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	snprintf(info->driver, sizeof(info->driver), "%s", (const char *)cap.driver);
	snprintf(info->card, sizeof(info->card), "%s", (const char *)cap.card);
	snprintf(info->bus_info, sizeof(info->bus_info), "%s", (const char *)cap.bus_info);
	info->device_caps = caps;
	if (caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE))
		info->flags |= ZCBUF_DEVICE_M2M | ZCBUF_DEVICE_CAPTURE | ZCBUF_DEVICE_OUTPUT;
	if (caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE))
		info->flags |= ZCBUF_DEVICE_CAPTURE;
	if (caps & (V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_VIDEO_OUTPUT_MPLANE))
		info->flags |= ZCBUF_DEVICE_OUTPUT;
	if (caps & (V4L2_CAP_VIDEO_M2M_MPLANE | V4L2_CAP_VIDEO_CAPTURE_MPLANE |
		    V4L2_CAP_VIDEO_OUTPUT_MPLANE))
		info->flags |= ZCBUF_DEVICE_MPLANE;
	if (!(caps & V4L2_CAP_STREAMING))
		return zc_fail_msg(ctx, EOPNOTSUPP, "v4l2 %s (%s): no streaming I/O", info->path,
				   info->card);
	if (!(info->flags & (ZCBUF_DEVICE_CAPTURE | ZCBUF_DEVICE_OUTPUT)))
		return zc_fail_msg(ctx, EOPNOTSUPP, "v4l2 %s (%s): no video capture or output "
				   "queue", info->path, info->card);
	if (info->flags & ZCBUF_DEVICE_CAPTURE)
		cap_type = info->flags & ZCBUF_DEVICE_MPLANE ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE :
			   V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (info->flags & ZCBUF_DEVICE_OUTPUT)
		out_type = info->flags & ZCBUF_DEVICE_MPLANE ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE :
			   V4L2_BUF_TYPE_VIDEO_OUTPUT;
	dev->queue[ZCBUF_CAPTURE].type = cap_type;
	dev->queue[ZCBUF_OUTPUT].type = out_type;
	return 0;
}

int zcbuf_device_open(struct zcbuf_ctx *ctx, const char *device, struct zcbuf_device **out)
{
	struct zcbuf_device *dev;
	struct stat st;
	unsigned int d;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!device || !*device || !out)
		return zc_fail_msg(ctx, EINVAL, "v4l2: no device or no result (NULL)");
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return zc_fail(ctx, ENOMEM, "v4l2 %s", device);
	dev->fd = -1;
	if (strchr(device, '/')) {
		snprintf(dev->info.path, sizeof(dev->info.path), "%s", device);
		sysfs_name(device, dev->info.name, sizeof(dev->info.name));
	} else {
		ret = find_by_name(ctx, device, dev->info.path, sizeof(dev->info.path));
		if (ret)
			goto fail;
		snprintf(dev->info.name, sizeof(dev->info.name), "%s", device);
	}
	dev->fd = open(dev->info.path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = zc_fail(ctx, errno, "v4l2 %s: open", dev->info.path);
		goto fail;
	}
	/* a FIFO or a regular file would answer ENOTTY too, but say what it is */
	if (!fstat(dev->fd, &st) && !S_ISCHR(st.st_mode)) {
		ret = zc_fail_msg(ctx, ENOTTY, "v4l2 %s: not a character device", dev->info.path);
		goto fail;
	}
	ret = query(ctx, dev);
	if (ret)
		goto fail;
	for (d = 0; d < 2; d++) {
		dev->queue[d].dev = dev;
		dev->queue[d].memory = ZCBUF_MEMORY_AUTO;
	}
	zc_ctx_ref(ctx);
	dev->ctx = ctx;
	*out = dev;
	return 0;
fail:
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev);
	return ret;
}

void zcbuf_device_free(struct zcbuf_device *dev)
{
	unsigned int d;

	if (!dev)
		return;
	for (d = 0; d < 2; d++)
		if (dev->queue[d].type)
			zcbuf_queue_release(&dev->queue[d]);
	close(dev->fd);
	zcbuf_ctx_free(dev->ctx);
	free(dev);
}

int zcbuf_device_get_info(const struct zcbuf_device *dev, struct zcbuf_device_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	*info = dev->info;
	return 0;
}

int zcbuf_device_get_fd(const struct zcbuf_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

int zcbuf_device_get_queue(struct zcbuf_device *dev, enum zcbuf_direction dir,
			   struct zcbuf_queue **queue)
{
	if (!dev)
		return -EINVAL;
	if ((dir != ZCBUF_CAPTURE && dir != ZCBUF_OUTPUT) || !queue)
		return zc_fail_msg(dev->ctx, EINVAL, "v4l2 %s: no such queue direction (%d) or no "
				   "result (NULL)", dev->info.path, (int)dir);
	if (!dev->queue[dir].type)
		return zc_fail_msg(dev->ctx, EOPNOTSUPP, "v4l2 %s (%s): no video %s queue",
				   dev->info.path, dev->info.card,
				   dir == ZCBUF_CAPTURE ? "capture" : "output");
	*queue = &dev->queue[dir];
	return 0;
}

struct zc_what zc_queue_what(const struct zcbuf_queue *q)
{
	struct zc_what w;

	snprintf(w.s, sizeof(w.s), "v4l2 %s (%s queue)", q->dev->info.path, zc_type_name(q->type));
	return w;
}
