// SPDX-License-Identifier: MIT
/*
 * bench-exec OUT CMD [ARG...]: run CMD (its output goes to OUT) and print
 * what it cost, as one TSV line:
 *
 *   exit WALL_MS GUEST_CPU_MS PROC_USER_MS PROC_SYS_MS MAXRSS_KB PEAK_DMABUF_KB
 *
 * GUEST_CPU_MS is user+nice+system+irq+softirq of every CPU from /proc/stat
 * over the run (vivid's and vim2m's kernel threads included); PROC_* and
 * MAXRSS_KB are the command's own (wait4). PEAK_DMABUF_KB is the largest
 * total size of the dma-bufs in /sys/kernel/debug/dma_buf/bufinfo, sampled
 * every 200 ms (0 when debugfs has none).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Busy jiffies of all CPUs, in ms. */
static double guest_cpu_ms(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
		   &iowait, &irq, &softirq);
	fclose(f);
	if (n != 7)
		return 0;
	return (user + nice + sys + irq + softirq) * 1000.0 / sysconf(_SC_CLK_TCK);
}

/* Sum of the sizes bufinfo lists, in KiB. */
static unsigned long long dmabuf_kb(void)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	unsigned long long size, total = 0;
	char line[512];

	if (!f)
		return 0;
	/* object lines start with the size in bytes (a number with leading zeros) */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu\t", &size) == 1 && line[0] == '0')
			total += size;
	fclose(f);
	return total / 1024;
}

int main(int argc, char **argv)
{
	unsigned long long peak = 0, kb;
	double t0, cpu0;
	struct rusage ru;
	int status, fd;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OUT CMD [ARG...]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	t0 = now_ms();
	cpu0 = guest_cpu_ms();
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		dup2(fd, 1);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	for (;;) {
		pid_t w = wait4(pid, &status, WNOHANG, &ru);

		kb = dmabuf_kb();
		if (kb > peak)
			peak = kb;
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return 2;
		usleep(200000);
	}
	printf("%d\t%.0f\t%.0f\t%.0f\t%.0f\t%ld\t%llu\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       now_ms() - t0, guest_cpu_ms() - cpu0,
	       ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
	       ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3, ru.ru_maxrss, peak);
	return 0;
}
