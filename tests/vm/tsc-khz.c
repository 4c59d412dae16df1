// SPDX-License-Identifier: MIT
/*
 * Print the host's TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW.
 *
 * Under TCG the guest's TSC is the host's (QEMU reads it with rdtsc), but
 * the guest cannot calibrate it: the emulated PIT is too jittery and the
 * test guest has no HPET or ACPI PM timer. Linux then marks the TSC
 * unstable and keeps time with jiffies, so CLOCK_MONOTONIC advances in
 * 4 ms steps and buffers queued within one tick share a timestamp
 * (v4l2-compliance matches m2m buffers by timestamp). tests/vm/run hands
 * this value to the guest as tsc_early_khz=.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int main(void)
{
	const struct timespec interval = { .tv_nsec = 200 * 1000 * 1000 };
	uint64_t t0 = now_ns(), c0 = __rdtsc();
	uint64_t t1, c1;

	nanosleep(&interval, NULL);
	t1 = now_ns();
	c1 = __rdtsc();
	if (t1 <= t0 || c1 <= c0) {
		fprintf(stderr, "tsc-khz: TSC or clock did not advance\n");
		return 1;
	}
	printf("%llu\n", (unsigned long long)((c1 - c0) * 1000000u / (t1 - t0)));
	return 0;
}
