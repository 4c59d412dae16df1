// SPDX-License-Identifier: MIT
/*
 * Buffers: a format and its planes in dma-bufs; CPU mappings whose every
 * access is bracketed by DMA_BUF_IOCTL_SYNC; names. A buffer of ordinary
 * process memory (zcbuf_buffer_wrap_memory) has one memory plane without an
 * fd: its "mapping" is the caller's memory, and it has nothing to sync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>

#include "private.h"

/* One dma-buf of the buffer (a memory plane). */
struct zc_mem {
	int fd;
	uint64_t size;		/* the dma-buf's */
	uint64_t end;		/* where its last plane ends: the mapping's length */
	void *map;
	struct zc_dmabuf_id id;	/* for the V4L2 index cache */
	char exporter[32];
	bool exporter_known;	/* read from fdinfo when first asked: wraps happen per frame */
};

struct zcbuf_buffer {
	struct zcbuf_ctx *ctx;
	struct zcbuf_format fmt;
	unsigned int num_planes, num_mem;
	struct zcbuf_plane plane[ZCBUF_MAX_PLANES];
	unsigned int plane_mem[ZCBUF_MAX_PLANES];
	struct zc_mem mem[ZCBUF_MAX_PLANES];
	bool mapped, writable;
	bool ordinary;		/* process memory, no dma-buf: mem[0] is the caller's */
	unsigned int access;	/* the open CPU access, 0 if none */
	int name_err;		/* -ENODATA: never named; 0: named; else the ioctl's */
	char name[DMA_BUF_NAME_LEN];
};

/* Is @fd a dma-buf? Its size and whether it was opened read-write. */
static int check_dmabuf(struct zcbuf_ctx *ctx, int fd, unsigned int plane, uint64_t *size,
			bool *writable, struct zc_dmabuf_id *id)
{
	struct statfs sfs;
	struct stat st;
	off_t end;
	int fl;

	if (fd < 0)
		return zc_fail_msg(ctx, EBADF, "buffer: plane %u: fd %d is not a file descriptor",
				   plane, fd);
	if (fstatfs(fd, &sfs))
		return zc_fail(ctx, errno, "buffer: plane %u: fstatfs on fd %d", plane, fd);
	if ((uint32_t)sfs.f_type != DMA_BUF_MAGIC)
		return zc_fail_msg(ctx, EINVAL, "buffer: plane %u: fd %d is not a dma-buf "
				   "(file system magic 0x%lx, not DMA_BUF_MAGIC)", plane, fd,
				   (unsigned long)sfs.f_type);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return zc_fail(ctx, errno, "buffer: plane %u: lseek to the end of dma-buf fd %d",
			       plane, fd);
	lseek(fd, 0, SEEK_SET);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return zc_fail(ctx, errno, "buffer: plane %u: F_GETFL on dma-buf fd %d", plane, fd);
	if (fstat(fd, &st))
		return zc_fail(ctx, errno, "buffer: plane %u: fstat on dma-buf fd %d", plane, fd);
	*size = (uint64_t)end;
	*writable = (fl & O_ACCMODE) == O_RDWR;
	*id = (struct zc_dmabuf_id){ (uint64_t)st.st_dev, (uint64_t)st.st_ino };
	return 0;
}

/* A plane of a format in the table must hold what the layout asks. */
static int check_planes(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
			const struct zcbuf_plane *planes, unsigned int n)
{
	const struct zcbuf_format_info *f;
	struct zcbuf_layout l;
	uint32_t strides[ZCBUF_MAX_PLANES] = { 0 };
	unsigned int p;
	int ret;

	if (!fmt->fourcc) {
		if (n != 1)
			return zc_fail_msg(ctx, EINVAL, "buffer: raw bytes come in one plane, "
					   "not %u", n);
		return 0;
	}
	if (zcbuf_format_info_get(fmt->fourcc, &f))
		return 0;	/* not ours to check: the device's own format */
	if (n != f->num_planes)
		return zc_fail_msg(ctx, EINVAL, "buffer: %s has %u planes, not %u", f->name,
				   f->num_planes, n);
	for (p = 0; p < n; p++)
		if (p == 0 || f->num_mem_planes > 1)
			strides[p] = planes[p].stride;
	ret = zcbuf_format_layout(ctx, fmt, strides, &l);
	if (ret)
		return ret;
	for (p = 0; p < n; p++) {
		if (planes[p].stride != l.plane[p].stride)
			return zc_fail_msg(ctx, EINVAL, "buffer: %s %ux%u plane %u: stride %u, the "
					   "layout says %u", f->name, fmt->width, fmt->height, p,
					   planes[p].stride, l.plane[p].stride);
		if (planes[p].length < l.plane[p].size)
			return zc_fail_msg(ctx, EINVAL, "buffer: %s %ux%u plane %u: %llu bytes, it "
					   "needs %llu", f->name, fmt->width, fmt->height, p,
					   (unsigned long long)planes[p].length,
					   (unsigned long long)l.plane[p].size);
	}
	return 0;
}

/*
 * The checks every buffer passes, and *@b: a buffer of @fmt without memory
 * yet, for the caller's result @out (only checked here).
 */
static int buffer_start(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
			const struct zcbuf_plane *planes, unsigned int num_planes,
			struct zcbuf_buffer **out, struct zcbuf_buffer **bp)
{
	static const struct zcbuf_format raw;
	struct zcbuf_buffer *b;
	unsigned int m;
	int ret;

	if (!planes || !out)
		return zc_fail_msg(ctx, EINVAL, "buffer: no planes or no result (NULL)");
	if (!num_planes || num_planes > ZCBUF_MAX_PLANES)
		return zc_fail_msg(ctx, EINVAL, "buffer: %u planes (1 to %d)", num_planes,
				   ZCBUF_MAX_PLANES);
	if (!fmt)
		fmt = &raw;
	ret = check_planes(ctx, fmt, planes, num_planes);
	if (ret)
		return ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return zc_fail(ctx, ENOMEM, "buffer");
	b->fmt = *fmt;
	b->num_planes = num_planes;
	b->name_err = -ENODATA;
	b->writable = true;
	for (m = 0; m < ZCBUF_MAX_PLANES; m++)
		b->mem[m].fd = -1;
	*bp = b;
	return 0;
}

int zc_buffer_new(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
		  const struct zcbuf_plane *planes, unsigned int num_planes, bool fds_owned,
		  struct zcbuf_buffer **out)
{
	struct zcbuf_buffer *b;
	unsigned int first[ZCBUF_MAX_PLANES]; /* each memory plane's first plane */
	unsigned int p, m;
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = buffer_start(ctx, fmt, planes, num_planes, out, &b);
	if (ret)
		return ret;

	for (p = 0; p < num_planes; p++) {
		const struct zcbuf_plane *pl = &planes[p];
		bool writable = false;
		uint64_t end;

		for (m = 0; m < b->num_mem; m++)
			if (planes[first[m]].fd == pl->fd)
				break;
		if (m == b->num_mem) {
			struct zc_mem *mem = &b->mem[m];

			ret = check_dmabuf(ctx, pl->fd, p, &mem->size, &writable, &mem->id);
			if (ret)
				goto fail;
			if (fds_owned) {
				mem->fd = pl->fd;
			} else {
				mem->fd = fcntl(pl->fd, F_DUPFD_CLOEXEC, 0);
				if (mem->fd < 0) {
					ret = zc_fail(ctx, errno, "buffer: plane %u: dup of dma-buf "
						      "fd %d", p, pl->fd);
					goto fail;
				}
			}
			first[m] = p;
			b->num_mem++;
			b->writable &= writable;
		}
		if (!pl->length || __builtin_add_overflow(pl->offset, pl->length, &end) ||
		    end > b->mem[m].size) {
			ret = zc_fail_msg(ctx, EINVAL, "buffer: plane %u (offset %llu, %llu bytes) "
					  "is %s the dma-buf of fd %d (%llu bytes)", p,
					  (unsigned long long)pl->offset,
					  (unsigned long long)pl->length,
					  pl->length ? "outside" : "empty in", pl->fd,
					  (unsigned long long)b->mem[m].size);
			goto fail;
		}
		if (end > b->mem[m].end)
			b->mem[m].end = end;
		b->plane[p] = *pl;
		b->plane[p].fd = b->mem[m].fd;
		b->plane_mem[p] = m;
	}

	zc_ctx_ref(ctx);
	b->ctx = ctx;
	*out = b;
	return 0;
fail:
	if (!fds_owned)
		for (m = 0; m < b->num_mem; m++)
			close(b->mem[m].fd);
	free(b);
	return ret;
}

int zcbuf_buffer_wrap(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt,
		      const struct zcbuf_plane *planes, unsigned int num_planes,
		      struct zcbuf_buffer **buf)
{
	return zc_buffer_new(ctx, fmt, planes, num_planes, false, buf);
}

/* Each plane of a memory buffer has no fd and lies inside the memory. */
static int check_memory_planes(struct zcbuf_ctx *ctx, const struct zcbuf_plane *planes,
			       unsigned int n, uint64_t size, uint64_t *used)
{
	unsigned int p;

	*used = 0;
	for (p = 0; p < n; p++) {
		const struct zcbuf_plane *pl = &planes[p];
		uint64_t end;

		if (pl->fd != -1)
			return zc_fail_msg(ctx, EINVAL, "memory buffer: plane %u has fd %d: ordinary "
					   "memory has no dma-buf (fd -1)", p, pl->fd);
		if (!pl->length || __builtin_add_overflow(pl->offset, pl->length, &end) ||
		    end > size)
			return zc_fail_msg(ctx, EINVAL, "memory buffer: plane %u (offset %llu, %llu "
					   "bytes) is %s the memory (%llu bytes)", p,
					   (unsigned long long)pl->offset,
					   (unsigned long long)pl->length,
					   pl->length ? "outside" : "empty in",
					   (unsigned long long)size);
		if (end > *used)
			*used = end;
	}
	return 0;
}

int zcbuf_buffer_wrap_memory(struct zcbuf_ctx *ctx, const struct zcbuf_format *fmt, void *addr,
			     uint64_t size, const struct zcbuf_plane *planes,
			     unsigned int num_planes, struct zcbuf_buffer **buf)
{
	struct zcbuf_buffer *b;
	uintptr_t last;
	uint64_t used;
	unsigned int p;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!addr)
		return zc_fail_msg(ctx, EINVAL, "memory buffer: no memory (NULL)");
	if (!size)
		return zc_fail_msg(ctx, EINVAL, "memory buffer: 0 bytes");
	if (size > UINTPTR_MAX || __builtin_add_overflow((uintptr_t)addr, (uintptr_t)(size - 1),
							 &last))
		return zc_fail_msg(ctx, EINVAL, "memory buffer: %llu bytes at %p run past the end "
				   "of the address space", (unsigned long long)size, addr);
	ret = buffer_start(ctx, fmt, planes, num_planes, buf, &b);
	if (ret)
		return ret;
	ret = check_memory_planes(ctx, planes, num_planes, size, &used);
	if (ret) {
		free(b);
		return ret;
	}
	for (p = 0; p < num_planes; p++) {
		b->plane[p] = planes[p];
		b->plane_mem[p] = 0;
	}
	/* the memory is mapped already, for good: map and unmap only open and close access */
	b->mem[0] = (struct zc_mem){ .fd = -1, .size = size, .end = used, .map = addr };
	snprintf(b->mem[0].exporter, sizeof(b->mem[0].exporter), "%s", ZC_MEMORY_EXPORTER);
	b->mem[0].exporter_known = true;
	b->num_mem = 1;
	b->ordinary = true;
	zc_ctx_ref(ctx);
	b->ctx = ctx;
	*buf = b;
	return 0;
}

int zc_buffer_from_request(struct zcbuf_ctx *ctx, const struct zc_request *req,
			   const int *fds, struct zcbuf_buffer **buf)
{
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	unsigned int p;

	for (p = 0; p < req->layout.num_planes; p++) {
		const struct zcbuf_plane_layout *pl = &req->layout.plane[p];

		planes[p] = (struct zcbuf_plane){
			.fd = fds[pl->mem],
			.stride = pl->stride,
			.offset = pl->offset,
			.length = pl->size,
		};
	}
	return zc_buffer_new(ctx, req->fmt.fourcc ? &req->fmt : NULL, planes,
			     req->layout.num_planes, true, buf);
}

void zcbuf_buffer_free(struct zcbuf_buffer *buf)
{
	unsigned int m;

	if (!buf)
		return;
	zcbuf_buffer_unmap(buf);
	for (m = 0; m < buf->num_mem && !buf->ordinary; m++)
		close(buf->mem[m].fd);
	zcbuf_ctx_free(buf->ctx);
	free(buf);
}

int zcbuf_buffer_get_format(const struct zcbuf_buffer *buf, struct zcbuf_format *fmt)
{
	if (!buf || !fmt)
		return -EINVAL;
	*fmt = buf->fmt;
	return 0;
}

int zcbuf_buffer_num_planes(const struct zcbuf_buffer *buf)
{
	return buf ? (int)buf->num_planes : -EINVAL;
}

int zcbuf_buffer_num_dmabufs(const struct zcbuf_buffer *buf)
{
	if (!buf)
		return -EINVAL;
	return buf->ordinary ? 0 : (int)buf->num_mem;
}

int zcbuf_buffer_get_plane(const struct zcbuf_buffer *buf, unsigned int index,
			   struct zcbuf_plane *plane)
{
	if (!buf || !plane)
		return -EINVAL;
	if (index >= buf->num_planes)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: no plane %u (it has %u)", index,
				   buf->num_planes);
	*plane = buf->plane[index];
	return 0;
}

static int set_name(struct zcbuf_buffer *buf, const char *name)
{
	unsigned int m;

	for (m = 0; m < buf->num_mem; m++) {
		/* 6.1 defines DMA_BUF_SET_NAME as _IOW('b', 1, const char *) */
		if (ioctl(buf->mem[m].fd, DMA_BUF_SET_NAME, name)) {
			buf->name_err = -errno;
			return buf->name_err;
		}
	}
	snprintf(buf->name, sizeof(buf->name), "%s", name);
	buf->name_err = 0;
	return 0;
}

int zcbuf_buffer_set_name(struct zcbuf_buffer *buf, const char *name)
{
	int ret;

	if (!buf)
		return -EINVAL;
	if (!name)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: no name (NULL)");
	if (buf->ordinary)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: ordinary memory has no dma-buf to "
				   "name");
	if (strlen(name) >= DMA_BUF_NAME_LEN)
		return zc_fail_msg(buf->ctx, ENAMETOOLONG, "buffer: name '%s' is %zu bytes, a "
				   "dma-buf name holds at most %d", name, strlen(name),
				   DMA_BUF_NAME_LEN - 1);
	ret = set_name(buf, name);
	if (ret)
		return zc_fail(buf->ctx, -ret, "buffer: DMA_BUF_SET_NAME '%s' on fd %d", name,
			       buf->mem[0].fd);
	return 0;
}

void zc_buffer_name_quietly(struct zcbuf_buffer *buf, const char *source)
{
	char name[DMA_BUF_NAME_LEN];

	snprintf(name, sizeof(name), "zcbuf:%s", source);
	set_name(buf, name);
}

int zcbuf_buffer_get_name(const struct zcbuf_buffer *buf, const char **name)
{
	if (!buf || !name)
		return -EINVAL;
	*name = buf->name_err ? NULL : buf->name;
	return buf->name_err;
}

int zcbuf_buffer_map(struct zcbuf_buffer *buf)
{
	int prot;
	unsigned int m;

	if (!buf)
		return -EINVAL;
	if (buf->mapped || buf->ordinary) {
		buf->mapped = true;
		return 0;
	}
	prot = PROT_READ | (buf->writable ? PROT_WRITE : 0);
	for (m = 0; m < buf->num_mem; m++) {
		struct zc_mem *mem = &buf->mem[m];
		void *p = mmap(NULL, mem->end, prot, MAP_SHARED, mem->fd, 0);

		if (p == MAP_FAILED) {
			int err = errno;

			while (m--) {
				munmap(buf->mem[m].map, buf->mem[m].end);
				buf->mem[m].map = NULL;
			}
			return zc_fail(buf->ctx, err, "buffer: mmap of %llu bytes of dma-buf fd %d "
				       "(%s)", (unsigned long long)mem->end, mem->fd,
				       buf->writable ? "read-write" : "read-only");
		}
		mem->map = p;
	}
	buf->mapped = true;
	return 0;
}

static int sync_one(struct zcbuf_buffer *buf, unsigned int m, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };
	int ret;

	/* ordinary memory: no fd, and V4L2 syncs USERPTR memory at QBUF and DQBUF itself */
	if (buf->ordinary)
		return 0;
	/* begin_cpu_access may wait for fences, interruptibly */
	do {
		ret = ioctl(buf->mem[m].fd, DMA_BUF_IOCTL_SYNC, &sync);
	} while (ret && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static uint64_t sync_dir(unsigned int access)
{
	return (access & ZCBUF_CPU_READ ? DMA_BUF_SYNC_READ : 0) |
	       (access & ZCBUF_CPU_WRITE ? DMA_BUF_SYNC_WRITE : 0);
}

static const char *access_str(unsigned int access)
{
	return access == (ZCBUF_CPU_READ | ZCBUF_CPU_WRITE) ? "READ|WRITE" :
	       access == ZCBUF_CPU_WRITE ? "WRITE" : "READ";
}

int zcbuf_buffer_begin_cpu(struct zcbuf_buffer *buf, unsigned int access)
{
	unsigned int m;
	int ret;

	if (!buf)
		return -EINVAL;
	if (!access || (access & ~(ZCBUF_CPU_READ | ZCBUF_CPU_WRITE)))
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: CPU access 0x%x is not READ, WRITE "
				   "or both", access);
	if (!buf->mapped)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: begin CPU access of a buffer that "
				   "is not mapped (zcbuf_buffer_map)");
	if (buf->access)
		return zc_fail_msg(buf->ctx, EBUSY, "buffer: begin CPU access (%s) while one (%s) "
				   "is open", access_str(access), access_str(buf->access));
	if ((access & ZCBUF_CPU_WRITE) && !buf->writable)
		return zc_fail_msg(buf->ctx, EACCES, "buffer: CPU write access to a read-only "
				   "mapping (a dma-buf fd is not O_RDWR)");
	for (m = 0; m < buf->num_mem; m++) {
		ret = sync_one(buf, m, DMA_BUF_SYNC_START | sync_dir(access));
		if (ret) {
			int fd = buf->mem[m].fd;

			while (m--)
				sync_one(buf, m, DMA_BUF_SYNC_END | sync_dir(access));
			return zc_fail(buf->ctx, -ret, "buffer: DMA_BUF_IOCTL_SYNC START|%s on "
				       "dma-buf fd %d", access_str(access), fd);
		}
	}
	buf->access = access;
	return 0;
}

int zcbuf_buffer_end_cpu(struct zcbuf_buffer *buf)
{
	unsigned int m, access;
	int ret = 0, fd = -1;

	if (!buf)
		return -EINVAL;
	if (!buf->access)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: end CPU access with none open");
	access = buf->access;
	buf->access = 0;
	for (m = 0; m < buf->num_mem; m++) {
		int r = sync_one(buf, m, DMA_BUF_SYNC_END | sync_dir(access));

		if (r && !ret) {
			ret = r;
			fd = buf->mem[m].fd;
		}
	}
	if (ret)
		return zc_fail(buf->ctx, -ret, "buffer: DMA_BUF_IOCTL_SYNC END|%s on dma-buf fd %d",
			       access_str(access), fd);
	return 0;
}

int zcbuf_buffer_unmap(struct zcbuf_buffer *buf)
{
	unsigned int m;
	int ret = 0;

	if (!buf)
		return -EINVAL;
	if (buf->access)
		ret = zcbuf_buffer_end_cpu(buf);
	buf->mapped = false;
	if (buf->ordinary)
		return ret;	/* the caller's memory stays as it is */
	for (m = 0; m < buf->num_mem; m++) {
		if (buf->mem[m].map)
			munmap(buf->mem[m].map, buf->mem[m].end);
		buf->mem[m].map = NULL;
	}
	return ret;
}

int zcbuf_buffer_plane_data(const struct zcbuf_buffer *buf, unsigned int index, void **data)
{
	if (!buf || !data)
		return -EINVAL;
	if (index >= buf->num_planes)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: no plane %u (it has %u)", index,
				   buf->num_planes);
	if (!buf->mapped)
		return zc_fail_msg(buf->ctx, EINVAL, "buffer: plane %u: not mapped "
				   "(zcbuf_buffer_map)", index);
	if (!buf->access)
		return zc_fail_msg(buf->ctx, EPERM, "buffer: plane %u: outside a CPU access "
				   "(zcbuf_buffer_begin_cpu)", index);
	*data = (char *)buf->mem[buf->plane_mem[index]].map + buf->plane[index].offset;
	return 0;
}

int zcbuf_buffer_get_exporter(const struct zcbuf_buffer *buf, const char **name)
{
	struct zc_mem *mem;

	if (!buf || !name)
		return -EINVAL;
	/* a cache filled on demand, not a change of the buffer */
	mem = (struct zc_mem *)&buf->mem[0];
	if (!mem->exporter_known) {
		zc_dmabuf_exporter(mem->fd, mem->exporter, sizeof(mem->exporter));
		mem->exporter_known = true;
	}
	*name = buf->mem[0].exporter;
	return buf->mem[0].exporter[0] ? 0 : -ENODATA;
}

struct zcbuf_ctx *zc_buffer_ctx(const struct zcbuf_buffer *buf)
{
	return buf->ctx;
}

void zc_buffer_mem(const struct zcbuf_buffer *buf, unsigned int m, struct zc_mem_info *mi)
{
	const struct zc_mem *mem = &buf->mem[m];

	*mi = (struct zc_mem_info){ mem->fd, mem->size, mem->end, mem->map, mem->id };
}

unsigned int zc_buffer_plane_mem(const struct zcbuf_buffer *buf, unsigned int p)
{
	return buf->plane_mem[p];
}

unsigned int zc_buffer_num_mem(const struct zcbuf_buffer *buf)
{
	return buf->num_mem;
}

bool zc_buffer_is_ordinary(const struct zcbuf_buffer *buf)
{
	return buf->ordinary;
}

bool zc_buffer_cpu_open(const struct zcbuf_buffer *buf)
{
	return buf->access != 0;
}

void zc_dmabuf_exporter(int fd, char *name, size_t len)
{
	char path[64], line[128];
	FILE *f;

	name[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "exp_name:", 9))
			continue;
		snprintf(name, len, "%s", line + 9 + strspn(line + 9, " \t"));
		name[strcspn(name, "\n")] = '\0';
		break;
	}
	fclose(f);
}

bool zc_exporter_is_cma_heap(const char *exporter)
{
	char path[96];

	/* a dma-heap exports under its own name; every heap but "system" is a CMA area here */
	if (!*exporter || strchr(exporter, '/') || !strcmp(exporter, "system") ||
	    !strncmp(exporter, "system-", 7))
		return false;
	snprintf(path, sizeof(path), "/dev/dma_heap/%s", exporter);
	return !access(path, F_OK);
}
