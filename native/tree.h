/* IOVA domain tree: ordered treap of {pfn_lo, pfn_hi} nodes with stable uint32 indices. */
#ifndef IOVA_TREE_H
#define IOVA_TREE_H
#include <stdint.h>
#include "slab.h"

#define NODE_NONE 0xffffffffu
#define PFN_MAX_ALL (~(uint64_t)0)

struct node { uint64_t lo, hi; uint32_t l, r, prio, slab; uint8_t cached, live; };

struct iovad {
	struct node *n;
	uint32_t cap, nfree, freehead, root, count; /* count excludes the anchor */
	uint32_t seed;
	uint64_t start_pfn, dma32, max32, max_pfn;
	uint32_t shift, anchor, cached, cached32;
};

/* inject: countdown for iommu_iova object failures (0 = none armed). */
struct iova_env { struct slab_cache *iova_cache; uint32_t *fail_iova; };

int iovad_init(struct iovad *d, uint32_t shift, uint64_t start_pfn); /* 0 or -1 */
void iovad_destroy(struct iovad *d, struct iova_env *env);            /* frees nodes ascending */
int iovad_reserve_nodes(struct iovad *d, uint32_t n);                 /* 0 or -1 */
int inject_hit(uint32_t *countdown);

uint64_t alloc_iova(struct iovad *d, struct iova_env *env, uint64_t size, uint64_t limit_pfn, int size_aligned);
uint32_t find_iova(const struct iovad *d, uint64_t pfn);     /* containing node, not the anchor */
uint32_t find_iova_exact(const struct iovad *d, uint64_t pfn_lo);
void remove_iova(struct iovad *d, struct iova_env *env, uint32_t node); /* cursor updates + free */
uint32_t reserve_iova(struct iovad *d, struct iova_env *env, uint64_t lo, uint64_t hi); /* NODE_NONE on failure */
int range_has_cached(const struct iovad *d, uint64_t lo, uint64_t hi); /* a node in [lo, hi] sits in a magazine */
uint32_t tree_first(const struct iovad *d);
uint32_t tree_next(const struct iovad *d, uint32_t node);
uint32_t tree_prev(const struct iovad *d, uint32_t node);
uint32_t fls64_(uint64_t x);
uint32_t order_base_2_(uint64_t x);
#endif
