// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli-parse.h"

int cli_parse_size(const char *s, uint64_t *size)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (!s || !size || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return -ERANGE;
	}
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': mult = 1ull << 10; p++; break;
	case 'm': case 'M': mult = 1ull << 20; p++; break;
	case 'g': case 'G': mult = 1ull << 30; p++; break;
	default: return -EINVAL;
	}
	if (mult > 1 && (!strcmp(p, "i") || !strcmp(p, "iB") || !strcmp(p, "B")))
		p += strlen(p);
	if (*p)
		return -EINVAL;
	if (__builtin_mul_overflow(v, mult, &v))
		return -ERANGE;
	*size = v;
	return 0;
}

static int parse_dim(const char **p, char end, uint32_t *dim)
{
	uint64_t v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (*s != end || !v)
		return -EINVAL;
	*dim = (uint32_t)v;
	*p = s + 1;
	return 0;
}

int cli_parse_format(const char *s, struct zcbuf_format *fmt, char *err, size_t errlen)
{
	struct zcbuf_ctx *ctx;
	const char *p = s;
	int ret;

	if (!s || !fmt)
		return -EINVAL;
	if (parse_dim(&p, 'x', &fmt->width) || parse_dim(&p, ':', &fmt->height)) {
		snprintf(err, errlen, "format '%s': expected WIDTHxHEIGHT:FOURCC, sizes from 1 to "
			 "%u, e.g. 640x480:NV12", s, UINT32_MAX);
		return -EINVAL;
	}
	ret = zcbuf_ctx_new(&ctx);
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	ret = zcbuf_fourcc_parse(ctx, p, &fmt->fourcc);
	if (ret)
		snprintf(err, errlen, "%s", zcbuf_last_error(ctx));
	zcbuf_ctx_free(ctx);
	return ret;
}
