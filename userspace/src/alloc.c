// SPDX-License-Identifier: MIT
/* Sources by name: "heap:NAME", "udmabuf", "drm:DRIVER|PATH", "v4l2:PATH". */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? NULL : s + n;
}

int zcbuf_alloc(struct zcbuf_ctx *ctx, const char *source, const struct zcbuf_format *fmt,
		uint64_t size, struct zcbuf_buffer **buf)
{
	const char *arg;
	int fd, ret;

	if (!ctx)
		return -EINVAL;
	if (!source || !buf)
		return zc_fail_msg(ctx, EINVAL, "alloc: no source or no result (NULL)");
	if (!strcmp(source, "udmabuf"))
		return zcbuf_udmabuf_alloc(ctx, fmt, size, buf);
	if ((arg = after(source, "heap:")) && *arg)
		return zcbuf_heap_alloc(ctx, arg, fmt, size, buf);
	if ((arg = after(source, "drm:")) && *arg) {
		fd = zcbuf_drm_open(ctx, arg);
		if (fd < 0)
			return fd;
		ret = zcbuf_drm_dumb_alloc(ctx, fd, fmt, size, buf);
		close(fd);
		return ret;
	}
	if ((arg = after(source, "v4l2:")) && *arg)
		return zc_v4l2_alloc(ctx, arg, fmt, size, buf);
	return zc_fail_msg(ctx, EINVAL, "alloc: unknown source '%s' (heap:NAME, udmabuf, "
			   "drm:DRIVER, drm:PATH or v4l2:PATH)", source);
}
