// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include "guest-util.h"

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *errname(int err)
{
	static char buf[16];

	switch (err) {
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	case EBUSY: return "EBUSY";
	case EINTR: return "EINTR";
	case ENODEV: return "ENODEV";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOVERFLOW: return "EOVERFLOW";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case EMFILE: return "EMFILE";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

void vappendf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t used = strnlen(buf, size);

	if (used < size)
		vsnprintf(buf + used, size - used, fmt, ap);
}

const char *const kernel_variant_names[NKV] = { "stock", "patched", "userptr-off" };

/* The variant called @name, or -1. */
static int variant_named(const char *name)
{
	int i;

	for (i = 0; i < NKV; i++)
		if (!strcmp(name, kernel_variant_names[i]))
			return i;
	/* The series built with KCSAN in place of KASAN behaves as patched. */
	if (!strcmp(name, "kcsan"))
		return KV_PATCHED;
	return -1;
}

enum kernel_variant kernel_variant(const char *arg)
{
	const char *v = arg ? arg : getenv("ZC_KERNEL_VARIANT"), *zc;
	struct utsname u;
	int k;

	if (v && *v) {
		k = variant_named(v);
		if (k >= 0)
			return k;
		fprintf(stderr, "unknown kernel variant \"%s\" (%s): stock, patched, userptr-off or kcsan\n",
			v, arg ? "--kernel" : "ZC_KERNEL_VARIANT");
		exit(2);
	}
	uname(&u);
	zc = strstr(u.release, "-zcbuf");
	if (!zc)
		return KV_STOCK;
	k = !strcmp(zc, "-zcbuf") || !strcmp(zc, "-zcbuf-kcsan") ? KV_PATCHED :
	    !strcmp(zc, "-zcbuf-userptr-off") ? KV_USERPTR_OFF : -1;
	if (k < 0) {
		fprintf(stderr, "Linux %s: which kernel variant is it? Say it with --kernel or ZC_KERNEL_VARIANT\n",
			u.release);
		exit(2);
	}
	return k;
}

bool kernel_is_zcbuf(const char *arg)
{
	return kernel_variant(arg) == KV_PATCHED;
}

int run_in_child(void (*fn)(void *arg, void *out), void *arg, void *out,
		 size_t out_len, int timeout_s, char *wchan, size_t wchan_len,
		 int *status)
{
	struct pollfd pfd;
	int pipefd[2], ret = 0;
	pid_t pid;

	*status = 0;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		fn(arg, out);
		_exit(write(pipefd[1], out, out_len) == (ssize_t)out_len ? 0 : 1);
	}
	close(pipefd[1]);
	pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	if (pid < 0) {
		ret = -errno;
	} else if (poll(&pfd, 1, timeout_s * 1000) != 1) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
		if (read_file(path, wchan, wchan_len))
			snprintf(wchan, wchan_len, "?");
		kill(pid, SIGKILL);
		waitpid(pid, status, 0);
		ret = -ETIMEDOUT;
	} else if (read(pipefd[0], out, out_len) != (ssize_t)out_len) {
		waitpid(pid, status, 0);
		ret = -ECHILD;
	} else {
		waitpid(pid, status, 0);
	}
	close(pipefd[0]);
	return ret;
}

void child_failure(int ret, int timeout_s, const char *wchan, int status, char *text,
		   size_t len)
{
	if (ret == -ETIMEDOUT)
		snprintf(text, len, "no answer after %d s (wchan %s): killed", timeout_s, wchan);
	else if (ret == -ECHILD)
		snprintf(text, len, "died without answering (%s %d)",
			 WIFSIGNALED(status) ? "signal" : "exit",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	else
		snprintf(text, len, "could not start: %s", errname(-ret));
}

/* There is no udev in the guest: match /sys/class/video4linux names. */
int open_class_node(const char *class_dir,
		    bool (*match)(const char *path, void *arg), void *arg)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(class_dir);
	int fd = -ENODEV;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", class_dir, e->d_name);
		if (!match(path, arg))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
		break;
	}
	closedir(d);
	return fd;
}

static bool video_name_is(const char *path, void *name)
{
	char file[PATH_MAX], buf[64];

	snprintf(file, sizeof(file), "%s/name", path);
	if (read_file(file, buf, sizeof(buf)))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, name);
}

int open_video(const char *name)
{
	return open_class_node("/sys/class/video4linux", video_name_is, (void *)name);
}

int open_vgem(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, "vgem")) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -ENODEV;
}

int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int heap_alloc(const char *heap, size_t size)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", heap);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : (int)data.fd;
	close(fd);
	return ret;
}

int cma_heap_name(char *name, size_t len)
{
	DIR *d = opendir("/dev/dma_heap");
	struct dirent *e;
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "system", 6))
			continue;
		snprintf(name, len, "%s", e->d_name);
		ret = 0;
		if (!strcmp(e->d_name, "reserved"))
			break;
	}
	closedir(d);
	return ret;
}

/* One row of 4-byte pixels per page. */
int vgem_create_dumb(int card, size_t pages, uint32_t *handle, uint64_t *size)
{
	struct drm_mode_create_dumb create = {
		.width = PAGE / 4, .height = pages, .bpp = 32,
	};

	if (drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	*handle = create.handle;
	*size = create.size;
	return 0;
}

uint8_t *map_hpage_aligned(size_t len, int prot, int flags, int fd)
{
	uint8_t *p = mmap(NULL, len + HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *at;
	int err;

	if (p == MAP_FAILED)
		return NULL;
	at = (uint8_t *)(((unsigned long)p + HPAGE - 1) & ~(HPAGE - 1));
	if (mmap(at, len, prot, flags | MAP_FIXED, fd, 0) == MAP_FAILED) {
		err = errno;
		munmap(p, len + HPAGE);
		errno = err;
		return NULL;
	}
	/* The reservation's slack on either side */
	if (at > p)
		munmap(p, at - p);
	munmap(at + len, p + HPAGE - at);
	return at;
}

void gem_close(int card, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	ioctl(card, DRM_IOCTL_GEM_CLOSE, &arg);
}

/* vgem's fence uAPI (include/uapi/drm/vgem_drm.h), which libdrm does not ship. */
struct zc_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;		/* 1: a write fence */
	uint32_t out_fence;
	uint32_t pad;
};

struct zc_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define ZC_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct zc_vgem_fence_attach)
#define ZC_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct zc_vgem_fence_signal)

/* A vgem write fence, as a sync_file fd: vgem signals it after 10 s. */
static int vgem_fence_sync_file(int card, uint32_t *fence)
{
	struct drm_mode_create_dumb create = { .width = 64, .height = 64, .bpp = 32 };
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_WRITE, .fd = -1 };
	struct zc_vgem_fence_attach attach;
	int bo = -1, ret;

	if (drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	attach = (struct zc_vgem_fence_attach){ .handle = create.handle, .flags = 1 };
	ret = drmIoctl(card, ZC_IOCTL_VGEM_FENCE_ATTACH, &attach) ? -errno : 0;
	if (!ret)
		ret = drmPrimeHandleToFD(card, create.handle, DRM_CLOEXEC, &bo) ? -errno : 0;
	if (!ret)
		ret = ioctl(bo, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp) ? -errno : 0;
	if (bo >= 0)
		close(bo);
	gem_close(card, create.handle);
	*fence = attach.out_fence;
	return ret ? ret : exp.fd;
}

int dmabuf_add_vgem_fence(int card, int fd, uint32_t *fence)
{
	struct dma_buf_import_sync_file imp = { .flags = DMA_BUF_SYNC_WRITE };
	int ret = vgem_fence_sync_file(card, fence);

	if (ret < 0)
		return ret;
	imp.fd = ret;
	ret = ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp) ? -errno : 0;
	close(imp.fd);
	return ret;
}

int vgem_fence_signal(int card, uint32_t fence)
{
	struct zc_vgem_fence_signal arg = { .fence = fence };

	return drmIoctl(card, ZC_IOCTL_VGEM_FENCE_SIGNAL, &arg) ? -errno : 0;
}

bool read_pins(long long *acquired, long long *released)
{
	char line[128];
	FILE *f;

	*acquired = *released = -1;
	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "nr_foll_pin_acquired %lld", acquired);
		sscanf(line, "nr_foll_pin_released %lld", released);
	}
	fclose(f);
	return *acquired >= 0 && *released >= 0;
}

/* ---- V4L2 --------------------------------------------------------------- */

int open_vivid(int inst)
{
	char name[32];

	snprintf(name, sizeof(name), "vivid-%03d-vid-cap", inst);
	return open_video(name);
}

int vivid_instances(int allocator, int *inst, int max)
{
	char buf[512], *p, *save = NULL;
	int i = 0, n = 0, vid;

	if (read_file("/sys/module/vivid/parameters/allocators", buf, sizeof(buf)))
		return -ENOENT;
	for (p = strtok_r(buf, ",\n", &save); p; p = strtok_r(NULL, ",\n", &save), i++) {
		vid = open_vivid(i);
		if (vid < 0)
			break;	/* past n_devs */
		close(vid);
		if (atoi(p) != allocator)
			continue;
		if (n < max)
			inst[n] = i;
		n++;
	}
	return n;
}

int vid_set_format_to(int vid, uint32_t type, uint32_t fourcc, uint32_t w, uint32_t h,
		      uint32_t bpl, uint32_t size)
{
	struct v4l2_format fmt = { .type = type };

	fmt.fmt.pix.width = w;
	fmt.fmt.pix.height = h;
	fmt.fmt.pix.pixelformat = fourcc;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(vid, VIDIOC_S_FMT, &fmt))
		return -errno;
	if (fmt.fmt.pix.width != w || fmt.fmt.pix.height != h ||
	    fmt.fmt.pix.pixelformat != fourcc || fmt.fmt.pix.bytesperline != bpl ||
	    fmt.fmt.pix.sizeimage != size)
		return -EINVAL;
	return 0;
}

int vid_set_format(int vid, uint32_t type)
{
	return vid_set_format_to(vid, type, V4L2_PIX_FMT_RGB24, FRAME_W, FRAME_H, FRAME_BPL,
				 FRAME_SIZE);
}

int vid_reqbufs(int vid, uint32_t type, uint32_t memory, uint32_t count,
		uint32_t *caps)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = type, .memory = memory,
	};

	if (ioctl(vid, VIDIOC_REQBUFS, &req))
		return -errno;
	if (caps)
		*caps = req.capabilities;
	return 0;
}

/* QBUF or PREPARE_BUF of buffer 0. */
static int vid_buf_ioctl(int vid, unsigned long request, uint32_t type,
			 uint32_t memory, unsigned long uptr, size_t len)
{
	struct v4l2_buffer buf = { .type = type, .memory = memory, .index = 0 };

	if (memory == V4L2_MEMORY_USERPTR) {
		buf.m.userptr = uptr;
		buf.length = len;
	} else if (memory == V4L2_MEMORY_DMABUF) {
		buf.m.fd = (int)uptr;
	}
	if (V4L2_TYPE_IS_OUTPUT(type))
		buf.bytesused = len;
	return ioctl(vid, request, &buf) ? -errno : 0;
}

int vid_qbuf(int vid, uint32_t type, uint32_t memory, unsigned long uptr,
	     size_t len)
{
	return vid_buf_ioctl(vid, VIDIOC_QBUF, type, memory, uptr, len);
}

int vid_prepare_buf(int vid, uint32_t type, uint32_t memory, unsigned long uptr,
		    size_t len)
{
	return vid_buf_ioctl(vid, VIDIOC_PREPARE_BUF, type, memory, uptr, len);
}

int vid_dqbuf(int vid, uint32_t type, uint32_t memory, int timeout_ms,
	      uint32_t *flags)
{
	struct pollfd pfd = {
		.fd = vid, .events = V4L2_TYPE_IS_OUTPUT(type) ? POLLOUT : POLLIN,
	};
	struct v4l2_buffer buf = { .type = type, .memory = memory };
	int ret = poll(&pfd, 1, timeout_ms);

	if (ret == 0)
		return -ETIMEDOUT;
	if (ret < 0 || ioctl(vid, VIDIOC_DQBUF, &buf))
		return -errno;
	if (flags)
		*flags = buf.flags;
	return buf.flags & V4L2_BUF_FLAG_ERROR ? -EIO : (int)buf.bytesused;
}

int vid_stream(int vid, uint32_t type, bool on)
{
	int t = type;

	return ioctl(vid, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &t) ? -errno : 0;
}

int vid_ctrl_id_by_name(int vid, const char *name)
{
	struct v4l2_query_ext_ctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (!ioctl(vid, VIDIOC_QUERY_EXT_CTRL, &q)) {
		if (!strcmp(q.name, name))
			return (int)q.id;
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return -ENOENT;
}

int vid_set_ctrl_by_name(int vid, const char *name, int value)
{
	struct v4l2_control c = { .id = vid_ctrl_id_by_name(vid, name), .value = value };

	if ((int)c.id < 0)
		return (int)c.id;
	if (ioctl(vid, VIDIOC_S_CTRL, &c) || ioctl(vid, VIDIOC_G_CTRL, &c))
		return -errno;
	return c.value == value ? 0 : -EINVAL;
}

int vid_press_by_name(int vid, const char *name)
{
	struct v4l2_control c = { .id = vid_ctrl_id_by_name(vid, name), .value = 1 };

	if ((int)c.id < 0)
		return (int)c.id;
	return ioctl(vid, VIDIOC_S_CTRL, &c) ? -errno : 0;
}

int vivid_static_frames(int vid)
{
	int ret;

	ret = vid_set_ctrl_by_name(vid, "Test Pattern", 0);
	if (!ret)
		ret = vid_set_ctrl_by_name(vid, "OSD Text Mode", 2);
	if (!ret)
		ret = vid_set_ctrl_by_name(vid, "Horizontal Movement", 3);
	if (!ret)
		ret = vid_set_ctrl_by_name(vid, "Vertical Movement", 3);
	return ret;
}

/* QUERYBUF and mmap MMAP buffer 0 of @type: its address (MAP_FAILED, errno) and length. */
static uint8_t *map_buffer0(int vid, uint32_t type, int prot, size_t *len)
{
	struct v4l2_buffer buf = { .type = type, .memory = V4L2_MEMORY_MMAP };

	if (ioctl(vid, VIDIOC_QUERYBUF, &buf))
		return MAP_FAILED;
	*len = buf.length;
	return mmap(NULL, buf.length, prot, MAP_SHARED, vid, buf.m.offset);
}

int vivid_capture_mmap_to(int vid, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t bpl,
			  uint32_t size, uint8_t *out)
{
	const uint32_t type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	uint8_t *p;
	size_t len;
	int ret;

	ret = vid_set_format_to(vid, type, fourcc, w, h, bpl, size);
	if (!ret)
		ret = vid_reqbufs(vid, type, V4L2_MEMORY_MMAP, 1, NULL);
	if (ret)
		return ret;
	p = map_buffer0(vid, type, PROT_READ, &len);
	if (p == MAP_FAILED)
		return -errno;
	ret = vid_qbuf(vid, type, V4L2_MEMORY_MMAP, 0, 0);
	if (!ret)
		ret = vid_stream(vid, type, true);
	if (!ret) {
		ret = vid_dqbuf(vid, type, V4L2_MEMORY_MMAP, 20000, NULL);
		vid_stream(vid, type, false);
	}
	if (ret == (int)size) {
		memcpy(out, p, size);
		ret = 0;
	} else if (ret >= 0) {
		ret = -EIO;
	}
	munmap(p, len);
	vid_reqbufs(vid, type, V4L2_MEMORY_MMAP, 0, NULL);
	return ret;
}

int vivid_capture_mmap(int vid, uint8_t *out)
{
	return vivid_capture_mmap_to(vid, V4L2_PIX_FMT_RGB24, FRAME_W, FRAME_H, FRAME_BPL,
				     FRAME_SIZE, out);
}

int vivid_reference_frame(int vid, uint8_t *out)
{
	uint8_t *again = malloc(FRAME_SIZE);
	int ret = again ? vivid_static_frames(vid) : -ENOMEM;

	if (!ret)
		ret = vivid_capture_mmap(vid, out);
	if (!ret)
		ret = vivid_capture_mmap(vid, again);
	if (!ret && memcmp(out, again, FRAME_SIZE))
		ret = -EIO;
	free(again);
	return ret;
}

int vim2m_userptr_queues(int m2m, uint8_t **cap_map, size_t *cap_len)
{
	const uint32_t out_t = V4L2_BUF_TYPE_VIDEO_OUTPUT, cap_t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ret;

	*cap_map = MAP_FAILED;
	ret = vid_set_format(m2m, out_t);
	if (!ret)
		ret = vid_set_format(m2m, cap_t);
	if (!ret)
		ret = vid_reqbufs(m2m, cap_t, V4L2_MEMORY_MMAP, 1, NULL);
	if (!ret) {
		*cap_map = map_buffer0(m2m, cap_t, PROT_READ, cap_len);
		ret = *cap_map == MAP_FAILED ? -errno : 0;
	}
	if (!ret)
		ret = vid_qbuf(m2m, cap_t, V4L2_MEMORY_MMAP, 0, 0);
	return ret ? ret : vid_reqbufs(m2m, out_t, V4L2_MEMORY_USERPTR, 1, NULL);
}

int vim2m_userptr_release(int m2m, uint8_t *cap_map, size_t cap_len)
{
	int ret, cap;

	vid_stream(m2m, V4L2_BUF_TYPE_VIDEO_CAPTURE, false);
	vid_stream(m2m, V4L2_BUF_TYPE_VIDEO_OUTPUT, false);
	if (cap_map != MAP_FAILED)
		munmap(cap_map, cap_len);
	ret = vid_reqbufs(m2m, V4L2_BUF_TYPE_VIDEO_OUTPUT, V4L2_MEMORY_USERPTR, 0, NULL);
	cap = vid_reqbufs(m2m, V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_MEMORY_MMAP, 0, NULL);
	return ret ? ret : cap;
}

int vim2m_process_mmap(int m2m, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t bpl,
		       uint32_t size, const uint8_t *in, uint8_t *out)
{
	const uint32_t out_t = V4L2_BUF_TYPE_VIDEO_OUTPUT, cap_t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	uint8_t *src = MAP_FAILED, *dst = MAP_FAILED;
	size_t slen = 0, dlen = 0;
	int ret;

	ret = vid_set_format_to(m2m, out_t, fourcc, w, h, bpl, size);
	if (!ret)
		ret = vid_set_format_to(m2m, cap_t, fourcc, w, h, bpl, size);
	if (!ret)
		ret = vid_reqbufs(m2m, out_t, V4L2_MEMORY_MMAP, 1, NULL);
	if (!ret)
		ret = vid_reqbufs(m2m, cap_t, V4L2_MEMORY_MMAP, 1, NULL);
	if (!ret) {
		src = map_buffer0(m2m, out_t, PROT_READ | PROT_WRITE, &slen);
		dst = map_buffer0(m2m, cap_t, PROT_READ, &dlen);
		ret = src == MAP_FAILED || dst == MAP_FAILED ? -errno : 0;
	}
	if (!ret) {
		memcpy(src, in, size);	/* the copy zero-copy paths do without */
		ret = vid_qbuf(m2m, out_t, V4L2_MEMORY_MMAP, 0, size);
	}
	if (!ret)
		ret = vid_qbuf(m2m, cap_t, V4L2_MEMORY_MMAP, 0, 0);
	if (!ret)
		ret = vid_stream(m2m, out_t, true);
	if (!ret)
		ret = vid_stream(m2m, cap_t, true);
	if (!ret)
		ret = vid_dqbuf(m2m, cap_t, V4L2_MEMORY_MMAP, 20000, NULL);
	if (ret == (int)size) {
		memcpy(out, dst, size);
		ret = 0;
	} else if (ret >= 0) {
		ret = -EIO;
	}
	vid_stream(m2m, cap_t, false);
	vid_stream(m2m, out_t, false);
	if (src != MAP_FAILED)
		munmap(src, slen);
	if (dst != MAP_FAILED)
		munmap(dst, dlen);
	vid_reqbufs(m2m, cap_t, V4L2_MEMORY_MMAP, 0, NULL);
	vid_reqbufs(m2m, out_t, V4L2_MEMORY_MMAP, 0, NULL);
	return ret;
}
