// SPDX-License-Identifier: MIT
/*
 * In-guest test of vfio's type1 IOMMU driver against dma-buf mappings
 * (suite "vfio", on tests/vm/run --iommu: q35 with QEMU's intel-iommu and
 * its "edu" device, which can do DMA, bound to vfio-pci by the suite).
 *
 * Type1 maps a VM_PFNMAP user mapping into the IOMMU by the PFNs it looks
 * up, with no MMU notifier: for the mmap of a revocable dma-buf (the
 * ivshmem-iopfn BAR) those PFNs would outlive the revocation. The zcbuf
 * series refuses such mappings (EFAULT); everything else type1 did stays.
 * VFIO_IOMMU_MAP_DMA of
 *
 *  - anonymous memory succeeds, and edu's DMA through the IOMMU copies part
 *    of its first page to its second: vfio and the vIOMMU work at all;
 *  - the mmap of an ivshmem-iopfn dma-buf fails with EFAULT;
 *  - vfio's own mmap of edu's BAR 0 (VM_PFNMAP, not a dma-buf: peer-to-peer)
 *    succeeds;
 *  - the mmap of a system dma-heap buffer fails with EFAULT on every 6.1
 *    kernel: the heap maps RAM pages with remap_pfn_range() (VM_PFNMAP), GUP
 *    refuses that, and type1 then maps only PFNs without a struct page or of
 *    reserved pages (is_invalid_reserved_pfn()); the zcbuf kernel refuses
 *    it one step earlier, as a dma-buf mapping.
 *
 * Then, with the anonymous memory and edu's BAR still mapped, unbinding
 * ivshmem-iopfn (the revocation) ends within a second, and edu's DMA from
 * the IOVA the BAR was offered at does not read the BAR's contents. The
 * unbind's time alone cannot tell: type1 holds no reference on the PFNs it
 * maps, so the unbind ends quickly either way. The DMA can: on a kernel
 * that mapped the BAR's PFNs it reads the BAR after the revocation. On the
 * zcbuf kernel that read faults in the IOMMU ("DMAR: ... fault addr" in the
 * kernel log, and QEMU says so on its stderr, by design).
 *
 * Usage: vfio-dmabuf EDU_PCI_ADDR [--skip-ivshmem REASON]. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "guest-util.h"
#include "ivshmem-util.h"
#include "tap.h"

/* IOVAs: below 256 MiB, edu's DMA mask (QEMU clamps wider addresses). */
#define IOVA_ANON	0x00100000ULL	/* 2 pages: DMA source, DMA target */
#define IOVA_IVSHMEM	0x01000000ULL	/* where the BAR's dma-buf is offered */
#define IOVA_EDU_BAR	0x04000000ULL
#define IOVA_HEAP	0x05000000ULL
#define HEAP_SIZE	(64 * 1024)

/* QEMU's hw/misc/edu.c (docs/specs/edu.rst): BAR 0 registers. */
#define EDU_IDENT	0x00	/* 0xRRrr00ed: major, minor version */
#define EDU_LIVENESS	0x04	/* reads back inverted */
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_RUN	0x1	/* set to start, clear when done */
#define EDU_DMA_TO_BUS	0x2	/* from edu's buffer to a bus address; else the reverse */
/*
 * edu's 4 KiB DMA buffer is at this address on the device's side only. A
 * DMA outside it aborts QEMU (hw_error), and QEMU 7.2's range check is off
 * by one (it refuses a transfer that ends at the buffer's end): every
 * transfer is the buffer's first half.
 */
#define EDU_BUF		0x40000
#define EDU_XFER	2048

struct vfio {
	int container, group, device;
	off_t config;		/* offset of the config space region */
	volatile uint8_t *bar;	/* vfio's mmap of edu's BAR 0 */
	size_t bar_size;
};

static char edu_addr[64], ivshmem_addr[64];

/* ---- vfio --------------------------------------------------------------- */

static int region_info(int device, uint32_t index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
}

/*
 * Container, group and device of edu (already bound to vfio-pci), with
 * type1v2: 0, or -1 with what failed in @why.
 */
static int vfio_open(struct vfio *v, char *why, size_t len)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info info;
	char path[PATH_MAX], link[PATH_MAX];
	int type = VFIO_TYPE1v2_IOMMU;
	ssize_t n;

	/* The group the IOMMU put edu in: only with a working vIOMMU. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", edu_addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return snprintf(why, len, "no IOMMU group: %s", strerror(errno)), -1;
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		return snprintf(why, len, "/dev/vfio/vfio: %s", strerror(errno)), -1;
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(v->container, VFIO_CHECK_EXTENSION, type) != 1)
		return snprintf(why, len, "no vfio API %d with type1v2", VFIO_API_VERSION), -1;
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		return snprintf(why, len, "%s: %s", path, strerror(errno)), -1;
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return snprintf(why, len, "group %s not viable (another device in it?)", path), -1;
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) ||
	    ioctl(v->container, VFIO_SET_IOMMU, type))
		return snprintf(why, len, "setting up the type1v2 container: %s",
				strerror(errno)), -1;
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, edu_addr);
	if (v->device < 0)
		return snprintf(why, len, "VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno)), -1;

	if (region_info(v->device, VFIO_PCI_CONFIG_REGION_INDEX, &info))
		return snprintf(why, len, "no config space region"), -1;
	v->config = info.offset;
	if (region_info(v->device, VFIO_PCI_BAR0_REGION_INDEX, &info) ||
	    !(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return snprintf(why, len, "BAR 0 cannot be mmapped"), -1;
	v->bar_size = info.size;
	v->bar = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		      info.offset);
	if (v->bar == MAP_FAILED) {
		v->bar = NULL;
		return snprintf(why, len, "mmap of BAR 0: %s", strerror(errno)), -1;
	}
	snprintf(why, len, "group %s", path);
	return 0;
}

/* Memory decoding and bus mastering on: edu's DMA goes nowhere without. */
static int vfio_enable_dma(const struct vfio *v)
{
	uint16_t cmd;
	off_t off = v->config + PCI_COMMAND;

	if (pread(v->device, &cmd, sizeof(cmd), off) != sizeof(cmd))
		return -1;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(v->device, &cmd, sizeof(cmd), off) != sizeof(cmd))
		return -1;
	return 0;
}

/* VFIO_IOMMU_MAP_DMA, readable and writable by the device: 0 or -errno. */
static int dma_map(const struct vfio *v, const void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

/* VFIO_IOMMU_UNMAP_DMA: how many bytes it unmapped, or -errno. */
static long long dma_unmap(const struct vfio *v, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size;
}

/* ---- edu ---------------------------------------------------------------- */

static uint32_t edu_read32(const struct vfio *v, unsigned int reg)
{
	return *(volatile uint32_t *)(v->bar + reg);
}

static void edu_write32(const struct vfio *v, unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(v->bar + reg) = val;
}

static void edu_write64(const struct vfio *v, unsigned int reg, uint64_t val)
{
	*(volatile uint64_t *)(v->bar + reg) = val;
}

/*
 * One DMA of EDU_XFER bytes between edu's buffer and @iova, towards the
 * bus when @to_bus: 0, or -ETIMEDOUT when the device never finished (QEMU
 * runs it from a 100 ms timer).
 */
static int edu_dma(const struct vfio *v, uint64_t iova, bool to_bus)
{
	double end = now_ms() + 5000;

	edu_write64(v, EDU_DMA_SRC, to_bus ? EDU_BUF : iova);
	edu_write64(v, EDU_DMA_DST, to_bus ? iova : EDU_BUF);
	edu_write64(v, EDU_DMA_CNT, EDU_XFER);
	edu_write64(v, EDU_DMA_CMD, EDU_DMA_RUN | (to_bus ? EDU_DMA_TO_BUS : 0));
	while (edu_read32(v, EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

/* Copy EDU_XFER bytes from IOVA @src to IOVA @dst through edu's buffer. */
static int edu_copy(const struct vfio *v, uint64_t src, uint64_t dst)
{
	int ret = edu_dma(v, src, false);

	return ret ? ret : edu_dma(v, dst, true);
}

/* ---- the cases ---------------------------------------------------------- */

static const char *map_result(int ret)
{
	return ret ? errname(-ret) : "mapped";
}

/* A mapping type1 must refuse: when it did not, take it out again. */
static void expect_efault(const struct vfio *v, int ret, uint64_t iova, uint64_t size,
			  const char *what)
{
	tap_result(ret == -EFAULT, "%s: MAP_DMA fails with EFAULT (%s)", what, map_result(ret));
	if (ret == 0 && dma_unmap(v, iova, size) != (long long)size)
		tap_diag("%s: and UNMAP_DMA did not unmap all of it", what);
}

/* A system dma-heap buffer's mmap: RAM, mapped VM_PFNMAP by the heap. */
static void test_heap(const struct vfio *v)
{
	const char *what = "system dma-heap buffer mmap (VM_PFNMAP of RAM)";
	int buf = heap_alloc("system", HEAP_SIZE);
	void *map;

	if (buf < 0) {
		tap_result(false, "%s: allocation failed (%s)", what, errname(-buf));
		return;
	}
	map = mmap(NULL, HEAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (map == MAP_FAILED) {
		tap_result(false, "%s: mmap failed (%s)", what, errname(errno));
	} else {
		expect_efault(v, dma_map(v, map, IOVA_HEAP, HEAP_SIZE), IOVA_HEAP,
			      HEAP_SIZE, what);
		munmap(map, HEAP_SIZE);
	}
	close(buf);
}

struct ivshmem {
	int dev, buf;
	uint8_t *map;
	size_t size;
	bool in_iommu;		/* type1 mapped it: the bug this test is for */
	int unbind_bound_ms;	/* ivshmem_unbind_bound_ms() */
};

/* The BAR's pattern, unlike anything else the device copies. */
static uint8_t bar_byte(size_t i)
{
	return canary(i) ^ 0x3c;
}

/* Export the BAR, write a pattern into its first page, offer it to type1. */
static int test_ivshmem_map(const struct vfio *v, struct ivshmem *iv)
{
	const char *what = "ivshmem-iopfn dma-buf mmap (the BAR, VM_PFNMAP)";
	off_t size;
	size_t i;
	int ret;

	iv->dev = ivshmem_open(ivshmem_addr, sizeof(ivshmem_addr));
	if (iv->dev >= 0)
		iv->unbind_bound_ms = ivshmem_unbind_bound_ms(ivshmem_addr, &iv->dev);
	iv->buf = iv->dev < 0 ? iv->dev : ivshmem_export(iv->dev, O_RDWR | O_CLOEXEC);
	if (iv->buf < 0) {
		tap_result(false, "%s: no dma-buf of the BAR (%s)", what, errname(-iv->buf));
		goto fail;
	}
	size = lseek(iv->buf, 0, SEEK_END);
	iv->size = size > 0 ? size : 0;
	iv->map = size <= 0 ? MAP_FAILED :
		  mmap(NULL, iv->size, PROT_READ | PROT_WRITE, MAP_SHARED, iv->buf, 0);
	if (iv->map == MAP_FAILED) {
		tap_result(false, "%s: mmap of %lld bytes failed (%s)", what,
			   (long long)size, errname(errno));
		goto fail;
	}
	for (i = 0; i < EDU_XFER; i++)
		iv->map[i] = bar_byte(i);
	/* Offered at one IOVA for the whole dma-buf; kept if type1 takes it. */
	ret = dma_map(v, iv->map, IOVA_IVSHMEM, iv->size);
	iv->in_iommu = ret == 0;
	tap_result(ret == -EFAULT, "%s: MAP_DMA fails with EFAULT (%s)", what, map_result(ret));
	return 0;
fail:
	if (iv->buf >= 0)
		close(iv->buf);
	if (iv->dev >= 0)
		close(iv->dev);
	return -1;
}

/*
 * Revoke the BAR while type1 maps the anonymous memory and edu's BAR; then
 * let edu read from the IOVA the BAR was offered at, into the anonymous
 * memory's second page: the BAR's pattern must not arrive there.
 */
static void test_ivshmem_revoke(const struct vfio *v, struct ivshmem *iv, uint8_t *anon)
{
	const char *what = "unbind of ivshmem-iopfn while vfio maps anonymous memory and edu's BAR";
	uint8_t *got = anon + PAGE;
	bool seen = true;
	double ms;
	int waited, ret;
	pid_t pid;
	size_t i;

	pid = ivshmem_unbind_timed(ivshmem_addr, 10000, &waited, &ms);
	tap_result(waited == 0 && ms < iv->unbind_bound_ms, "%s: ends within %d ms (%s, %.0f ms)",
		   what, iv->unbind_bound_ms,
		   waited == 0 ? "unbound" : waited < 0 ? "still running" : "failed", ms);
	if (waited < 0)
		ivshmem_unbind_kill(pid);

	memset(got, 0, PAGE);
	ret = edu_copy(v, IOVA_IVSHMEM, IOVA_ANON + PAGE);
	for (i = 0; i < EDU_XFER; i++)
		seen &= got[i] == bar_byte(i);
	tap_result(ret == 0 && !seen,
		   "after the revocation, edu's DMA from IOVA %#llx does not reach the BAR (%s)",
		   IOVA_IVSHMEM, ret ? errname(-ret) :
		   seen ? "it read the BAR's contents: its PFNs outlived the revocation" :
		   "nothing of the BAR arrived");

	if (iv->in_iommu && dma_unmap(v, IOVA_IVSHMEM, iv->size) != (long long)iv->size)
		tap_diag("UNMAP_DMA of the BAR's IOVA did not unmap all of it");
	munmap(iv->map, iv->size);
	close(iv->buf);
	close(iv->dev);
	iv->dev = ivshmem_rebind(ivshmem_addr);
	tap_result(iv->dev >= 0, "rebinding ivshmem-iopfn brings its device node back");
	if (iv->dev >= 0)
		close(iv->dev);
}

int main(int argc, char **argv)
{
	struct ivshmem iv = { .dev = -1, .buf = -1 };
	struct vfio v = { .container = -1, .group = -1, .device = -1 };
	const char *skip_ivshmem = NULL;
	char why[PATH_MAX + 128];
	uint32_t ident, live;
	uint8_t *anon;
	size_t i;
	int ret, bar_ret;
	bool same;

	if (argc == 4 && !strcmp(argv[2], "--skip-ivshmem"))
		skip_ivshmem = argv[3];
	else if (argc != 2)
		return fprintf(stderr, "usage: %s EDU_PCI_ADDR [--skip-ivshmem REASON]\n",
			       argv[0]), 2;
	snprintf(edu_addr, sizeof(edu_addr), "%s", argv[1]);
	printf("TAP version 13\n");

	ret = vfio_open(&v, why, sizeof(why));
	if (!tap_result(ret == 0, "vfio: edu %s in a type1v2 container (%s)", edu_addr, why))
		return tap_done();
	/* Before touching the BAR: vfio's mmap faults SIGBUS while decoding is off. */
	if (!tap_result(vfio_enable_dma(&v) == 0,
			"memory decoding and bus mastering on through vfio's config space"))
		return tap_done();
	ident = edu_read32(&v, EDU_IDENT);
	edu_write32(&v, EDU_LIVENESS, 0x5a5a1234);
	live = edu_read32(&v, EDU_LIVENESS);
	tap_result((ident & 0xff) == 0xed && live == ~0x5a5a1234u,
		   "vfio's mmap of BAR 0 reaches edu (ident %#x, liveness %#x)", ident, live);

	/* Control: anonymous memory maps, and the device really uses the IOMMU. */
	anon = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* The unbind forks: keep this pinned memory out of the child. */
	if (anon == MAP_FAILED || madvise(anon, 2 * PAGE, MADV_DONTFORK))
		return tap_result(false, "anonymous memory: mmap, madvise: %s",
				  strerror(errno)), tap_done();
	for (i = 0; i < PAGE; i++)
		anon[i] = canary(i);
	memset(anon + PAGE, 0, PAGE);
	ret = dma_map(&v, anon, IOVA_ANON, 2 * PAGE);
	if (!tap_result(ret == 0, "anonymous memory: MAP_DMA succeeds (%s)", map_result(ret)))
		return tap_done();
	ret = edu_copy(&v, IOVA_ANON, IOVA_ANON + PAGE);
	same = ret == 0 && !memcmp(anon, anon + PAGE, EDU_XFER);
	tap_result(same, "anonymous memory: edu's DMA through the IOMMU copies %d bytes of "
		   "page 0 to page 1 (%s)", EDU_XFER, ret ? errname(-ret) : same ? "same" : "differ");

	if (skip_ivshmem)
		tap_result(true, "ivshmem-iopfn dma-buf mmap (the BAR): MAP_DMA fails with EFAULT # SKIP %s",
			   skip_ivshmem);
	else if (test_ivshmem_map(&v, &iv))
		skip_ivshmem = "no mapping of the BAR";

	bar_ret = dma_map(&v, (void *)v.bar, IOVA_EDU_BAR, v.bar_size);
	tap_result(bar_ret == 0,
		   "vfio's mmap of edu's BAR 0 (VM_PFNMAP, no dma-buf): MAP_DMA succeeds (%s)",
		   map_result(bar_ret));
	test_heap(&v);

	if (skip_ivshmem) {
		tap_result(true, "unbind of ivshmem-iopfn while vfio maps memory: ends within 1 s # SKIP %s",
			   skip_ivshmem);
		tap_result(true, "after the revocation, edu's DMA does not reach the BAR # SKIP %s",
			   skip_ivshmem);
	} else {
		test_ivshmem_revoke(&v, &iv, anon);
	}

	tap_result(dma_unmap(&v, IOVA_ANON, 2 * PAGE) == (long long)(2 * PAGE),
		   "anonymous memory: UNMAP_DMA unmaps all of it");
	if (bar_ret == 0)
		tap_result(dma_unmap(&v, IOVA_EDU_BAR, v.bar_size) == (long long)v.bar_size,
			   "edu's BAR 0: UNMAP_DMA unmaps all of it");
	munmap(anon, 2 * PAGE);
	munmap((void *)v.bar, v.bar_size);
	close(v.device);
	close(v.group);
	close(v.container);
	return tap_done();
}
