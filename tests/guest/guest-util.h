/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the in-guest test programs share: sysfs and procfs files,
 * finding device nodes without udev, dma-buf CPU access.
 */
#ifndef ZCBUF_GUEST_UTIL_H
#define ZCBUF_GUEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Write @text to @path: 0 or a negative errno. */
int write_file(const char *path, const char *text);
/* Read @path into @buf as a string: 0 or a negative errno. */
int read_file(const char *path, char *buf, size_t len);
/* CLOCK_MONOTONIC in milliseconds. */
double now_ms(void);
/* Open the video node whose sysfs name is @name: an fd or a negative errno. */
int open_video(const char *name);
/* Open the vgem DRM card: an fd or -ENODEV. */
int open_vgem(void);
/* DMA_BUF_IOCTL_SYNC with @flags: 0 or a negative errno. */
int dmabuf_sync(int fd, uint64_t flags);

#endif
