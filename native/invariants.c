/* The invariant checker: the tree, every magazine and every slab counter agree with each other. */
#include "lab.h"
#include <stdio.h>
#include <stdlib.h>

/* Model-only: records the broken invariant for iova_invariant_message. */
static int32_t invariant_broken(struct iova_lab *L, const char *m, int32_t dom)
{
	snprintf(L->msg, sizeof(L->msg), "domain %d: %s", (int)dom, m);
	return IOVA_E_INVARIANT;
}

/* Model-only: a magazine's PFNs are each the pfn_lo of a live node of class k flagged in_magazine,
 * seen once; counts its PFNs and PFN buffers. */
static int check_magazine(struct iova_lab *L, struct lab_domain *d, uint32_t k, const struct iova_magazine *m,
			  uint8_t *mark, uint64_t *npfn, uint64_t *nbuf)
{
	uint32_t j;
	if (m->slab == SLAB_NONE)
		return m->size == 0 && m->buf == BUF_NONE ? 0 : -1;
	if (m->size > d->rcaches[k].mag_cap || (m->size == 0) != (m->buf == BUF_NONE))
		return -1;
	if (m->buf != BUF_NONE) {
		if (m->buf >= L->pool.cap)
			return -1;
		(*nbuf)++;
	}
	for (j = 0; j < m->size; j++) {
		uint64_t pfn = L->pool.pfn[(size_t)m->buf * L->pool.words + j];
		uint32_t x = find_iova_exact(&d->iovad, pfn);
		if (x == NODE_NONE || !d->iovad.n[x].in_magazine || mark[x])
			return -1;
		if (order_base_2_(d->iovad.n[x].pfn_hi - d->iovad.n[x].pfn_lo + 1) != k)
			return -1;
		mark[x] = 1;
		(*npfn)++;
	}
	return 0;
}

/* Model-only: the tree is ordered, disjoint, in range, with both cursors and the anchor in it. */
static int32_t check_tree(struct iova_lab *L, struct lab_domain *d, uint64_t *nflag)
{
	struct iova_domain *v = &d->iovad;
	uint32_t x, prevx = NODE_NONE;
	uint64_t cnt = 0;
	int found_c = 0, found_c32 = 0;
	for (x = tree_first(v); x != NODE_NONE; prevx = x, x = tree_next(v, x)) {
		struct iova *n = &v->n[x];
		if (x == v->cached_node)
			found_c = 1;
		if (x == v->cached32_node)
			found_c32 = 1;
		if (x == v->anchor) {
			if (n->pfn_lo != PFN_MAX_ALL || n->pfn_hi != PFN_MAX_ALL || tree_next(v, x) != NODE_NONE)
				return invariant_broken(L, "anchor misplaced", d->id);
			continue;
		}
		cnt++;
		/* the retry-start overflow (v5.11-v6.1) can hand out ranges below start_pfn */
		uint64_t lowest = L->policy.retry == IOVA_RETRY_OVERFLOW ? 0 : v->start_pfn;
		if (n->pfn_lo > n->pfn_hi || n->pfn_lo < lowest || n->pfn_hi == PFN_MAX_ALL)
			return invariant_broken(L, "node out of range", d->id);
		if (prevx != NODE_NONE && v->n[prevx].pfn_hi >= n->pfn_lo)
			return invariant_broken(L, "nodes overlap", d->id);
		if (n->in_magazine)
			(*nflag)++;
	}
	if (cnt != v->count)
		return invariant_broken(L, "node count", d->id);
	if (!found_c || !found_c32)
		return invariant_broken(L, "cursor not in tree", d->id);
	return IOVA_OK;
}

/* Model-only: one domain's tree and rcaches; counts its magazines, PFN buffers and depot sizes. */
static int32_t check_domain(struct iova_lab *L, struct lab_domain *d, uint64_t *nmags, uint64_t *nbuf,
			    uint64_t *cls_depot)
{
	const struct iova_policy *p = &L->policy;
	uint32_t k, c;
	uint64_t npfn = 0, nflag = 0;
	uint8_t *mark;
	int32_t r;
	if ((r = check_tree(L, d, &nflag)))
		return r;
	mark = calloc(d->iovad.cap ? d->iovad.cap : 1, 1);
	if (!mark)
		return IOVA_E_NOMEM; /* cannot prove anything without memory */
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		struct iova_rcache *rc = &d->rcaches[k];
		const char *why = NULL;
		if (rc->mag_cap < 1 || rc->mag_cap > p->mag_size)
			why = "magazine capacity outside 1..mag_size";
		if (p->depot_cap && rc->depot_size > p->depot_cap)
			why = "depot above its cap";
		for (c = 0; !why && c < 2 * L->possible; c++) {
			const struct iova_magazine *m = rcache_magazine(rc, c);
			if (!p->lazy && m->slab == SLAB_NONE)
				why = "eager magazine missing";
			else if (check_magazine(L, d, k, m, mark, &npfn, nbuf))
				why = "bad cached pfn in cpu magazine";
			else
				*nmags += m->slab != SLAB_NONE;
		}
		for (c = 0; !why && c < rc->depot_size; c++) {
			const struct iova_magazine *m = &rc->depot[c];
			int full = p->dynamic_initial ? m->size >= 1 : m->size == p->mag_size;
			if (m->slab == SLAB_NONE || !full || check_magazine(L, d, k, m, mark, &npfn, nbuf))
				why = "bad depot magazine";
		}
		if (why) {
			free(mark);
			return invariant_broken(L, why, d->id);
		}
		*nmags += rc->depot_size;
		cls_depot[k] += rc->depot_size;
	}
	free(mark);
	if (npfn != nflag)
		return invariant_broken(L, "cached flag without cached pfn", d->id);
	return IOVA_OK;
}

/* Model-only: a lazy domain's queued IOVAs: each in the tree, in no magazine, none lost (fq_check). */
static int32_t check_flush_queues(struct iova_lab *L, struct lab_domain *d)
{
	struct iommu_dma_cookie *ck = lab_dma_cookie(L, d->id);
	const char *why = ck ? fq_check(d, &ck->fq) : NULL;
	return why ? invariant_broken(L, why, d->id) : IOVA_OK;
}

/* Model-only: every domain, then lab-wide: depot totals, PFN buffers, and every slab object owned. */
int32_t iova_check_invariants(int32_t h)
{
	struct iova_lab *L = lab_of_handle(h);
	uint32_t i, k;
	uint64_t nmags = 0, nbuf = 0, nodes = 0, cls_depot[IOVA_RANGE_CACHE_MAX_SIZE] = { 0 };
	uint64_t expect[IOVA_CACHE_COUNT] = { 0 };
	int32_t r;
	if (!L)
		return IOVA_E_NO_LAB;
	L->msg[0] = 0;
	for (i = 0; i < IOVA_CACHE_COUNT; i++)
		if (slab_check(&L->caches[i]))
			return invariant_broken(L, "slab counters inconsistent", -1);
	for (i = 0; i < L->ndoms; i++) {
		if (!L->doms[i])
			continue;
		if ((r = check_domain(L, L->doms[i], &nmags, &nbuf, cls_depot)))
			return r;
		if ((r = check_flush_queues(L, L->doms[i])))
			return r;
		nodes += L->doms[i]->iovad.count;
	}
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++)
		if (cls_depot[k] != L->cls[k].depot_mags)
			return invariant_broken(L, "depot_size mismatch", -1);
	if (nbuf != L->pool.cap - L->pool.nfree)
		return invariant_broken(L, "pfn buffer leak", -1);
	/* every object in every cache is accounted for: nodes, magazines, rcache arrays */
	expect[IOVA_CACHE_IOVA] += nodes;
	expect[L->mag_cache_index] += nmags;
	if (L->ctx.array_cache)
		expect[L->ctx.array_cache - L->caches] += L->live;
	for (i = 0; i < IOVA_CACHE_COUNT; i++)
		if (L->caches[i].active != expect[i])
			return invariant_broken(L, "slab objects != live model objects", -1);
	return IOVA_OK;
}

/* Model-only: the message of the last failed check ("" when it passed). */
const char *iova_invariant_message(int32_t h)
{
	struct iova_lab *L = lab_of_handle(h);
	return L ? L->msg : "no lab";
}
