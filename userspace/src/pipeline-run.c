// SPDX-License-Identifier: MIT
/*
 * A pipeline's streaming: every buffer queued, three queues started, then
 * per frame capture -> m2m OUTPUT -> m2m CAPTURE -> consumer, each buffer
 * going back where it came from, and the queues stopped at the end.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pipeline.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Buffer @index of the devices' own (exported), or @buf itself on an importing queue. */
static int put(struct zcbuf_pipeline *p, enum zcbuf_stage s, struct zcbuf_buffer *buf,
	       unsigned int index)
{
	enum zcbuf_memory m;
	int copying, ret;

	zcbuf_queue_get_memory(p->q[s], &m, &copying);
	if (m == ZCBUF_MEMORY_MMAP && !copying)
		ret = zcbuf_queue_put_index(p->q[s], index, 0);
	else
		ret = zcbuf_queue_put(p->q[s], buf, 0);
	return ret < 0 ? ret : 0;
}

/* Dequeue from stage @s: the buffer (an own one by its index) and its index in @bufs. */
static int get(struct zcbuf_pipeline *p, enum zcbuf_stage s, struct zcbuf_buffer **bufs,
	       struct zcbuf_frame *f, unsigned int *i)
{
	int ret = zcbuf_queue_get(p->q[s], p->cfg.timeout_ms, f);

	if (ret)
		return ret;
	if (!f->buf && f->index < p->n)
		f->buf = bufs[f->index];
	for (*i = 0; *i < p->n && bufs[*i] != f->buf; (*i)++)
		;
	if (*i == p->n)
		return zc_fail_msg(p->ctx, EPROTO, "%s: buffer index %u is none of the pipeline's",
				   zc_queue_what(p->q[s]).s, f->index);
	return 0;
}

/* One frame through the three queues to the consumer; > 0: the consumer ended the run. */
static int step(struct zcbuf_pipeline *p, uint64_t n, zcbuf_pipeline_consumer consumer, void *arg)
{
	struct zcbuf_frame f, r, o;
	unsigned int i, j, k;
	int ret;

	ret = get(p, ZCBUF_STAGE_CAPTURE, p->in, &f, &i);
	if (!ret)
		ret = put(p, ZCBUF_STAGE_M2M_OUTPUT, f.buf, i);
	if (!ret)
		ret = get(p, ZCBUF_STAGE_M2M_CAPTURE, p->out, &r, &j);
	/* the m2m device is done with its input: back to the capture queue first */
	if (!ret)
		ret = get(p, ZCBUF_STAGE_M2M_OUTPUT, p->in, &o, &k);
	if (!ret)
		ret = put(p, ZCBUF_STAGE_CAPTURE, o.buf, k);
	if (ret)
		return ret;
	ret = consumer ? consumer(arg, r.buf, &r, n) : 0;
	if (ret < 0)
		return zc_fail(p->ctx, -ret, "pipeline: the consumer failed frame %llu",
			       (unsigned long long)n);
	if (zc_buffer_cpu_open(r.buf))
		return zc_fail_msg(p->ctx, EBUSY, "pipeline: the consumer left a CPU access open "
				   "on frame %llu", (unsigned long long)n);
	p->frames++;
	if (put(p, ZCBUF_STAGE_M2M_CAPTURE, r.buf, j))
		return zcbuf_last_errno(p->ctx);
	return ret;
}

static int start(struct zcbuf_pipeline *p)
{
	unsigned int i;
	int ret = 0, s;

	for (i = 0; !ret && i < p->n; i++) {
		ret = put(p, ZCBUF_STAGE_CAPTURE, p->in[i], i);
		if (!ret)
			ret = put(p, ZCBUF_STAGE_M2M_CAPTURE, p->out[i], i);
	}
	for (s = ZCBUF_STAGES - 1; s >= 0 && !ret; s--)
		ret = zcbuf_queue_start(p->q[s]);
	return ret;
}

/* Stop every queue; a failure on the way (a gone device) does not hide the run's own. */
static void stop(struct zcbuf_pipeline *p)
{
	char msg[sizeof(p->ctx->msg)];
	int err = p->ctx->err, s;

	memcpy(msg, p->ctx->msg, sizeof(msg));
	for (s = 0; s < ZCBUF_STAGES; s++)
		zcbuf_queue_stop(p->q[s]);
	memcpy(p->ctx->msg, msg, sizeof(msg));
	p->ctx->err = err;
}

int zcbuf_pipeline_run(struct zcbuf_pipeline *pipe, uint64_t frames,
		       zcbuf_pipeline_consumer consumer, void *arg)
{
	uint64_t n, t0;
	int ret;

	if (!pipe)
		return -EINVAL;
	if (!frames)
		return zc_fail_msg(pipe->ctx, EINVAL, "pipeline: run of 0 frames");
	t0 = now_ns();
	ret = start(pipe);
	for (n = 0; !ret && n < frames; n++)
		ret = step(pipe, n, consumer, arg);
	if (ret < 0)
		zc_prefix(pipe->ctx, ret, "pipeline");
	stop(pipe);
	pipe->elapsed_ns += now_ns() - t0;
	return ret < 0 ? ret : 0;
}
