/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the in-guest test programs share: sysfs and procfs files,
 * finding device nodes without udev, dma-buf CPU access, dma-heaps, vgem
 * dumb buffers, the FOLL_PIN counters, and single-buffer V4L2 streaming of
 * the frame format the USERPTR tests use.
 */
#ifndef ZCBUF_GUEST_UTIL_H
#define ZCBUF_GUEST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "count-fds.h"

/* A webcam size vivid offers; vim2m takes it too. RGB24, no padding. */
#define FRAME_W 320
#define FRAME_H 180
#define FRAME_BPL (FRAME_W * 3)
#define FRAME_SIZE (FRAME_BPL * FRAME_H)
#define PAGE 4096UL
#define FRAME_PAGES ((FRAME_SIZE + PAGE - 1) / PAGE)

/* Append printf-style text to the string in @buf (@size bytes in all). */
__attribute__((format(printf, 3, 0)))
void vappendf(char *buf, size_t size, const char *fmt, va_list ap);

/* Write @text to @path: 0 or a negative errno. */
int write_file(const char *path, const char *text);
/* Read @path into @buf as a string: 0 or a negative errno. */
int read_file(const char *path, char *buf, size_t len);
/* CLOCK_MONOTONIC in milliseconds. */
double now_ms(void);
/* The name of an errno value ("EFAULT"), or "errno N". */
const char *errname(int err);
/*
 * Open /dev/NAME for the first entry NAME of the sysfs class directory
 * @class_dir whose sysfs path @match accepts: an fd, -ENODEV when none
 * does, or another negative errno.
 */
int open_class_node(const char *class_dir,
		    bool (*match)(const char *path, void *arg), void *arg);
/* Open the video node whose sysfs name is @name: an fd or a negative errno. */
int open_video(const char *name);
/* Open the vgem DRM card: an fd or -ENODEV. */
int open_vgem(void);
/* DMA_BUF_IOCTL_SYNC with @flags: 0 or a negative errno. */
int dmabuf_sync(int fd, uint64_t flags);
/* A dma-buf of @size bytes from /dev/dma_heap/@heap: an fd or -errno. */
int heap_alloc(const char *heap, size_t size);
/* The CMA dma-heap's name ("reserved", or whichever is not "system"): 0 or -ENOENT. */
int cma_heap_name(char *name, size_t len);
/* A vgem dumb buffer of at least @pages pages: 0 or -errno; its size. */
int vgem_create_dumb(int card, size_t pages, uint32_t *handle, uint64_t *size);
/* A transparent huge page's size on x86-64. */
#define HPAGE (2UL << 20)
/*
 * mmap(@len bytes, @prot, @flags, @fd at offset 0) at a 2 MiB boundary,
 * where huge pages can back it; munmap(at, @len) releases all of it. The
 * mapping, or NULL with errno set.
 */
uint8_t *map_hpage_aligned(size_t len, int prot, int flags, int fd);
/* Close the GEM handle @handle of the DRM fd @card. */
void gem_close(int card, uint32_t handle);
/*
 * Add a pending vgem write fence to the dma-buf @fd
 * (DMA_BUF_IOCTL_IMPORT_SYNC_FILE): a fence userspace signals when it likes,
 * with vgem_fence_signal() (vgem does after 10 s). 0 or -errno; the fence's
 * number in *@fence.
 */
int dmabuf_add_vgem_fence(int card, int fd, uint32_t *fence);
/* Signal the vgem fence numbered @fence: 0 or -errno. */
int vgem_fence_signal(int card, uint32_t fence);
/*
 * /proc/vmstat's FOLL_PIN counters, folded first (/proc/sys/vm/stat_refresh:
 * they are per-CPU). False when the kernel has none.
 */
bool read_pins(long long *acquired, long long *released);

/*
 * The kernels kernel/build makes (tests/vm/run --kernel): stock 6.1.192,
 * the series with CONFIG_VIDEOBUF2_USERPTR_DMABUF ("patched") and the
 * series without it ("userptr-off": USERPTR as on stock, but with the
 * series' GUP rules and drivers).
 */
enum kernel_variant { KV_STOCK, KV_PATCHED, KV_USERPTR_OFF, NKV };
extern const char *const kernel_variant_names[NKV];

/*
 * The running kernel's variant: @arg (from a --kernel option) when given,
 * else ZC_KERNEL_VARIANT when set, else the release (uname -r): ending in
 * "-zcbuf" patched, in "-zcbuf-userptr-off" userptr-off, no "-zcbuf" at all
 * stock. Any other name or "-zcbuf" release exits the program (status 2):
 * expectations of the wrong kernel would pass or fail for nothing.
 */
enum kernel_variant kernel_variant(const char *arg);
/*
 * Does the running kernel import USERPTR memory through dma-bufs (the
 * patched variant)? kernel_variant(@arg) == KV_PATCHED.
 */
bool kernel_is_zcbuf(const char *arg);

/*
 * Run fn(arg, out) in a child process and copy its @out_len bytes of @out
 * back to the parent's @out through a pipe. Returns 0; -ETIMEDOUT when the
 * child did not answer within @timeout_s (it is killed then, its wchan
 * first read into @wchan, @wchan_len bytes); -ECHILD when it died without
 * answering (its wait status in *@status); or another -errno (pipe, fork).
 */
int run_in_child(void (*fn)(void *arg, void *out), void *arg, void *out,
		 size_t out_len, int timeout_s, char *wchan, size_t wchan_len,
		 int *status);
/*
 * What went wrong when run_in_child() returned @ret (not 0), into @text:
 * the hang and where it waited, the signal or exit status, or the errno.
 */
void child_failure(int ret, int timeout_s, const char *wchan, int status, char *text,
		   size_t len);

/* The canary test memory is filled with: byte @i of it. */
static inline uint8_t canary(size_t i)
{
	return 0xa5 ^ (uint8_t)(i * 13 + (i >> 9));
}

/* ---- V4L2, one buffer at a time ----------------------------------------- */

/* Open the video capture node of vivid instance @inst: fd or -errno. */
int open_vivid(int inst);
/*
 * The vivid instances whose allocator (vivid's "allocators" parameter: 0
 * vb2-vmalloc, 1 vb2-dma-contig) is @allocator, in order, as far as they
 * exist: how many were found (at most @max stored in @inst), or -errno.
 */
int vivid_instances(int allocator, int *inst, int max);
/* S_FMT to the frame format above: 0, -EINVAL if the driver changed it. */
int vid_set_format(int vid, uint32_t type);
/* S_FMT (single-planar) to another format: 0, -EINVAL unless the driver kept it all. */
int vid_set_format_to(int vid, uint32_t type, uint32_t fourcc, uint32_t w, uint32_t h,
		      uint32_t bpl, uint32_t size);
/* REQBUFS; the queue's capabilities into @caps when not NULL. */
int vid_reqbufs(int vid, uint32_t type, uint32_t memory, uint32_t count,
		uint32_t *caps);
/*
 * QBUF buffer 0 (USERPTR: at @uptr, @len bytes; DMABUF: the dma-buf fd
 * @uptr; output: @len bytes used).
 */
int vid_qbuf(int vid, uint32_t type, uint32_t memory, unsigned long uptr,
	     size_t len);
/* PREPARE_BUF buffer 0, with the arguments of vid_qbuf(). */
int vid_prepare_buf(int vid, uint32_t type, uint32_t memory, unsigned long uptr,
		    size_t len);
/*
 * Wait up to @timeout_ms for buffer 0 and dequeue it: bytesused, -ETIMEDOUT,
 * -EIO when it came back with V4L2_BUF_FLAG_ERROR, or -errno. Its flags go
 * to @flags when not NULL.
 */
int vid_dqbuf(int vid, uint32_t type, uint32_t memory, int timeout_ms,
	      uint32_t *flags);
/* STREAMON or STREAMOFF. */
int vid_stream(int vid, uint32_t type, bool on);
/* The id of the control called @name, or -ENOENT. */
int vid_ctrl_id_by_name(int vid, const char *name);
/* Set the control called @name to @value and read it back. */
int vid_set_ctrl_by_name(int vid, const char *name, int value);
/* Press the button control called @name (buttons cannot be read back). */
int vid_press_by_name(int vid, const char *name);
/* Deterministic vivid frames: 75% colour bars, no movement, no OSD text. */
int vivid_static_frames(int vid);
/* One frame captured by MMAP into @out (FRAME_SIZE bytes). */
int vivid_capture_mmap(int vid, uint8_t *out);
/*
 * The reference frame of @vid: static frames (vivid_static_frames()), one
 * captured by MMAP into @out, checked equal to a second one. 0 or -errno.
 */
int vivid_reference_frame(int vid, uint8_t *out);
/* The same in another single-planar format of @size bytes. */
int vivid_capture_mmap_to(int vid, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t bpl,
			  uint32_t size, uint8_t *out);
/*
 * Copy @in (@size bytes of a single-planar format) into vim2m's MMAP OUTPUT
 * buffer and the picture vim2m gives back from its MMAP CAPTURE buffer into
 * @out: one frame, the copying way. 0 or -errno.
 */
int vim2m_process_mmap(int m2m, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t bpl,
		       uint32_t size, const uint8_t *in, uint8_t *out);

/*
 * vim2m with the frame format on both queues, one MMAP CAPTURE buffer mapped
 * (read-only, into @cap_map) and queued, and one USERPTR OUTPUT buffer to
 * queue: 0 or -errno. vim2m_userptr_release() streams off and undoes it:
 * 0, or the -errno of a REQBUFS(0) that failed.
 */
int vim2m_userptr_queues(int m2m, uint8_t **cap_map, size_t *cap_len);
int vim2m_userptr_release(int m2m, uint8_t *cap_map, size_t cap_len);

#endif
