// SPDX-License-Identifier: MIT
/* Source: DRM dumb buffers (vgem or any card), exported with PRIME. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "private.h"

#define DRM_MAX_CARDS 64

/* The card's driver name ("vgem"); false if it has none (not a DRM device) */
static bool driver_name(int fd, char *name, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ok = v && v->name;

	snprintf(name, len, "%s", ok ? v->name : "");
	drmFreeVersion(v);
	return ok;
}

int zcbuf_drm_open(struct zcbuf_ctx *ctx, const char *card)
{
	char path[64], found[512] = "";
	size_t used = 0;
	int i, fd;

	if (!ctx)
		return -EINVAL;
	if (!card || !*card)
		return zc_fail_msg(ctx, EINVAL, "drm: no card (NULL or empty)");
	if (card[0] == '/') {
		fd = open(card, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return zc_fail(ctx, errno, "drm: open %s", card);
		return fd;
	}
	/* by driver name: no udev needed, only the primary nodes */
	for (i = 0; i < DRM_MAX_CARDS; i++) {
		char name[64];

		snprintf(path, sizeof(path), DRM_DIR_NAME "/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (driver_name(fd, name, sizeof(name)) && !strcmp(name, card))
			return fd;
		close(fd);
		if (used < sizeof(found))
			used += snprintf(found + used, sizeof(found) - used, "%scard%d: %s",
					 used ? ", " : "", i, name);
	}
	return zc_fail_msg(ctx, ENOENT, "drm: no card with driver '%s' in " DRM_DIR_NAME
			   " (%s%s)", card, used ? "found " : "no card at all",
			   used ? found : "; modprobe vgem?");
}

static int check_caps(struct zcbuf_ctx *ctx, int drm_fd, const char *what)
{
	uint64_t dumb = 0, prime = 0;

	/*
	 * Drivers without modesetting (vgem) answer EOPNOTSUPP for the dumb
	 * buffer capability and create dumb buffers all the same: only a "no"
	 * is a no; DRM_IOCTL_MODE_CREATE_DUMB tells the rest.
	 */
	if (drmGetCap(drm_fd, DRM_CAP_DUMB_BUFFER, &dumb)) {
		if (errno != EOPNOTSUPP)
			return zc_fail(ctx, errno, "%s: DRM_IOCTL_GET_CAP DUMB_BUFFER", what);
	} else if (!dumb) {
		return zc_fail_msg(ctx, EOPNOTSUPP, "%s: no dumb buffers", what);
	}
	if (drmGetCap(drm_fd, DRM_CAP_PRIME, &prime))
		return zc_fail(ctx, errno, "%s: DRM_IOCTL_GET_CAP PRIME", what);
	if (!(prime & DRM_PRIME_CAP_EXPORT))
		return zc_fail_msg(ctx, EOPNOTSUPP, "%s: no PRIME export", what);
	return 0;
}

/*
 * One dumb buffer of at least @size bytes, lines of @width bytes (8 bits per
 * pixel): its PRIME fd, and the pitch the driver chose. The GEM handle is
 * closed after export; the dma-buf holds the object.
 */
static int dumb_one(struct zcbuf_ctx *ctx, int drm_fd, const char *what, uint32_t width,
		    uint64_t size, int *fd, uint32_t *pitch)
{
	uint64_t rows = size / width + (size % width != 0), got = 0;
	uint32_t handle;
	int ret;

	if (rows > UINT32_MAX)
		return zc_fail_msg(ctx, EINVAL, "%s: %llu bytes in lines of %u do not fit a "
				   "dumb buffer", what, (unsigned long long)size, width);
	ret = drmModeCreateDumbBuffer(drm_fd, width, (uint32_t)rows, 8, 0, &handle, pitch, &got);
	if (ret)
		return zc_fail(ctx, -ret, "%s: DRM_IOCTL_MODE_CREATE_DUMB %ux%llu at 8 bpp", what,
			       width, (unsigned long long)rows);
	ret = drmPrimeHandleToFD(drm_fd, handle, DRM_CLOEXEC | DRM_RDWR, fd);
	if (ret)
		ret = zc_fail(ctx, errno, "%s: DRM_IOCTL_PRIME_HANDLE_TO_FD of handle %u", what,
			      handle);
	drmCloseBufferHandle(drm_fd, handle);
	return ret;
}

int zcbuf_drm_dumb_alloc(struct zcbuf_ctx *ctx, int drm_fd, const struct zcbuf_format *fmt,
			 uint64_t size, struct zcbuf_buffer **buf)
{
	int fds[ZCBUF_MAX_PLANES] = { -1, -1, -1, -1 };
	uint32_t pitch[ZCBUF_MAX_PLANES], m, page = (uint32_t)zc_page_size();
	struct zc_request req;
	char drv[64], what[80];
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!buf)
		return zc_fail_msg(ctx, EINVAL, "drm: no result (NULL)");
	if (driver_name(drm_fd, drv, sizeof(drv)))
		snprintf(what, sizeof(what), "drm %s (fd %d)", drv, drm_fd);
	else
		snprintf(what, sizeof(what), "drm fd %d (no DRM driver)", drm_fd);
	ret = zc_request_init(ctx, what, fmt, size, &req);
	if (ret)
		return ret;
	ret = check_caps(ctx, drm_fd, what);
	if (ret)
		return ret;

	for (m = 0; m < req.layout.num_mem_planes; m++) {
		/* raw bytes: page-wide lines; a format: its first plane's lines */
		uint32_t p, width = page;

		for (p = 0; p < req.layout.num_planes && req.fmt.fourcc; p++) {
			if (req.layout.plane[p].mem == m) {
				width = req.layout.plane[p].stride;
				break;
			}
		}
		ret = dumb_one(ctx, drm_fd, what, width, req.layout.mem_size[m], &fds[m], &pitch[m]);
		if (ret)
			goto out;
	}
	if (req.fmt.fourcc) {
		/* the driver may have padded lines: lay the planes out again */
		uint64_t sizes[ZCBUF_MAX_PLANES];
		uint64_t min[ZCBUF_MAX_PLANES];

		for (m = 0; m < req.layout.num_mem_planes; m++)
			min[m] = req.layout.mem_size[m];
		ret = zcbuf_format_layout(ctx, &req.fmt, pitch, &req.layout);
		if (ret) {
			zc_prefix(ctx, ret, what);
			goto out;
		}
		for (m = 0; m < req.layout.num_mem_planes; m++) {
			off_t end = lseek(fds[m], 0, SEEK_END);

			sizes[m] = end > 0 ? (uint64_t)end : 0;
			if (req.layout.mem_size[m] < min[m])
				req.layout.mem_size[m] = min[m];
			if (sizes[m] < req.layout.mem_size[m]) {
				ret = zc_fail_msg(ctx, ENOSPC, "%s: dumb buffer of %llu bytes "
						  "(pitch %u) for a plane of %llu", what,
						  (unsigned long long)sizes[m], pitch[m],
						  (unsigned long long)req.layout.mem_size[m]);
				goto out;
			}
		}
	}
	ret = zc_buffer_from_request(ctx, &req, fds, buf);
	if (!ret) {
		snprintf(what, sizeof(what), "drm:%s", drv);
		zc_buffer_name_quietly(*buf, what);
	}
out:
	if (ret)
		zc_close_fds(fds, ZC_ARRAY_SIZE(fds));
	return ret;
}
