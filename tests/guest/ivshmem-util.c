// SPDX-License-Identifier: MIT
/* The ivshmem-iopfn driver from userspace: see ivshmem-util.h. */
#include <dirent.h>
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

int ivshmem_open(char *pci_addr, size_t len)
{
	char link[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int fd = -ENODEV;

	d = opendir("/sys/class/misc");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "ivshmem", 7))
			continue;
		snprintf(path, sizeof(path), "/sys/class/misc/%s/device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		snprintf(pci_addr, len, "%s", strrchr(link, '/') + 1);
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
		break;
	}
	closedir(d);
	return fd;
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

	if (pid == 0)
		_exit(write_file(IVSHMEM_DRIVER_DIR "/unbind", pci_addr) ? 1 : 0);
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
