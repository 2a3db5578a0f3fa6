/* Slab caches: which slab an object lands in, per-slab use counts, the partial list. */
#include "slab.h"
#include <stdlib.h>

const uint32_t slab_obj_sizes[IOVA_CACHE_COUNT] = IOVA_CACHE_OBJ_SIZES;

/* fls: the 1-based index of the highest set bit, 0 for 0. */
static uint32_t fls32(uint32_t x)
{
	uint32_t r = 0;
	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

/* kmem_cache_create's geometry: slub picks the smallest order holding calculate_order()'s min objects. */
void slab_init(struct slab_cache *c, uint32_t obj_size, uint32_t possible, uint32_t geometry)
{
	uint32_t order;
	c->obj_size = obj_size;
	if (geometry == 0) {
		uint32_t min_obj = 4 * (fls32(possible) + 1), max3 = ((uint32_t)PAGE_SIZE << SLAB_MAX_ORDER) / obj_size;
		if (min_obj > max3)
			min_obj = max3;
		for (order = 0; order < SLAB_MAX_ORDER; order++)
			if (((uint32_t)PAGE_SIZE << order) / obj_size >= min_obj)
				break;
	} else {
		for (order = 0; ((uint32_t)PAGE_SIZE << order) / obj_size < 1; order++)
			;
	}
	c->pages = 1u << order;
	c->per_slab = ((uint32_t)PAGE_SIZE << order) / obj_size;
	c->active = c->num_slabs = c->allocs = c->frees = 0;
	c->slabs = NULL;
	c->cap = c->nfree = 0;
	c->freehead = c->partial = SLAB_NONE;
}

/* Model-only: the slab bookkeeping memory. */
void slab_destroy(struct slab_cache *c)
{
	free(c->slabs);
	c->slabs = NULL;
	c->cap = c->nfree = 0;
}

/* Model-only: grows the slab array so n slab slots are free; 0 or -1. */
int slab_grow(struct slab_cache *c, uint32_t n)
{
	uint32_t ncap, i;
	struct slab *s;
	if (c->nfree >= n)
		return 0;
	ncap = c->cap ? c->cap * 2 : 16;
	while (ncap - c->cap + c->nfree < n)
		ncap *= 2;
	s = realloc(c->slabs, (size_t)ncap * sizeof(*s));
	if (!s)
		return -1;
	c->slabs = s;
	for (i = ncap; i-- > c->cap;) {
		s[i].live = 0;
		s[i].in_partial = 0;
		s[i].next = c->freehead;
		c->freehead = i;
		c->nfree++;
	}
	c->cap = ncap;
	return 0;
}

/* add_partial at the head of the partial list. */
static void partial_push(struct slab_cache *c, uint32_t id)
{
	struct slab *s = &c->slabs[id];
	s->prev = SLAB_NONE;
	s->next = c->partial;
	s->in_partial = 1;
	if (c->partial != SLAB_NONE)
		c->slabs[c->partial].prev = id;
	c->partial = id;
}

/* remove_partial. */
static void partial_remove(struct slab_cache *c, uint32_t id)
{
	struct slab *s = &c->slabs[id];
	if (s->prev != SLAB_NONE)
		c->slabs[s->prev].next = s->next;
	else
		c->partial = s->next;
	if (s->next != SLAB_NONE)
		c->slabs[s->next].prev = s->prev;
	s->in_partial = 0;
}

/* kmem_cache_alloc: from the partial list's head slab, else a new slab. */
uint32_t slab_alloc(struct slab_cache *c)
{
	uint32_t id;
	if (c->partial != SLAB_NONE) {
		id = c->partial;
		c->slabs[id].inuse++;
		if (c->slabs[id].inuse == c->per_slab)
			partial_remove(c, id);
	} else {
		if (slab_reserve(c, 1))
			return SLAB_NONE;
		id = c->freehead;
		c->freehead = c->slabs[id].next;
		c->nfree--;
		c->slabs[id].live = 1;
		c->slabs[id].inuse = 1;
		c->slabs[id].in_partial = 0;
		c->num_slabs++;
		if (c->per_slab > 1)
			partial_push(c, id);
	}
	c->active++;
	c->allocs++;
	return id;
}

/* kmem_cache_free: a full slab rejoins the partial list, an empty one is released. */
void slab_free(struct slab_cache *c, uint32_t id)
{
	struct slab *s = &c->slabs[id];
	if (s->inuse == c->per_slab)
		partial_push(c, id);
	s->inuse--;
	c->active--;
	c->frees++;
	if (s->inuse == 0) {
		partial_remove(c, id);
		s->live = 0;
		s->next = c->freehead;
		c->freehead = id;
		c->nfree++;
		c->num_slabs--;
	}
}

/* Model-only: 0 when the counters agree with the slabs (the invariant checker's part). */
int slab_check(const struct slab_cache *c)
{
	uint64_t act = 0, ns = 0, np = 0;
	uint32_t i;
	for (i = 0; i < c->cap; i++) {
		const struct slab *s = &c->slabs[i];
		if (!s->live)
			continue;
		ns++;
		act += s->inuse;
		if (s->inuse == 0 || s->inuse > c->per_slab)
			return -1;
		if (s->in_partial != (s->inuse < c->per_slab))
			return -1;
		if (s->in_partial)
			np++;
	}
	if (act != c->active || ns != c->num_slabs)
		return -1;
	for (i = c->partial; i != SLAB_NONE; i = c->slabs[i].next)
		np--;
	return np ? -1 : 0;
}
