// SPDX-License-Identifier: MIT
/* Source: udmabuf, dma-bufs of memfd pages (/dev/udmabuf). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "private.h"

#define UDMABUF_DEV "/dev/udmabuf"
#define LIMIT_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"

/* The module's per-dma-buf limit in bytes; 0 when it cannot be read. */
static uint64_t size_limit(void)
{
	char text[32];
	ssize_t n;
	long long mb;
	int fd = open(LIMIT_PARAM, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	mb = strtoll(text, NULL, 10);
	return mb > 0 ? (uint64_t)mb << 20 : 0;
}

static int check_limit(struct zcbuf_ctx *ctx, uint64_t bytes)
{
	uint64_t limit = size_limit();

	if (!limit || bytes <= limit)
		return 0;
	return zc_fail_msg(ctx, EINVAL, "udmabuf: %llu bytes (%.1f MiB) exceed the udmabuf size "
			   "limit of %llu MiB per dma-buf (module parameter size_limit_mb, "
			   LIMIT_PARAM ")", (unsigned long long)bytes, bytes / 1048576.0,
			   (unsigned long long)(limit >> 20));
}

/* Page-aligned size of each memory plane, and where the last one ends. */
static int plane_sizes(struct zcbuf_ctx *ctx, const struct zc_request *req, uint64_t offset,
		       uint64_t *sizes, uint64_t *end)
{
	uint32_t m;
	int ret;

	*end = offset;
	for (m = 0; m < req->layout.num_mem_planes; m++) {
		if (!zc_page_align(req->layout.mem_size[m], &sizes[m]) ||
		    __builtin_add_overflow(*end, sizes[m], end))
			return zc_fail_msg(ctx, EOVERFLOW, "udmabuf: %llu bytes from offset %llu "
					   "do not fit 64 bits",
					   (unsigned long long)req->layout.mem_size[m],
					   (unsigned long long)offset);
		ret = check_limit(ctx, sizes[m]);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_memfd(struct zcbuf_ctx *ctx, int memfd, uint64_t end)
{
	struct stat st;
	int seals;

	if (memfd < 0)
		return zc_fail_msg(ctx, EBADF, "udmabuf: memfd %d is not a file descriptor", memfd);
	seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0)
		return zc_fail(ctx, errno, "udmabuf: F_GET_SEALS on fd %d (a memfd made with "
			       "MFD_ALLOW_SEALING?)", memfd);
	if (!(seals & F_SEAL_SHRINK))
		return zc_fail_msg(ctx, EINVAL, "udmabuf: memfd %d is not sealed with "
				   "F_SEAL_SHRINK (udmabuf needs it)", memfd);
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return zc_fail_msg(ctx, EINVAL, "udmabuf: memfd %d is sealed against writes "
				   "(udmabuf refuses F_SEAL_WRITE and F_SEAL_FUTURE_WRITE)", memfd);
	if (fstat(memfd, &st))
		return zc_fail(ctx, errno, "udmabuf: fstat on memfd %d", memfd);
	if ((uint64_t)st.st_size < end)
		return zc_fail_msg(ctx, EINVAL, "udmabuf: memfd %d holds %lld bytes, the buffer "
				   "needs %llu", memfd, (long long)st.st_size,
				   (unsigned long long)end);
	return 0;
}

int zcbuf_udmabuf_from_memfd(struct zcbuf_ctx *ctx, int memfd, uint64_t offset,
			     const struct zcbuf_format *fmt, uint64_t size,
			     struct zcbuf_buffer **buf)
{
	int fds[ZCBUF_MAX_PLANES] = { -1, -1, -1, -1 };
	uint64_t sizes[ZCBUF_MAX_PLANES], end;
	struct zc_request req;
	uint32_t m;
	int dev, ret;

	if (!ctx)
		return -EINVAL;
	if (!buf)
		return zc_fail_msg(ctx, EINVAL, "udmabuf: no result (NULL)");
	ret = zc_request_init(ctx, "udmabuf", fmt, size, &req);
	if (ret)
		return ret;
	if (offset & (zc_page_size() - 1))
		return zc_fail_msg(ctx, EINVAL, "udmabuf: offset %llu in memfd %d is not page "
				   "aligned", (unsigned long long)offset, memfd);
	ret = plane_sizes(ctx, &req, offset, sizes, &end);
	if (ret)
		return ret;
	ret = check_memfd(ctx, memfd, end);
	if (ret)
		return ret;

	dev = open(UDMABUF_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return zc_fail(ctx, errno, "udmabuf: open " UDMABUF_DEV);
	for (m = 0; m < req.layout.num_mem_planes; m++) {
		struct udmabuf_create create = {
			.memfd = (uint32_t)memfd,
			.flags = UDMABUF_FLAGS_CLOEXEC,
			.offset = offset,
			.size = sizes[m],
		};

		fds[m] = ioctl(dev, UDMABUF_CREATE, &create);
		if (fds[m] < 0) {
			ret = zc_fail(ctx, errno, "udmabuf: UDMABUF_CREATE of %llu bytes at offset "
				      "%llu of memfd %d on " UDMABUF_DEV,
				      (unsigned long long)create.size,
				      (unsigned long long)create.offset, memfd);
			goto out;
		}
		offset += sizes[m];
	}
	ret = zc_buffer_from_request(ctx, &req, fds, buf);
	if (!ret)
		zc_buffer_name_quietly(*buf, "udmabuf");
out:
	if (ret)
		zc_close_fds(fds, ZC_ARRAY_SIZE(fds));
	close(dev);
	return ret;
}

int zcbuf_udmabuf_alloc(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt, uint64_t size,
			struct zcbuf_buffer **buf)
{
	uint64_t sizes[ZCBUF_MAX_PLANES], end;
	struct zc_request req;
	int memfd, ret;

	if (!ctx)
		return -EINVAL;
	/* sizes and the limit first: no memfd of a size the kernel refuses */
	ret = zc_request_init(ctx, "udmabuf", fmt, size, &req);
	if (ret)
		return ret;
	ret = plane_sizes(ctx, &req, 0, sizes, &end);
	if (ret)
		return ret;
	if (end > INT64_MAX)
		return zc_fail_msg(ctx, EINVAL, "udmabuf: %llu bytes do not fit a memfd",
				   (unsigned long long)end);

	memfd = memfd_create("zcbuf-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		return zc_fail(ctx, errno, "udmabuf: memfd_create");
	if (ftruncate(memfd, (off_t)end)) {
		ret = zc_fail(ctx, errno, "udmabuf: ftruncate of the memfd to %llu bytes",
			      (unsigned long long)end);
		goto out;
	}
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = zc_fail(ctx, errno, "udmabuf: F_ADD_SEALS F_SEAL_SHRINK on the memfd");
		goto out;
	}
	/* the udmabufs hold the pages: the memfd can go */
	ret = zcbuf_udmabuf_from_memfd(ctx, memfd, 0, fmt, size, buf);
out:
	close(memfd);
	return ret;
}
