// SPDX-License-Identifier: MIT
/*
 * In-guest test: an importer whose DMA mask does not reach IO memory is
 * refused with an errno, never a WARN, and CPU importers still work.
 *
 * The guest of `tests/vm/run --high-mem` has more than 4 GiB of RAM and a
 * 1 GiB ivshmem-plain BAR that fits nowhere below 4 GiB, so the firmware
 * places every 64-bit BAR above it, the ivshmem-iopfn BAR this test uses
 * (/dev/ivshmem0) included. vivid's platform device has a 32-bit DMA mask
 * and no IOMMU is in front of it:
 *
 *  - its vb2-dma-contig instance cannot reach the BAR: queueing the BAR's
 *    dma-buf (DMABUF) or its mapping (USERPTR) fails with EOPNOTSUPP, where
 *    dma-direct would have WARNed and handed out an address the device
 *    cannot use;
 *  - its vb2-vmalloc instance writes through a vmap of the BAR, which no
 *    mask limits: both imports work and the frame lands in the BAR.
 *
 * The kernel log oracle of the runner fails the run on any WARN.
 * Usage: dma-mask. vivid: n_devs=2 allocators=0,1 contig_userptr=0,1.
 * Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "guest-util.h"
#include "ivshmem-util.h"
#include "tap.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define FOUR_GIB (1ULL << 32)

/* The start of BAR 2 of PCI device @addr, from sysfs: 0 when unknown. */
static unsigned long long bar2_start(const char *addr)
{
	unsigned long long start = 0, end, flags;
	char path[128];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", addr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	for (i = 0; i <= 2; i++)
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			start = 0;
	fclose(f);
	return start;
}

/* Queue the BAR on @vid as @memory (a dma-buf fd, or its mapping): 0 or -errno. */
static int queue_bar(int vid, uint32_t memory, int dmabuf, uint8_t *map)
{
	int ret = vid_reqbufs(vid, CAP, memory, 1, NULL);

	if (!ret)
		ret = vid_qbuf(vid, CAP, memory,
			       memory == V4L2_MEMORY_DMABUF ? (unsigned long)dmabuf
							    : (unsigned long)map,
			       FRAME_SIZE);
	return ret;
}

static void release(int vid, uint32_t memory)
{
	vid_stream(vid, CAP, false);
	vid_reqbufs(vid, CAP, memory, 0, NULL);
}

/* The contig instance cannot reach the BAR: refused at QBUF. */
static void refused(int vid, uint32_t memory, const char *mem, int dmabuf, uint8_t *map)
{
	int ret = queue_bar(vid, memory, dmabuf, map);

	tap_result(ret == -EOPNOTSUPP,
		   "vb2-dma-contig (32-bit DMA mask), %s of the BAR: EOPNOTSUPP (%s)", mem,
		   ret ? errname(-ret) : "queued");
	release(vid, memory);
}

/* The vmalloc instance writes through a vmap: the frame lands in the BAR. */
static void captured(int vid, uint32_t memory, const char *mem, int dmabuf, uint8_t *map,
		     const uint8_t *ref)
{
	int ret;

	memset(map, 0, FRAME_SIZE);
	ret = queue_bar(vid, memory, dmabuf, map);
	if (!ret)
		ret = vid_stream(vid, CAP, true);
	if (!ret)
		ret = vid_dqbuf(vid, CAP, memory, 5000, NULL);
	if (ret >= 0)
		ret = dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	tap_result(!ret && !memcmp(map, ref, FRAME_SIZE),
		   "vb2-vmalloc, %s of the BAR: the frame lands in the BAR (%s)", mem,
		   ret ? errname(-ret) : "dequeued");
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	release(vid, memory);
}

int main(void)
{
	char addr[64] = "";
	int dev = ivshmem_open(addr, sizeof(addr));
	int dmabuf = dev >= 0 ? ivshmem_export(dev, O_RDWR | O_CLOEXEC) : -ENODEV;
	unsigned long long bar = dev >= 0 ? bar2_start(addr) : 0;
	uint8_t *ref = malloc(FRAME_SIZE), *map = MAP_FAILED;
	int vmalloc_inst, contig_inst, vm = -1, dc = -1;

	if (!tap_result(dmabuf >= 0, "a dma-buf of the ivshmem BAR (%s)",
			dmabuf < 0 ? errname(-dmabuf) : addr))
		return tap_done();
	tap_result(bar >= FOUR_GIB, "the BAR sits above 4 GiB (0x%llx)", bar);
	map = mmap(NULL, FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	if (vivid_instances(0, &vmalloc_inst, 1) == 1)
		vm = open_vivid(vmalloc_inst);
	if (vivid_instances(1, &contig_inst, 1) == 1)
		dc = open_vivid(contig_inst);
	if (!tap_result(map != MAP_FAILED && ref && vm >= 0 && dc >= 0 &&
			!vid_set_format(dc, CAP) && !vivid_reference_frame(vm, ref),
			"BAR mapped, vivid vb2-vmalloc and vb2-dma-contig capture ready"))
		return tap_done();

	refused(dc, V4L2_MEMORY_DMABUF, "DMABUF", dmabuf, map);
	refused(dc, V4L2_MEMORY_USERPTR, "USERPTR", dmabuf, map);
	captured(vm, V4L2_MEMORY_DMABUF, "DMABUF", dmabuf, map, ref);
	captured(vm, V4L2_MEMORY_USERPTR, "USERPTR", dmabuf, map, ref);

	munmap(map, FRAME_SIZE);
	close(vm);
	close(dc);
	close(dmabuf);
	close(dev);
	free(ref);
	return tap_done();
}
