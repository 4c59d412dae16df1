// SPDX-License-Identifier: MIT
/*
 * A pipeline's making and unmaking: open the capture and mem2mem devices,
 * set the format on their three queues, allocate (or export) the buffers
 * and set each queue up with its memory type, probing as
 * zcbuf_queue_setup() does. Streaming is in pipeline-run.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/videodev2.h>

#include "pipeline.h"

#define DEFAULT_BUFFERS 4
#define DEFAULT_TIMEOUT_MS 10000

static bool memory_in(enum zcbuf_memory m, bool mmap)
{
	return m == ZCBUF_MEMORY_AUTO || m == ZCBUF_MEMORY_DMABUF || m == ZCBUF_MEMORY_USERPTR ||
	       (mmap && m == ZCBUF_MEMORY_MMAP);
}

/* A copy of @cfg with the defaults filled in, or -EINVAL with the reason. */
static int check_config(struct zcbuf_ctx *ctx, const struct zcbuf_pipeline_config *cfg,
			struct zcbuf_pipeline *p)
{
	p->cfg = *cfg;
	if (!cfg->capture || !cfg->m2m || !cfg->source)
		return zc_fail_msg(ctx, EINVAL, "pipeline: the capture device, the m2m device and "
				   "the source are needed (NULL)");
	if (snprintf(p->source, sizeof(p->source), "%s", cfg->source) >= (int)sizeof(p->source))
		return zc_fail_msg(ctx, EINVAL, "pipeline: source '%.64s...' too long", cfg->source);
	p->cfg.source = p->source;
	p->own_buffers = !strcmp(cfg->source, "v4l2");
	if (!p->cfg.num_buffers)
		p->cfg.num_buffers = DEFAULT_BUFFERS;
	if (!p->cfg.timeout_ms)
		p->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (p->cfg.num_buffers < 2 || p->cfg.num_buffers > ZC_MAX_BUFFERS)
		return zc_fail_msg(ctx, EINVAL, "pipeline: %u buffers per queue (2 to %d)",
				   p->cfg.num_buffers, ZC_MAX_BUFFERS);
	if (cfg->flags & ~ZCBUF_PIPELINE_ALLOW_COPY)
		return zc_fail_msg(ctx, EINVAL, "pipeline: unknown flags 0x%x", cfg->flags);
	if (!cfg->format.fourcc || !cfg->format.width || !cfg->format.height)
		return zc_fail_msg(ctx, EINVAL, "pipeline: no format (fourcc and size needed)");
	if (!memory_in(cfg->capture_memory, false) || !memory_in(cfg->m2m_memory, true))
		return zc_fail_msg(ctx, EINVAL, "pipeline: memory types: capture %s (auto, dmabuf, "
				   "userptr), m2m %s (or mmap)", zcbuf_memory_name(cfg->capture_memory),
				   zcbuf_memory_name(cfg->m2m_memory));
	if (cfg->m2m_memory == ZCBUF_MEMORY_MMAP && !(cfg->flags & ZCBUF_PIPELINE_ALLOW_COPY))
		return zc_fail_msg(ctx, EXDEV, "pipeline: m2m queues by mmap copy every frame, and "
				   "copies are not allowed");
	return 0;
}

static int open_device(struct zcbuf_pipeline *p, const char *name, uint32_t need,
		       struct zcbuf_device **dev)
{
	struct zcbuf_device_info info;
	int ret = zcbuf_device_open(p->ctx, name, dev);

	if (ret)
		return zc_prefix(p->ctx, ret, "pipeline");
	zcbuf_device_get_info(*dev, &info);
	if ((info.flags & need) != need)
		return zc_fail_msg(p->ctx, EINVAL, "pipeline: %s (%s) is not a %s device", info.path,
				   info.name, need & ZCBUF_DEVICE_M2M ? "mem2mem" : "video capture");
	return 0;
}

/* VIDIOC_S_PARM of the capture queue: vivid's webcam runs at 5 fps unless asked. */
static int set_fps(struct zcbuf_pipeline *p)
{
	struct zcbuf_queue *q = p->q[ZCBUF_STAGE_CAPTURE];
	struct v4l2_streamparm parm = { .type = (uint32_t)zcbuf_queue_get_type(q) };

	parm.parm.capture.timeperframe = (struct v4l2_fract){ 1, p->cfg.fps };
	if (zc_xioctl(zcbuf_device_get_fd(p->cap_dev), VIDIOC_S_PARM, &parm))
		return zc_fail(p->ctx, errno, "pipeline: %s: VIDIOC_S_PARM %u fps",
			       zc_queue_what(q).s, p->cfg.fps);
	return 0;
}

static int open_devices(struct zcbuf_pipeline *p)
{
	int ret, s;

	ret = open_device(p, p->cfg.capture, ZCBUF_DEVICE_CAPTURE, &p->cap_dev);
	if (!ret)
		ret = open_device(p, p->cfg.m2m, ZCBUF_DEVICE_M2M, &p->m2m_dev);
	if (!ret)
		ret = zcbuf_device_get_queue(p->cap_dev, ZCBUF_CAPTURE, &p->q[ZCBUF_STAGE_CAPTURE]);
	if (!ret)
		ret = zcbuf_device_get_queue(p->m2m_dev, ZCBUF_OUTPUT, &p->q[ZCBUF_STAGE_M2M_OUTPUT]);
	if (!ret)
		ret = zcbuf_device_get_queue(p->m2m_dev, ZCBUF_CAPTURE,
					     &p->q[ZCBUF_STAGE_M2M_CAPTURE]);
	for (s = 0; s < ZCBUF_STAGES && !ret; s++) {
		ret = zcbuf_queue_set_format(p->q[s], &p->cfg.format, NULL, NULL);
		if (ret)
			zc_prefix(p->ctx, ret, "pipeline");
	}
	if (!ret && p->cfg.fps)
		ret = set_fps(p);
	return ret;
}

/* The device's own MMAP buffers of @q, exported into @bufs. */
static int setup_own(struct zcbuf_pipeline *p, struct zcbuf_queue *q, struct zcbuf_buffer **bufs)
{
	unsigned int i;
	int ret = zcbuf_queue_setup(q, ZCBUF_MEMORY_MMAP, p->n, NULL, 0);

	for (i = 0; ret >= 0 && i < p->n; i++)
		ret = zcbuf_queue_export(q, i, &bufs[i]);
	return ret < 0 ? ret : 0;
}

/* @p->n buffers of the source, set to @q's format. */
static int alloc_bufs(struct zcbuf_pipeline *p, struct zcbuf_queue *q, struct zcbuf_buffer **bufs)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < p->n; i++)
		ret = zcbuf_alloc(p->ctx, p->source, &p->cfg.format, 0, &bufs[i]);
	if (!ret)
		ret = zcbuf_queue_match_buffer(q, bufs[0]);
	return ret;
}

/* Set @q up to take @sample's kind by @memory: as many slots as buffers, or fail. */
static int setup_import(struct zcbuf_pipeline *p, struct zcbuf_queue *q, enum zcbuf_memory memory,
			struct zcbuf_buffer *sample)
{
	unsigned int flags = p->cfg.flags & ZCBUF_PIPELINE_ALLOW_COPY ? ZCBUF_SETUP_ALLOW_COPY : 0;
	int ret = zcbuf_queue_match_buffer(q, sample);

	if (!ret)
		ret = zcbuf_queue_setup(q, memory, p->n, sample, flags);
	if (ret >= 0 && (unsigned int)ret < p->n)
		return zc_fail_msg(p->ctx, ENOMEM, "%s: %d buffers, %u needed",
				   zc_queue_what(q).s, ret, p->n);
	return ret < 0 ? ret : 0;
}

static void note_exporter(struct zcbuf_pipeline *p, enum zcbuf_stage s, struct zcbuf_buffer *buf)
{
	const char *e = "";

	zcbuf_buffer_get_exporter(buf, &e);
	snprintf(p->exporter[s], sizeof(p->exporter[s]), "%s", e);
}

static int setup_queues(struct zcbuf_pipeline *p)
{
	struct zcbuf_queue *cap = p->q[ZCBUF_STAGE_CAPTURE], *m2m_cap = p->q[ZCBUF_STAGE_M2M_CAPTURE];
	int ret;

	p->n = p->cfg.num_buffers;
	if (p->own_buffers)
		ret = setup_own(p, cap, p->in);
	else
		ret = alloc_bufs(p, cap, p->in);
	if (!ret && !p->own_buffers)
		ret = setup_import(p, cap, p->cfg.capture_memory, p->in[0]);
	if (!ret)
		ret = setup_import(p, p->q[ZCBUF_STAGE_M2M_OUTPUT], p->cfg.m2m_memory, p->in[0]);
	if (!ret && p->own_buffers)
		ret = setup_own(p, m2m_cap, p->out);
	else if (!ret)
		ret = alloc_bufs(p, m2m_cap, p->out);
	if (!ret && !p->own_buffers)
		ret = setup_import(p, m2m_cap, p->cfg.m2m_memory, p->out[0]);
	if (ret)
		return zc_prefix(p->ctx, ret, "pipeline");
	note_exporter(p, ZCBUF_STAGE_CAPTURE, p->in[0]);
	note_exporter(p, ZCBUF_STAGE_M2M_OUTPUT, p->in[0]);
	note_exporter(p, ZCBUF_STAGE_M2M_CAPTURE, p->out[0]);
	return 0;
}

int zcbuf_pipeline_new(struct zcbuf_ctx *ctx, const struct zcbuf_pipeline_config *cfg,
		       struct zcbuf_pipeline **pipe)
{
	struct zcbuf_pipeline *p;
	int ret;

	if (!ctx || !pipe)
		return -EINVAL;
	*pipe = NULL;
	if (!cfg)
		return zc_fail_msg(ctx, EINVAL, "pipeline: no configuration (NULL)");
	p = calloc(1, sizeof(*p));
	if (!p)
		return zc_fail(ctx, ENOMEM, "pipeline");
	p->ctx = ctx;
	ret = check_config(ctx, cfg, p);
	if (!ret)
		ret = open_devices(p);
	if (!ret)
		ret = setup_queues(p);
	if (ret) {
		zcbuf_pipeline_free(p);
		return ret;
	}
	*pipe = p;
	return 0;
}

void zcbuf_pipeline_free(struct zcbuf_pipeline *pipe)
{
	unsigned int i;

	if (!pipe)
		return;
	/* the queues let go of the buffers first */
	zcbuf_device_free(pipe->cap_dev);
	zcbuf_device_free(pipe->m2m_dev);
	for (i = 0; i < ZC_MAX_BUFFERS; i++) {
		zcbuf_buffer_free(pipe->in[i]);
		zcbuf_buffer_free(pipe->out[i]);
	}
	free(pipe);
}

int zcbuf_pipeline_get_device(struct zcbuf_pipeline *pipe, enum zcbuf_stage stage,
			      struct zcbuf_device **dev)
{
	if (!pipe || !dev || (unsigned int)stage >= ZCBUF_STAGES)
		return -EINVAL;
	*dev = stage == ZCBUF_STAGE_CAPTURE ? pipe->cap_dev : pipe->m2m_dev;
	return 0;
}
