/* SPDX-License-Identifier: MIT */
/**
 * @file zcbuf.h
 * @brief libzcbuf: zero-copy V4L2 buffer exchange through dma-buf.
 *
 * Every function returns a negative errno on failure. The library grows in
 * docs/libzcbuf.md; this is its first, smallest surface.
 */
#ifndef ZCBUF_ZCBUF_H
#define ZCBUF_ZCBUF_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ZCBUF_BUILDING)
#define ZCBUF_API __attribute__((visibility("default")))
#else
#define ZCBUF_API
#endif

/**
 * @brief The library's version as "MAJOR.MINOR.PATCH".
 * @return A static string; never NULL.
 */
ZCBUF_API const char *zcbuf_version(void);

#ifdef __cplusplus
}
#endif

#endif /* ZCBUF_ZCBUF_H */
