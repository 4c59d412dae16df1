/* SPDX-License-Identifier: MIT */
/*
 * The ivshmem-iopfn driver from userspace: its device node, dma-bufs of the
 * BAR, and revoking them all by unbinding the driver (which blocks while an
 * importer that cannot be told still maps the BAR) and binding it again.
 */
#ifndef ZCBUF_IVSHMEM_UTIL_H
#define ZCBUF_IVSHMEM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IVSHMEM_DRIVER_DIR "/sys/bus/pci/drivers/ivshmem_iopfn"

/*
 * Open /dev/ivshmemN and store the PCI address of its device in @pci_addr
 * (@len bytes): an fd or a negative errno.
 */
int ivshmem_open(char *pci_addr, size_t len);
/* IVSHMEM_IOPFN_IOC_EXPORT with file @flags: a dma-buf fd or -errno. */
int ivshmem_export(int dev, uint32_t flags);
/*
 * Unbind the driver from @pci_addr in a child process, which closes the
 * file descriptors it inherits: its pid or -1.
 */
pid_t ivshmem_unbind_start(const char *pci_addr);
/*
 * Wait up to @timeout_ms for the unbind child: 0 when the unbind worked, 1
 * when it failed, 2 when the child died, -1 while it still runs.
 */
int ivshmem_unbind_wait(pid_t pid, int timeout_ms);
/*
 * Unbind the driver of @pci_addr and wait up to @timeout_ms: returns the
 * unbind child, *waited as ivshmem_unbind_wait() said, *ms how long it took.
 */
pid_t ivshmem_unbind_timed(const char *pci_addr, int timeout_ms, int *waited,
			   double *ms);
/* Kill an unbind child that still runs and reap it. */
void ivshmem_unbind_kill(pid_t pid);
/* Bind the driver to @pci_addr again and open the new node: fd or -1. */
int ivshmem_rebind(const char *pci_addr);
/*
 * How long an unbind that waits for no userspace may take on this machine:
 * twice an unbind of the idle device (measured by closing *@dev, unbinding,
 * rebinding and opening it again into *@dev), plus a second. A fixed
 * wall-clock limit is met or missed by how loaded the host running the
 * guest is; a wait for userspace is unbounded, so it still shows. Returns
 * the bound in ms, or -1 (then *@dev may be -1) if the idle unbind failed.
 */
int ivshmem_unbind_bound_ms(const char *pci_addr, int *dev);

#endif
