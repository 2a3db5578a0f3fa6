/* IOVA domain tree: ordered treap of {pfn_lo, pfn_hi} nodes with stable uint32 indices. */
#ifndef IOVA_TREE_H
#define IOVA_TREE_H
#include <stdint.h>
#include "slab.h"

#define NODE_NONE 0xffffffffu
#define PFN_MAX_ALL (~(uint64_t)0)

/* 32 bytes, so a node index scales by a shift (wasm multiplies by 40 on every tree level). */
struct node { uint64_t lo, hi; uint32_t l, r, slab; uint32_t prio : 31, cached : 1; };

struct iovad {
	struct node *n;
	uint32_t cap, nfree, freehead, root, count; /* count excludes the anchor */
	uint32_t seed;
	uint64_t start_pfn, dma32, max32, max_pfn;
	uint32_t shift, anchor, cached, cached32;
	uint32_t hint; /* last node found or inserted (NODE_NONE once freed): lets a repeated lookup skip the walk */
};

/* inject: countdown for iommu_iova object failures (0 = none armed). */
struct iova_env { struct slab_cache *iova_cache; uint32_t *fail_iova; };

int iovad_init(struct iovad *d, uint32_t shift, uint64_t start_pfn); /* 0 or -1 */
void iovad_destroy(struct iovad *d, struct iova_env *env);            /* frees nodes ascending */
int iovad_grow_nodes(struct iovad *d, uint32_t n);                    /* 0 or -1 */
/* Inline so the per-op headroom check costs a compare, not a call into this file. */
static inline int iovad_reserve_nodes(struct iovad *d, uint32_t n) { return d->nfree >= n ? 0 : iovad_grow_nodes(d, n); }
int inject_hit(uint32_t *countdown);

uint64_t alloc_iova(struct iovad *d, struct iova_env *env, uint64_t size, uint64_t limit_pfn, int size_aligned);
uint32_t find_iova_walk(struct iovad *d, uint64_t pfn); /* find_iova by descent; sets the hint */

/* Containing node, not the anchor. The hint is a non-anchor node in the tree and nodes are
 * disjoint, so a hint containing pfn is what the descent would find; inline so such a repeated
 * lookup (validate then free the same pfn) costs no call. */
static inline uint32_t find_iova(struct iovad *d, uint64_t pfn)
{
	uint32_t h = d->hint;
	if (h != NODE_NONE && d->n[h].lo <= pfn && pfn <= d->n[h].hi) return h;
	return find_iova_walk(d, pfn);
}

static inline uint32_t find_iova_exact(struct iovad *d, uint64_t pfn_lo)
{
	uint32_t x = find_iova(d, pfn_lo);
	return (x != NODE_NONE && d->n[x].lo == pfn_lo) ? x : NODE_NONE;
}
void remove_iova(struct iovad *d, struct iova_env *env, uint32_t node); /* cursor updates + free */
uint32_t reserve_iova(struct iovad *d, struct iova_env *env, uint64_t lo, uint64_t hi); /* NODE_NONE on failure */
int range_has_cached(const struct iovad *d, uint64_t lo, uint64_t hi); /* a node in [lo, hi] sits in a magazine */
uint32_t tree_first(const struct iovad *d);
uint32_t tree_next(const struct iovad *d, uint32_t node);
uint32_t tree_prev(const struct iovad *d, uint32_t node);
/* Bit scans as one instruction (lzcnt / i64.clz) instead of a shift loop. */
static inline uint32_t fls64_(uint64_t x) { return x ? 64 - (uint32_t)__builtin_clzll(x) : 0; }
static inline uint32_t order_base_2_(uint64_t x) { return x <= 1 ? 0 : fls64_(x - 1); }
#endif
