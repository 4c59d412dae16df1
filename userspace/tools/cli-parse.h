/* SPDX-License-Identifier: MIT */
/* Option values of the zcbuf CLI, parsed without side effects (tested on the host). */
#ifndef ZCBUF_CLI_PARSE_H
#define ZCBUF_CLI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zcbuf/zcbuf.h>

/*
 * "4096", "64K", "1M", "2G" (binary units, optional "i"/"iB": "64KiB").
 * 0 or -EINVAL for text that is not a size, -ERANGE past 64 bits.
 */
int cli_parse_size(const char *s, uint64_t *size);

/*
 * "WIDTHxHEIGHT:FOURCC" with a V4L2 fourcc or name ("640x480:NV12").
 * 0, -EINVAL (@err says why) or -ENOENT for an unknown fourcc (the
 * library's message, in @err).
 */
int cli_parse_format(const char *s, struct zcbuf_format *fmt, char *err, size_t errlen);

/* The options of "zcbuf run", with their defaults filled in. */
struct cli_run_opts {
	const char *source;	/* as given: v4l2, dma-heap[:NAME], udmabuf, drm-dumb[:CARD] */
	char lib_source[80];	/* as zcbuf_alloc() names it: v4l2, heap:NAME, udmabuf, drm:CARD */
	enum zcbuf_memory memory;	/* --import: auto, dmabuf, userptr */
	uint64_t frames;		/* 1 to CLI_RUN_MAX_FRAMES; 300 */
	bool strict;			/* no copies */
	const char *capture, *m2m;	/* vivid-000-vid-cap, vim2m */
	const char *save;		/* NULL: no file */
	struct zcbuf_format format;	/* 320x180 RGB24 */
	unsigned int buffers;		/* per queue: 4 */
	unsigned int fps;		/* asked of the capture device: 30; 0: its own */
	bool help;
};
#define CLI_RUN_MAX_FRAMES 1000000000ull

/*
 * Parse "zcbuf run"'s arguments (@argv[0] is "run"). 0, or -EINVAL with
 * the reason in @err. Uses getopt_long (resets it first) and prints nothing.
 */
int cli_parse_run(int argc, char **argv, struct cli_run_opts *o, char *err, size_t errlen);

#endif
