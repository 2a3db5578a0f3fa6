/* Slab cache accounting (the counters slabinfo shows): LIFO partial list, per-slab in-use counts. */
#ifndef IOVA_SLAB_H
#define IOVA_SLAB_H
#include <stdint.h>
#include "iova_abi.h"

#define SLAB_NONE 0xffffffffu

struct slab {
	uint32_t inuse, prev, next;
	uint8_t live, in_partial;
};

struct slab_cache {
	uint32_t obj_size, per_slab, pages;
	uint64_t active, num_slabs, allocs, frees;
	struct slab *slabs;
	uint32_t cap, nfree, freehead, partial;
};

extern const uint32_t slab_obj_sizes[IOVA_CACHE_COUNT]; /* in cache order (iova_abi.h) */
void slab_init(struct slab_cache *c, uint32_t obj_size, uint32_t possible, uint32_t geometry);
void slab_destroy(struct slab_cache *c);
int slab_grow(struct slab_cache *c, uint32_t n); /* ensure n free slab slots; 0 or -1 */
/* Model-only: room for n more slabs. Inline so the per-op headroom check costs a compare, not a call. */
static inline int slab_reserve(struct slab_cache *c, uint32_t n)
{
	return c->nfree >= n ? 0 : slab_grow(c, n);
}
uint32_t slab_alloc(struct slab_cache *c); /* slab id, SLAB_NONE on heap exhaustion */
void slab_free(struct slab_cache *c, uint32_t id);
int slab_check(const struct slab_cache *c); /* 0 when counters are consistent */
#endif
