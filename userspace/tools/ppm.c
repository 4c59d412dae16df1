// SPDX-License-Identifier: MIT
/* PPM (P6): a header and RGB triplets, which RGB24 already is row by row. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/videodev2.h>

#include "ppm.h"

static int write_rows(FILE *f, const uint8_t *d, const struct zcbuf_format *fmt, uint32_t stride)
{
	uint8_t line[3 * 8192];
	uint32_t y, x;

	fprintf(f, "P6\n%u %u\n255\n", fmt->width, fmt->height);
	for (y = 0; y < fmt->height; y++) {
		const uint8_t *row = d + (size_t)y * stride;

		memcpy(line, row, (size_t)fmt->width * 3);
		/* BGR24 is the same bytes the other way round */
		for (x = 0; fmt->fourcc == V4L2_PIX_FMT_BGR24 && x < fmt->width; x++) {
			line[3 * x] = row[3 * x + 2];
			line[3 * x + 2] = row[3 * x];
		}
		if (fwrite(line, 3, fmt->width, f) != fmt->width)
			return -EIO;
	}
	return 0;
}

int ppm_save(struct zcbuf_ctx *ctx, struct zcbuf_buffer *buf, const char *path, char *err,
	     size_t errlen)
{
	struct zcbuf_format fmt;
	struct zcbuf_plane pl;
	void *d;
	FILE *f;
	int ret;

	zcbuf_buffer_get_format(buf, &fmt);
	zcbuf_buffer_get_plane(buf, 0, &pl);
	if ((fmt.fourcc != V4L2_PIX_FMT_RGB24 && fmt.fourcc != V4L2_PIX_FMT_BGR24) ||
	    fmt.width > 8192) {
		snprintf(err, errlen, "save %s: PPM of RGB24 or BGR24 up to 8192 pixels wide only",
			 path);
		return -EINVAL;
	}
	f = fopen(path, "we");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "save %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = zcbuf_buffer_map(buf);
	if (!ret)
		ret = zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_READ);
	if (ret) {
		snprintf(err, errlen, "save %s: %s", path, zcbuf_last_error(ctx));
		fclose(f);
		return ret;
	}
	zcbuf_buffer_plane_data(buf, 0, &d);
	ret = write_rows(f, d, &fmt, pl.stride);
	zcbuf_buffer_end_cpu(buf);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		snprintf(err, errlen, "save %s: %s", path, strerror(-ret));
	return ret;
}
