// SPDX-License-Identifier: MIT
/* fail-nth fault injection (fail-nth.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail-nth.h"
#include "guest-util.h"

/* failslab and fail_page_alloc must not skip allocations that may sleep. */
static const char *const fault_knobs[] = {
	"/sys/kernel/debug/failslab", "/sys/kernel/debug/fail_page_alloc",
	"/sys/kernel/debug/fail_usercopy",
};

int fault_injection_start(void)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(fault_knobs) / sizeof(fault_knobs[0]); i++) {
		snprintf(path, sizeof(path), "%s/verbose", fault_knobs[i]);
		write_file(path, "0");
		if (i < 2) {	/* fail_usercopy has no ignore-gfp-wait */
			snprintf(path, sizeof(path), "%s/ignore-gfp-wait", fault_knobs[i]);
			write_file(path, "N");
		}
	}
	return open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

void fault_injection_stop(int nth)
{
	char path[128];
	unsigned int i;

	close(nth);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/ignore-gfp-wait", fault_knobs[i]);
		write_file(path, "Y");
	}
}

/* Arm fault point n; returns false when arming failed. */
bool fault_arm(int nth, int n)
{
	char num[16];

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
