// SPDX-License-Identifier: MIT
/*
 * zcbuf run: frames from a capture device through a mem2mem device into a
 * checksum sink, with libzcbuf's pipeline helper; says how each queue took
 * the buffers and what was copied.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zcbuf/zcbuf.h>

#include "cli-parse.h"
#include "commands.h"
#include "ppm.h"

static void usage_run(FILE *out)
{
	fprintf(out,
		"usage: zcbuf run --source SOURCE [--import MODE] [--frames N] [--strict]\n"
		"                 [--capture DEV] [--m2m DEV] [--format WxH:FOURCC]\n"
		"                 [--buffers N] [--fps N] [--save FILE]\n"
		"\n"
		"Capture frames, queue each captured buffer itself into a mem2mem device and\n"
		"checksum what comes out: capture -> m2m OUTPUT -> m2m CAPTURE -> sink, with\n"
		"dma-bufs. Prints per queue the memory type and import path, frames, copies,\n"
		"bytes copied and index cache hits and misses, then fps and the checksum\n"
		"(FNV-1a 64) of the last frame. Progress goes to stderr.\n"
		"\n"
		"  -s, --source SOURCE    v4l2 (the devices' own MMAP buffers, exported),\n"
		"                         dma-heap[:NAME] (system), udmabuf, drm-dumb[:CARD] (vgem)\n"
		"  -i, --import MODE      auto (probe: dmabuf, else userptr), dmabuf, userptr\n"
		"                         (default auto)\n"
		"  -n, --frames N         frames to move (default 300)\n"
		"  -S, --strict           fail where a queue cannot import, instead of copying\n"
		"  -c, --capture DEV      capture device, path or name (default vivid-000-vid-cap)\n"
		"  -m, --m2m DEV          mem2mem device, path or name (default vim2m)\n"
		"  -f, --format WxH:FOURCC  every queue's format (default 320x180:RGB24)\n"
		"  -b, --buffers N        buffers per queue, 2 to 32 (default 4)\n"
		"  -r, --fps N            frames per second asked of the capture device\n"
		"                         (VIDIOC_S_PARM; default 30, 0: the device's own)\n"
		"  -o, --save FILE        write the last frame as a PPM picture (RGB24, BGR24)\n"
		"  -h, --help             this help\n"
		"\n"
		"Exit status: 0 when every frame went through (with --strict: without a copy),\n"
		"1 when something failed (the library's message on stderr), 2 for bad usage.\n");
}

struct sink {
	const struct cli_run_opts *o;
	struct zcbuf_ctx *ctx;
	uint64_t sum, changes;
	double start, last_report;
	char err[512];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The consumer: checksum each frame, count changes, save the last, report progress. */
static int consume(void *arg, struct zcbuf_buffer *buf, const struct zcbuf_frame *frame,
		   uint64_t n)
{
	struct sink *s = arg;
	uint64_t sum;
	double t = now_s();
	int ret;

	(void)frame;
	ret = zcbuf_buffer_checksum(buf, &sum);
	if (ret) {
		snprintf(s->err, sizeof(s->err), "sink: %s", zcbuf_last_error(s->ctx));
		return ret;
	}
	s->changes += n && sum != s->sum;
	s->sum = sum;
	if (n + 1 == s->o->frames && s->o->save) {
		ret = ppm_save(s->ctx, buf, s->o->save, s->err, sizeof(s->err));
		if (ret)
			return ret;
	}
	if (t - s->last_report >= 1.0 && n + 1 < s->o->frames) {
		fprintf(stderr, "zcbuf run: %llu/%llu frames, %.1f fps\n", (unsigned long long)n + 1,
			(unsigned long long)s->o->frames, (double)(n + 1) / (t - s->start));
		s->last_report = t;
	}
	return 0;
}

static void print_device(struct zcbuf_pipeline *p, enum zcbuf_stage s, const char *label)
{
	struct zcbuf_device_info info;
	struct zcbuf_device *dev;

	zcbuf_pipeline_get_device(p, s, &dev);
	zcbuf_device_get_info(dev, &info);
	printf("%-9s %s (%s, driver %s)\n", label, info.path, info.name, info.driver);
}

/* How a queue takes its buffers: "dmabuf", "userptr", "mmap (own)", "mmap (copies)". */
static const char *path_of(const struct zcbuf_stage_stats *st)
{
	if (st->memory != ZCBUF_MEMORY_MMAP)
		return zcbuf_memory_name(st->memory);
	return st->copying ? "mmap (copies)" : "mmap (own)";
}

static void print_stages(const struct zcbuf_pipeline_stats *st)
{
	uint64_t hits = 0, misses = 0;
	int s;

	printf("%-12s %-14s %-20s %8s %7s %13s %10s %12s\n", "stage", "import", "exporter",
	       "frames", "copies", "bytes-copied", "cache-hits", "cache-misses");
	for (s = 0; s < ZCBUF_STAGES; s++) {
		const struct zcbuf_stage_stats *t = &st->stage[s];

		printf("%-12s %-14s %-20s %8llu %7llu %13llu %10llu %12llu\n",
		       zcbuf_stage_name((enum zcbuf_stage)s), path_of(t),
		       t->exporter[0] ? t->exporter : "-", (unsigned long long)t->queue.dequeued,
		       (unsigned long long)t->queue.copied_frames,
		       (unsigned long long)t->queue.copied_bytes,
		       (unsigned long long)t->queue.cache_hits,
		       (unsigned long long)t->queue.cache_misses);
		hits += t->queue.cache_hits;
		misses += t->queue.cache_misses;
	}
	printf("frames    %llu\n", (unsigned long long)st->frames);
	printf("fps       %.1f (%.2f s)\n", st->fps, (double)st->elapsed_ns / 1e9);
	printf("copies    %llu frames, %llu bytes\n", (unsigned long long)st->copied_frames,
	       (unsigned long long)st->copied_bytes);
	printf("cache     %llu hits, %llu misses\n", (unsigned long long)hits,
	       (unsigned long long)misses);
}

static int run(const struct cli_run_opts *o, struct zcbuf_ctx *ctx)
{
	struct zcbuf_pipeline_config cfg = {
		.capture = o->capture, .m2m = o->m2m, .source = o->lib_source,
		.capture_memory = o->memory, .m2m_memory = o->memory, .format = o->format,
		.num_buffers = o->buffers, .fps = o->fps, .flags = o->strict ? 0 : ZCBUF_PIPELINE_ALLOW_COPY,
	};
	struct sink s = { .o = o, .ctx = ctx };
	struct zcbuf_pipeline_stats st;
	struct zcbuf_pipeline *p;
	char fourcc[5];
	int ret;

	if (zcbuf_pipeline_new(ctx, &cfg, &p)) {
		fprintf(stderr, "zcbuf run: %s\n", zcbuf_last_error(ctx));
		return 1;
	}
	memcpy(fourcc, &o->format.fourcc, 4);
	fourcc[4] = '\0';
	print_device(p, ZCBUF_STAGE_CAPTURE, "capture");
	print_device(p, ZCBUF_STAGE_M2M_OUTPUT, "m2m");
	printf("format    %ux%u %s, %u buffers per queue, %u fps asked\n", o->format.width,
	       o->format.height, fourcc, o->buffers, o->fps);
	printf("source    %s (%s), import %s, %s\n", o->source, o->lib_source,
	       zcbuf_memory_name(o->memory), o->strict ? "strict: no copies" : "copies allowed");
	fflush(stdout);
	s.start = s.last_report = now_s();
	ret = zcbuf_pipeline_run(p, o->frames, consume, &s);
	zcbuf_pipeline_get_stats(p, &st);
	print_stages(&st);
	if (ret) {
		fprintf(stderr, "zcbuf run: %s\n", s.err[0] ? s.err : zcbuf_last_error(ctx));
	} else {
		printf("checksum  0x%016llx (FNV-1a 64 of the last frame; %llu of %llu frames "
		       "differ from the one before)\n", (unsigned long long)s.sum,
		       (unsigned long long)s.changes, (unsigned long long)st.frames);
		if (o->save)
			printf("saved     the last frame to %s (PPM)\n", o->save);
		printf("result    %llu frames %s -> %s with %llu copies%s\n",
		       (unsigned long long)st.frames, o->capture, o->m2m,
		       (unsigned long long)st.copied_frames,
		       st.copied_frames ? "" : ": zero-copy");
	}
	zcbuf_pipeline_free(p);
	return ret ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	struct cli_run_opts o;
	struct zcbuf_ctx *ctx;
	char err[512];
	int ret;

	if (cli_parse_run(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "zcbuf run: %s\n", err);
		usage_run(stderr);
		return EXIT_USAGE;
	}
	if (o.help) {
		usage_run(stdout);
		return 0;
	}
	if (zcbuf_ctx_new(&ctx)) {
		fprintf(stderr, "zcbuf run: out of memory\n");
		return 1;
	}
	ret = run(&o, ctx);
	zcbuf_ctx_free(ctx);
	return ret;
}
