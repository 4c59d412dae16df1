// SPDX-License-Identifier: MIT
/* Memory for USERPTR cases, by kind: see mem-kind.h. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include <linux/ivshmem-iopfn.h>
#include "mem-kind.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

const char *const kernel_names[NKERNELS] = { "stock", "patched" };

const struct kind_info kinds[NKINDS] = {
	[K_MALLOC] = { "malloc", "malloc(3) memory", NULL, { Q_OK, Q_OK } },
	[K_MEMFD] = { "memfd", "memfd MAP_SHARED", "pread of the memfd",
		      { Q_OK, Q_OK } },
	[K_HEAP] = { "heap-system", "system dma-heap buffer, mmap of its fd",
		     "a second mapping of the dma-buf", { Q_EFAULT, Q_OK } },
	[K_VGEM] = { "vgem-dumb", "vgem dumb buffer, mmap through the card",
		     "a second mapping through the card", { Q_EFAULT, Q_OK } },
	[K_VIVID] = { "vivid-vmalloc", "another vivid's vmalloc MMAP buffer",
		      "a second mapping of that buffer", { Q_OK, Q_OK } },
	[K_IVSHMEM] = { "ivshmem", "ivshmem-iopfn dma-buf mmap (PCI BAR)",
			"a second mapping of the dma-buf", { Q_NODRV, Q_OK } },
};

int mem_vivid_source = -1;

int mem_kinds_prepare(int *found)
{
	int inst[2];

	/* K_MALLOC: a mapping of its own, not a piece of the heap. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	*found = vivid_instances(0, inst, 2);
	if (*found < 2)
		return -1;
	mem_vivid_source = inst[1];
	return inst[0];
}

int read_bufinfo(struct dmabuf_list *l)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	char line[512], exp[32];
	unsigned long ino;
	unsigned int flags, mode;
	size_t size;
	long count;

	l->n = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%zu\t%x\t%x\t%ld\t%31[^\t]\t%lu", &size, &flags, &mode,
			   &count, exp, &ino) != 6 || l->n == MAX_DMABUFS)
			continue;
		l->e[l->n].ino = ino;
		snprintf(l->e[l->n].exporter, sizeof(l->e[0].exporter), "%s", exp);
		l->n++;
	}
	fclose(f);
	return 0;
}

int new_dmabufs(const struct dmabuf_list *before, const struct dmabuf_list *now,
		char *names, size_t len)
{
	int i, j, n = 0;
	size_t used = 0;

	names[0] = '\0';
	for (i = 0; i < now->n; i++) {
		for (j = 0; j < before->n && before->e[j].ino != now->e[i].ino; j++)
			;
		if (j < before->n)
			continue;
		n++;
		if (used < len)
			used += snprintf(names + used, len - used, "%s%s", used ? "," : "",
					 now->e[i].exporter);
	}
	return n;
}

void leak_mark_begin(struct leak_mark *m)
{
	read_pins(&m->acquired, &m->released);
	m->bufinfo_ok = !read_bufinfo(&m->before);
}

bool leak_mark_end(struct leak_mark *m, char *text, size_t len)
{
	struct dmabuf_list *after = malloc(sizeof(*after));
	char left[128] = "";
	long long a = 0, r = 0;
	int n_left = 0, waited;
	bool ok = m->bufinfo_ok && after;

	for (waited = 0; ok && waited <= 2000; waited += 100) {
		if (read_bufinfo(after))
			ok = false;
		n_left = ok ? new_dmabufs(&m->before, after, left, sizeof(left)) : 0;
		read_pins(&a, &r);
		a -= m->acquired;
		r -= m->released;
		if (!n_left && a == r)
			break;
		usleep(100 * 1000);
	}
	free(after);
	snprintf(text, len, "FOLL_PIN +%lld/-%lld, %s%s%s", a, r,
		 !ok ? "bufinfo unreadable" : n_left ? "dma-bufs left: " : "no dma-buf left",
		 n_left ? left : "", waited ? " (after a wait)" : "");
	return ok && !n_left && a == r;
}

size_t range_off(const struct lmem *m)
{
	return m->uptr - (unsigned long)m->map;
}

void sync_fd(int fd, bool start, bool write)
{
	dmabuf_sync(fd, (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
			(write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ));
}

int map_shared(struct lmem *m, int fd, off_t off, char *err, size_t len)
{
	void *p = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		snprintf(err, len, "mmap: %s", errname(errno));
		return -1;
	}
	m->map = p;
	m->map_len = BUF_LEN;
	m->mapped = true;
	m->uptr = (unsigned long)p;
	m->fd = fd;
	m->fd_off = off;
	return 0;
}

static int setup_vivid(struct lmem *m, char *err, size_t len)
{
	struct v4l2_buffer buf = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	int vid = open_vivid(mem_vivid_source), ret;

	if (vid < 0) {
		snprintf(err, len, "open vivid-%03d: %s", mem_vivid_source, errname(-vid));
		return -1;
	}
	ret = vid_set_format(vid, CAP);
	if (!ret)
		ret = vid_reqbufs(vid, CAP, V4L2_MEMORY_MMAP, 1, NULL);
	if (!ret && ioctl(vid, VIDIOC_QUERYBUF, &buf))
		ret = -errno;
	if (ret) {
		snprintf(err, len, "vivid-%03d MMAP buffer: %s", mem_vivid_source, errname(-ret));
		return -1;
	}
	return map_shared(m, vid, buf.m.offset, err, len);
}

static int setup_vgem(struct lmem *m, char *err, size_t len)
{
	struct drm_mode_map_dumb map = { 0 };
	int card = open_vgem(), ret;
	uint64_t size;

	if (card < 0) {
		snprintf(err, len, "no vgem card");
		return -1;
	}
	ret = vgem_create_dumb(card, FRAME_PAGES, &map.handle, &size);
	if (ret || size < BUF_LEN || drmIoctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		snprintf(err, len, "vgem dumb buffer: %s", errname(ret ? -ret : errno));
		return -1;
	}
	m->gem_handle = map.handle;
	return map_shared(m, card, map.offset, err, len);
}

static int setup_ivshmem(struct lmem *m, char *err, size_t len)
{
	struct ivshmem_iopfn_export exp = { .flags = O_RDWR | O_CLOEXEC };
	int dev = open("/dev/ivshmem0", O_RDWR | O_CLOEXEC);

	if (dev < 0 || ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, &exp)) {
		snprintf(err, len, "ivshmem-iopfn export: %s", errname(errno));
		return -1;
	}
	close(dev);
	m->dmabuf = true;
	return map_shared(m, exp.fd, 0, err, len);
}

int setup_kind(enum kind kind, struct lmem *m, char *err, size_t len)
{
	int fd;

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->fd = -1;
	switch (kind) {
	case K_MALLOC: {
		uint8_t *p = malloc(FRAME_SIZE);

		if (!p) {
			snprintf(err, len, "malloc failed");
			return -1;
		}
		/* A block of its own mapping (mem_kinds_prepare() sets M_MMAP_THRESHOLD). */
		if (((unsigned long)p & (PAGE - 1)) != 2 * sizeof(size_t)) {
			snprintf(err, len, "malloc gave %p, not the start of a mapping", p);
			return -1;
		}
		m->uptr = (unsigned long)p;
		m->map = (uint8_t *)(m->uptr & ~(PAGE - 1));
		m->map_len = ((m->uptr + FRAME_SIZE + PAGE - 1) & ~(PAGE - 1)) -
			     (unsigned long)m->map;
		m->mapped = true;
		return 0;
	}
	case K_MEMFD:
		fd = memfd_create("userptr-lifetime", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, BUF_LEN)) {
			snprintf(err, len, "memfd: %s", errname(errno));
			return -1;
		}
		return map_shared(m, fd, 0, err, len);
	case K_HEAP:
		fd = heap_alloc("system", BUF_LEN);
		if (fd < 0) {
			snprintf(err, len, "system dma-heap: %s", errname(-fd));
			return -1;
		}
		m->dmabuf = true;
		return map_shared(m, fd, 0, err, len);
	case K_VGEM:
		return setup_vgem(m, err, len);
	case K_VIVID:
		return setup_vivid(m, err, len);
	case K_IVSHMEM:
		return setup_ivshmem(m, err, len);
	case NKINDS:
		break;
	}
	return -1;
}

int setup_huge(struct lmem *m, char *err, size_t len)
{
	uint8_t *p = map_hpage_aligned(HPAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1);

	memset(m, 0, sizeof(*m));
	m->kind = K_MALLOC;
	m->fd = -1;
	if (!p || madvise(p, HPAGE, MADV_HUGEPAGE)) {
		snprintf(err, len, "huge page mapping: %s", errname(errno));
		if (p)
			munmap(p, HPAGE);
		return -1;
	}
	/* The first touch faults the huge page in. */
	memset(p, 0, FRAME_SIZE);
	m->map = p;
	m->map_len = HPAGE;
	m->mapped = true;
	m->huge = true;
	m->uptr = (unsigned long)p;
	return 0;
}

int export_dmabuf(const struct lmem *m)
{
	struct v4l2_exportbuffer exp = { .type = CAP, .flags = O_RDWR | O_CLOEXEC };
	int fd;

	switch (m->kind) {
	case K_HEAP:
	case K_IVSHMEM:
		fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	case K_VGEM:
		return drmPrimeHandleToFD(m->fd, m->gem_handle, DRM_CLOEXEC | DRM_RDWR, &fd) ?
		       -errno : fd;
	case K_VIVID:
		return ioctl(m->fd, VIDIOC_EXPBUF, &exp) ? -errno : exp.fd;
	default:
		return -EOPNOTSUPP;
	}
}

void release_mem(struct lmem *m)
{
	bool mapped = m->mapped;

	/* Said first: a thread racing with this one skips the memory then. */
	__atomic_store_n(&m->mapped, false, __ATOMIC_RELAXED);
	if (mapped && (m->kind != K_MALLOC || m->huge))
		munmap(m->map, m->map_len);
	/* malloc: never freed, its block may be unmapped */
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}
