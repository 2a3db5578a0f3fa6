#include "tree.h"
#include <stdlib.h>

/* Keeps a tree descent as branches: clang otherwise turns it into a select chain, which V8 runs
 * as a serial load-compare-cmov-load per level, while a branch lets the CPU run ahead down the
 * predicted (usually repeated) path. It is there for codegen, not because the branch is the
 * likelier one. */
#define LIKELY(c) __builtin_expect(!!(c), 1)

_Static_assert(sizeof(struct node) == 32, "struct node is meant to be 32 bytes");

int inject_hit(uint32_t *cd)
{
	if (!cd || *cd == 0) return 0;
	return --*cd == 0;
}

int iovad_grow_nodes(struct iovad *d, uint32_t k)
{
	uint32_t ncap, i;
	struct node *n;
	if (d->nfree >= k) return 0;
	ncap = d->cap ? d->cap * 2 : 64;
	while (ncap - d->cap + d->nfree < k) ncap *= 2;
	n = realloc(d->n, (size_t)ncap * sizeof(*n));
	if (!n) return -1;
	d->n = n;
	for (i = ncap; i-- > d->cap;) { n[i].l = d->freehead; d->freehead = i; d->nfree++; }
	d->cap = ncap;
	return 0;
}

static uint32_t node_get(struct iovad *d, uint64_t lo, uint64_t hi)
{
	uint32_t i = d->freehead;
	struct node *x = &d->n[i];
	d->freehead = x->l; d->nfree--;
	d->seed ^= d->seed << 13; d->seed ^= d->seed >> 17; d->seed ^= d->seed << 5;
	x->lo = lo; x->hi = hi; x->l = x->r = NODE_NONE; x->prio = d->seed >> 1;
	x->slab = SLAB_NONE; x->cached = 0;
	return i;
}

static void node_put(struct iovad *d, uint32_t i)
{
	if (d->hint == i) d->hint = NODE_NONE;
	d->n[i].l = d->freehead; d->freehead = i; d->nfree++;
}

static void split(struct iovad *d, uint32_t t, uint64_t key, uint32_t *a, uint32_t *b)
{
	if (t == NODE_NONE) { *a = *b = NODE_NONE; return; }
	if (d->n[t].lo < key) { split(d, d->n[t].r, key, &d->n[t].r, b); *a = t; }
	else { split(d, d->n[t].l, key, a, &d->n[t].l); *b = t; }
}

static uint32_t merge(struct iovad *d, uint32_t a, uint32_t b)
{
	if (a == NODE_NONE) return b;
	if (b == NODE_NONE) return a;
	if (d->n[a].prio > d->n[b].prio) { d->n[a].r = merge(d, d->n[a].r, b); return a; }
	d->n[b].l = merge(d, a, d->n[b].l);
	return b;
}

static uint32_t ins(struct iovad *d, uint32_t t, uint32_t x)
{
	if (t == NODE_NONE) return x;
	if (d->n[x].prio > d->n[t].prio) { split(d, t, d->n[x].lo, &d->n[x].l, &d->n[x].r); return x; }
	if (d->n[x].lo < d->n[t].lo) d->n[t].l = ins(d, d->n[t].l, x);
	else d->n[t].r = ins(d, d->n[t].r, x);
	return t;
}

static uint32_t del(struct iovad *d, uint32_t t, uint64_t key)
{
	if (t == NODE_NONE) return t;
	if (key < d->n[t].lo) d->n[t].l = del(d, d->n[t].l, key);
	else if (key > d->n[t].lo) d->n[t].r = del(d, d->n[t].r, key);
	else return merge(d, d->n[t].l, d->n[t].r);
	return t;
}

int iovad_init(struct iovad *d, uint32_t shift, uint64_t start_pfn)
{
	d->n = NULL; d->cap = d->nfree = 0; d->freehead = NODE_NONE; d->root = NODE_NONE; d->count = 0;
	d->seed = 0x9e3779b9u;
	d->hint = NODE_NONE;
	if (iovad_reserve_nodes(d, 1)) return -1;
	d->shift = shift; d->start_pfn = start_pfn;
	d->dma32 = (uint64_t)1 << (32 - shift);
	d->max32 = d->dma32;
	/* capped below ~0 so no limit, reserve or size reaches the anchor (granule 1) */
	d->max_pfn = shift ? PFN_MAX_ALL >> shift : PFN_MAX_ALL - 1;
	d->anchor = node_get(d, PFN_MAX_ALL, PFN_MAX_ALL);
	d->root = d->anchor;
	d->cached = d->cached32 = d->anchor;
	return 0;
}

static void free_inorder(struct iovad *d, struct iova_env *env, uint32_t t)
{
	if (t == NODE_NONE) return;
	free_inorder(d, env, d->n[t].l);
	if (t != d->anchor) slab_free(env->iova_cache, d->n[t].slab);
	free_inorder(d, env, d->n[t].r);
}

void iovad_destroy(struct iovad *d, struct iova_env *env)
{
	if (env) free_inorder(d, env, d->root);
	free(d->n); d->n = NULL; d->cap = 0; d->count = 0; d->hint = NODE_NONE;
}

uint32_t tree_first(const struct iovad *d)
{
	uint32_t t = d->root;
	while (t != NODE_NONE && d->n[t].l != NODE_NONE) t = d->n[t].l;
	return t;
}

uint32_t tree_next(const struct iovad *d, uint32_t x)
{
	uint64_t key = d->n[x].lo;
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (d->n[t].lo > key) { best = t; t = d->n[t].l; } else t = d->n[t].r;
	}
	return best;
}

uint32_t tree_prev(const struct iovad *d, uint32_t x)
{
	uint64_t key = d->n[x].lo;
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (d->n[t].lo < key) { best = t; t = d->n[t].r; } else t = d->n[t].l;
	}
	return best;
}

/* Descending in-order cursor for alloc_iova's gap search. The stack holds the unvisited nodes
 * below the cursor whose left subtrees are already pending, largest on top, so visiting k
 * consecutive nodes costs O(k + depth) rather than k root-to-leaf searches. A tree deeper than
 * the stack (never seen with random priorities) falls back to tree_prev. */
#ifndef WALK_STACK
#define WALK_STACK 128
#endif
struct walk { uint32_t cur, depth, overflowed; uint32_t stack[WALK_STACK]; };

static void walk_push(struct walk *w, uint32_t t)
{
	if (w->depth == WALK_STACK) w->overflowed = 1;
	else w->stack[w->depth++] = t;
}

static void walk_start(const struct iovad *d, struct walk *w, uint32_t x)
{
	uint64_t key = d->n[x].lo;
	uint32_t t = d->root;
	w->cur = x; w->depth = 0; w->overflowed = 0;
	while (t != x) {
		if (d->n[t].lo < key) { walk_push(w, t); t = d->n[t].r; } else t = d->n[t].l;
	}
}

static uint32_t walk_prev(const struct iovad *d, struct walk *w)
{
	uint32_t t;
	if (!w->overflowed)
		for (t = d->n[w->cur].l; t != NODE_NONE; t = d->n[t].r) walk_push(w, t);
	if (w->overflowed) return w->cur = tree_prev(d, w->cur);
	return w->cur = w->depth ? w->stack[--w->depth] : NODE_NONE;
}

/* lowest node with pfn_hi >= v (pfn_hi is monotone in pfn_lo since ranges are disjoint) */
static uint32_t lowest_hi_ge(const struct iovad *d, uint64_t v)
{
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (d->n[t].hi >= v) { best = t; t = d->n[t].l; } else t = d->n[t].r;
	}
	return best;
}

uint32_t find_iova_walk(struct iovad *d, uint64_t pfn)
{
	uint32_t t = d->root, best = NODE_NONE;
	while (t != NODE_NONE) {
		if (LIKELY(d->n[t].lo <= pfn)) { best = t; t = d->n[t].r; } else t = d->n[t].l;
	}
	if (best == NODE_NONE || best == d->anchor || d->n[best].hi < pfn) return NODE_NONE;
	return d->hint = best;
}

static uint32_t insert_range(struct iovad *d, struct iova_env *env, uint64_t lo, uint64_t hi, uint32_t slab)
{
	uint32_t x = node_get(d, lo, hi);
	(void)env;
	d->n[x].slab = slab;
	d->root = ins(d, d->root, x);
	d->count++;
	return d->hint = x;
}

uint64_t alloc_iova(struct iovad *d, struct iova_env *env, uint64_t size, uint64_t limit_pfn, int size_aligned)
{
	uint64_t limit = limit_pfn + 1, align_mask = PFN_MAX_ALL, high, low, newp = 0, retry_pfn;
	uint32_t curr, slab, sh;
	struct walk w;
	if (inject_hit(env->fail_iova)) return 0;
	slab = slab_alloc(env->iova_cache);
	if (size_aligned) {
		sh = fls64_(size - 1);
		align_mask = sh >= 64 ? 0 : align_mask << sh;
	}
	if (limit <= d->dma32 && size >= d->max32) goto fail;
	curr = limit <= d->dma32 ? d->cached32 : d->cached;
	retry_pfn = d->n[curr].hi;
	high = limit; low = d->start_pfn;
	for (;;) {
		walk_start(d, &w, curr);
		do {
			if (d->n[curr].lo < high) high = d->n[curr].lo;
			newp = (high - size) & align_mask;
			curr = walk_prev(d, &w);
		} while (curr != NODE_NONE && newp <= d->n[curr].hi && newp >= low);
		if (high < size || newp < low) {
			if (low == d->start_pfn && retry_pfn < limit) {
				high = limit; low = retry_pfn + 1;
				curr = limit > d->dma32 ? d->anchor : lowest_hi_ge(d, limit);
				continue;
			}
			d->max32 = size;
			goto fail;
		}
		break;
	}
	curr = insert_range(d, env, newp, newp + size - 1, slab);
	if (d->n[curr].hi < d->dma32) d->cached32 = curr; else d->cached = curr;
	return newp;
fail:
	slab_free(env->iova_cache, slab);
	return 0;
}

void remove_iova(struct iovad *d, struct iova_env *env, uint32_t x)
{
	struct node *f = &d->n[x];
	if (x == d->cached32 || (f->hi < d->dma32 && f->lo >= d->n[d->cached32].lo))
		d->cached32 = tree_next(d, x);
	if (f->lo < d->dma32) d->max32 = d->dma32;
	if (f->lo >= d->n[d->cached].lo) d->cached = tree_next(d, x);
	slab_free(env->iova_cache, f->slab);
	d->root = del(d, d->root, f->lo);
	d->count--;
	node_put(d, x);
}

uint32_t reserve_iova(struct iovad *d, struct iova_env *env, uint64_t lo, uint64_t hi)
{
	uint32_t x, slab;
	int overlap = 0;
	for (x = lowest_hi_ge(d, lo); x != NODE_NONE && x != d->anchor; x = tree_next(d, x)) {
		struct node *n = &d->n[x];
		if (lo <= n->hi && hi >= n->lo) {
			if (lo < n->lo) n->lo = lo;
			if (hi > n->hi) lo = n->hi + 1;
			if (lo >= n->lo && hi <= n->hi) return x;
			overlap = 1;
		} else if (overlap) break;
	}
	if (inject_hit(env->fail_iova)) return NODE_NONE;
	slab = slab_alloc(env->iova_cache);
	return insert_range(d, env, lo, hi, slab);
}

int range_has_cached(const struct iovad *d, uint64_t lo, uint64_t hi)
{
	uint32_t x;
	for (x = lowest_hi_ge(d, lo); x != NODE_NONE && x != d->anchor && d->n[x].lo <= hi; x = tree_next(d, x))
		if (d->n[x].cached) return 1;
	return 0;
}
