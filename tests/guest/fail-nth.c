// SPDX-License-Identifier: MIT
/* fail-nth fault injection (fail-nth.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#include "fail-nth.h"
#include "guest-util.h"

/* failslab and fail_page_alloc must not skip allocations that may sleep. */
static const char *const fault_knobs[] = {
	"/sys/kernel/debug/failslab", "/sys/kernel/debug/fail_page_alloc",
	"/sys/kernel/debug/fail_usercopy",
};

/* The thread's CPUs before fault_injection_start() kept it on one. */
static cpu_set_t saved_cpus;
static bool pinned;

/*
 * DMA-API debugging tracks the memory a device may write in a radix tree
 * whose nodes it allocates atomically, and when that fails it switches
 * itself off for the rest of the boot ("cacheline tracking ENOMEM,
 * dma-debug disabled"): every later suite would run unchecked. A failed
 * atomic radix-tree allocation in a task takes a node from its CPU's
 * preload pool instead, so keep that pool full on the one CPU the thread
 * runs on: creating an IPC id preloads it (ipc_addid(): idr_preload()).
 */
static void preload_radix_tree_nodes(void)
{
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);

	if (id >= 0)
		semctl(id, 0, IPC_RMID);
}

int fault_injection_start(void)
{
	char path[128];
	unsigned int i;
	cpu_set_t one;
	int cpu = sched_getcpu(), nth;

	pinned = false;
	if (cpu >= 0 && !sched_getaffinity(0, sizeof(saved_cpus), &saved_cpus)) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = !sched_setaffinity(0, sizeof(one), &one);
	}

	for (i = 0; i < sizeof(fault_knobs) / sizeof(fault_knobs[0]); i++) {
		snprintf(path, sizeof(path), "%s/verbose", fault_knobs[i]);
		write_file(path, "0");
		if (i < 2) {	/* fail_usercopy has no ignore-gfp-wait */
			snprintf(path, sizeof(path), "%s/ignore-gfp-wait", fault_knobs[i]);
			write_file(path, "N");
		}
	}
	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth < 0 && pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	return nth;
}

void fault_injection_stop(int nth)
{
	char path[128];
	unsigned int i;

	close(nth);
	if (pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	pinned = false;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/ignore-gfp-wait", fault_knobs[i]);
		write_file(path, "Y");
	}
}

/* Arm fault point n; returns false when arming failed. */
bool fault_arm(int nth, int n)
{
	char num[16];

	preload_radix_tree_nodes();
	snprintf(num, sizeof(num), "%d", n);
	return pwrite(nth, num, strlen(num), 0) > 0;
}

/* Disarm; returns true when the armed fault was injected. */
bool fault_disarm(int nth)
{
	char left[16] = "";
	bool injected;

	if (pread(nth, left, sizeof(left) - 1, 0) < 0)
		return false;
	injected = atoi(left) == 0;
	/* a fault still armed would hit whatever the caller does next */
	if (pwrite(nth, "0", 1, 0) != 1 && !injected)
		fprintf(stderr, "fail-nth: cannot disarm: %s\n", strerror(errno));
	return injected;
}

bool dma_api_debug_on(void)
{
	char text[8] = "";

	/* No DMA-API debugging at all: nothing was switched off. */
	if (read_file("/sys/kernel/debug/dma-api/disabled", text, sizeof(text)))
		return true;
	return text[0] == 'N';
}
