/* The tree walk of the first rcache kernels (v4.7 up to v4.14): inclusive limits, no anchor in the
 * search, no cached_node, no max32_alloc_size, no retry; one cached32_node cursor that may be
 * empty. The treap keeps its anchor node for storage, but this walk never uses it: every limit is
 * below it, and the cursor resting on it means "empty". */
#include "tree.h"

/* Model-only: the inclusive dma_32bit_pfn these kernels were given at init (0xfffff for 4 KiB). */
static uint64_t dma32_inclusive(const struct iova_domain *d)
{
	return d->dma_32bit_pfn - 1;
}

/* iova_get_pad_size (v4.7): what aligns the range's top end down to the size's power of two. */
static uint64_t iova_get_pad_size(uint64_t size, uint64_t limit)
{
	uint32_t order = order_base_2_(size);
	uint64_t mask = order >= 64 ? PFN_MAX_ALL : ((uint64_t)1 << order) - 1;
	return (limit + 1 - size) & mask;
}

/* Model-only: base + size + pad <= limit, a sum past 2^64 not fitting. The kernel's unsigned long
 * would wrap and corrupt its tree; only granule-1 domains with sizes near 2^64 get there. */
static int range_fits(uint64_t base, uint64_t size, uint64_t pad, uint64_t limit)
{
	uint64_t end;
	return !__builtin_add_overflow(base, size, &end) && !__builtin_add_overflow(end, pad, &end) && end <= limit;
}

/* __alloc_and_insert_iova_range of v4.7 (inclusive limit_pfn), with __get_cached_rbnode's start and
 * __cached_rbnode_insert_update. The search starts below the cursor only when the limit is exactly
 * dma_32bit_pfn, else at the highest node; the range's lowest PFN always lies above start_pfn. */
uint32_t alloc_iova_range_v4_7(struct iova_domain *d, uint64_t size, uint64_t limit_pfn, int size_aligned,
			       uint32_t slab)
{
	int use_cursor = d->cached32_node != d->anchor && limit_pfn == dma32_inclusive(d);
	uint64_t limit = use_cursor ? d->n[d->cached32_node].pfn_lo - 1 : limit_pfn, pad = 0, lo;
	uint32_t curr = tree_prev(d, use_cursor ? d->cached32_node : d->anchor), x;
	for (; curr != NODE_NONE; curr = tree_prev(d, curr)) {
		const struct iova *n = &d->n[curr];
		if (limit < n->pfn_lo)
			continue;
		if (limit >= n->pfn_hi) {
			pad = size_aligned ? iova_get_pad_size(size, limit) : 0;
			if (range_fits(n->pfn_hi, size, pad, limit))
				break; /* the gap above curr fits */
		}
		limit = n->pfn_lo ? n->pfn_lo - 1 : 0;
	}
	if (curr == NODE_NONE) {
		pad = size_aligned ? iova_get_pad_size(size, limit) : 0;
		if (!range_fits(d->start_pfn, size, pad, limit))
			return NODE_NONE;
	}
	lo = limit - (size + pad) + 1;
	x = insert_iova_range(d, lo, lo + size - 1, slab);
	if (limit_pfn == dma32_inclusive(d))
		d->cached32_node = x;
	return x;
}

/* __cached_rbnode_delete_update of v4.7: freeing a node at or above the cursor moves the cursor to
 * the freed node's successor when that starts below dma_32bit_pfn, else empties it. */
void cached32_delete_update_v4_7(struct iova_domain *d, uint32_t x)
{
	uint32_t next;
	if (d->cached32_node == d->anchor || d->n[x].pfn_lo < d->n[d->cached32_node].pfn_lo)
		return;
	next = tree_next(d, x);
	d->cached32_node = next != NODE_NONE && d->n[next].pfn_lo < dma32_inclusive(d) ? next : d->anchor;
}
