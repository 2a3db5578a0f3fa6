/* The iova_domain's range tree: an ordered treap of struct iova nodes with stable uint32 indices
 * (the kernel uses an rbtree; only the order and the cursors are observable). */
#ifndef IOVA_TREE_H
#define IOVA_TREE_H
#include <stdint.h>
#include "slab.h"
#include "iova_abi.h"

#define NODE_NONE 0xffffffffu
#define PFN_MAX_ALL (~(uint64_t)0)

/* One allocated range. 32 bytes, so a node index scales by a shift (wasm multiplies by 40 on every
 * tree level). in_magazine: its pfn_lo sits in an rcache magazine (model-only, catches double frees). */
struct iova {
	uint64_t pfn_lo, pfn_hi;
	uint32_t l, r, slab;
	uint32_t prio : 31, in_magazine : 1;
};

struct iova_domain {
	struct iova *n;
	uint32_t cap, nfree, freehead, root, count; /* count excludes the anchor */
	uint32_t seed;
	uint64_t start_pfn, dma_32bit_pfn, max32_alloc_size, max_pfn;
	uint32_t shift, anchor, cached_node, cached32_node;
	/* last node found or inserted (NODE_NONE once freed): lets a repeated lookup skip the walk */
	uint32_t hint;
	/* Model-only: the release's walk (tree_walk, max32_alloc_size, retry); cached32_node on the
	 * anchor is the old walk's empty cursor */
	const struct iova_policy *facets;
};

/* inject: countdown for iommu_iova object failures (0 = none armed). */
struct iova_env {
	struct slab_cache *iova_cache;
	uint32_t *fail_iova;
};

/* 0 or -1; facets must outlive the domain */
int init_iova_domain(struct iova_domain *d, uint32_t shift, uint64_t start_pfn, const struct iova_policy *facets);
void destroy_iova_tree(struct iova_domain *d, struct iova_env *env); /* frees nodes ascending */
int iova_grow_nodes(struct iova_domain *d, uint32_t n); /* 0 or -1 */
/* Model-only: room for n more nodes. Inline so the per-op headroom check costs a compare, not a call. */
static inline int iova_reserve_nodes(struct iova_domain *d, uint32_t n)
{
	return d->nfree >= n ? 0 : iova_grow_nodes(d, n);
}
int inject_hit(uint32_t *countdown);

/* IOVA_OK, or IOVA_E_NON_TERMINATING where the kernel would retry forever; *node: the new node or NODE_NONE */
int32_t alloc_iova(struct iova_domain *d, struct iova_env *env, uint64_t size, uint64_t limit_pfn, int size_aligned,
		   uint32_t *node);
/* iova_insert_rbtree of a new node [lo, hi] owning iommu_iova object `slab` */
uint32_t insert_iova_range(struct iova_domain *d, uint64_t lo, uint64_t hi, uint32_t slab);
/* The v4.7 walk (tree_v4.c): the new node or NODE_NONE, and its cursor update before a removal. */
uint32_t alloc_iova_range_v4_7(struct iova_domain *d, uint64_t size, uint64_t limit_pfn, int size_aligned,
			       uint32_t slab);
void cached32_delete_update_v4_7(struct iova_domain *d, uint32_t node);
uint32_t find_iova_walk(struct iova_domain *d, uint64_t pfn); /* find_iova by descent; sets the hint */

/* Containing node, not the anchor. The hint is a non-anchor node in the tree and nodes are
 * disjoint, so a hint containing pfn is what the descent would find; inline so such a repeated
 * lookup (validate then free the same pfn) costs no call. */
static inline uint32_t find_iova(struct iova_domain *d, uint64_t pfn)
{
	uint32_t h = d->hint;
	if (h != NODE_NONE && d->n[h].pfn_lo <= pfn && pfn <= d->n[h].pfn_hi)
		return h;
	return find_iova_walk(d, pfn);
}

/* Model-only: the node starting exactly at pfn_lo (what free_iova_fast's caller must hand back). */
static inline uint32_t find_iova_exact(struct iova_domain *d, uint64_t pfn_lo)
{
	uint32_t x = find_iova(d, pfn_lo);
	return (x != NODE_NONE && d->n[x].pfn_lo == pfn_lo) ? x : NODE_NONE;
}
void remove_iova(struct iova_domain *d, struct iova_env *env, uint32_t node); /* cursor updates + free */
/* NODE_NONE on failure */
uint32_t reserve_iova(struct iova_domain *d, struct iova_env *env, uint64_t lo, uint64_t hi);
/* a node in [lo, hi] sits in a magazine */
int range_in_magazines(const struct iova_domain *d, uint64_t lo, uint64_t hi);
uint32_t tree_first(const struct iova_domain *d);
uint32_t tree_next(const struct iova_domain *d, uint32_t node);
uint32_t tree_prev(const struct iova_domain *d, uint32_t node);
/* Bit scans as one instruction (lzcnt / i64.clz) instead of a shift loop. */
static inline uint32_t fls64_(uint64_t x)
{
	return x ? 64 - (uint32_t)__builtin_clzll(x) : 0;
}
static inline uint32_t order_base_2_(uint64_t x)
{
	return x <= 1 ? 0 : fls64_(x - 1);
}
#endif
