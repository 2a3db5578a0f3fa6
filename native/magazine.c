/* iova_magazine push and pop, on the model's pool of PFN buffers. */
#include "magazine.h"
#include <stdlib.h>
#include <string.h>

/* Model-only: the lab's pool of PFN buffers, one per non-empty magazine. */
void pfn_pool_init(struct pfn_pool *p, uint32_t words)
{
	memset(p, 0, sizeof(*p));
	p->words = words;
}
/* Model-only: releases the PFN buffer pool. */
void pfn_pool_destroy(struct pfn_pool *p)
{
	free(p->pfn);
	free(p->freelist);
	memset(p, 0, sizeof(*p));
}

/* Model-only: room for n more PFN buffers before an op starts; 0 or -1. */
int pfn_pool_reserve(struct pfn_pool *p, uint32_t n)
{
	uint32_t ncap, i;
	uint64_t *np;
	uint32_t *nf;
	if (p->nfree >= n)
		return 0;
	ncap = p->cap ? p->cap * 2 : 16;
	while (ncap - p->cap + p->nfree < n)
		ncap *= 2;
	np = realloc(p->pfn, (size_t)ncap * p->words * sizeof(uint64_t));
	if (!np)
		return -1;
	p->pfn = np;
	nf = realloc(p->freelist, (size_t)ncap * sizeof(uint32_t));
	if (!nf)
		return -1;
	p->freelist = nf;
	for (i = ncap; i-- > p->cap;)
		p->freelist[p->nfree++] = i;
	p->cap = ncap;
	return 0;
}

/* iova_magazine_push: append a PFN (the buffer is taken from the pool on first use). */
void iova_magazine_push(struct pfn_pool *pool, struct iova_magazine *m, uint64_t pfn)
{
	if (m->buf == BUF_NONE)
		m->buf = pool->freelist[--pool->nfree];
	mag_pfns(pool, m)[m->size++] = pfn;
}

/* Model-only: an emptied magazine gives its PFN buffer back to the pool. */
void magazine_release_pfns(struct pfn_pool *pool, struct iova_magazine *m)
{
	if (m->buf != BUF_NONE) {
		pool->freelist[pool->nfree++] = m->buf;
		m->buf = BUF_NONE;
	}
}

/* iova_magazine_pop since v4.19 ("try harder"): the highest-index PFN whose range of `size` ends at
 * or below limit_pfn; the last PFN fills its slot. The bound wraps like the kernel's unsigned long. */
uint64_t iova_magazine_pop_scan(struct pfn_pool *pool, struct iova_magazine *m, uint64_t size, uint64_t limit_pfn)
{
	uint64_t *p = mag_pfns(pool, m), limit = limit_pfn + 1 - size, pfn;
	uint32_t i = m->size - 1;
	while (p[i] > limit) {
		if (i == 0)
			return 0;
		i--;
	}
	pfn = p[i];
	p[i] = p[--m->size];
	if (m->size == 0)
		magazine_release_pfns(pool, m);
	return pfn;
}

/* iova_magazine_pop of v4.7-v4.18: only the top PFN, and only when it lies strictly below limit_pfn. */
uint64_t iova_magazine_pop_top(struct pfn_pool *pool, struct iova_magazine *m, uint64_t limit_pfn)
{
	uint64_t pfn = mag_pfns(pool, m)[m->size - 1];
	if (pfn >= limit_pfn)
		return 0;
	if (--m->size == 0)
		magazine_release_pfns(pool, m);
	return pfn;
}
