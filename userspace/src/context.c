// SPDX-License-Identifier: MIT
/* Contexts and their last-error messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

int zcbuf_ctx_new(struct zcbuf_ctx **ctx)
{
	if (!ctx)
		return -EINVAL;
	*ctx = calloc(1, sizeof(**ctx));
	if (!*ctx)
		return -ENOMEM;
	(*ctx)->refs = 1;
	return 0;
}

void zc_ctx_ref(struct zcbuf_ctx *ctx)
{
	ctx->refs++;
}

void zcbuf_ctx_free(struct zcbuf_ctx *ctx)
{
	if (ctx && !--ctx->refs)
		free(ctx);
}

const char *zcbuf_last_error(const struct zcbuf_ctx *ctx)
{
	if (!ctx)
		return "no context (NULL)";
	return ctx->msg;
}

int zcbuf_last_errno(const struct zcbuf_ctx *ctx)
{
	return ctx ? ctx->err : -EINVAL;
}

static int vfail(struct zcbuf_ctx *ctx, int err, bool with_errno, const char *fmt, va_list ap)
{
	if (err <= 0)		/* a caller's bug: never report success as failure */
		err = EIO;
	if (ctx) {
		int n = vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);

		if (n < 0)
			n = 0;
		if (with_errno && (size_t)n < sizeof(ctx->msg)) {
			char buf[128];

			snprintf(ctx->msg + n, sizeof(ctx->msg) - n, ": %s",
				 strerror_r(err, buf, sizeof(buf)));
		}
		ctx->err = -err;
	}
	return -err;
}

int zc_fail(struct zcbuf_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(ctx, err, true, fmt, ap);
	va_end(ap);
	return ret;
}

int zc_fail_msg(struct zcbuf_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(ctx, err, false, fmt, ap);
	va_end(ap);
	return ret;
}

int zc_prefix(struct zcbuf_ctx *ctx, int ret, const char *what)
{
	char msg[sizeof(ctx->msg)];

	if (ctx) {
		memcpy(msg, ctx->msg, sizeof(msg));
		/* a long message loses its end, never its start */
		if (snprintf(ctx->msg, sizeof(ctx->msg), "%s: %s", what, msg) >= (int)sizeof(msg))
			ctx->msg[sizeof(ctx->msg) - 1] = '\0';
	}
	return ret;
}

struct zc_fourcc_str zc_fourcc_str(uint32_t fourcc)
{
	struct zc_fourcc_str r;
	uint32_t code = fourcc & ~(1u << 31);
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)((code >> (8 * i)) & 0xff);

		if (c < 0x20 || c > 0x7e) {
			snprintf(r.s, sizeof(r.s), "0x%08x", fourcc);
			return r;
		}
		r.s[i] = c;
	}
	/* DRM pads short codes with spaces ("R8  "): drop them */
	while (i > 1 && r.s[i - 1] == ' ')
		i--;
	r.s[i] = '\0';
	if (fourcc & (1u << 31))
		snprintf(r.s + i, sizeof(r.s) - i, "-BE");
	return r;
}

uint64_t zc_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

bool zc_page_align(uint64_t size, uint64_t *aligned)
{
	uint64_t mask = zc_page_size() - 1;

	if (size > UINT64_MAX - mask)
		return false;
	*aligned = (size + mask) & ~mask;
	return true;
}

void zc_close_fds(const int *fds, unsigned int n)
{
	int saved = errno;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	errno = saved;
}
