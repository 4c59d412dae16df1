// SPDX-License-Identifier: MIT
/* The CLI's option values: sizes with units, WxH:FOURCC formats. */
#include <errno.h>
#include <string.h>

#include <linux/videodev2.h>

#include "cli-parse.h"
#include "tap.h"

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int ret = cli_parse_size(s, &v);

	tap_result(!ret && v == want, "size '%s' is %llu (got %d, %llu)", s,
		   (unsigned long long)want, ret, (unsigned long long)v);
}

static void size_bad(const char *s, int want)
{
	uint64_t v = 12345;
	int ret = cli_parse_size(s, &v);

	tap_result(ret == want && v == 12345, "size '%s' is refused with %d (got %d)", s, want, ret);
}

static void format_ok(const char *s, uint32_t fourcc, uint32_t w, uint32_t h)
{
	struct zcbuf_format f = { 0 };
	char err[256] = "";
	int ret = cli_parse_format(s, &f, err, sizeof(err));

	tap_result(!ret && f.fourcc == fourcc && f.width == w && f.height == h,
		   "format '%s' (got %d %s)", s, ret, err);
}

static void format_bad(const char *s, int want, const char *needle)
{
	struct zcbuf_format f;
	char err[256] = "";
	int ret = cli_parse_format(s, &f, err, sizeof(err));

	tap_result(ret == want && strstr(err, needle), "format '%s' is refused with %d: %s", s, want,
		   err);
}

int main(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("64K", 65536);
	size_ok("64KiB", 65536);
	size_ok("1M", 1048576);
	size_ok("1m", 1048576);
	size_ok("2G", 2147483648ull);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("17179869183G", 17179869183ull << 30);
	size_bad("18446744073709551616", -ERANGE);
	size_bad("17179869184G", -ERANGE);
	size_bad("", -EINVAL);
	size_bad("-1", -EINVAL);
	size_bad("1.5M", -EINVAL);
	size_bad("1T", -EINVAL);
	size_bad("M", -EINVAL);
	size_bad("4096 ", -EINVAL);
	size_bad("1Mx", -EINVAL);

	format_ok("640x480:NV12", V4L2_PIX_FMT_NV12, 640, 480);
	format_ok("1920x1080:NV12M", V4L2_PIX_FMT_NV12M, 1920, 1080);
	format_ok("1x1:RGB3", V4L2_PIX_FMT_RGB24, 1, 1);
	format_ok("4294967295x2:GREY", V4L2_PIX_FMT_GREY, 4294967295u, 2);
	format_bad("4294967296x2:GREY", -EINVAL, "WIDTHxHEIGHT:FOURCC");
	format_bad("640x480", -EINVAL, "WIDTHxHEIGHT:FOURCC");
	format_bad("0x480:NV12", -EINVAL, "WIDTHxHEIGHT:FOURCC");
	format_bad("640X480:NV12", -EINVAL, "WIDTHxHEIGHT:FOURCC");
	format_bad("x480:NV12", -EINVAL, "WIDTHxHEIGHT:FOURCC");
	format_bad("640x480:", -ENOENT, "not a V4L2 format");
	format_bad("640x480:RG24", -ENOENT, "BGR24");
	return tap_done();
}
