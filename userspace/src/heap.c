// SPDX-License-Identifier: MIT
/* Source: dma-heaps (/dev/dma_heap/NAME), the CMA heap found by its names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "private.h"

#define HEAP_DIR "/dev/dma_heap"

/*
 * The CMA heap is named after its CMA area: "reserved" for the default area
 * of a kernel command line or Kconfig size, "linux,cma" or "default-pool"
 * from a device tree, "default_cma_region" from Linux 6.17.
 */
static const char *const cma_names[] = {
	"linux,cma", "reserved", "default_cma_region", "default-pool",
};

static int find_cma(struct zcbuf_ctx *ctx, char *name, size_t len)
{
	char path[64], others[256] = "";
	unsigned int n = 0;
	struct dirent *e;
	size_t i, used = 0;
	DIR *d;

	for (i = 0; i < ZC_ARRAY_SIZE(cma_names); i++) {
		snprintf(path, sizeof(path), HEAP_DIR "/%s", cma_names[i]);
		if (!access(path, F_OK)) {
			snprintf(name, len, "%s", cma_names[i]);
			return 0;
		}
	}
	/* otherwise the only heap that is not the system heap */
	d = opendir(HEAP_DIR);
	if (!d)
		return zc_fail(ctx, errno, "dma-heap 'cma': open " HEAP_DIR);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (used < sizeof(others))
			used += snprintf(others + used, sizeof(others) - used, "%s%s",
					 used ? ", " : "", e->d_name);
		if (!strcmp(e->d_name, "system") || !strncmp(e->d_name, "system-", 7) ||
		    strlen(e->d_name) >= len)
			continue;
		if (!n++)
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	if (n == 1)
		return 0;
	return zc_fail_msg(ctx, ENOENT, "dma-heap 'cma': %s in " HEAP_DIR " (it holds: %s)",
			   n ? "more than one heap could be the CMA heap" : "no CMA heap",
			   used ? others : "nothing");
}

int zcbuf_heap_alloc(struct zcbuf_ctx *ctx, const char *heap, const struct zcbuf_format *fmt,
		     uint64_t size, struct zcbuf_buffer **buf)
{
	int fds[ZCBUF_MAX_PLANES] = { -1, -1, -1, -1 };
	char name[64], path[96], what[96];
	struct zc_request req;
	uint32_t m;
	int hfd, ret;

	if (!ctx)
		return -EINVAL;
	if (!heap || !buf)
		return zc_fail_msg(ctx, EINVAL, "dma-heap: no heap name or no result (NULL)");
	if (!*heap || strchr(heap, '/') || !strcmp(heap, ".") || !strcmp(heap, "..") ||
	    strlen(heap) >= sizeof(name))
		return zc_fail_msg(ctx, EINVAL, "dma-heap '%s': not a heap name", heap);
	if (!strcmp(heap, "cma")) {
		ret = find_cma(ctx, name, sizeof(name));
		if (ret)
			return ret;
	} else {
		snprintf(name, sizeof(name), "%s", heap);
	}
	snprintf(what, sizeof(what), "dma-heap '%s'", name);
	ret = zc_request_init(ctx, what, fmt, size, &req);
	if (ret)
		return ret;

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	hfd = open(path, O_RDWR | O_CLOEXEC);
	if (hfd < 0)
		return zc_fail(ctx, errno, "%s: open %s", what, path);
	for (m = 0; m < req.layout.num_mem_planes; m++) {
		struct dma_heap_allocation_data data = {
			.len = req.layout.mem_size[m],
			.fd_flags = O_RDWR | O_CLOEXEC,
		};

		if (ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &data)) {
			ret = zc_fail(ctx, errno, "%s: DMA_HEAP_IOCTL_ALLOC of %llu bytes on %s",
				      what, (unsigned long long)data.len, path);
			goto out;
		}
		fds[m] = (int)data.fd;
	}
	ret = zc_buffer_from_request(ctx, &req, fds, buf);
	if (!ret) {
		snprintf(what, sizeof(what), "heap:%s", name);
		zc_buffer_name_quietly(*buf, what);
	}
out:
	if (ret)
		zc_close_fds(fds, ZC_ARRAY_SIZE(fds));
	close(hfd);
	return ret;
}
