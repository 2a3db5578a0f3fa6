/* iova_magazine: the array of PFNs an rcache keeps per CPU and in its depot, and the model's pool
 * of PFN buffers behind it. */
#ifndef IOVA_MAGAZINE_H
#define IOVA_MAGAZINE_H
#include <stddef.h>
#include <stdint.h>
#include "slab.h"

#define BUF_NONE 0xffffffffu

/* An empty magazine is 12 bytes; its PFN buffer is materialised only while it holds PFNs.
 * slab == SLAB_NONE: not allocated (the lazy policy before first use). */
struct iova_magazine {
	uint32_t size, slab, buf;
};

/* PFN buffers of `words` (the magazine size) slots each, shared by a lab's magazines. */
struct pfn_pool {
	uint64_t *pfn;
	uint32_t *freelist;
	uint32_t cap, nfree, words;
};

void pfn_pool_init(struct pfn_pool *p, uint32_t words);
void pfn_pool_destroy(struct pfn_pool *p);
int pfn_pool_reserve(struct pfn_pool *p, uint32_t n);

/* The PFN array of a magazine (its pool buffer). */
static inline uint64_t *mag_pfns(struct pfn_pool *pool, const struct iova_magazine *m)
{
	return &pool->pfn[(size_t)m->buf * pool->words];
}
void iova_magazine_push(struct pfn_pool *pool, struct iova_magazine *m, uint64_t pfn);
void magazine_release_pfns(struct pfn_pool *pool, struct iova_magazine *m);
/* Both pops take a PFN out of a non-empty magazine, or return 0 and leave it as it was. */
uint64_t iova_magazine_pop_scan(struct pfn_pool *pool, struct iova_magazine *m, uint64_t size, uint64_t limit_pfn);
uint64_t iova_magazine_pop_top(struct pfn_pool *pool, struct iova_magazine *m, uint64_t limit_pfn);
/* Whether a (lazy) magazine has been allocated. */
static inline int magazine_present(const struct iova_magazine *m)
{
	return m->slab != SLAB_NONE;
}
#endif
