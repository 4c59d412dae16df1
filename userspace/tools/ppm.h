/* SPDX-License-Identifier: MIT */
/* Save a picture as a binary PPM (P6), for a person to look at. */
#ifndef ZCBUF_PPM_H
#define ZCBUF_PPM_H

#include <stddef.h>

#include <zcbuf/zcbuf.h>

/*
 * Write @buf (RGB24 or BGR24) to @path, read between DMA_BUF_IOCTL_SYNC
 * START and END. 0, or -errno with the reason in @err.
 */
int ppm_save(struct zcbuf_ctx *ctx, struct zcbuf_buffer *buf, const char *path, char *err,
	     size_t errlen);

#endif
