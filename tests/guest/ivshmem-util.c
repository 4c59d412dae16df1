// SPDX-License-Identifier: MIT
/* The ivshmem-iopfn driver from userspace: see ivshmem-util.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ivshmem-iopfn.h>
#include "guest-util.h"
#include "ivshmem-util.h"

struct pci_addr_out {
	char *addr;
	size_t len;
};

/* An ivshmem node: note the PCI address its device link ends in. */
static bool is_ivshmem(const char *path, void *arg)
{
	struct pci_addr_out *out = arg;
	char link[PATH_MAX], file[PATH_MAX];
	ssize_t n;

	if (strncmp(strrchr(path, '/') + 1, "ivshmem", 7))
		return false;
	snprintf(file, sizeof(file), "%s/device", path);
	n = readlink(file, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	snprintf(out->addr, out->len, "%s", strrchr(link, '/') + 1);
	return true;
}

int ivshmem_open(char *pci_addr, size_t len)
{
	struct pci_addr_out out = { pci_addr, len };

	return open_class_node("/sys/class/misc", is_ivshmem, &out);
}

int ivshmem_export(int dev, uint32_t flags)
{
	struct ivshmem_iopfn_export arg = { .flags = flags };

	if (ioctl(dev, IVSHMEM_IOPFN_IOC_EXPORT, &arg))
		return -errno;
	return arg.fd;
}

pid_t ivshmem_unbind_start(const char *pci_addr)
{
	pid_t pid = fork();

	if (pid == 0) {
		/*
		 * Hold none of the caller's files: a video node or dma-buf the
		 * caller closes during the unbind must be released then, not
		 * when this child exits after the unbind.
		 */
		close_range(3, ~0U, 0);
		_exit(write_file(IVSHMEM_DRIVER_DIR "/unbind", pci_addr) ? 1 : 0);
	}
	return pid;
}

int ivshmem_unbind_wait(pid_t pid, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	int status;

	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
		usleep(20000);
	} while (now_ms() < end);
	return -1;
}

pid_t ivshmem_unbind_timed(const char *pci_addr, int timeout_ms, int *waited,
			   double *ms)
{
	double t0 = now_ms();
	pid_t pid = ivshmem_unbind_start(pci_addr);

	*waited = ivshmem_unbind_wait(pid, timeout_ms);
	*ms = now_ms() - t0;
	return pid;
}

void ivshmem_unbind_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int ivshmem_rebind(const char *pci_addr)
{
	char addr[64];
	int fd, i;

	if (write_file(IVSHMEM_DRIVER_DIR "/bind", pci_addr))
		return -1;
	for (i = 0; i < 100; i++) {
		fd = ivshmem_open(addr, sizeof(addr));
		if (fd >= 0)
			return fd;
		usleep(20000);
	}
	return -1;
}

int ivshmem_unbind_bound_ms(const char *pci_addr, int *dev)
{
	int waited;
	double ms;
	pid_t pid;

	close(*dev);
	pid = ivshmem_unbind_timed(pci_addr, 10000, &waited, &ms);
	if (waited) {
		if (waited < 0)
			ivshmem_unbind_kill(pid);
		*dev = -1;
		return -1;
	}
	*dev = ivshmem_rebind(pci_addr);
	return *dev < 0 ? -1 : 2 * (int)ms + 1000;
}
