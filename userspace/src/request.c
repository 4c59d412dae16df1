// SPDX-License-Identifier: MIT
/* What a source allocates: memory planes for a format, or raw bytes. */
#include <errno.h>
#include <string.h>

#include "private.h"

int zc_request_init(struct zcbuf_ctx *ctx, const char *what, const struct zcbuf_format *fmt,
		    uint64_t size, struct zc_request *req)
{
	struct zcbuf_layout *l = &req->layout;
	uint32_t m;
	int ret;

	memset(req, 0, sizeof(*req));
	if (!fmt) {
		if (!size)
			return zc_fail_msg(ctx, EINVAL, "%s: 0 bytes: give a size or a format",
					   what);
		l->num_planes = 1;
		l->num_mem_planes = 1;
		l->plane[0].size = size;
		l->mem_size[0] = size;
		return 0;
	}
	if (!fmt->fourcc)
		return zc_fail_msg(ctx, EINVAL, "%s: a format without a fourcc", what);
	ret = zcbuf_format_layout(ctx, fmt, NULL, l);
	if (ret)
		return zc_prefix(ctx, ret, what);
	req->fmt = *fmt;
	for (m = 0; m < l->num_mem_planes; m++)
		if (l->mem_size[m] < size)
			l->mem_size[m] = size;
	return 0;
}
