/* SPDX-License-Identifier: MIT */
/*
 * Fault injection through /proc/thread-self/fail-nth: the n-th fault point
 * (slab, page allocator, usercopy) this thread reaches after arming fails.
 * Shared by the IO-PFN export/probe sweeps and the USERPTR import sweep.
 */
#ifndef ZCBUF_FAIL_NTH_H
#define ZCBUF_FAIL_NTH_H

#include <stdbool.h>

/*
 * Let slab and page allocations that may sleep fail too, quietly, and keep
 * the thread on the CPU it runs on until fault_injection_stop() (see
 * fault_arm()): the fail-nth fd, or -1 when the kernel has no fail-nth.
 * One thread of a process at a time.
 */
int fault_injection_start(void);
/* Close @nth and restore the defaults and the thread's CPUs. */
void fault_injection_stop(int nth);
/*
 * Arm fault point @n, first making sure that a fault the call meets in
 * DMA-API debugging's own bookkeeping cannot switch it off (fail-nth.c);
 * false when arming failed.
 */
bool fault_arm(int nth, int n);
/* Disarm; true when the armed fault was injected (the call reached point n). */
bool fault_disarm(int nth);

/* DMA-API debugging is still on (or the kernel has none to switch off). */
bool dma_api_debug_on(void);

#endif
