// SPDX-License-Identifier: MIT
/*
 * The dma-buf identity -> V4L2 index cache. vb2 keeps an imported dma-buf
 * attached (and mapped) to the index it was queued on: queuing the same
 * dma-buf on the same index again skips the unmap and map, another index
 * costs both. So, as libcamera's V4L2BufferCache does, the same dma-bufs
 * get the same index whenever it is free. Ordinary memory, queued by
 * USERPTR, is the same when its address and length are: vb2 then keeps the
 * pages it pinned on that index.
 */
#include <errno.h>
#include <string.h>

#include "v4l2.h"

void zc_cache_init(struct zc_cache *c, unsigned int n)
{
	memset(c, 0, sizeof(*c));
	c->n = n > ZC_MAX_BUFFERS ? ZC_MAX_BUFFERS : n;
}

static bool key_equal(const struct zc_cache_key *a, const struct zc_cache_key *b)
{
	unsigned int i;

	if (a->n != b->n || a->addr != b->addr || a->len != b->len)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->id[i].dev != b->id[i].dev || a->id[i].ino != b->id[i].ino)
			return false;
	return true;
}

int zc_cache_get(struct zc_cache *c, const struct zc_cache_key *key)
{
	unsigned int i;
	int fresh = -1, reuse = -1;

	for (i = 0; i < c->n; i++) {
		struct zc_cache_entry *e = &c->e[i];

		if (e->has_key && key_equal(&e->key, key)) {
			if (e->queued)
				return -EEXIST;
			e->queued = true;
			e->last = ++c->tick;
			c->hits++;
			return (int)i;
		}
		if (e->queued)
			continue;
		if (!e->has_key && fresh < 0)
			fresh = (int)i;
		else if (e->has_key && (reuse < 0 || e->last < c->e[reuse].last))
			reuse = (int)i;
	}
	if (fresh < 0)
		fresh = reuse;
	if (fresh < 0)
		return -EBUSY;
	c->e[fresh] = (struct zc_cache_entry){
		.queued = true, .has_key = true, .last = ++c->tick, .key = *key,
	};
	c->misses++;
	return fresh;
}

int zc_cache_put(struct zc_cache *c, unsigned int index)
{
	if (index >= c->n || !c->e[index].queued)
		return -EINVAL;
	c->e[index].queued = false;
	return 0;
}

int zc_cache_take(struct zc_cache *c, unsigned int index)
{
	if (index >= c->n)
		return -EINVAL;
	if (c->e[index].queued)
		return -EBUSY;
	c->e[index].queued = true;
	c->e[index].last = ++c->tick;
	return 0;
}
