// SPDX-License-Identifier: MIT
/*
 * A buffer's checksum: FNV-1a 64 of its picture's lines, so that pictures
 * with the same pixels hash the same whatever the stride padding holds.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv1a(uint64_t h, const uint8_t *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* Bytes per line and lines of colour plane @p: the minimal layout's, or the whole plane. */
static void plane_rows(const struct zcbuf_format *fmt, const struct zcbuf_plane *pl,
		       unsigned int p, uint64_t *bpl, uint64_t *rows)
{
	struct zcbuf_layout lay;

	*bpl = pl->length;
	*rows = 1;
	if (!fmt->fourcc || !pl->stride || zcbuf_format_layout(NULL, fmt, NULL, &lay) ||
	    p >= lay.num_planes || !lay.plane[p].stride)
		return;
	*bpl = lay.plane[p].stride;
	*rows = lay.plane[p].size / lay.plane[p].stride;
	if (*rows * pl->stride > pl->length + pl->stride - *bpl)
		*rows = (pl->length + pl->stride - *bpl) / pl->stride;
}

int zcbuf_buffer_checksum(struct zcbuf_buffer *buf, uint64_t *sum)
{
	struct zcbuf_ctx *ctx;
	struct zcbuf_format fmt;
	uint64_t h = FNV_OFFSET;
	int n, p, ret;

	if (!buf || !sum)
		return -EINVAL;
	ctx = zc_buffer_ctx(buf);
	if (zc_buffer_cpu_open(buf))
		return zc_fail_msg(ctx, EBUSY, "checksum: the buffer has a CPU access open");
	ret = zcbuf_buffer_map(buf);
	if (!ret)
		ret = zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ);
	if (ret)
		return zc_prefix(ctx, ret, "checksum");
	zcbuf_buffer_get_format(buf, &fmt);
	n = zcbuf_buffer_num_planes(buf);
	for (p = 0; p < n; p++) {
		struct zcbuf_plane pl;
		uint64_t bpl, rows, r;
		uint8_t *d;

		zcbuf_buffer_get_plane(buf, (unsigned int)p, &pl);
		zcbuf_buffer_plane_data(buf, (unsigned int)p, (void **)&d);
		plane_rows(&fmt, &pl, (unsigned int)p, &bpl, &rows);
		for (r = 0; r < rows; r++)
			h = fnv1a(h, d + r * pl.stride, bpl);
	}
	ret = zcbuf_buffer_end_cpu(buf);
	if (ret)
		return zc_prefix(ctx, ret, "checksum");
	*sum = h;
	return 0;
}
