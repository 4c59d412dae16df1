// SPDX-License-Identifier: MIT
/*
 * The import probes a queue remembers, per exporter (source kind) and
 * memory type, and what AUTO takes from them.
 */
#include <string.h>
#include <errno.h>

#include "v4l2.h"

const struct zcbuf_probe *zc_probe_find(const struct zc_probe_table *t, const char *exporter,
					enum zcbuf_memory memory)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->p[i].memory == memory && !strcmp(t->p[i].exporter, exporter))
			return &t->p[i];
	return NULL;
}

void zc_probe_record(struct zc_probe_table *t, const struct zcbuf_probe *r)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->p[i].memory == r->memory && !strcmp(t->p[i].exporter, r->exporter))
			break;
	if (i == ZC_MAX_PROBES) {
		memmove(&t->p[0], &t->p[1], sizeof(t->p[0]) * (ZC_MAX_PROBES - 1));
		i = ZC_MAX_PROBES - 1;
	} else if (i == t->n) {
		t->n++;
	}
	t->p[i] = *r;
}

int zc_probe_choose(const struct zc_probe_table *t, const char *exporter,
		    enum zcbuf_memory *memory)
{
	static const enum zcbuf_memory order[] = { ZCBUF_MEMORY_DMABUF, ZCBUF_MEMORY_USERPTR };
	unsigned int i;

	for (i = 0; i < ZC_ARRAY_SIZE(order); i++) {
		const struct zcbuf_probe *p = zc_probe_find(t, exporter, order[i]);

		if (!p)
			return -ENOENT;
		if (!p->error) {
			*memory = order[i];
			return 0;
		}
	}
	*memory = ZCBUF_MEMORY_MMAP;
	return 0;
}

bool zc_exporter_needs_dmabuf_userptr(const char *exporter)
{
	/*
	 * udmabuf and vb2-vmalloc map ordinary pages that any kernel can pin;
	 * a CMA heap's pages are pinnable too (at a price: see import.c). What
	 * else maps as PFNs, which only a kernel that imports the dma-buf behind
	 * the mapping takes through USERPTR. Ordinary memory is pages: any
	 * kernel pins it, so it proves nothing (and must not unlock CMA).
	 */
	return *exporter && strcmp(exporter, "udmabuf") && strcmp(exporter, "videobuf2_vmalloc") &&
	       strcmp(exporter, ZC_MEMORY_EXPORTER) && !zc_exporter_is_cma_heap(exporter);
}
