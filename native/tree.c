/* The range allocator: alloc_iova, find_iova, remove_iova, reserve_iova on a treap. */
#include "tree.h"
#include <stdlib.h>

/* Keeps a tree descent as branches: clang otherwise turns it into a select chain, which V8 runs
 * as a serial load-compare-cmov-load per level, while a branch lets the CPU run ahead down the
 * predicted (usually repeated) path. It is there for codegen, not because the branch is the
 * likelier one. */
#define LIKELY(c) __builtin_expect(!!(c), 1)

_Static_assert(sizeof(struct iova) == 32, "struct iova is meant to be 32 bytes");

/* Model-only: counts down an armed fault injection; 1 when this allocation is the one to fail. */
int inject_hit(uint32_t *cd)
{
	if (!cd || *cd == 0)
		return 0;
	return --*cd == 0;
}

/* Model-only: grows the node array so n nodes are free. */
int iova_grow_nodes(struct iova_domain *d, uint32_t k)
{
	uint32_t ncap, i;
	struct iova *n;
	if (d->nfree >= k)
		return 0;
	ncap = d->cap ? d->cap * 2 : 64;
	while (ncap - d->cap + d->nfree < k)
		ncap *= 2;
	n = realloc(d->n, (size_t)ncap * sizeof(*n));
	if (!n)
		return -1;
	d->n = n;
	for (i = ncap; i-- > d->cap;) {
		n[i].l = d->freehead;
		d->freehead = i;
		d->nfree++;
	}
	d->cap = ncap;
	return 0;
}

/* alloc_iova_mem: a node from the free list, with a fresh treap priority. */
static uint32_t alloc_iova_node(struct iova_domain *d, uint64_t lo, uint64_t hi)
{
	uint32_t i = d->freehead;
	struct iova *x = &d->n[i];
	d->freehead = x->l;
	d->nfree--;
	d->seed ^= d->seed << 13;
	d->seed ^= d->seed >> 17;
	d->seed ^= d->seed << 5;
	x->pfn_lo = lo;
	x->pfn_hi = hi;
	x->l = x->r = NODE_NONE;
	x->prio = d->seed >> 1;
	x->slab = SLAB_NONE;
	x->in_magazine = 0;
	return i;
}

/* free_iova_mem: a node back to the free list. */
static void free_iova_node(struct iova_domain *d, uint32_t i)
{
	if (d->hint == i)
		d->hint = NODE_NONE;
	d->n[i].l = d->freehead;
	d->freehead = i;
	d->nfree++;
}

/* Model-only (treap): splits t into keys < key and keys >= key. */
static void split(struct iova_domain *d, uint32_t t, uint64_t key, uint32_t *a, uint32_t *b)
{
	if (t == NODE_NONE) {
		*a = *b = NODE_NONE;
		return;
	}
	if (d->n[t].pfn_lo < key) {
		split(d, d->n[t].r, key, &d->n[t].r, b);
		*a = t;
	} else {
		split(d, d->n[t].l, key, a, &d->n[t].l);
		*b = t;
	}
}

/* Model-only (treap): joins two treaps whose keys are ordered. */
static uint32_t merge(struct iova_domain *d, uint32_t a, uint32_t b)
{
	if (a == NODE_NONE)
		return b;
	if (b == NODE_NONE)
		return a;
	if (d->n[a].prio > d->n[b].prio) {
		d->n[a].r = merge(d, d->n[a].r, b);
		return a;
	}
	d->n[b].l = merge(d, a, d->n[b].l);
	return b;
}

/* Model-only (treap): inserts node x (the rbtree insert of iova_insert_rbtree). */
static uint32_t ins(struct iova_domain *d, uint32_t t, uint32_t x)
{
	if (t == NODE_NONE)
		return x;
	if (d->n[x].prio > d->n[t].prio) {
		split(d, t, d->n[x].pfn_lo, &d->n[x].l, &d->n[x].r);
		return x;
	}
	if (d->n[x].pfn_lo < d->n[t].pfn_lo)
		d->n[t].l = ins(d, d->n[t].l, x);
	else
		d->n[t].r = ins(d, d->n[t].r, x);
	return t;
}

/* Model-only (treap): removes the node keyed pfn_lo == key (rb_erase). */
static uint32_t del(struct iova_domain *d, uint32_t t, uint64_t key)
{
	if (t == NODE_NONE)
		return t;
	if (key < d->n[t].pfn_lo)
		d->n[t].l = del(d, d->n[t].l, key);
	else if (key > d->n[t].pfn_lo)
		d->n[t].r = del(d, d->n[t].r, key);
	else
		return merge(d, d->n[t].l, d->n[t].r);
	return t;
}

/* init_iova_domain: empty tree with the anchor node at ~0, both cursors on it. */
int init_iova_domain(struct iova_domain *d, uint32_t shift, uint64_t start_pfn, const struct iova_policy *facets)
{
	d->n = NULL;
	d->cap = d->nfree = 0;
	d->freehead = NODE_NONE;
	d->root = NODE_NONE;
	d->count = 0;
	d->seed = 0x9e3779b9u;
	d->hint = NODE_NONE;
	d->facets = facets;
	if (iova_reserve_nodes(d, 1))
		return -1;
	d->shift = shift;
	d->start_pfn = start_pfn;
	d->dma_32bit_pfn = (uint64_t)1 << (32 - shift);
	d->max32_alloc_size = d->dma_32bit_pfn;
	/* capped below ~0 so no limit, reserve or size reaches the anchor (granule 1) */
	d->max_pfn = shift ? PFN_MAX_ALL >> shift : PFN_MAX_ALL - 1;
	d->anchor = alloc_iova_node(d, PFN_MAX_ALL, PFN_MAX_ALL);
	d->root = d->anchor;
	d->cached_node = d->cached32_node = d->anchor;
	return 0;
}

/* put_iova_domain's tree part: every node's iommu_iova object freed, ascending. */
static void free_inorder(struct iova_domain *d, struct iova_env *env, uint32_t t)
{
	if (t == NODE_NONE)
		return;
	free_inorder(d, env, d->n[t].l);
	if (t != d->anchor)
		slab_free(env->iova_cache, d->n[t].slab);
	free_inorder(d, env, d->n[t].r);
}

/* put_iova_domain's tree part, then the model's node memory. */
void destroy_iova_tree(struct iova_domain *d, struct iova_env *env)
{
	if (env)
		free_inorder(d, env, d->root);
	free(d->n);
	d->n = NULL;
	d->cap = 0;
	d->count = 0;
	d->hint = NODE_NONE;
}

/* rb_first. */
uint32_t tree_first(const struct iova_domain *d)
{
	uint32_t t = d->root;
	while (t != NODE_NONE && d->n[t].l != NODE_NONE)
		t = d->n[t].l;
	return t;
}

/* rb_next. */
uint32_t tree_next(const struct iova_domain *d, uint32_t x)
{
	uint64_t key = d->n[x].pfn_lo;
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (d->n[t].pfn_lo > key) {
			best = t;
			t = d->n[t].l;
		} else
			t = d->n[t].r;
	}
	return best;
}

/* rb_prev. */
uint32_t tree_prev(const struct iova_domain *d, uint32_t x)
{
	uint64_t key = d->n[x].pfn_lo;
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (d->n[t].pfn_lo < key) {
			best = t;
			t = d->n[t].r;
		} else
			t = d->n[t].l;
	}
	return best;
}

/* Descending in-order cursor for alloc_iova's gap search. The stack holds the unvisited nodes
 * below the cursor whose left subtrees are already pending, largest on top, so visiting k
 * consecutive nodes costs O(k + depth) rather than k root-to-leaf searches. A tree deeper than
 * the stack (never seen with random priorities) falls back to tree_prev. The stack array lives
 * apart from the scalars: a struct holding both is indexed by a variable, so clang kept the
 * scalars in memory (a store and a reload per visited node, which V8 does not forward). */
#ifndef WALK_STACK
#define WALK_STACK 128
#endif
struct walk {
	uint32_t cur, depth, overflowed;
	uint32_t *stack; /* WALK_STACK entries */
};

/* Model-only: pushes onto the descending walk's stack (or notes the overflow). */
static inline void walk_push(struct walk *w, uint32_t t)
{
	if (w->depth == WALK_STACK)
		w->overflowed = 1;
	else
		w->stack[w->depth++] = t;
}

/* Model-only: a descending in-order walk starting at node x. */
static inline void walk_start(const struct iova_domain *d, struct walk *w, uint32_t x)
{
	uint64_t key = d->n[x].pfn_lo;
	uint32_t t = d->root;
	w->cur = x;
	w->depth = 0;
	w->overflowed = 0;
	while (t != x) {
		if (d->n[t].pfn_lo < key) {
			walk_push(w, t);
			t = d->n[t].r;
		} else
			t = d->n[t].l;
	}
}

/* Model-only: the walk's next node down (rb_prev). */
static inline uint32_t walk_prev(const struct iova_domain *d, struct walk *w)
{
	uint32_t t;
	if (!w->overflowed)
		for (t = d->n[w->cur].l; t != NODE_NONE; t = d->n[t].r)
			walk_push(w, t);
	if (w->overflowed)
		return w->cur = tree_prev(d, w->cur);
	return w->cur = w->depth ? w->stack[--w->depth] : NODE_NONE;
}

/* Model-only: the lowest node with pfn_hi >= v (pfn_hi is monotone in pfn_lo: ranges are disjoint). */
static uint32_t lowest_hi_ge(const struct iova_domain *d, uint64_t v)
{
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (d->n[t].pfn_hi >= v) {
			best = t;
			t = d->n[t].l;
		} else
			t = d->n[t].r;
	}
	return best;
}

/* private_find_iova: the node containing pfn by descent; sets the hint. */
uint32_t find_iova_walk(struct iova_domain *d, uint64_t pfn)
{
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (LIKELY(d->n[t].pfn_lo <= pfn)) {
			best = t;
			t = d->n[t].r;
		} else
			t = d->n[t].l;
	}
	if (best == NODE_NONE || best == d->anchor || d->n[best].pfn_hi < pfn)
		return NODE_NONE;
	return d->hint = best;
}

/* iova_insert_rbtree for a new node [lo, hi] owning iommu_iova object `slab`. */
uint32_t insert_iova_range(struct iova_domain *d, uint64_t lo, uint64_t hi, uint32_t slab)
{
	uint32_t x = alloc_iova_node(d, lo, hi);
	d->n[x].slab = slab;
	d->root = ins(d, d->root, x);
	d->count++;
	return d->hint = x;
}

/* __alloc_and_insert_iova_range from v4.15 (exclusive limit): top-down gap search from the cached
 * cursor, with the release's max32_alloc_size fast-fail (v5.1+) and retry from the top (v5.11+;
 * until v6.2 with the retry-start overflow). The new node, or NODE_NONE. */
static int32_t alloc_iova_range(struct iova_domain *d, uint64_t size, uint64_t limit, int size_aligned, uint32_t slab,
				uint32_t *node)
{
	const struct iova_policy *f = d->facets;
	uint64_t align_mask = PFN_MAX_ALL, high, low, newp = 0, retry_pfn, retry_start;
	uint32_t curr, sh;
	int retried = 0;
	uint32_t walk_stack[WALK_STACK];
	struct walk w = { .stack = walk_stack };
	*node = NODE_NONE;
	if (size_aligned) {
		sh = fls64_(size - 1);
		align_mask = sh >= 64 ? 0 : align_mask << sh;
	}
	if (f->max32_alloc_size && limit <= d->dma_32bit_pfn && size >= d->max32_alloc_size)
		return IOVA_OK;
	curr = limit <= d->dma_32bit_pfn ? d->cached32_node : d->cached_node;
	retry_pfn = d->n[curr].pfn_hi;
	/* v5.11-v6.1 compared pfn_hi + 1, which wraps to 0 at the anchor: the retry then searches from PFN 0 */
	retry_start = f->retry == IOVA_RETRY_OVERFLOW ? retry_pfn + 1 : retry_pfn;
	high = limit;
	low = d->start_pfn;
	for (;;) {
		walk_start(d, &w, curr);
		do {
			if (d->n[curr].pfn_lo < high)
				high = d->n[curr].pfn_lo;
			newp = (high - size) & align_mask;
			curr = walk_prev(d, &w);
		} while (curr != NODE_NONE && newp <= d->n[curr].pfn_hi && newp >= low);
		if (high < size || newp < low) {
			if (f->retry != IOVA_RETRY_NONE && low == d->start_pfn && retry_start < limit) {
				/* the same failed search from start_pfn again: the kernel loops here forever */
				if (retried)
					return IOVA_E_NON_TERMINATING;
				retried = 1;
				high = limit;
				low = retry_pfn + 1;
				curr = limit > d->dma_32bit_pfn ? d->anchor : lowest_hi_ge(d, limit);
				continue;
			}
			if (f->max32_alloc_size)
				d->max32_alloc_size = size;
			return IOVA_OK;
		}
		break;
	}
	*node = insert_iova_range(d, newp, newp + size - 1, slab);
	if (newp + size - 1 < d->dma_32bit_pfn)
		d->cached32_node = *node;
	else
		d->cached_node = *node;
	return IOVA_OK;
}

/* alloc_iova: an iommu_iova object, then the release's range search (v4.7's or the anchor walk). */
int32_t alloc_iova(struct iova_domain *d, struct iova_env *env, uint64_t size, uint64_t limit_pfn, int size_aligned,
		   uint32_t *node)
{
	uint32_t slab;
	int32_t r = IOVA_OK;
	*node = NODE_NONE;
	if (inject_hit(env->fail_iova))
		return IOVA_OK;
	slab = slab_alloc(env->iova_cache);
	if (d->facets->tree_walk == IOVA_WALK_V4_7)
		*node = alloc_iova_range_v4_7(d, size, limit_pfn, size_aligned, slab);
	else
		r = alloc_iova_range(d, size, limit_pfn + 1, size_aligned, slab, node);
	if (*node == NODE_NONE)
		slab_free(env->iova_cache, slab);
	return r;
}

/* remove_iova + free_iova_mem, with __cached_rbnode_delete_update's cursor updates. */
void remove_iova(struct iova_domain *d, struct iova_env *env, uint32_t x)
{
	struct iova *f = &d->n[x];
	if (d->facets->tree_walk == IOVA_WALK_V4_7) {
		cached32_delete_update_v4_7(d, x);
	} else {
		if (x == d->cached32_node ||
		    (f->pfn_hi < d->dma_32bit_pfn && f->pfn_lo >= d->n[d->cached32_node].pfn_lo))
			d->cached32_node = tree_next(d, x);
		if (f->pfn_lo < d->dma_32bit_pfn)
			d->max32_alloc_size = d->dma_32bit_pfn;
		if (f->pfn_lo >= d->n[d->cached_node].pfn_lo)
			d->cached_node = tree_next(d, x);
	}
	slab_free(env->iova_cache, f->slab);
	d->root = del(d, d->root, f->pfn_lo);
	d->count--;
	free_iova_node(d, x);
}

/* reserve_iova: merges [lo, hi] into the nodes it overlaps, filling gaps with new nodes. */
uint32_t reserve_iova(struct iova_domain *d, struct iova_env *env, uint64_t lo, uint64_t hi)
{
	uint32_t x, slab;
	int overlap = 0;
	for (x = lowest_hi_ge(d, lo); x != NODE_NONE && x != d->anchor; x = tree_next(d, x)) {
		struct iova *n = &d->n[x];
		if (lo <= n->pfn_hi && hi >= n->pfn_lo) {
			if (lo < n->pfn_lo)
				n->pfn_lo = lo;
			if (hi > n->pfn_hi)
				lo = n->pfn_hi + 1;
			if (lo >= n->pfn_lo && hi <= n->pfn_hi)
				return x;
			overlap = 1;
		} else if (overlap)
			break;
	}
	if (inject_hit(env->fail_iova))
		return NODE_NONE;
	slab = slab_alloc(env->iova_cache);
	return insert_iova_range(d, lo, hi, slab);
}

/* Model-only: whether a node within [lo, hi] has its pfn in a magazine. */
int range_in_magazines(const struct iova_domain *d, uint64_t lo, uint64_t hi)
{
	uint32_t x;
	for (x = lowest_hi_ge(d, lo); x != NODE_NONE && x != d->anchor && d->n[x].pfn_lo <= hi; x = tree_next(d, x))
		if (d->n[x].in_magazine)
			return 1;
	return 0;
}
