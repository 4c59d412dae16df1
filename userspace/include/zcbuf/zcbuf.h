/* SPDX-License-Identifier: MIT */
/**
 * @file zcbuf.h
 * @brief libzcbuf: zero-copy V4L2 buffer exchange through dma-buf.
 *
 * Conventions (docs/libzcbuf.md has the whole picture and an example):
 *
 * - Every function that can fail returns 0 (or a non-negative value where
 *   documented) on success and a negative errno on failure. Functions that
 *   take a context then leave a message in it, naming what failed and why:
 *   see zcbuf_last_error(). Nothing aborts, exits or prints.
 * - Objects are opaque and come in _new/_free (or _alloc/_free) pairs. A
 *   context and the objects made with it are used by one thread at a time.
 * - Pixel formats are V4L2 fourccs (V4L2_PIX_FMT_*). The fourcc table maps
 *   them to DRM fourccs (DRM_FORMAT_*), which often differ for the same
 *   memory layout (V4L2 RGB24 is DRM BGR888).
 * - A buffer is a format plus colour planes, each a (dma-buf fd, offset,
 *   length, stride). Planes may share one dma-buf (V4L2 NV12) or live in
 *   their own (V4L2 NV12M: "memory planes"). A buffer of ordinary process
 *   memory (zcbuf_buffer_wrap_memory()) has no dma-buf: V4L2 takes it by
 *   USERPTR only.
 */
#ifndef ZCBUF_ZCBUF_H
#define ZCBUF_ZCBUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ZCBUF_BUILDING)
#define ZCBUF_API __attribute__((visibility("default")))
#else
#define ZCBUF_API
#endif

/** The most colour (and memory) planes a buffer has. */
#define ZCBUF_MAX_PLANES 4

/**
 * @brief The library's version as "MAJOR.MINOR.PATCH".
 * @return A static string; never NULL.
 */
ZCBUF_API const char *zcbuf_version(void);

/* ---- Contexts and errors --------------------------------------------- */

/** A library context: holds the last error message. Opaque. */
struct zcbuf_ctx;

/**
 * @brief Create a context.
 * @param ctx Receives the new context.
 * @return 0, -EINVAL if @p ctx is NULL, or -ENOMEM.
 */
ZCBUF_API int zcbuf_ctx_new(struct zcbuf_ctx **ctx);

/**
 * @brief Release the caller's reference to a context.
 *
 * Buffers keep their context alive: the memory goes with the last of them.
 * @param ctx The context; NULL is ignored.
 */
ZCBUF_API void zcbuf_ctx_free(struct zcbuf_ctx *ctx);

/**
 * @brief The message of the last failed call made with @p ctx.
 *
 * It names the object (heap, device or path), the operation (the ioctl or
 * system call) and the reason (the errno string), for example
 * "dma-heap 'nosuch': open /dev/dma_heap/nosuch: No such file or
 * directory". Successful calls leave it unchanged.
 * @param ctx The context, or NULL.
 * @return "" when nothing failed yet; never NULL. Valid until the next call
 *         with @p ctx.
 */
ZCBUF_API const char *zcbuf_last_error(const struct zcbuf_ctx *ctx);

/**
 * @brief The negative errno of the last failed call made with @p ctx.
 * @param ctx The context.
 * @return The errno (negative), 0 when nothing failed yet, or -EINVAL if
 *         @p ctx is NULL.
 */
ZCBUF_API int zcbuf_last_errno(const struct zcbuf_ctx *ctx);

/* ---- Formats ----------------------------------------------------------- */

/** A picture format: a V4L2 fourcc and a size in pixels. */
struct zcbuf_format {
	uint32_t fourcc;	/**< V4L2_PIX_FMT_*; 0 for raw bytes */
	uint32_t width;		/**< pixels */
	uint32_t height;	/**< lines */
};

/** Flags of struct zcbuf_format_info. */
enum zcbuf_format_flags {
	ZCBUF_FORMAT_YUV = 1u << 0,	   /**< a YUV (or grey) format */
	ZCBUF_FORMAT_RGB = 1u << 1,	   /**< an RGB format */
	ZCBUF_FORMAT_DEPRECATED = 1u << 2, /**< V4L2 deprecates it; V4L2 -> DRM only */
};

/** One row of the fourcc table. The library owns it. */
struct zcbuf_format_info {
	uint32_t v4l2_fourcc;	/**< V4L2_PIX_FMT_* */
	uint32_t drm_fourcc;	/**< DRM_FORMAT_* with the same memory layout */
	const char *name;	/**< the V4L2 name without prefix, e.g. "NV12M" */
	uint8_t num_planes;	/**< colour planes */
	uint8_t num_mem_planes; /**< 1, or num_planes for V4L2's multi-planar variants */
	uint8_t cpp[ZCBUF_MAX_PLANES]; /**< bytes per pixel block, per colour plane */
	uint8_t block_w;	/**< pixels per block in plane 0 (2 for YUYV) */
	uint8_t hdiv;		/**< horizontal chroma subsampling */
	uint8_t vdiv;		/**< vertical chroma subsampling */
	uint32_t flags;		/**< enum zcbuf_format_flags */
	const char *drm_name;	/**< the DRM name without prefix, e.g. "NV12", "BGR888" */
};

/**
 * @brief Look up a V4L2 fourcc in the table.
 * @param v4l2_fourcc The V4L2 pixel format.
 * @param info Receives the row.
 * @return 0, -ENOENT if the table does not hold it, -EINVAL if @p info is NULL.
 */
ZCBUF_API int zcbuf_format_info_get(uint32_t v4l2_fourcc,
				    const struct zcbuf_format_info **info);

/**
 * @brief The table's rows, in order, to list them.
 * @param index 0, 1, ...
 * @param info Receives the row.
 * @return 0, -ENOENT past the last row, -EINVAL if @p info is NULL.
 */
ZCBUF_API int zcbuf_format_info_at(unsigned int index,
				   const struct zcbuf_format_info **info);

/**
 * @brief The DRM fourcc of a V4L2 fourcc (same memory layout).
 * @param v4l2_fourcc The V4L2 pixel format.
 * @param drm_fourcc Receives the DRM_FORMAT_* code. The multi-planar
 *        variants map to their DRM format (NV12M to NV12).
 * @return 0, -ENOENT if the table does not hold it, -EINVAL if @p drm_fourcc is NULL.
 */
ZCBUF_API int zcbuf_fourcc_v4l2_to_drm(uint32_t v4l2_fourcc, uint32_t *drm_fourcc);

/** Flags of zcbuf_fourcc_drm_to_v4l2(). */
#define ZCBUF_FOURCC_MPLANE 1u /**< prefer the multi-planar variant (NV12M over NV12) */

/**
 * @brief The V4L2 fourcc of a DRM fourcc (same memory layout).
 * @param drm_fourcc The DRM_FORMAT_* code.
 * @param flags 0 or ZCBUF_FOURCC_MPLANE. With it, planar formats give their
 *        one-dma-buf-per-plane variant (NV12M); packed formats stay as they
 *        are (YUYV).
 * @param v4l2_fourcc Receives the V4L2 pixel format.
 * @return 0, -ENOENT if no V4L2 format has this layout (in the asked
 *         variant), -EINVAL for unknown flags or a NULL @p v4l2_fourcc.
 */
ZCBUF_API int zcbuf_fourcc_drm_to_v4l2(uint32_t drm_fourcc, unsigned int flags,
				       uint32_t *v4l2_fourcc);

/**
 * @brief Parse a V4L2 format by code ("NV12", "YU12", "RGB3") or by name
 *        ("NV12M", "YUV420", "RGB24"), case-sensitively.
 *
 * A DRM code that is not also a V4L2 code ("RG24") fails with a message
 * that names the V4L2 format of that layout ("BGR24").
 * @param ctx A context for the message, or NULL.
 * @param str The text.
 * @param v4l2_fourcc Receives the fourcc.
 * @return 0, -ENOENT if the table does not hold it, -EINVAL for NULL
 *         arguments.
 */
ZCBUF_API int zcbuf_fourcc_parse(struct zcbuf_ctx *ctx, const char *str,
				 uint32_t *v4l2_fourcc);

/** Where one colour plane lives and how big it is. */
struct zcbuf_plane_layout {
	uint32_t mem;	 /**< memory plane (dma-buf) it lives in */
	uint32_t stride; /**< bytes per line */
	uint64_t offset; /**< from the start of its memory plane */
	uint64_t size;	 /**< stride * lines */
};

/** A format's planes: the V4L2 bytesperline and sizeimage rules. */
struct zcbuf_layout {
	uint32_t num_planes;			     /**< colour planes */
	uint32_t num_mem_planes;		     /**< dma-bufs needed */
	struct zcbuf_plane_layout plane[ZCBUF_MAX_PLANES];
	uint64_t mem_size[ZCBUF_MAX_PLANES];	     /**< bytes per memory plane */
};

/**
 * @brief Compute the planes of a format as V4L2 lays them out.
 *
 * Plane 0's stride is @p mem_strides[0] or the minimum; in a single memory
 * plane the chroma strides follow it (NV12: the same, YUV420: half), and the
 * planes follow each other without gaps. Multi-planar variants (NV12M) take
 * one stride per memory plane. Every product and sum is overflow-checked.
 * @param ctx A context for the message, or NULL.
 * @param fmt The format; its fourcc must be in the table.
 * @param mem_strides NULL, or one stride per memory plane (0: the minimum).
 * @param layout Receives the layout.
 * @return 0; -ENOENT for a fourcc not in the table; -EINVAL for a zero
 *         size, a size the subsampling does not divide, a stride below the
 *         minimum or one the chroma planes cannot follow; -EOVERFLOW when a
 *         stride does not fit 32 bits or a size 64 bits.
 */
ZCBUF_API int zcbuf_format_layout(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
				  const uint32_t *mem_strides, struct zcbuf_layout *layout);

/* ---- Buffers ------------------------------------------------------------ */

/** A buffer: a format and its planes, each in a dma-buf. Opaque. */
struct zcbuf_buffer;

/** One colour plane of a buffer. */
struct zcbuf_plane {
	int fd;		 /**< the dma-buf */
	uint32_t stride; /**< bytes per line; 0 for raw bytes */
	uint64_t offset; /**< where the plane starts in the dma-buf */
	uint64_t length; /**< bytes */
};

/**
 * @brief Make a buffer of existing dma-bufs.
 *
 * The buffer holds its own duplicates of the fds (planes that name the same
 * fd share one): the caller keeps and closes its own. Every fd must be a
 * dma-buf, every plane must fit in it, and for a format in the table the
 * plane count, strides and lengths must hold the format.
 * @param ctx The context.
 * @param fmt The format, or NULL for raw bytes (one plane, stride 0).
 * @param planes The planes.
 * @param num_planes How many (1 to ZCBUF_MAX_PLANES).
 * @param buf Receives the buffer.
 * @return 0; -EBADF for an invalid fd; -EINVAL for an fd that is not a
 *         dma-buf, a plane outside its dma-buf, or planes that do not hold
 *         the format; -ENOMEM.
 */
ZCBUF_API int zcbuf_buffer_wrap(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
				const struct zcbuf_plane *planes, unsigned int num_planes,
				struct zcbuf_buffer **buf);

/**
 * @brief Make a buffer of ordinary process memory (no dma-buf), for V4L2
 *        USERPTR import.
 *
 * The buffer does not own the memory: the caller keeps it valid, mapped
 * and the same pages (not unmapped and mapped again at the same address)
 * until the buffer is freed and no queue holds it (zcbuf_queue_get()
 * returned it). The V4L2 index cache takes the same address and length as
 * the same memory, as vb2 does: it keeps the pages it pinned for an index
 * while the same range comes back to it.
 *
 * All planes lie in the one range, which the queues see as one memory
 * plane. Such a buffer is queued by USERPTR only (a kernel that cannot pin
 * the pages, such as memfd_secret(2) memory, refuses it at VIDIOC_QBUF with
 * EFAULT); DMABUF fails with -EINVAL. zcbuf_buffer_num_dmabufs() is 0,
 * zcbuf_buffer_get_plane() gives fd -1, zcbuf_buffer_get_exporter() gives
 * "memory" (the source kind the probes are kept under). CPU access works as
 * for dma-bufs, without DMA_BUF_IOCTL_SYNC (there is no fd): map and unmap
 * only open and close access to the caller's memory, and
 * zcbuf_buffer_plane_data() gives @p addr plus the plane's offset.
 * @param ctx The context.
 * @param fmt The format, or NULL for raw bytes (one plane, stride 0).
 * @param addr The memory; the library writes to it only for a CPU write
 *        access or a capture queue.
 * @param size Its length in bytes.
 * @param planes The planes: each fd -1, offsets from @p addr.
 * @param num_planes How many (1 to ZCBUF_MAX_PLANES).
 * @param buf Receives the buffer.
 * @return 0; -EINVAL for a NULL argument, a zero @p size, a range past the
 *         end of the address space, a plane whose fd is not -1, a plane
 *         empty or outside the memory, or planes that do not hold the
 *         format; -ENOMEM.
 */
ZCBUF_API int zcbuf_buffer_wrap_memory(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
				       void *addr, uint64_t size,
				       const struct zcbuf_plane *planes, unsigned int num_planes,
				       struct zcbuf_buffer **buf);

/**
 * @brief Free a buffer: end a CPU access still open, unmap, close its fds.
 *        The memory of zcbuf_buffer_wrap_memory() stays the caller's.
 * @param buf The buffer; NULL is ignored.
 */
ZCBUF_API void zcbuf_buffer_free(struct zcbuf_buffer *buf);

/**
 * @brief The buffer's format.
 * @param buf The buffer.
 * @param fmt Receives the format (fourcc 0: raw bytes).
 * @return 0 or -EINVAL for NULL arguments.
 */
ZCBUF_API int zcbuf_buffer_get_format(const struct zcbuf_buffer *buf,
				      struct zcbuf_format *fmt);

/**
 * @brief How many colour planes the buffer has.
 * @param buf The buffer.
 * @return 1 to ZCBUF_MAX_PLANES, or -EINVAL if @p buf is NULL.
 */
ZCBUF_API int zcbuf_buffer_num_planes(const struct zcbuf_buffer *buf);

/**
 * @brief How many distinct dma-bufs (memory planes) the buffer holds.
 * @param buf The buffer.
 * @return 1 to ZCBUF_MAX_PLANES; 0 for ordinary memory
 *         (zcbuf_buffer_wrap_memory()); -EINVAL if @p buf is NULL.
 */
ZCBUF_API int zcbuf_buffer_num_dmabufs(const struct zcbuf_buffer *buf);

/**
 * @brief One colour plane of the buffer.
 * @param buf The buffer.
 * @param index The plane.
 * @param plane Receives it. The fd stays the buffer's: do not close it;
 *        dup() it to keep it beyond zcbuf_buffer_free(). Ordinary memory
 *        has fd -1 and offsets from its address.
 * @return 0 or -EINVAL for a bad index or NULL arguments.
 */
ZCBUF_API int zcbuf_buffer_get_plane(const struct zcbuf_buffer *buf, unsigned int index,
				     struct zcbuf_plane *plane);

/**
 * @brief Name the buffer's dma-bufs (DMA_BUF_SET_NAME; shown in
 *        /proc/PID/fdinfo and /sys/kernel/debug/dma_buf/bufinfo).
 *
 * The sources name their buffers "zcbuf:SOURCE" and ignore an exporter or
 * kernel that refuses (ENOTTY, EINVAL); zcbuf_buffer_get_name() tells.
 * @param buf The buffer.
 * @param name At most 31 bytes.
 * @return 0, -ENAMETOOLONG, -EINVAL for ordinary memory (no dma-buf to
 *         name), or the ioctl's negative errno.
 */
ZCBUF_API int zcbuf_buffer_set_name(struct zcbuf_buffer *buf, const char *name);

/**
 * @brief The name the buffer's dma-bufs carry.
 * @param buf The buffer.
 * @param name Receives the name, or NULL when it has none.
 * @return 0 when named; -ENODATA when never named; otherwise the negative
 *         errno of the DMA_BUF_SET_NAME that failed (-ENOTTY: the kernel or
 *         exporter has no names).
 */
ZCBUF_API int zcbuf_buffer_get_name(const struct zcbuf_buffer *buf, const char **name);

/**
 * @brief The name of the driver that exported the buffer's (first) dma-buf,
 *        as the kernel reports it ("exp_name" in /proc/self/fdinfo): the
 *        heap's name ("system", "reserved"), "udmabuf", "vgem",
 *        "videobuf2_vmalloc", "videobuf2_dma_contig", ...; "memory" for
 *        ordinary memory (zcbuf_buffer_wrap_memory()).
 *
 * The V4L2 import probes (zcbuf_queue_probe()) are kept per exporter: it is
 * the buffer's "source kind".
 * @param buf The buffer.
 * @param name Receives the name (owned by the buffer); "" when unknown.
 * @return 0, -ENODATA when the kernel did not say, -EINVAL for NULL arguments.
 */
ZCBUF_API int zcbuf_buffer_get_exporter(const struct zcbuf_buffer *buf, const char **name);

/**
 * @brief Map the buffer's dma-bufs for the CPU (shared mappings).
 *
 * Read-write if the dma-buf fds were opened O_RDWR, else read-only. The
 * memory is only reachable between zcbuf_buffer_begin_cpu() and
 * zcbuf_buffer_end_cpu(). Mapping a mapped buffer does nothing; nor does
 * mapping ordinary memory, which is mapped already (read-write).
 * @param buf The buffer.
 * @return 0 or the negative errno of mmap.
 */
ZCBUF_API int zcbuf_buffer_map(struct zcbuf_buffer *buf);

/**
 * @brief Unmap the buffer (ending a CPU access still open).
 * @param buf The buffer.
 * @return 0, or the negative errno of a DMA_BUF_IOCTL_SYNC that failed on
 *         the way (the buffer is unmapped all the same).
 */
ZCBUF_API int zcbuf_buffer_unmap(struct zcbuf_buffer *buf);

/** CPU access directions for zcbuf_buffer_begin_cpu(). */
enum zcbuf_cpu_access {
	ZCBUF_CPU_READ = 1u << 0,  /**< the CPU reads what devices wrote */
	ZCBUF_CPU_WRITE = 1u << 1, /**< the CPU writes for devices to read */
};

/**
 * @brief Begin CPU access: DMA_BUF_IOCTL_SYNC START with READ, WRITE or RW
 *        on each of the buffer's dma-bufs (none for ordinary memory).
 * @param buf A mapped buffer.
 * @param access ZCBUF_CPU_READ, ZCBUF_CPU_WRITE or both.
 * @return 0; -EINVAL if not mapped or @p access is empty or unknown; -EBUSY
 *         when an access is already open; -EACCES to write a read-only
 *         mapping; or the ioctl's negative errno (nothing stays started).
 */
ZCBUF_API int zcbuf_buffer_begin_cpu(struct zcbuf_buffer *buf, unsigned int access);

/**
 * @brief End CPU access: DMA_BUF_IOCTL_SYNC END in the direction begun
 *        (none for ordinary memory).
 * @param buf The buffer.
 * @return 0; -EINVAL when no access is open; or the ioctl's negative errno
 *         (the access is closed all the same).
 */
ZCBUF_API int zcbuf_buffer_end_cpu(struct zcbuf_buffer *buf);

/**
 * @brief Where a plane's bytes are, during a CPU access.
 * @param buf The buffer.
 * @param index The plane.
 * @param data Receives the address of the plane's first byte; valid until
 *        zcbuf_buffer_end_cpu().
 * @return 0; -EINVAL for a bad index, NULL arguments or an unmapped buffer;
 *         -EPERM outside zcbuf_buffer_begin_cpu()/zcbuf_buffer_end_cpu().
 */
ZCBUF_API int zcbuf_buffer_plane_data(const struct zcbuf_buffer *buf, unsigned int index,
				      void **data);

/* ---- Sources -------------------------------------------------------------
 *
 * Each allocates a buffer of @p fmt (planes laid out by zcbuf_format_layout()
 * with minimal strides, one dma-buf per memory plane) or, with @p fmt NULL,
 * of @p size raw bytes. With a format, @p size is 0 or a minimum for each
 * memory plane. Sizes are rounded up to pages where the source needs it;
 * plane lengths stay as asked.
 */

/**
 * @brief Allocate from a dma-heap (/dev/dma_heap/NAME).
 * @param ctx The context.
 * @param heap The heap's name ("system", "reserved", ...), or "cma" for the
 *        CMA heap whatever it is called ("linux,cma", "reserved",
 *        "default_cma_region", or the only heap that is not "system").
 * @param fmt The format, or NULL for raw bytes.
 * @param size Raw bytes, or 0 / a minimum with a format.
 * @param buf Receives the buffer.
 * @return 0, -ENOENT for no such heap, -EINVAL for a bad size or format, or
 *         the negative errno of open or DMA_HEAP_IOCTL_ALLOC.
 */
ZCBUF_API int zcbuf_heap_alloc(struct zcbuf_ctx *ctx, const char *heap,
			       const struct zcbuf_format *fmt, uint64_t size,
			       struct zcbuf_buffer **buf);

/**
 * @brief Allocate a udmabuf: a memfd sealed against shrinking, exported by
 *        /dev/udmabuf. Sizes go up to pages.
 *
 * The kernel refuses a dma-buf above the module's size_limit_mb (64 MiB by
 * default, /sys/module/udmabuf/parameters/size_limit_mb); this is checked
 * first and reported as such (-EINVAL).
 * @param ctx The context.
 * @param fmt The format, or NULL for raw bytes.
 * @param size Raw bytes, or 0 / a minimum with a format.
 * @param buf Receives the buffer.
 * @return 0, -EINVAL for a bad or too large size, or the negative errno of
 *         memfd_create, ftruncate, fcntl, open or UDMABUF_CREATE.
 */
ZCBUF_API int zcbuf_udmabuf_alloc(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
				  uint64_t size, struct zcbuf_buffer **buf);

/**
 * @brief Make udmabufs of the caller's memfd, from @p offset on.
 *
 * Memory planes follow each other in the memfd, each at a page-aligned
 * offset. The memfd must be sealed with F_SEAL_SHRINK, not F_SEAL_WRITE,
 * and large enough; the caller keeps it (its bytes are the buffer's).
 * @param ctx The context.
 * @param memfd The memfd.
 * @param offset Page-aligned start in the memfd.
 * @param fmt The format, or NULL for raw bytes.
 * @param size Raw bytes, or 0 / a minimum with a format.
 * @param buf Receives the buffer.
 * @return 0, -EINVAL (with the reason: seals, size, alignment, limit), or
 *         the negative errno of open or UDMABUF_CREATE.
 */
ZCBUF_API int zcbuf_udmabuf_from_memfd(struct zcbuf_ctx *ctx, int memfd, uint64_t offset,
				       const struct zcbuf_format *fmt, uint64_t size,
				       struct zcbuf_buffer **buf);

/**
 * @brief Open a DRM card by path ("/dev/dri/card0") or by driver name
 *        ("vgem": the first /dev/dri/cardN whose driver it is; no udev needed).
 * @param ctx The context.
 * @param card The path or driver name.
 * @return An fd (O_RDWR | O_CLOEXEC; the caller closes it), -ENOENT when no
 *         card has that driver, or the negative errno of open.
 */
ZCBUF_API int zcbuf_drm_open(struct zcbuf_ctx *ctx, const char *card);

/**
 * @brief Allocate DRM dumb buffers and export them with PRIME
 *        (DRM_CLOEXEC | DRM_RDWR); the GEM handles are closed after export.
 *
 * One dumb buffer per memory plane, 8 bits per pixel, as wide as the
 * plane's minimal stride; the stride the driver chose becomes the buffer's.
 * @param ctx The context.
 * @param drm_fd An open DRM card (zcbuf_drm_open()); the caller keeps it.
 * @param fmt The format, or NULL for raw bytes.
 * @param size Raw bytes, or 0 / a minimum with a format.
 * @param buf Receives the buffer.
 * @return 0, -EOPNOTSUPP if the card has no dumb buffers or PRIME export,
 *         -EINVAL for a bad size or format, or the negative errno of
 *         DRM_IOCTL_MODE_CREATE_DUMB or DRM_IOCTL_PRIME_HANDLE_TO_FD.
 */
ZCBUF_API int zcbuf_drm_dumb_alloc(struct zcbuf_ctx *ctx, int drm_fd,
				   const struct zcbuf_format *fmt, uint64_t size,
				   struct zcbuf_buffer **buf);

/**
 * @brief Export one V4L2 MMAP buffer as dma-bufs (VIDIOC_EXPBUF, O_RDWR).
 *
 * The queue must hold MMAP buffers (VIDIOC_REQBUFS). Every memory plane is
 * exported; the format comes from VIDIOC_G_FMT, the plane lengths from
 * VIDIOC_QUERYBUF. A pixel format outside the table gives one raw plane per
 * memory plane, with the device's bytesperline as stride.
 * @param ctx The context.
 * @param video_fd The open video device.
 * @param type The queue (V4L2_BUF_TYPE_*).
 * @param index The buffer.
 * @param buf Receives the buffer.
 * @return 0 or the negative errno of VIDIOC_G_FMT, VIDIOC_QUERYBUF or
 *         VIDIOC_EXPBUF (-EINVAL for an index past the queue).
 */
ZCBUF_API int zcbuf_v4l2_export(struct zcbuf_ctx *ctx, int video_fd, uint32_t type,
				uint32_t index, struct zcbuf_buffer **buf);

/**
 * @brief Export one plane of one V4L2 MMAP buffer (VIDIOC_EXPBUF).
 * @param ctx The context.
 * @param video_fd The open video device.
 * @param type The queue (V4L2_BUF_TYPE_*).
 * @param index The buffer.
 * @param plane The memory plane (0 for single-planar queues).
 * @param flags O_RDWR, O_RDONLY, ... and O_CLOEXEC, as VIDIOC_EXPBUF takes them.
 * @return The dma-buf fd (the caller closes it) or the ioctl's negative errno.
 */
ZCBUF_API int zcbuf_v4l2_expbuf(struct zcbuf_ctx *ctx, int video_fd, uint32_t type,
				uint32_t index, uint32_t plane, uint32_t flags);

/**
 * @brief Allocate from a source named by a string:
 *
 * - "heap:NAME": zcbuf_heap_alloc() ("heap:system", "heap:cma");
 * - "udmabuf": zcbuf_udmabuf_alloc();
 * - "drm:DRIVER" or "drm:PATH": zcbuf_drm_open() and zcbuf_drm_dumb_alloc();
 * - "v4l2:PATH": a video device's capture (or else output) queue: the format
 *   is set with VIDIOC_S_FMT (NULL: the current one, which must hold
 *   @p size), one MMAP buffer is allocated and exported, and the device is
 *   closed; the dma-bufs keep the memory.
 * @param ctx The context.
 * @param source The source.
 * @param fmt The format, or NULL for raw bytes.
 * @param size Raw bytes, or 0 / a minimum with a format.
 * @param buf Receives the buffer.
 * @return 0, -EINVAL for an unknown source, or what the source returns.
 */
ZCBUF_API int zcbuf_alloc(struct zcbuf_ctx *ctx, const char *source,
			  const struct zcbuf_format *fmt, uint64_t size,
			  struct zcbuf_buffer **buf);

/* ---- V4L2 devices and queues ---------------------------------------------
 *
 * A device is an open video node; it has a capture queue, an output queue or
 * both (mem2mem). A queue negotiates a format, is set up for one memory type
 * (MMAP, USERPTR, DMABUF, or chosen by probing: auto), takes buffers with
 * zcbuf_queue_put() and gives them back with zcbuf_queue_get(). The same
 * dma-bufs always land on the same V4L2 index (a cache keyed by the dma-buf
 * inode, as libcamera's V4L2BufferCache). Copies happen only where the setup
 * allowed them, and are counted (zcbuf_queue_get_stats()).
 */

/** An open V4L2 video device. Opaque. */
struct zcbuf_device;
/** One of a device's queues; owned by the device. Opaque. */
struct zcbuf_queue;

/** Flags of struct zcbuf_device_info. */
enum zcbuf_device_flags {
	ZCBUF_DEVICE_CAPTURE = 1u << 0, /**< has a video capture queue */
	ZCBUF_DEVICE_OUTPUT = 1u << 1,	/**< has a video output queue */
	ZCBUF_DEVICE_M2M = 1u << 2,	/**< a mem2mem device (both queues) */
	ZCBUF_DEVICE_MPLANE = 1u << 3,	/**< its queues use the multi-planar API */
};

/** What VIDIOC_QUERYCAP and sysfs say of a device. */
struct zcbuf_device_info {
	char path[64];		/**< "/dev/video3" */
	char name[64];		/**< the video device's name (/sys/class/video4linux/videoN/name) */
	char driver[16];	/**< "vivid", "vim2m" */
	char card[32];		/**< the card name */
	char bus_info[32];	/**< "platform:vivid-000" */
	uint32_t device_caps;	/**< V4L2_CAP_* of this node */
	uint32_t flags;		/**< enum zcbuf_device_flags */
};

/**
 * @brief Open a V4L2 video device by path or by name.
 *
 * @p device is a path when it holds a '/' ("/dev/video3"), else the name
 * of a video node as /sys/class/video4linux/NODE/name gives it
 * ("vivid-000-vid-cap", "vim2m"): no udev is needed. The node must have
 * streaming I/O and a video capture or output queue.
 * @param ctx The context.
 * @param device The path or name.
 * @param dev Receives the device.
 * @return 0; -ENOENT when no node has that name (or the path does not
 *         exist); -ENOTTY for a node that is not V4L2 (VIDIOC_QUERYCAP);
 *         -EOPNOTSUPP for a V4L2 node without streaming video queues;
 *         -ENOMEM; or the negative errno of open.
 */
ZCBUF_API int zcbuf_device_open(struct zcbuf_ctx *ctx, const char *device,
				struct zcbuf_device **dev);

/**
 * @brief Close a device: stop its queues, free their buffers (REQBUFS 0),
 *        close the node. Errors on the way (a device that vanished) are
 *        ignored. Buffers given with zcbuf_queue_put() stay the caller's.
 * @param dev The device; NULL is ignored.
 */
ZCBUF_API void zcbuf_device_free(struct zcbuf_device *dev);

/**
 * @brief What the device is.
 * @param dev The device.
 * @param info Receives it.
 * @return 0 or -EINVAL for NULL arguments.
 */
ZCBUF_API int zcbuf_device_get_info(const struct zcbuf_device *dev,
				    struct zcbuf_device_info *info);

/**
 * @brief The device's file descriptor, for poll() or ioctls of your own.
 * @param dev The device.
 * @return The fd (the device's: do not close it) or -EINVAL.
 */
ZCBUF_API int zcbuf_device_get_fd(const struct zcbuf_device *dev);

/** A queue's direction. On a mem2mem device OUTPUT is its input. */
enum zcbuf_direction {
	ZCBUF_CAPTURE = 0, /**< the device writes the buffers */
	ZCBUF_OUTPUT = 1,  /**< the device reads the buffers */
};

/**
 * @brief One of the device's queues.
 * @param dev The device.
 * @param dir ZCBUF_CAPTURE or ZCBUF_OUTPUT.
 * @param queue Receives the queue; it lives as long as @p dev.
 * @return 0, -EOPNOTSUPP when the device has no such queue, -EINVAL.
 */
ZCBUF_API int zcbuf_device_get_queue(struct zcbuf_device *dev, enum zcbuf_direction dir,
				     struct zcbuf_queue **queue);

/**
 * @brief The queue's V4L2 buffer type.
 * @param queue The queue.
 * @return V4L2_BUF_TYPE_VIDEO_CAPTURE, ..._OUTPUT, or their _MPLANE
 *         variants; -EINVAL if @p queue is NULL.
 */
ZCBUF_API int zcbuf_queue_get_type(const struct zcbuf_queue *queue);

/** A queue's format as the driver has it. */
struct zcbuf_queue_format {
	struct zcbuf_format fmt;		  /**< fourcc and size */
	uint32_t num_mem_planes;		  /**< V4L2 (memory) planes */
	uint32_t bytesperline[ZCBUF_MAX_PLANES];  /**< per memory plane */
	uint32_t sizeimage[ZCBUF_MAX_PLANES];	  /**< per memory plane */
};

/**
 * @brief The queue's format (VIDIOC_G_FMT).
 * @param queue The queue.
 * @param qf Receives it.
 * @return 0 or the ioctl's negative errno.
 */
ZCBUF_API int zcbuf_queue_get_format(struct zcbuf_queue *queue, struct zcbuf_queue_format *qf);

/**
 * @brief Set the queue's format (VIDIOC_S_FMT) and check what the driver did.
 *
 * The driver must keep the fourcc and size. With @p strides, it must also
 * take them as they are (GStreamer's rule: "driver did not accept the new
 * stride" fails). For a fourcc in the table, bytesperline and sizeimage must
 * hold the layout zcbuf_format_layout() computes for them. Only while the
 * queue has no buffers (-EBUSY from the driver otherwise). Forgets the
 * queue's import probes: they hold for one format.
 * @param queue The queue.
 * @param fmt The format (its fourcc: the variant the queue takes; NV12M on
 *        a multi-planar queue, NV12 on either).
 * @param strides NULL, or bytesperline per memory plane (0: the driver's choice).
 * @param qf Receives the format set, or NULL.
 * @return 0; -EINVAL when the driver changed the format or a stride, or its
 *         sizes do not hold the layout (the message says which); or the
 *         ioctl's negative errno.
 */
ZCBUF_API int zcbuf_queue_set_format(struct zcbuf_queue *queue, const struct zcbuf_format *fmt,
				     const uint32_t *strides, struct zcbuf_queue_format *qf);

/**
 * @brief Does @p buf fit the queue's current format, plane by plane?
 *
 * The same format; as many dma-bufs as the queue has memory planes (or one
 * holding all colour planes where the queue has one memory plane, at the
 * offsets V4L2 puts them); each stride equal to the driver's bytesperline;
 * each memory plane at least sizeimage long. Single-planar queues also need
 * the picture at offset 0 of its dma-buf (that API has no data_offset).
 * @param queue The queue.
 * @param buf The buffer.
 * @return 0, or -EINVAL with the first mismatch in the message ("too
 *         small", "stride", "offset", "planes").
 */
ZCBUF_API int zcbuf_queue_check_buffer(struct zcbuf_queue *queue, const struct zcbuf_buffer *buf);

/**
 * @brief Make the queue's format fit @p buf, as GStreamer's try_import does.
 *
 * When the buffer's format or strides differ from the queue's, VIDIOC_S_FMT
 * with the buffer's format and strides (a larger stride than the driver's
 * minimum is the usual case); the driver must accept them exactly. Then
 * zcbuf_queue_check_buffer().
 * @param queue The queue, without buffers.
 * @param buf The buffer.
 * @return 0 or what zcbuf_queue_set_format() and zcbuf_queue_check_buffer() return.
 */
ZCBUF_API int zcbuf_queue_match_buffer(struct zcbuf_queue *queue, const struct zcbuf_buffer *buf);

/** How a queue gets its memory. The values are V4L2's (V4L2_MEMORY_*), but AUTO. */
enum zcbuf_memory {
	ZCBUF_MEMORY_AUTO = 0,	  /**< probe: DMABUF, else USERPTR, else copy (if allowed) */
	ZCBUF_MEMORY_MMAP = 1,	  /**< the driver's buffers (V4L2_MEMORY_MMAP) */
	ZCBUF_MEMORY_USERPTR = 2, /**< the CPU mapping of the buffer's dma-buf, or its memory */
	ZCBUF_MEMORY_DMABUF = 4,  /**< the dma-buf fd, with data_offset per plane */
};

/**
 * @brief "auto", "mmap", "userptr", "dmabuf".
 * @param memory The memory type.
 * @return A static string; "unknown" for other values.
 */
ZCBUF_API const char *zcbuf_memory_name(enum zcbuf_memory memory);

/**
 * @brief Parse "auto", "mmap", "userptr" or "dmabuf".
 * @param str The text.
 * @param memory Receives the memory type.
 * @return 0 or -EINVAL.
 */
ZCBUF_API int zcbuf_memory_parse(const char *str, enum zcbuf_memory *memory);

/** Flags of zcbuf_queue_setup(). */
enum zcbuf_setup_flags {
	/**
	 * Where the buffer cannot be imported, use the driver's MMAP buffers and
	 * copy each frame (output: at zcbuf_queue_put(); capture: at
	 * zcbuf_queue_get()), counted in struct zcbuf_queue_stats. Without it
	 * (strict), such a setup fails with -EXDEV and the reason.
	 */
	ZCBUF_SETUP_ALLOW_COPY = 1u << 0,
};

/** What one import probe found. */
struct zcbuf_probe {
	enum zcbuf_memory memory; /**< ZCBUF_MEMORY_DMABUF or ZCBUF_MEMORY_USERPTR */
	char exporter[32];	  /**< the source kind (zcbuf_buffer_get_exporter()) */
	int error;		  /**< 0: imported; else the negative errno */
	int tried;		  /**< 1: VIDIOC_QBUF was tried; 0: refused before (reason says why) */
	char reason[256];	  /**< "" when imported; else the ioctl and its error, or why not tried */
};

/**
 * @brief Can the queue import buffers of @p buf's exporter with @p memory?
 *
 * Tried once per queue, exporter and memory type, then remembered (until
 * the format changes): VIDIOC_REQBUFS of one buffer, VIDIOC_QBUF of
 * @p buf, VIDIOC_REQBUFS 0. Kernels without USERPTR import of mapped
 * dma-bufs refuse most with EFAULT (they only pin pages: udmabuf and
 * vmalloc'ed V4L2 buffers work). USERPTR of a CMA dma-heap buffer is only
 * tried once a mapped dma-buf that cannot be pinned (a system-heap buffer,
 * allocated for that if need be) was imported on this queue or another of
 * the context: Linux 6.1 retries pinning CMA pages forever. DMABUF of
 * ordinary memory (zcbuf_buffer_wrap_memory()) is refused without trying,
 * -EINVAL, and that result kept like the others, so that auto goes on to
 * USERPTR.
 * @param queue The queue, without buffers and not streaming.
 * @param buf A buffer that fits the queue (zcbuf_queue_check_buffer()).
 * @param memory ZCBUF_MEMORY_DMABUF or ZCBUF_MEMORY_USERPTR.
 * @param result Receives the result, or NULL.
 * @return 0 when it imports; the probe's negative errno (the reason also in
 *         zcbuf_last_error()); -EBUSY when the queue has buffers; -EINVAL
 *         (also: DMABUF of ordinary memory).
 */
ZCBUF_API int zcbuf_queue_probe(struct zcbuf_queue *queue, struct zcbuf_buffer *buf,
				enum zcbuf_memory memory, struct zcbuf_probe *result);

/**
 * @brief The probes the queue remembers, in the order they were made.
 * @param queue The queue.
 * @param index 0, 1, ...
 * @param result Receives one.
 * @return 0, -ENOENT past the last, -EINVAL.
 */
ZCBUF_API int zcbuf_queue_probe_at(const struct zcbuf_queue *queue, unsigned int index,
				   struct zcbuf_probe *result);

/**
 * @brief Allocate the queue's buffers (VIDIOC_REQBUFS) for a memory type.
 *
 * - MMAP: @p count driver buffers (zcbuf_queue_put_index(), zcbuf_queue_export());
 *   with ZCBUF_SETUP_ALLOW_COPY, a copying queue: zcbuf_queue_put() copies
 *   frames through them (the caller asks for copies outright).
 * - DMABUF, USERPTR: @p count slots for zcbuf_queue_put(). With a
 *   @p sample, the mode is probed first (zcbuf_queue_probe()): when it
 *   fails, the setup copies through MMAP buffers with
 *   ZCBUF_SETUP_ALLOW_COPY, or fails with -EXDEV.
 * - AUTO: needs @p sample; probes DMABUF and USERPTR (both, so both results
 *   are on record) and takes DMABUF if it imports, else USERPTR, else
 *   copies (ZCBUF_SETUP_ALLOW_COPY) or fails with -EXDEV. A sample of
 *   ordinary memory (zcbuf_buffer_wrap_memory()) has no DMABUF: USERPTR.
 *
 * zcbuf_queue_get_memory() tells what was chosen. Setting up a queue that
 * has buffers frees them first.
 * @param queue The queue, not streaming.
 * @param memory The memory type.
 * @param count How many buffers (1 to 32).
 * @param sample A buffer like those that will be put (it must fit the
 *        queue), or NULL (not with AUTO).
 * @param flags enum zcbuf_setup_flags.
 * @return The number of buffers the driver gave (>= 1); -EXDEV when no
 *         zero-copy path exists and copies are not allowed (the message
 *         gives each probe's reason); -EINVAL (also: DMABUF with a sample
 *         of ordinary memory, whatever the flags); or an ioctl's negative
 *         errno.
 */
ZCBUF_API int zcbuf_queue_setup(struct zcbuf_queue *queue, enum zcbuf_memory memory,
				unsigned int count, struct zcbuf_buffer *sample,
				unsigned int flags);

/**
 * @brief What the queue was set up with.
 * @param queue The queue.
 * @param memory Receives the V4L2 memory type in use (AUTO before a setup).
 * @param copying Receives 1 when the queue copies (MMAP chosen for a
 *        buffer that could not be imported), else 0; or NULL.
 * @return 0 or -EINVAL.
 */
ZCBUF_API int zcbuf_queue_get_memory(const struct zcbuf_queue *queue,
				     enum zcbuf_memory *memory, int *copying);

/**
 * @brief Stop the queue and free its buffers (STREAMOFF, REQBUFS 0).
 *        Queued buffers are the caller's again.
 * @param queue The queue.
 * @return 0 or the first ioctl's negative errno (the queue is reset anyway).
 */
ZCBUF_API int zcbuf_queue_release(struct zcbuf_queue *queue);

/**
 * @brief Start streaming (VIDIOC_STREAMON).
 * @param queue A set-up queue.
 * @return 0 or the ioctl's negative errno.
 */
ZCBUF_API int zcbuf_queue_start(struct zcbuf_queue *queue);

/**
 * @brief Stop streaming (VIDIOC_STREAMOFF); queued buffers return to the caller.
 * @param queue The queue.
 * @return 0 or the ioctl's negative errno.
 */
ZCBUF_API int zcbuf_queue_stop(struct zcbuf_queue *queue);

/**
 * @brief Queue a buffer (VIDIOC_QBUF) on a DMABUF, USERPTR or copying queue.
 *
 * The index comes from the cache: the same dma-bufs get the same index
 * each time (a hit), new ones a free index, preferring one never used
 * (a miss). DMABUF passes each memory plane's fd with the plane's offset as
 * data_offset (multi-planar queues); USERPTR passes a mapping of the
 * buffer's dma-bufs that the queue keeps per index (so that the same
 * dma-bufs on the same index come at the same address, which lets the
 * kernel reuse its import; kept, with a reference on the dma-bufs, until
 * another buffer takes the index or zcbuf_queue_release()), or the memory
 * of zcbuf_buffer_wrap_memory() (the cache keys it by address and length). A
 * copying output queue copies the frame into a driver buffer first. The
 * buffer must stay alive, with no CPU access open, until zcbuf_queue_get()
 * returns it.
 * @param queue The queue.
 * @param buf The buffer; it must fit the queue (zcbuf_queue_check_buffer()).
 * @param bytesused Output queues: bytes of payload per memory plane after
 *        the plane's offset, 0 for all of sizeimage; ignored for capture.
 * @return The V4L2 index (>= 0); -EBUSY when every index is queued or a
 *         CPU access is open; -EXDEV on an MMAP queue that was not set up to
 *         copy; -EINVAL (also: ordinary memory on a DMABUF queue); or
 *         VIDIOC_QBUF's negative errno (-EFAULT: the kernel cannot pin the
 *         USERPTR range).
 */
ZCBUF_API int zcbuf_queue_put(struct zcbuf_queue *queue, struct zcbuf_buffer *buf,
			      uint32_t bytesused);

/**
 * @brief Queue the driver's own buffer @p index on an MMAP queue.
 * @param queue The queue.
 * @param index The buffer.
 * @param bytesused Output queues: payload bytes, 0 for all; ignored for capture.
 * @return The index, or -EINVAL, -EBUSY (already queued) or VIDIOC_QBUF's errno.
 */
ZCBUF_API int zcbuf_queue_put_index(struct zcbuf_queue *queue, unsigned int index,
				    uint32_t bytesused);

/**
 * @brief Export the MMAP buffer @p index as dma-bufs (zcbuf_v4l2_export()).
 * @param queue An MMAP queue.
 * @param index The buffer.
 * @param buf Receives a buffer of the exported dma-bufs; free it with
 *        zcbuf_buffer_free().
 * @return 0 or what zcbuf_v4l2_export() returns.
 */
ZCBUF_API int zcbuf_queue_export(struct zcbuf_queue *queue, unsigned int index,
				 struct zcbuf_buffer **buf);

/** A buffer the driver gave back. */
struct zcbuf_frame {
	struct zcbuf_buffer *buf; /**< what zcbuf_queue_put() took; NULL for put_index */
	uint32_t index;		  /**< the V4L2 index */
	uint32_t sequence;	  /**< the driver's frame counter */
	uint32_t flags;		  /**< V4L2_BUF_FLAG_* */
	uint32_t num_mem_planes;  /**< memory planes */
	uint32_t bytesused[ZCBUF_MAX_PLANES];	/**< per memory plane, data_offset included */
	uint32_t data_offset[ZCBUF_MAX_PLANES]; /**< per memory plane */
	uint64_t timestamp_ns;	  /**< the buffer's timestamp */
};

/**
 * @brief Wait for and dequeue a buffer (poll, VIDIOC_DQBUF).
 *
 * On a copying capture queue the frame is copied into the buffer that was
 * put, between DMA_BUF_IOCTL_SYNC calls, and counted.
 * @param queue A streaming queue.
 * @param timeout_ms How long to wait, -1 for ever.
 * @param frame Receives the buffer.
 * @return 0; -ETIMEDOUT; -EIO when the driver flagged the buffer
 *         V4L2_BUF_FLAG_ERROR (@p frame is filled, the buffer is back);
 *         or the negative errno of poll or VIDIOC_DQBUF (-ENODEV: gone).
 */
ZCBUF_API int zcbuf_queue_get(struct zcbuf_queue *queue, int timeout_ms,
			      struct zcbuf_frame *frame);

/** A queue's counters since its last setup. */
struct zcbuf_queue_stats {
	uint64_t queued;	/**< VIDIOC_QBUF calls that succeeded */
	uint64_t dequeued;	/**< VIDIOC_DQBUF calls that succeeded */
	uint64_t cache_hits;	/**< puts whose dma-bufs (or memory range) had their index already */
	uint64_t cache_misses;	/**< puts that gave the dma-bufs (or memory range) an index */
	uint64_t copied_frames;	/**< frames copied (copying queues only) */
	uint64_t copied_bytes;	/**< bytes copied */
};

/**
 * @brief The queue's counters.
 * @param queue The queue.
 * @param stats Receives them.
 * @return 0 or -EINVAL.
 */
ZCBUF_API int zcbuf_queue_get_stats(const struct zcbuf_queue *queue,
				    struct zcbuf_queue_stats *stats);

/* ---- Checksums ------------------------------------------------------------ */

/**
 * @brief FNV-1a (64 bits) of the buffer's picture, read between
 *        DMA_BUF_IOCTL_SYNC START and END (READ).
 *
 * For a format of the table, the bytes of each colour plane's lines
 * (zcbuf_format_layout() with minimal strides: the picture, not the
 * padding of a larger stride), plane after plane; for raw bytes, the whole
 * plane. A packed picture without padding hashes like its bytes in a row.
 * The buffer is mapped if it was not.
 * @param buf The buffer, without a CPU access open.
 * @param sum Receives the checksum.
 * @return 0, -EBUSY when a CPU access is open, -EINVAL, or the negative
 *         errno of the mapping or the syncs.
 */
ZCBUF_API int zcbuf_buffer_checksum(struct zcbuf_buffer *buf, uint64_t *sum);

/* ---- Pipelines --------------------------------------------------------------
 *
 * A pipeline moves frames from a capture device through a mem2mem device to
 * a consumer callback: capture -> m2m OUTPUT -> m2m CAPTURE -> consumer. The
 * buffer a frame was captured into is itself queued into the m2m OUTPUT
 * queue (by dma-buf: the index cache keeps it on one index), and comes back
 * to the capture queue once the m2m device has read it. Copies happen only
 * where the configuration allows them (a queue that cannot import), and are
 * counted per stage.
 */

/** A capture -> mem2mem -> consumer pipeline. Opaque. */
struct zcbuf_pipeline;

/** The three queues of a pipeline, in the order frames pass them. */
enum zcbuf_stage {
	ZCBUF_STAGE_CAPTURE = 0,     /**< the capture device's capture queue */
	ZCBUF_STAGE_M2M_OUTPUT = 1,  /**< the m2m device's OUTPUT queue (its input) */
	ZCBUF_STAGE_M2M_CAPTURE = 2, /**< the m2m device's CAPTURE queue (its result) */
};
/** How many stages a pipeline has. */
#define ZCBUF_STAGES 3

/** Flags of struct zcbuf_pipeline_config. */
enum zcbuf_pipeline_flags {
	/** Queues that cannot import may copy (ZCBUF_SETUP_ALLOW_COPY); else strict. */
	ZCBUF_PIPELINE_ALLOW_COPY = 1u << 0,
};

/** What a pipeline is made of. Zero fields take the defaults said. */
struct zcbuf_pipeline_config {
	const char *capture;	 /**< capture device: path or name (zcbuf_device_open()) */
	const char *m2m;	 /**< mem2mem device: path or name */
	/**
	 * Where the buffers come from: "v4l2" for the devices' own MMAP
	 * buffers (the capture device's, exported with VIDIOC_EXPBUF, go to
	 * the m2m OUTPUT queue; the m2m device's own hold its results), or a
	 * zcbuf_alloc() source ("heap:system", "heap:cma", "udmabuf",
	 * "drm:vgem", ...) that allocates the buffers of the capture and the
	 * m2m CAPTURE queue.
	 */
	const char *source;
	/** How the capture queue takes the buffers: AUTO, DMABUF or USERPTR (not with "v4l2"). */
	enum zcbuf_memory capture_memory;
	/** How the m2m queues take them: AUTO, DMABUF, USERPTR, or MMAP (copies: needs ALLOW_COPY). */
	enum zcbuf_memory m2m_memory;
	struct zcbuf_format format; /**< of every queue; the m2m device must keep it */
	unsigned int num_buffers;   /**< per queue, 2 to 32; 0: 4 */
	/** Frames per second asked of the capture device (VIDIOC_S_PARM; the driver picks the nearest); 0: its own rate */
	unsigned int fps;
	int timeout_ms;		    /**< longest wait for one buffer; 0: 10000 */
	unsigned int flags;	    /**< enum zcbuf_pipeline_flags */
};

/** One stage's counters and how its queue takes buffers. */
struct zcbuf_stage_stats {
	struct zcbuf_queue_stats queue; /**< frames, cache hits/misses, copies */
	enum zcbuf_memory memory;	/**< the memory type in use */
	int copying;			/**< 1 when the queue copies frames (MMAP stands in) */
	char exporter[32];		/**< the exporter of the buffers put ("" for MMAP by index) */
};

/** A pipeline's counters since it was made. */
struct zcbuf_pipeline_stats {
	uint64_t frames;	 /**< frames given to the consumer */
	uint64_t elapsed_ns;	 /**< streaming time of all zcbuf_pipeline_run() calls */
	double fps;		 /**< frames per second of streaming time; 0 before any */
	uint64_t copied_frames;	 /**< all stages' copies */
	uint64_t copied_bytes;	 /**< all stages' bytes copied */
	struct zcbuf_stage_stats stage[ZCBUF_STAGES]; /**< enum zcbuf_stage */
};

/**
 * @brief The consumer: called once per frame out of the m2m device.
 *
 * @p buf holds the result (the m2m CAPTURE buffer) until the callback
 * returns; read it between zcbuf_buffer_begin_cpu() and
 * zcbuf_buffer_end_cpu() (or with zcbuf_buffer_checksum()), and end every
 * CPU access before returning.
 * @param arg The argument given to zcbuf_pipeline_run().
 * @param buf The frame.
 * @param frame How the m2m device gave it back (index, sequence, bytesused).
 * @param n The frame's number in this run, from 0.
 * @return 0 to go on, > 0 to end the run early (successfully), or a
 *         negative errno to fail it with that errno.
 */
typedef int (*zcbuf_pipeline_consumer)(void *arg, struct zcbuf_buffer *buf,
				       const struct zcbuf_frame *frame, uint64_t n);

/**
 * @brief Make a pipeline: open both devices, set @p cfg's format on their
 *        queues, allocate the buffers and set each queue up (probing the
 *        imports as zcbuf_queue_setup() does).
 *
 * Afterwards zcbuf_pipeline_get_stats() already tells the memory type each
 * queue uses, and zcbuf_pipeline_get_device() gives the devices, to set
 * controls before running.
 * @param ctx The context.
 * @param cfg The configuration.
 * @param pipe Receives the pipeline.
 * @return 0; -EXDEV when a queue cannot import the buffers and copies are
 *         not allowed (the message names the queue and each refusal);
 *         -EINVAL for a bad configuration; or what opening, setting the
 *         format, allocating or setting up returned. Nothing is left open.
 */
ZCBUF_API int zcbuf_pipeline_new(struct zcbuf_ctx *ctx, const struct zcbuf_pipeline_config *cfg,
				 struct zcbuf_pipeline **pipe);

/**
 * @brief Free a pipeline: stop and release its queues, close the devices,
 *        free the buffers. Errors of a device that vanished are ignored.
 * @param pipe The pipeline; NULL is ignored.
 */
ZCBUF_API void zcbuf_pipeline_free(struct zcbuf_pipeline *pipe);

/**
 * @brief Stream @p frames frames to @p consumer, then stop.
 *
 * Queues every buffer, starts the three queues, and per frame: dequeues a
 * captured buffer, queues it into the m2m OUTPUT queue, dequeues the m2m
 * result and gives it to the consumer, queues the result buffer again, and
 * gives the m2m device's input buffer back to the capture queue. All queues
 * are stopped on return, whatever happened.
 * @param pipe The pipeline.
 * @param frames How many frames (>= 1).
 * @param consumer The callback, or NULL to drop the frames.
 * @param arg Its argument.
 * @return 0 after @p frames frames (or when the consumer ended the run);
 *         the consumer's negative errno; -ETIMEDOUT when a queue gave no
 *         buffer within the timeout; -ENODEV when a device vanished; or
 *         another negative errno of a queue, with the stage in the message.
 */
ZCBUF_API int zcbuf_pipeline_run(struct zcbuf_pipeline *pipe, uint64_t frames,
				 zcbuf_pipeline_consumer consumer, void *arg);

/**
 * @brief The pipeline's counters and each stage's memory type.
 * @param pipe The pipeline.
 * @param stats Receives them.
 * @return 0 or -EINVAL.
 */
ZCBUF_API int zcbuf_pipeline_get_stats(const struct zcbuf_pipeline *pipe,
				       struct zcbuf_pipeline_stats *stats);

/**
 * @brief The device of a stage (the capture device, or the m2m device for
 *        both m2m stages), for its info or controls of your own.
 * @param pipe The pipeline.
 * @param stage The stage.
 * @param dev Receives the device; it lives as long as @p pipe.
 * @return 0 or -EINVAL.
 */
ZCBUF_API int zcbuf_pipeline_get_device(struct zcbuf_pipeline *pipe, enum zcbuf_stage stage,
					struct zcbuf_device **dev);

/**
 * @brief "capture", "m2m-output", "m2m-capture".
 * @param stage The stage.
 * @return A static string; "unknown" for other values.
 */
ZCBUF_API const char *zcbuf_stage_name(enum zcbuf_stage stage);

#ifdef __cplusplus
}
#endif

#endif /* ZCBUF_ZCBUF_H */
