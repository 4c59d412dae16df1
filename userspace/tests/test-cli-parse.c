// SPDX-License-Identifier: MIT
/* The CLI's option values: sizes with units, WxH:FOURCC formats. */
#include <errno.h>
#include <stdarg.h>
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

/* Parse "run ARGS..." (NULL-terminated): its return, and @o filled. */
static int run_args(struct cli_run_opts *o, char *err, ...)
{
	char *argv[24] = { "run" };
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	while (argc < 23 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	err[0] = '\0';
	return cli_parse_run(argc, argv, o, err, 256);
}

static void run_bad(const char *why, const char *want, int ret, const char *err)
{
	tap_result(ret == -EINVAL && strstr(err, want), "run %s: refused, \"%s\"", why, err);
}

static void run_options(void)
{
	struct cli_run_opts o;
	char err[256];
	int ret;

	ret = run_args(&o, err, "--source", "dma-heap", NULL);
	tap_result(!ret && !strcmp(o.lib_source, "heap:system") && o.memory == ZCBUF_MEMORY_AUTO &&
		   o.frames == 300 && !o.strict && !strcmp(o.capture, "vivid-000-vid-cap") &&
		   !strcmp(o.m2m, "vim2m") && !o.save && o.buffers == 4 && o.fps == 30 &&
		   o.format.fourcc == V4L2_PIX_FMT_RGB24 && o.format.width == 320 &&
		   o.format.height == 180, "run: defaults (%s)", err);
	ret = run_args(&o, err, "-s", "drm-dumb", "-i", "userptr", "-n", "7", "-S", "-c",
		       "/dev/video3", "--m2m", "/dev/video9", "--format", "640x480:BGR24",
		       "--buffers", "32", "--save", "/tmp/f.ppm", "--fps", "0", NULL);
	tap_result(!ret && !strcmp(o.lib_source, "drm:vgem") && o.memory == ZCBUF_MEMORY_USERPTR &&
		   o.frames == 7 && o.strict && !strcmp(o.capture, "/dev/video3") &&
		   !strcmp(o.m2m, "/dev/video9") && o.format.fourcc == V4L2_PIX_FMT_BGR24 &&
		   o.format.width == 640 && o.buffers == 32 && !strcmp(o.save, "/tmp/f.ppm") &&
		   o.fps == 0,
		   "run: every option, short and long (%s)", err);
	ret = run_args(&o, err, "--source=dma-heap:cma", "--import=dmabuf", NULL);
	tap_result(!ret && !strcmp(o.lib_source, "heap:cma") && o.memory == ZCBUF_MEMORY_DMABUF,
		   "run: dma-heap:cma is heap:cma, --opt=value");
	ret = run_args(&o, err, "--source", "drm-dumb:/dev/dri/card1", NULL);
	tap_result(!ret && !strcmp(o.lib_source, "drm:/dev/dri/card1"), "run: drm-dumb:CARD");
	tap_result(!run_args(&o, err, "--source", "v4l2", NULL) && !strcmp(o.lib_source, "v4l2") &&
		   !run_args(&o, err, "--source", "udmabuf", NULL) &&
		   !strcmp(o.lib_source, "udmabuf"), "run: v4l2 and udmabuf as they are");
	ret = run_args(&o, err, "--help", "--bogus", NULL);
	tap_result(!ret && o.help, "run: --help stops parsing");
	run_bad("without a source", "--source is required", run_args(&o, err, NULL), err);
	run_bad("an unknown source", "source 'heap:system'",
		run_args(&o, err, "--source", "heap:system", NULL), err);
	run_bad("v4l2 takes no argument", "source 'v4l2:x'",
		run_args(&o, err, "--source", "v4l2:x", NULL), err);
	run_bad("an empty heap name", "source 'dma-heap:'",
		run_args(&o, err, "--source", "dma-heap:", NULL), err);
	run_bad("import mmap", "import 'mmap'",
		run_args(&o, err, "-s", "v4l2", "--import", "mmap", NULL), err);
	run_bad("0 frames", "frames '0'", run_args(&o, err, "-s", "v4l2", "-n", "0", NULL), err);
	run_bad("1K frames", "frames '1K'", run_args(&o, err, "-s", "v4l2", "-n", "1K", NULL), err);
	run_bad("too many frames", "frames '1000000001'",
		run_args(&o, err, "-s", "v4l2", "-n", "1000000001", NULL), err);
	run_bad("one buffer", "buffers '1'", run_args(&o, err, "-s", "v4l2", "-b", "1", NULL), err);
	run_bad("33 buffers", "buffers '33'", run_args(&o, err, "-s", "v4l2", "-b", "33", NULL), err);
	run_bad("fps past 1000", "fps '1001'", run_args(&o, err, "-s", "v4l2", "-r", "1001", NULL),
		err);
	run_bad("a bad format", "WIDTHxHEIGHT:FOURCC",
		run_args(&o, err, "-s", "v4l2", "-f", "320x180", NULL), err);
	run_bad("an unknown option", "unknown option '--bogus'",
		run_args(&o, err, "-s", "v4l2", "--bogus", NULL), err);
	run_bad("a missing value", "--frames needs a value",
		run_args(&o, err, "-s", "v4l2", "--frames", NULL), err);
	run_bad("an extra argument", "unexpected argument 'extra'",
		run_args(&o, err, "-s", "v4l2", "extra", NULL), err);
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
	run_options();
	return tap_done();
}
