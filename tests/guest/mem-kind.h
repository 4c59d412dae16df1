/* SPDX-License-Identifier: MIT */
/*
 * Memory for USERPTR cases, by kind (malloc, memfd, system dma-heap, vgem
 * through the card, another vivid's vmalloc MMAP buffer, the ivshmem-iopfn
 * BAR), what QBUF of each does on each kernel, and the dma-bufs debugfs
 * lists: shared by userptr-lifetime, errinj, badinput, faultinj and races.
 */
#ifndef ZCBUF_MEM_KIND_H
#define ZCBUF_MEM_KIND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest-util.h"

/* Every kind's buffer: the test frame's pages. */
#define BUF_LEN (FRAME_PAGES * PAGE)

enum kernel { STOCK, PATCHED, NKERNELS };

enum kind { K_MALLOC, K_MEMFD, K_HEAP, K_VGEM, K_VIVID, K_IVSHMEM, NKINDS };

/* QBUF of the kind, as the USERPTR matrix's cap-vmalloc column says. */
enum qbuf_expect { Q_OK, Q_EFAULT, Q_NODRV };

struct kind_info {
	const char *name;
	const char *what;
	/* How the memory is reached once the queued mapping is gone. */
	const char *other_path;
	enum qbuf_expect qbuf[NKERNELS];
};

extern const char *const kernel_names[NKERNELS];
extern const struct kind_info kinds[NKINDS];
/* The vivid instance whose MMAP buffer K_VIVID lends (vb2-vmalloc). */
extern int mem_vivid_source;

/*
 * Before the first setup_kind(): malloc gets mappings of its own, and of
 * the first two vb2-vmalloc vivid instances the second lends K_VIVID's
 * buffer. Returns the first (the instance to test on), or -1 when fewer
 * than two exist; how many were found goes to @found.
 */
int mem_kinds_prepare(int *found);

struct dmabuf_entry {
	unsigned long ino;
	char exporter[32];
};

#define MAX_DMABUFS 256
struct dmabuf_list {
	int n;
	struct dmabuf_entry e[MAX_DMABUFS];
};

/* What a case may not leave behind: the FOLL_PIN counters and dma-bufs. */
struct leak_mark {
	long long acquired, released;
	bool bufinfo_ok;
	struct dmabuf_list before;
};

/* /sys/kernel/debug/dma_buf/bufinfo: 0 or -errno. */
int read_bufinfo(struct dmabuf_list *l);
/* How many of @now are not in @before; their exporters into @names. */
int new_dmabufs(const struct dmabuf_list *before, const struct dmabuf_list *now,
		char *names, size_t len);
/* Note the counters and the listed dma-bufs before a case. */
void leak_mark_begin(struct leak_mark *m);
/*
 * After the case's processes are gone: true when the pins balance over the
 * case and no dma-buf it made is still listed. A last fput may come late (a
 * child forked by the case may still hold the file): up to 2 s. What was
 * seen goes to @text.
 */
bool leak_mark_end(struct leak_mark *m, char *text, size_t len);

/*
 * The queued range [uptr, uptr + FRAME_SIZE) lies in the mapping [map,
 * map + map_len). fd is the exporter's (memfd, dma-buf, vgem card, the
 * other vivid's node), its buffer at fd_off in a mapping of it; -1: none.
 */
struct lmem {
	enum kind kind;
	uint8_t *map;
	size_t map_len;
	bool mapped;
	unsigned long uptr;
	int fd;
	off_t fd_off;
	bool dmabuf;		/* fd is a dma-buf: sync around CPU access */
	bool huge;		/* setup_huge()'s: unmapped on release */
	uint32_t gem_handle;	/* K_VGEM: the dumb buffer's handle on fd */
};

/* Where the queued range starts in the mapping. */
size_t range_off(const struct lmem *m);
/* DMA_BUF_IOCTL_SYNC start or end, for reading or also writing. */
void sync_fd(int fd, bool start, bool write);
/* Map BUF_LEN bytes of @fd at @off shared into @m. 0, or -1 with why in @err. */
int map_shared(struct lmem *m, int fd, off_t off, char *err, size_t len);
/*
 * Allocate and map the memory of @kind. 0, or -1 with why in @err. K_MALLOC
 * needs mem_kinds_prepare() (or badinput's mallopt) first: a mapping of its own.
 */
int setup_kind(enum kind kind, struct lmem *m, char *err, size_t len);
/*
 * Anonymous private memory in one transparent huge page (MADV_HUGEPAGE),
 * the range at its start: physically contiguous, so that a dma-contig queue
 * without an IOMMU can take it pinned. Kind K_MALLOC: ordinary memory.
 * 0, or -1 with why in @err.
 */
int setup_huge(struct lmem *m, char *err, size_t len);
/*
 * A new dma-buf fd (O_CLOEXEC) of the memory's exporter: the heap's or the
 * BAR's dma-buf again, the vgem buffer through PRIME, the vivid buffer
 * through VIDIOC_EXPBUF. -EOPNOTSUPP for malloc and memfd, or -errno.
 */
int export_dmabuf(const struct lmem *m);
/* Release the exporter's side: the mapping and the fd, when still there. */
void release_mem(struct lmem *m);

#endif
