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
 *   their own (V4L2 NV12M: "memory planes").
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
 * @brief Free a buffer: end a CPU access still open, unmap, close its fds.
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
 * @return 1 to ZCBUF_MAX_PLANES, or -EINVAL if @p buf is NULL.
 */
ZCBUF_API int zcbuf_buffer_num_dmabufs(const struct zcbuf_buffer *buf);

/**
 * @brief One colour plane of the buffer.
 * @param buf The buffer.
 * @param index The plane.
 * @param plane Receives it. The fd stays the buffer's: do not close it;
 *        dup() it to keep it beyond zcbuf_buffer_free().
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
 * @return 0, -ENAMETOOLONG, or the ioctl's negative errno.
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
 * @brief Map the buffer's dma-bufs for the CPU (shared mappings).
 *
 * Read-write if the dma-buf fds were opened O_RDWR, else read-only. The
 * memory is only reachable between zcbuf_buffer_begin_cpu() and
 * zcbuf_buffer_end_cpu(). Mapping a mapped buffer does nothing.
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
 *        on each of the buffer's dma-bufs.
 * @param buf A mapped buffer.
 * @param access ZCBUF_CPU_READ, ZCBUF_CPU_WRITE or both.
 * @return 0; -EINVAL if not mapped or @p access is empty or unknown; -EBUSY
 *         when an access is already open; -EACCES to write a read-only
 *         mapping; or the ioctl's negative errno (nothing stays started).
 */
ZCBUF_API int zcbuf_buffer_begin_cpu(struct zcbuf_buffer *buf, unsigned int access);

/**
 * @brief End CPU access: DMA_BUF_IOCTL_SYNC END in the direction begun.
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

#ifdef __cplusplus
}
#endif

#endif /* ZCBUF_ZCBUF_H */
