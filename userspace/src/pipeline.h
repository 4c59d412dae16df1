/* SPDX-License-Identifier: MIT */
/*
 * libzcbuf internals of the pipeline helper: capture device -> mem2mem
 * device -> consumer. pipeline.c builds it (devices, formats, buffers,
 * queue setups), pipeline-run.c streams, pipeline-stats.c adds up the
 * counters (pure, unit-tested on the host).
 */
#ifndef ZCBUF_PIPELINE_H
#define ZCBUF_PIPELINE_H

#include "v4l2.h"

struct zcbuf_pipeline {
	struct zcbuf_ctx *ctx;
	struct zcbuf_pipeline_config cfg;
	char source[64];		/* cfg.source points here */
	bool own_buffers;		/* source "v4l2": MMAP buffers queued by index */
	struct zcbuf_device *cap_dev, *m2m_dev;
	struct zcbuf_queue *q[ZCBUF_STAGES];		/* enum zcbuf_stage */
	unsigned int n;					/* buffers per queue */
	struct zcbuf_buffer *in[ZC_MAX_BUFFERS];	/* capture -> m2m OUTPUT */
	struct zcbuf_buffer *out[ZC_MAX_BUFFERS];	/* m2m CAPTURE -> consumer */
	char exporter[ZCBUF_STAGES][32];
	uint64_t frames, elapsed_ns;
};

/* Fill in the totals of @s from its stages and frames: copies, fps. */
void zc_pipeline_totals(struct zcbuf_pipeline_stats *s);

#endif
