// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <linux/videodev2.h>

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

/* "dma-heap[:NAME]" -> "heap:NAME" (system by default), and so on: 0 or -EINVAL. */
static int run_source(const char *s, char *lib, size_t len)
{
	static const struct {
		const char *cli, *lib, *def;
	} map[] = {
		{ "v4l2", "v4l2", NULL },
		{ "udmabuf", "udmabuf", NULL },
		{ "dma-heap", "heap:", "system" },
		{ "drm-dumb", "drm:", "vgem" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t n = strlen(map[i].cli);
		const char *arg = s + n;

		if (strncmp(s, map[i].cli, n) || (*arg && (*arg != ':' || !map[i].def || !arg[1])))
			continue;
		if (map[i].def)
			snprintf(lib, len, "%s%s", map[i].lib, *arg ? arg + 1 : map[i].def);
		else
			snprintf(lib, len, "%s", map[i].lib);
		return 0;
	}
	return -EINVAL;
}

static int parse_count(const char *s, uint64_t max, uint64_t *v)
{
	int ret = cli_parse_size(s, v);

	if (ret || *v < 1 || *v > max || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	return 0;
}

int cli_parse_run(int argc, char **argv, struct cli_run_opts *o, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "import", required_argument, NULL, 'i' },
		{ "frames", required_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 'S' },
		{ "capture", required_argument, NULL, 'c' },
		{ "m2m", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "fps", required_argument, NULL, 'r' },
		{ "save", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->memory = ZCBUF_MEMORY_AUTO;
	o->frames = 300;
	o->capture = "vivid-000-vid-cap";
	o->m2m = "vim2m";
	o->format = (struct zcbuf_format){ V4L2_PIX_FMT_RGB24, 320, 180 };
	o->buffers = 4;
	o->fps = 30;
	optind = 0;	/* glibc: start over, as for a new argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:i:n:Sc:m:f:b:r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->source = optarg;
			if (run_source(optarg, o->lib_source, sizeof(o->lib_source))) {
				snprintf(err, errlen, "source '%s': v4l2, dma-heap[:NAME], udmabuf or "
					 "drm-dumb[:CARD]", optarg);
				return -EINVAL;
			}
			break;
		case 'i':
			if (zcbuf_memory_parse(optarg, &o->memory) || o->memory == ZCBUF_MEMORY_MMAP) {
				snprintf(err, errlen, "import '%s': auto, dmabuf or userptr", optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			if (parse_count(optarg, CLI_RUN_MAX_FRAMES, &o->frames)) {
				snprintf(err, errlen, "frames '%s': a number from 1 to %llu", optarg,
					 CLI_RUN_MAX_FRAMES);
				return -EINVAL;
			}
			break;
		case 'b':
			if (parse_count(optarg, 32, &v) || v < 2) {
				snprintf(err, errlen, "buffers '%s': a number from 2 to 32", optarg);
				return -EINVAL;
			}
			o->buffers = (unsigned int)v;
			break;
		case 'r':
			if (strcmp(optarg, "0") && parse_count(optarg, 1000, &v)) {
				snprintf(err, errlen, "fps '%s': a number from 0 (the device's) to 1000",
					 optarg);
				return -EINVAL;
			}
			o->fps = (unsigned int)(strcmp(optarg, "0") ? v : 0);
			break;
		case 'f':
			if (cli_parse_format(optarg, &o->format, err, errlen))
				return -EINVAL;
			break;
		case 'S': o->strict = true; break;
		case 'c': o->capture = optarg; break;
		case 'm': o->m2m = optarg; break;
		case 'o': o->save = optarg; break;
		case 'h': o->help = true; return 0;
		case ':':
			snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!o->source) {
		snprintf(err, errlen, "--source is required");
		return -EINVAL;
	}
	return 0;
}
