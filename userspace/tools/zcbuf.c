// SPDX-License-Identifier: MIT
/* zcbuf: command-line front end of libzcbuf. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcbuf/zcbuf.h>

#include "cli-parse.h"
#include "commands.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: zcbuf COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  alloc      allocate a buffer, write and read back a pattern\n"
		"  formats    print the V4L2 <-> DRM fourcc table\n"
		"  probe      which sources a V4L2 device imports by DMABUF and USERPTR\n"
		"  run        frames capture -> mem2mem -> checksum, counting copies\n"
		"  version    print the library version\n"
		"  help       show this help\n"
		"\n"
		"zcbuf COMMAND --help shows a command's options.\n");
}

static void usage_alloc(FILE *out)
{
	fprintf(out,
		"usage: zcbuf alloc --source SOURCE (--size BYTES | --format WxH:FOURCC) [--name NAME]\n"
		"\n"
		"Allocate one buffer from SOURCE, map it, write a pattern between\n"
		"DMA_BUF_IOCTL_SYNC START/END (WRITE), read it back through a second\n"
		"mapping between START/END (READ), and say what was done.\n"
		"\n"
		"  -s, --source SOURCE    heap:system, heap:cma, heap:NAME, udmabuf,\n"
		"                         drm:vgem (a driver name), drm:/dev/dri/cardN,\n"
		"                         v4l2:/dev/videoN (an exported MMAP buffer)\n"
		"  -z, --size BYTES       raw bytes: 4096, 64K, 1M, 2G\n"
		"  -f, --format WxH:FOURCC  a picture: 640x480:NV12 (V4L2 fourcc or name;\n"
		"                         zcbuf formats lists them)\n"
		"  -n, --name NAME        name the dma-bufs (DMA_BUF_SET_NAME, 31 bytes)\n"
		"  -h, --help             this help\n"
		"\n"
		"Exit status: 0 when the pattern read back equals the one written,\n"
		"1 when something failed (the library's message on stderr), 2 for bad usage.\n");
}

static void usage_formats(FILE *out)
{
	fprintf(out,
		"usage: zcbuf formats\n"
		"\n"
		"Print the fourcc table: each V4L2 pixel format, the DRM format with the\n"
		"same bytes in memory, planes, bytes per pixel block and subsampling.\n"
		"Codes differ for GREY, YUV422P, RGB565(X) and the 24-bit RGB formats:\n"
		"V4L2 RGB24 'RGB3' is DRM BGR888 'BG24'.\n"
		"\n"
		"  -h, --help    this help\n");
}

static const char *fourcc_str(uint32_t f, char s[16])
{
	int i, n = 4;

	for (i = 0; i < 4; i++)
		s[i] = (char)((f >> (8 * i)) & 0x7f);
	while (n > 1 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	if (f & (1u << 31))
		strcpy(s + n, "-BE");
	return s;
}

static int cmd_formats(int argc, char **argv)
{
	const struct zcbuf_format_info *f;
	unsigned int i;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage_formats(stdout);
			return 0;
		}
		usage_formats(stderr);
		return EXIT_USAGE;
	}
	printf("%-8s %-5s %-7s %-18s %-6s %-4s %-8s %-5s %s\n", "V4L2", "code", "DRM code",
	       "DRM name", "planes", "mem", "cpp", "sub", "notes");
	for (i = 0; !zcbuf_format_info_at(i, &f); i++) {
		char v[16], d[16], cpp[16] = "", sub[16];
		unsigned int p;

		for (p = 0; p < f->num_planes; p++)
			snprintf(cpp + strlen(cpp), sizeof(cpp) - strlen(cpp), "%s%u", p ? "," : "",
				 f->cpp[p]);
		if (f->num_planes > 1)
			snprintf(sub, sizeof(sub), "%u:%u", f->hdiv, f->vdiv);
		else if (f->block_w > 1)
			snprintf(sub, sizeof(sub), "%upx", f->block_w);
		else
			snprintf(sub, sizeof(sub), "-");
		printf("%-8s %-5s %-8s %-18s %-6u %-4u %-8s %-5s %s%s\n", f->name,
		       fourcc_str(f->v4l2_fourcc, v), fourcc_str(f->drm_fourcc, d),
		       f->drm_name, f->num_planes, f->num_mem_planes, cpp, sub,
		       f->v4l2_fourcc == f->drm_fourcc ? "same code" : "codes differ",
		       f->flags & ZCBUF_FORMAT_DEPRECATED ? "; deprecated: V4L2 -> DRM only" : "");
	}
	return 0;
}

static void usage_probe(FILE *out)
{
	fprintf(out,
		"usage: zcbuf probe [--device PATH|NAME] [--exporter PATH|NAME]\n"
		"\n"
		"For each queue of the device and each source of dma-bufs (dma-heap system,\n"
		"dma-heap cma if there is one, udmabuf, a vgem dumb buffer, an MMAP buffer\n"
		"of another V4L2 node exported with VIDIOC_EXPBUF), try to queue one buffer\n"
		"by DMABUF and by USERPTR of its mapping, and print a table: queue, source,\n"
		"exporter, mode, result, errno and the reason. The buffers hold the queue's\n"
		"current format. Kernels without USERPTR import of mapped dma-bufs refuse\n"
		"most USERPTR rows with EFAULT; USERPTR of the CMA heap is only tried once\n"
		"a mapped dma-buf was seen imported (Linux 6.1 would retry pinning it for\n"
		"ever): \"not tried\", EDEADLK.\n"
		"\n"
		"  -d, --device PATH|NAME    the device: /dev/video3, or a name as in\n"
		"                            /sys/class/video4linux/*/name (default /dev/video0)\n"
		"  -e, --exporter PATH|NAME  the V4L2 node whose MMAP buffers are exported\n"
		"                            (default: the first other capture node)\n"
		"  -h, --help                this help\n"
		"\n"
		"Exit status: 0 when every row was probed (whatever it found), 1 when the\n"
		"device could not be opened or probed (the library's message on stderr),\n"
		"2 for bad usage.\n");
}

/* The first video capture node other than @skip, to export MMAP buffers from. */
static int find_exporter(const char *skip, char *path, size_t len)
{
	struct zcbuf_ctx *ctx;
	int i, ret = -ENOENT;

	if (zcbuf_ctx_new(&ctx))
		return -ENOMEM;
	for (i = 0; i < 64 && ret; i++) {
		struct zcbuf_device *dev;
		struct zcbuf_device_info info;

		snprintf(path, len, "/dev/video%d", i);
		if (!strcmp(path, skip) || zcbuf_device_open(ctx, path, &dev))
			continue;
		zcbuf_device_get_info(dev, &info);
		if ((info.flags & ZCBUF_DEVICE_CAPTURE) && !(info.flags & ZCBUF_DEVICE_M2M))
			ret = 0;
		zcbuf_device_free(dev);
	}
	zcbuf_ctx_free(ctx);
	return ret;
}

static const char *errno_name(int err)
{
	const char *n = err ? strerrorname_np(err < 0 ? -err : err) : "-";

	return n ? n : "?";
}

/* One source into one queue, both modes: two rows. */
static int probe_source(struct zcbuf_ctx *ctx, struct zcbuf_queue *q, const char *qname,
			const char *source, const struct zcbuf_queue_format *qf)
{
	static const enum zcbuf_memory modes[] = { ZCBUF_MEMORY_DMABUF, ZCBUF_MEMORY_USERPTR };
	struct zcbuf_buffer *buf = NULL;
	const char *exporter = "";
	unsigned int i;
	int ret;

	/* one memory plane: its bytes, whatever the format; more: the format itself */
	if (qf->num_mem_planes == 1)
		ret = zcbuf_alloc(ctx, source, NULL, qf->sizeimage[0], &buf);
	else
		ret = zcbuf_alloc(ctx, source, &qf->fmt, 0, &buf);
	if (ret) {
		printf("%-8s %-22s %-20s %-8s %-10s %-10s %s\n", qname, source, "-", "-",
		       "no buffer", errno_name(ret), zcbuf_last_error(ctx));
		return 0;
	}
	zcbuf_buffer_get_exporter(buf, &exporter);
	for (i = 0; i < 2; i++) {
		struct zcbuf_probe r = { .error = 0 };

		ret = zcbuf_queue_probe(q, buf, modes[i], &r);
		if (ret && ret != r.error) {	/* the probe itself failed, not the import */
			fprintf(stderr, "zcbuf probe: %s\n", zcbuf_last_error(ctx));
			zcbuf_buffer_free(buf);
			return 1;
		}
		printf("%-8s %-22s %-20s %-8s %-10s %-10s %s\n", qname, source, exporter,
		       zcbuf_memory_name(modes[i]), !r.error ? "imported" :
		       r.tried ? "refused" : "not tried", errno_name(r.error),
		       r.error ? r.reason : "");
	}
	zcbuf_buffer_free(buf);
	return 0;
}

static int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "exporter", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *device = "/dev/video0", *exporter = NULL;
	static const char *const heaps[] = { "heap:system", "heap:cma", "udmabuf", "drm:vgem" };
	struct zcbuf_device_info info;
	struct zcbuf_device *dev = NULL, *exp;
	struct zcbuf_ctx *ctx;
	char v4l2_source[96] = "", path[64];
	int c, d, ret = 0;
	unsigned int i;

	while ((c = getopt_long(argc, argv, "d:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'e': exporter = optarg; break;
		case 'h': usage_probe(stdout); return 0;
		default: usage_probe(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "zcbuf probe: unexpected arguments\n");
		usage_probe(stderr);
		return EXIT_USAGE;
	}
	if (zcbuf_ctx_new(&ctx)) {
		fprintf(stderr, "zcbuf probe: out of memory\n");
		return 1;
	}
	if (zcbuf_device_open(ctx, device, &dev)) {
		fprintf(stderr, "zcbuf probe: %s\n", zcbuf_last_error(ctx));
		zcbuf_ctx_free(ctx);
		return 1;
	}
	zcbuf_device_get_info(dev, &info);
	/* the exporter by path, so that "v4l2:PATH" names it */
	if (exporter && !zcbuf_device_open(ctx, exporter, &exp)) {
		struct zcbuf_device_info einfo;

		zcbuf_device_get_info(exp, &einfo);
		snprintf(v4l2_source, sizeof(v4l2_source), "v4l2:%s", einfo.path);
		zcbuf_device_free(exp);
	} else if (!exporter && !find_exporter(info.path, path, sizeof(path))) {
		snprintf(v4l2_source, sizeof(v4l2_source), "v4l2:%s", path);
	}
	printf("device   %s (%s, driver %s)\n", info.path, info.name[0] ? info.name : info.card,
	       info.driver);
	printf("%-8s %-22s %-20s %-8s %-10s %-10s %s\n", "queue", "source", "exporter", "mode",
	       "result", "errno", "reason");
	for (d = 0; d < 2 && !ret; d++) {
		const char *qname = d == ZCBUF_CAPTURE ? "capture" : "output";
		struct zcbuf_queue_format qf;
		struct zcbuf_queue *q;

		if (zcbuf_device_get_queue(dev, (enum zcbuf_direction)d, &q))
			continue;
		if (zcbuf_queue_get_format(q, &qf)) {
			fprintf(stderr, "zcbuf probe: %s\n", zcbuf_last_error(ctx));
			ret = 1;
			break;
		}
		for (i = 0; i < 4 && !ret; i++)
			ret = probe_source(ctx, q, qname, heaps[i], &qf);
		if (!ret && v4l2_source[0])
			ret = probe_source(ctx, q, qname, v4l2_source, &qf);
		else if (!ret)
			printf("%-8s %-22s %-20s %-8s %-10s %-10s %s\n", qname, "v4l2", "-", "-",
			       "no buffer", "-", exporter ? "--exporter could not be opened" :
			       "no other V4L2 capture node to export from");
	}
	zcbuf_device_free(dev);
	zcbuf_ctx_free(ctx);
	return ret;
}

/* Byte @i of plane @p: changes every byte, differs between planes. */
static uint8_t pattern(unsigned int p, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull + p * 0xbf58476d1ce4e5b9ull;

	return (uint8_t)(x >> 56);
}

static int fail(struct zcbuf_ctx *ctx, const char *what)
{
	fprintf(stderr, "zcbuf alloc: %s: %s\n", what, zcbuf_last_error(ctx));
	return 1;
}

static int write_pattern(struct zcbuf_ctx *ctx, struct zcbuf_buffer *buf, uint64_t *bytes)
{
	int n = zcbuf_buffer_num_planes(buf), p;

	if (zcbuf_buffer_map(buf) || zcbuf_buffer_begin_cpu(buf, ZCBUF_CPU_WRITE))
		return fail(ctx, "write");
	for (p = 0; p < n; p++) {
		struct zcbuf_plane pl;
		uint8_t *d;
		uint64_t i;

		if (zcbuf_buffer_get_plane(buf, p, &pl) ||
		    zcbuf_buffer_plane_data(buf, p, (void **)&d))
			return fail(ctx, "write");
		for (i = 0; i < pl.length; i++)
			d[i] = pattern(p, i);
		*bytes += pl.length;
	}
	if (zcbuf_buffer_end_cpu(buf))
		return fail(ctx, "write");
	return 0;
}

/* Through a buffer of its own (duplicated fds, a second mapping). */
static int read_back(struct zcbuf_ctx *ctx, struct zcbuf_buffer *buf, uint64_t *bytes)
{
	struct zcbuf_plane planes[ZCBUF_MAX_PLANES];
	struct zcbuf_buffer *copy;
	struct zcbuf_format fmt;
	int n = zcbuf_buffer_num_planes(buf), p, ret = 0;

	for (p = 0; p < n; p++)
		zcbuf_buffer_get_plane(buf, p, &planes[p]);
	zcbuf_buffer_get_format(buf, &fmt);
	if (zcbuf_buffer_wrap(ctx, fmt.fourcc ? &fmt : NULL, planes, n, &copy))
		return fail(ctx, "read back");
	if (zcbuf_buffer_map(copy) || zcbuf_buffer_begin_cpu(copy, ZCBUF_CPU_READ)) {
		ret = fail(ctx, "read back");
		goto out;
	}
	for (p = 0; p < n && !ret; p++) {
		uint8_t *d;
		uint64_t i;

		if (zcbuf_buffer_plane_data(copy, p, (void **)&d)) {
			ret = fail(ctx, "read back");
			break;
		}
		for (i = 0; i < planes[p].length; i++) {
			if (d[i] != pattern(p, i)) {
				fprintf(stderr, "zcbuf alloc: read back: plane %d byte %llu is 0x%02x, "
					"0x%02x was written\n", p, (unsigned long long)i, d[i],
					pattern(p, i));
				ret = 1;
				break;
			}
		}
		*bytes += i;
	}
	if (zcbuf_buffer_end_cpu(copy) && !ret)
		ret = fail(ctx, "read back");
out:
	zcbuf_buffer_free(copy);
	return ret;
}

static void describe(struct zcbuf_buffer *buf, const char *source)
{
	struct zcbuf_format fmt;
	uint32_t drm;
	char v[16], d[16];
	const char *name;
	int n = zcbuf_buffer_num_planes(buf), p, ret;

	zcbuf_buffer_get_format(buf, &fmt);
	printf("source   %s\n", source);
	if (!fmt.fourcc)
		printf("format   raw bytes\n");
	else if (!zcbuf_fourcc_v4l2_to_drm(fmt.fourcc, &drm))
		printf("format   %ux%u V4L2 '%s', DRM '%s'\n", fmt.width, fmt.height,
		       fourcc_str(fmt.fourcc, v), fourcc_str(drm, d));
	else
		printf("format   %ux%u V4L2 '%s' (not in the table)\n", fmt.width, fmt.height,
		       fourcc_str(fmt.fourcc, v));
	printf("buffer   %d plane%s in %d dma-buf%s\n", n, n > 1 ? "s" : "",
	       zcbuf_buffer_num_dmabufs(buf), zcbuf_buffer_num_dmabufs(buf) > 1 ? "s" : "");
	for (p = 0; p < n; p++) {
		struct zcbuf_plane pl;

		zcbuf_buffer_get_plane(buf, p, &pl);
		printf("plane %d  fd %d offset %llu length %llu stride %u\n", p, pl.fd,
		       (unsigned long long)pl.offset, (unsigned long long)pl.length, pl.stride);
	}
	ret = zcbuf_buffer_get_name(buf, &name);
	if (!ret)
		printf("name     %s\n", name);
	else if (ret == -ENODATA)
		printf("name     none\n");
	else
		printf("name     none: DMA_BUF_SET_NAME refused (%s)\n", strerror(-ret));
}

static int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "format", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *source = NULL, *name = NULL;
	struct zcbuf_format fmt, *pfmt = NULL;
	struct zcbuf_buffer *buf = NULL;
	struct zcbuf_ctx *ctx;
	uint64_t size = 0, written = 0, read = 0;
	bool have_size = false;
	char err[512];
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:z:f:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': source = optarg; break;
		case 'n': name = optarg; break;
		case 'z':
			ret = cli_parse_size(optarg, &size);
			if (ret) {
				fprintf(stderr, "zcbuf alloc: size '%s': %s\n", optarg,
					ret == -ERANGE ? "too large" : "not a size (4096, 64K, 1M, 2G)");
				return EXIT_USAGE;
			}
			have_size = true;
			break;
		case 'f':
			if (cli_parse_format(optarg, &fmt, err, sizeof(err))) {
				fprintf(stderr, "zcbuf alloc: %s\n", err);
				return EXIT_USAGE;
			}
			pfmt = &fmt;
			break;
		case 'h': usage_alloc(stdout); return 0;
		default: usage_alloc(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc || !source || have_size == !!pfmt) {
		fprintf(stderr, "zcbuf alloc: %s\n", optind < argc ? "unexpected arguments" :
			!source ? "--source is required" : "give one of --size and --format");
		usage_alloc(stderr);
		return EXIT_USAGE;
	}

	ret = zcbuf_ctx_new(&ctx);
	if (ret) {
		fprintf(stderr, "zcbuf alloc: %s\n", strerror(-ret));
		return 1;
	}
	if (zcbuf_alloc(ctx, source, pfmt, size, &buf)) {
		ret = fail(ctx, "allocate");
		goto out;
	}
	if (name && zcbuf_buffer_set_name(buf, name)) {
		ret = fail(ctx, "name");
		goto out;
	}
	describe(buf, source);
	ret = write_pattern(ctx, buf, &written);
	if (ret)
		goto out;
	printf("write    %llu bytes of pattern, between DMA_BUF_IOCTL_SYNC START|WRITE and "
	       "END|WRITE\n", (unsigned long long)written);
	ret = read_back(ctx, buf, &read);
	if (ret)
		goto out;
	printf("read     %llu bytes through a second mapping, between DMA_BUF_IOCTL_SYNC "
	       "START|READ and END|READ: pattern ok\n", (unsigned long long)read);
out:
	zcbuf_buffer_free(buf);
	zcbuf_ctx_free(ctx);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("zcbuf %s\n", zcbuf_version());
		return 0;
	}
	if (!strcmp(argv[1], "alloc"))
		return cmd_alloc(argc - 1, argv + 1);
	if (!strcmp(argv[1], "formats"))
		return cmd_formats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	fprintf(stderr, "zcbuf: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
