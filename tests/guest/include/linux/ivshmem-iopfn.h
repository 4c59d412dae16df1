/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Userspace interface of the ivshmem-iopfn driver: the shared memory of a
 * QEMU ivshmem-plain device, handed out as dma-bufs.
 */
#ifndef _UAPI_LINUX_IVSHMEM_IOPFN_H
#define _UAPI_LINUX_IVSHMEM_IOPFN_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct ivshmem_iopfn_info - argument of %IVSHMEM_IOPFN_IOC_INFO
 * @size: out: size of the shared memory, in bytes
 * @reserved: out: zero
 */
struct ivshmem_iopfn_info {
	__u64 size;
	__u64 reserved[3];
};

/**
 * struct ivshmem_iopfn_export - argument of %IVSHMEM_IOPFN_IOC_EXPORT
 * @flags: in: flags of the new file descriptor: O_RDONLY or O_RDWR (a
 *	dma-buf that can be mapped writable), and O_CLOEXEC; nothing else
 * @fd: out: a dma-buf of the whole shared memory
 * @reserved: in: must be zero (-EINVAL otherwise), for later extensions
 */
struct ivshmem_iopfn_export {
	__u32 flags;
	__s32 fd;
	__u64 reserved[3];
};

#define IVSHMEM_IOPFN_IOC_MAGIC		0xB8
/* Size of the shared memory. */
#define IVSHMEM_IOPFN_IOC_INFO \
	_IOR(IVSHMEM_IOPFN_IOC_MAGIC, 0, struct ivshmem_iopfn_info)
/* A new dma-buf of the shared memory; ENODEV once the device is gone. */
#define IVSHMEM_IOPFN_IOC_EXPORT \
	_IOWR(IVSHMEM_IOPFN_IOC_MAGIC, 1, struct ivshmem_iopfn_export)

#endif /* _UAPI_LINUX_IVSHMEM_IOPFN_H */
