// SPDX-License-Identifier: MIT
/* A pipeline's counters: per stage from its queue, totals and fps computed here. */
#include <errno.h>
#include <string.h>

#include "pipeline.h"

static const char *const stage_names[ZCBUF_STAGES] = {
	[ZCBUF_STAGE_CAPTURE] = "capture",
	[ZCBUF_STAGE_M2M_OUTPUT] = "m2m-output",
	[ZCBUF_STAGE_M2M_CAPTURE] = "m2m-capture",
};

const char *zcbuf_stage_name(enum zcbuf_stage stage)
{
	return (unsigned int)stage < ZCBUF_STAGES ? stage_names[stage] : "unknown";
}

void zc_pipeline_totals(struct zcbuf_pipeline_stats *s)
{
	unsigned int i;

	s->copied_frames = 0;
	s->copied_bytes = 0;
	for (i = 0; i < ZCBUF_STAGES; i++) {
		s->copied_frames += s->stage[i].queue.copied_frames;
		s->copied_bytes += s->stage[i].queue.copied_bytes;
	}
	s->fps = s->elapsed_ns ? (double)s->frames * 1e9 / (double)s->elapsed_ns : 0.0;
}

int zcbuf_pipeline_get_stats(const struct zcbuf_pipeline *pipe, struct zcbuf_pipeline_stats *stats)
{
	unsigned int i;

	if (!pipe || !stats)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	stats->frames = pipe->frames;
	stats->elapsed_ns = pipe->elapsed_ns;
	for (i = 0; i < ZCBUF_STAGES; i++) {
		struct zcbuf_stage_stats *st = &stats->stage[i];

		zcbuf_queue_get_stats(pipe->q[i], &st->queue);
		zcbuf_queue_get_memory(pipe->q[i], &st->memory, &st->copying);
		memcpy(st->exporter, pipe->exporter[i], sizeof(st->exporter));
	}
	zc_pipeline_totals(stats);
	return 0;
}
