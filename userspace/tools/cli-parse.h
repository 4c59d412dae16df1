/* SPDX-License-Identifier: MIT */
/* Option values of the zcbuf CLI, parsed without side effects (tested on the host). */
#ifndef ZCBUF_CLI_PARSE_H
#define ZCBUF_CLI_PARSE_H

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

#endif
