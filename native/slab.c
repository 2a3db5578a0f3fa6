#include "slab.h"
#include <stdlib.h>

const uint32_t slab_obj_sizes[SC_NCACHES] = {64, 1024, 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};

static uint32_t fls32(uint32_t x) { uint32_t r = 0; while (x) { r++; x >>= 1; } return r; }

void slab_init(struct slab_cache *c, uint32_t obj_size, uint32_t possible, uint32_t geometry)
{
	uint32_t order;
	c->obj_size = obj_size;
	if (geometry == 0) {
		uint32_t min_obj = 4 * (fls32(possible) + 1), max3 = (4096u << 3) / obj_size;
		if (min_obj > max3) min_obj = max3;
		for (order = 0; order < 3; order++)
			if ((4096u << order) / obj_size >= min_obj) break;
	} else {
		for (order = 0; (4096u << order) / obj_size < 1; order++) ;
	}
	c->pages = 1u << order;
	c->per_slab = (4096u << order) / obj_size;
	c->active = c->num_slabs = c->allocs = c->frees = 0;
	c->slabs = NULL; c->cap = c->nfree = 0;
	c->freehead = c->partial = SLAB_NONE;
}

void slab_destroy(struct slab_cache *c) { free(c->slabs); c->slabs = NULL; c->cap = c->nfree = 0; }

int slab_grow(struct slab_cache *c, uint32_t n)
{
	uint32_t ncap, i;
	struct slab *s;
	if (c->nfree >= n) return 0;
	ncap = c->cap ? c->cap * 2 : 16;
	while (ncap - c->cap + c->nfree < n) ncap *= 2;
	s = realloc(c->slabs, (size_t)ncap * sizeof(*s));
	if (!s) return -1;
	c->slabs = s;
	for (i = ncap; i-- > c->cap;) {
		s[i].live = 0; s[i].in_partial = 0; s[i].next = c->freehead; c->freehead = i; c->nfree++;
	}
	c->cap = ncap;
	return 0;
}

static void partial_push(struct slab_cache *c, uint32_t id)
{
	struct slab *s = &c->slabs[id];
	s->prev = SLAB_NONE; s->next = c->partial; s->in_partial = 1;
	if (c->partial != SLAB_NONE) c->slabs[c->partial].prev = id;
	c->partial = id;
}

static void partial_remove(struct slab_cache *c, uint32_t id)
{
	struct slab *s = &c->slabs[id];
	if (s->prev != SLAB_NONE) c->slabs[s->prev].next = s->next; else c->partial = s->next;
	if (s->next != SLAB_NONE) c->slabs[s->next].prev = s->prev;
	s->in_partial = 0;
}

uint32_t slab_alloc(struct slab_cache *c)
{
	uint32_t id;
	if (c->partial != SLAB_NONE) {
		id = c->partial;
		c->slabs[id].inuse++;
		if (c->slabs[id].inuse == c->per_slab) partial_remove(c, id);
	} else {
		if (slab_reserve(c, 1)) return SLAB_NONE;
		id = c->freehead; c->freehead = c->slabs[id].next; c->nfree--;
		c->slabs[id].live = 1; c->slabs[id].inuse = 1; c->slabs[id].in_partial = 0;
		c->num_slabs++;
		if (c->per_slab > 1) partial_push(c, id);
	}
	c->active++; c->allocs++;
	return id;
}

void slab_free(struct slab_cache *c, uint32_t id)
{
	struct slab *s = &c->slabs[id];
	if (s->inuse == c->per_slab) partial_push(c, id);
	s->inuse--;
	c->active--; c->frees++;
	if (s->inuse == 0) {
		partial_remove(c, id);
		s->live = 0; s->next = c->freehead; c->freehead = id; c->nfree++;
		c->num_slabs--;
	}
}

int slab_check(const struct slab_cache *c)
{
	uint64_t act = 0, ns = 0, np = 0;
	uint32_t i;
	for (i = 0; i < c->cap; i++) {
		const struct slab *s = &c->slabs[i];
		if (!s->live) continue;
		ns++; act += s->inuse;
		if (s->inuse == 0 || s->inuse > c->per_slab) return -1;
		if (s->in_partial != (s->inuse < c->per_slab)) return -1;
		if (s->in_partial) np++;
	}
	if (act != c->active || ns != c->num_slabs) return -1;
	for (i = c->partial; i != SLAB_NONE; i = c->slabs[i].next) np--;
	return np ? -1 : 0;
}
