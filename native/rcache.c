/* The rcache: per-CPU magazines, the depot and its trim work, alloc_iova_fast/free_iova_fast. */
#include "rcache.h"
#include <stdlib.h>

static const struct iova_magazine absent = { 0, SLAB_NONE, BUF_NONE };

/* iova_magazine_alloc: one object from the magazine cache (or an injected failure). */
static int iova_magazine_alloc(struct rc_ctx *c, struct iova_magazine *m)
{
	if (inject_hit(c->fail_mag))
		return -1;
	m->slab = slab_alloc(c->mag_cache);
	if (m->slab == SLAB_NONE)
		return -1;
	m->size = 0;
	m->buf = BUF_NONE;
	return 0;
}

/* iova_magazine_free: the object back to its cache (PFNs must already be gone). */
static void iova_magazine_free(struct rc_ctx *c, struct iova_magazine *m)
{
	if (!magazine_present(m))
		return;
	slab_free(c->mag_cache, m->slab);
	magazine_release_pfns(c->pool, m);
	m->size = 0;
	m->slab = SLAB_NONE;
}

/* Model-only: what the tree code needs of the lab. */
static struct iova_env env_of(struct rc_ctx *c)
{
	struct iova_env e;
	e.iova_cache = c->iova_cache;
	e.fail_iova = c->fail_iova;
	return e;
}

/* iova_magazine_free_pfns: every PFN back to the tree (PFNs not found are skipped). */
static void iova_magazine_free_pfns(struct rc_ctx *c, struct lab_domain *d, struct iova_magazine *m)
{
	struct iova_env e = env_of(c);
	uint32_t i;
	for (i = 0; i < m->size; i++) {
		uint32_t x = find_iova(&d->iovad, mag_pfns(c->pool, m)[i]);
		if (x == NODE_NONE)
			continue;
		d->iovad.n[x].in_magazine = 0;
		remove_iova(&d->iovad, &e, x);
	}
	m->size = 0;
	magazine_release_pfns(c->pool, m);
}

/* Model-only: the kmalloc'd per-domain rcache array (v6.0+), if the policy has one. */
static void free_rcache_array(struct rc_ctx *c, struct lab_domain *d)
{
	if (c->array_cache)
		slab_free(c->array_cache, d->array_slab);
}

/* Model-only: the host memory of a domain that failed init. */
static void free_domain_memory(struct lab_domain *d)
{
	uint32_t k;
	destroy_iova_tree(&d->iovad, NULL);
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++)
		free(d->rcaches[k].cpu_rcaches);
	free(d);
}

/* init_iova_domain + iova_domain_init_rcaches: array, then class 0..5, CPU 0..n-1, loaded, prev. */
int lab_domain_init(struct rc_ctx *c, int32_t id, uint32_t shift, uint64_t start_pfn, struct lab_domain **out)
{
	const struct iova_policy *p = c->policy;
	struct lab_domain *d = calloc(1, sizeof(*d));
	uint32_t k, i, nm = 0, per_class = 2 * c->possible;
	if (!d)
		return IOVA_E_NOMEM;
	d->id = id;
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		d->rcaches[k].cpu_rcaches = malloc((size_t)c->possible * sizeof(struct iova_cpu_rcache));
		if (!d->rcaches[k].cpu_rcaches)
			goto nomem;
		for (i = 0; i < per_class; i++)
			*rcache_magazine(&d->rcaches[k], i) = absent;
		d->rcaches[k].mag_cap = p->dynamic_initial ? p->dynamic_initial : p->mag_size;
	}
	if (init_iova_domain(&d->iovad, shift, start_pfn, p))
		goto nomem;
	if (slab_reserve(c->mag_cache, IOVA_RANGE_CACHE_MAX_SIZE * per_class + 1))
		goto nomem;
	if (c->array_cache && slab_reserve(c->array_cache, 2))
		goto nomem;
	if (c->array_cache)
		d->array_slab = slab_alloc(c->array_cache);
	if (!p->lazy)
		for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++)
			for (i = 0; i < per_class; i++, nm++)
				if (iova_magazine_alloc(c, rcache_magazine(&d->rcaches[k], i)))
					goto failed;
	*out = d;
	return 0;
failed:
	while (nm-- > 0)
		iova_magazine_free(c, rcache_magazine(&d->rcaches[nm / per_class], nm % per_class));
	free_rcache_array(c, d);
	free_domain_memory(d);
	return IOVA_E_ALLOC_FAILED;
nomem:
	free_domain_memory(d);
	return IOVA_E_NOMEM;
}

/* put_iova_domain: magazines (PFNs not returned), trim work, depot, array, then the tree. */
void put_iova_domain(struct rc_ctx *c, struct lab_domain *d)
{
	struct iova_env e = env_of(c);
	uint32_t k, i;
	clock_cancel_domain(c->clk, d->id);
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		struct iova_rcache *r = &d->rcaches[k];
		for (i = 0; i < 2 * c->possible; i++)
			iova_magazine_free(c, rcache_magazine(r, i));
		c->lab_cls[k].depot_mags -= r->depot_size;
		while (r->depot_size)
			iova_magazine_free(c, &r->depot[--r->depot_size]);
		free(r->depot);
		r->depot = NULL;
	}
	free_rcache_array(c, d);
	destroy_iova_tree(&d->iovad, &e);
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++)
		free(d->rcaches[k].cpu_rcaches);
	free(d);
}

/* Model-only: memory one fast op may need, taken before it starts so a failure changes nothing. */
int lab_domain_reserve_headroom(struct rc_ctx *c, struct lab_domain *d)
{
	uint32_t k;
	/* worst case for one fast op: two magazines (a lazy prev, then a new loaded), one trim work */
	if (iova_reserve_nodes(&d->iovad, 2) || slab_reserve(c->iova_cache, 2) || slab_reserve(c->mag_cache, 2) ||
	    pfn_pool_reserve(c->pool, 2) || clock_reserve(c->clk, 1))
		return -1;
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		struct iova_rcache *r = &d->rcaches[k];
		if (r->depot_size + 1 > r->depot_cap) {
			uint32_t ncap = r->depot_cap ? r->depot_cap * 2 : 4;
			struct iova_magazine *m = realloc(r->depot, (size_t)ncap * sizeof(*m));
			if (!m)
				return -1;
			r->depot = m;
			r->depot_cap = ncap;
		}
	}
	return 0;
}

/* Bonwick's dynamic magazine size: a class whose depot is exchanged with DYNAMIC_CONTENTION
 * times within one DYNAMIC_WINDOW_MS window doubles its magazine capacity, up to mag_size. */
/* Model-only (Bonwick's dynamic magazine size): count depot exchanges, grow the class. */
static void note_depot_exchange(struct rc_ctx *c, struct iova_rcache *r)
{
	uint64_t window = c->clk->now / DYNAMIC_WINDOW_MS;
	if (!c->policy->dynamic_initial)
		return;
	if (window != r->window) {
		r->window = window;
		r->window_ops = 0;
	}
	if (++r->window_ops < DYNAMIC_CONTENTION)
		return;
	r->window_ops = 0;
	r->mag_cap = r->mag_cap * 2 > c->policy->mag_size ? c->policy->mag_size : r->mag_cap * 2;
}

/* schedule_delayed_work(&rcache->work, ...) from iova_depot_push. */
static void iova_depot_schedule_work(struct rc_ctx *c, struct lab_domain *d, uint32_t k)
{
	clock_schedule(c->clk, clock_due_after(c->clk, c->policy->trim_delay_ms), d->id, k);
	d->rcaches[k].work_pending = 1;
}

/* iova_depot_push: a full magazine onto the depot; arms the trim work. */
static void iova_depot_push(struct rc_ctx *c, struct lab_domain *d, uint32_t k, struct iova_magazine *m)
{
	struct iova_rcache *r = &d->rcaches[k];
	struct class_stats *l = &c->lab_cls[k];
	r->depot[r->depot_size++] = *m;
	r->st.pushes++;
	l->pushes++;
	l->depot_mags++;
	if (r->depot_size > r->st.high_water)
		r->st.high_water = r->depot_size;
	if (l->depot_mags > l->high_water)
		l->high_water = l->depot_mags;
	note_depot_exchange(c, r);
	if (c->policy->trim_delay_ms && !r->work_pending)
		iova_depot_schedule_work(c, d, k);
}

/* iova_depot_pop: the depot head. */
static struct iova_magazine iova_depot_pop(struct rc_ctx *c, struct lab_domain *d, uint32_t k)
{
	struct iova_rcache *r = &d->rcaches[k];
	c->lab_cls[k].depot_mags--;
	return r->depot[--r->depot_size];
}

/* alloc_iova, counting slow-path failures per domain (model-only counter). */
int32_t alloc_iova_counted(struct rc_ctx *c, struct lab_domain *d, uint64_t size, uint64_t limit_pfn, int aligned,
			   uint32_t *node)
{
	struct iova_env e = env_of(c);
	int32_t r = alloc_iova(&d->iovad, &e, size, limit_pfn, aligned, node);
	if (r == IOVA_OK && *node == NODE_NONE)
		d->slow_fail++;
	return r;
}

/* swap(cpu_rcache->loaded, cpu_rcache->prev). */
static void swap_magazines(struct iova_magazine *a, struct iova_magazine *b)
{
	struct iova_magazine t = *a;
	*a = *b;
	*b = t;
}

/* __iova_rcache_get: a PFN for (size, limit_pfn) from this CPU's loaded, prev or the depot, or 0.
 * The pop follows the release: a scan of the magazine (v4.19+) or its top PFN only (v4.7). */
static uint64_t iova_rcache_get(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu, uint32_t k, uint64_t size,
				uint64_t limit_pfn)
{
	struct iova_rcache *r = &d->rcaches[k];
	struct iova_magazine *ld = &r->cpu_rcaches[cpu].loaded, *pv = &r->cpu_rcaches[cpu].prev;
	uint64_t pfn;
	uint32_t x;
	if (ld->size) {
	} else if (pv->size) {
		swap_magazines(ld, pv);
	} else if (r->depot_size) {
		iova_magazine_free(c, ld);
		*ld = iova_depot_pop(c, d, k);
		r->st.pops++;
		c->lab_cls[k].pops++;
		note_depot_exchange(c, r);
	} else
		return 0;
	pfn = c->policy->magazine_pop == IOVA_POP_TOP ? iova_magazine_pop_top(c->pool, ld, limit_pfn) :
							iova_magazine_pop_scan(c->pool, ld, size, limit_pfn);
	if (!pfn)
		return 0;
	x = find_iova_exact(&d->iovad, pfn);
	if (x != NODE_NONE)
		d->iovad.n[x].in_magazine = 0;
	return pfn;
}

/* alloc_iova_fast: rcache first, then alloc_iova; on a failure flush and retry once. What the
 * release does: round small sizes up (v5.17+; before, its caller did), honour flush_rcache (v4.15+;
 * before, a failure always flushed), flush the depot too (v5.11+; before, CPU magazines only). */
int32_t alloc_iova_fast(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu, uint64_t size, uint64_t limit_pfn,
			int flush, uint64_t *pfn)
{
	const struct iova_policy *p = c->policy;
	uint32_t k, i, x;
	int32_t r;
	*pfn = 0;
	if (p->round_in_fast_alloc && size < (1u << (IOVA_RANGE_CACHE_MAX_SIZE - 1)))
		size = (uint64_t)1 << order_base_2_(size);
	if (!p->flush_rcache_arg)
		flush = 1;
	k = order_base_2_(size);
	if (k < IOVA_RANGE_CACHE_MAX_SIZE) {
		*pfn = iova_rcache_get(c, d, cpu, k, size, limit_pfn);
		if (*pfn) {
			d->rcaches[k].st.hits++;
			c->lab_cls[k].hits++;
			return IOVA_OK;
		}
		d->rcaches[k].st.misses++;
		c->lab_cls[k].misses++;
	}
	if ((r = alloc_iova_counted(c, d, size, limit_pfn, 1, &x)))
		return r;
	if (x == NODE_NONE && flush) {
		d->flush_retries++;
		for (i = 0; i < c->possible; i++)
			if (c->online[i])
				free_cpu_cached_iovas(c, d, i);
		if (p->flush_depot_on_failure)
			free_global_cached_iovas(c, d);
		if ((r = alloc_iova_counted(c, d, size, limit_pfn, 1, &x)))
			return r;
	}
	/* A node at PFN 0 (the retry-start overflow) reads as 0, a failure, to the caller: the kernel's leak. */
	if (x != NODE_NONE)
		*pfn = d->iovad.n[x].pfn_lo;
	return IOVA_OK;
}

/* __iova_rcache_insert's depot step: push a full loaded, or drop it when a fixed depot is full. */
static void retire_full_loaded(struct rc_ctx *c, struct lab_domain *d, uint32_t k, struct iova_magazine *full,
			       struct iova_magazine *dropped)
{
	struct iova_rcache *r = &d->rcaches[k];
	if (c->policy->depot_cap && r->depot_size >= c->policy->depot_cap) {
		*dropped = *full;
		r->st.overflows++;
		c->lab_cls[k].overflows++;
		return;
	}
	iova_depot_push(c, d, k, full);
}

/* free_iova_fast + __iova_rcache_insert: a PFN into this CPU's loaded (else to the tree). */
void free_iova_fast(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu, uint64_t pfn, uint64_t size)
{
	struct iova_env e = env_of(c);
	uint32_t k = order_base_2_(size), x = find_iova_exact(&d->iovad, pfn);
	struct iova_rcache *r;
	struct iova_magazine *ld, *pv, dropped = absent;
	if (k >= IOVA_RANGE_CACHE_MAX_SIZE) {
		if (x != NODE_NONE)
			remove_iova(&d->iovad, &e, x);
		return;
	}
	r = &d->rcaches[k];
	ld = &r->cpu_rcaches[cpu].loaded;
	pv = &r->cpu_rcaches[cpu].prev;
	if (!magazine_present(ld) && iova_magazine_alloc(c, ld))
		goto to_tree;
	if (ld->size >= r->mag_cap) {
		if (!magazine_present(pv) && iova_magazine_alloc(c, pv))
			goto to_tree;
		if (pv->size < r->mag_cap) {
			swap_magazines(ld, pv);
		} else {
			struct iova_magazine nm;
			if (iova_magazine_alloc(c, &nm))
				goto to_tree;
			retire_full_loaded(c, d, k, ld, &dropped);
			*ld = nm;
		}
	}
	iova_magazine_push(c->pool, ld, pfn);
	if (x != NODE_NONE)
		d->iovad.n[x].in_magazine = 1;
	if (magazine_present(&dropped)) {
		iova_magazine_free_pfns(c, d, &dropped);
		iova_magazine_free(c, &dropped);
	}
	return;
to_tree:
	if (x != NODE_NONE)
		remove_iova(&d->iovad, &e, x);
}

/* free_cpu_cached_iovas: one CPU's loaded and prev PFNs back to the tree. */
void free_cpu_cached_iovas(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu)
{
	uint32_t k;
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		iova_magazine_free_pfns(c, d, &d->rcaches[k].cpu_rcaches[cpu].loaded);
		iova_magazine_free_pfns(c, d, &d->rcaches[k].cpu_rcaches[cpu].prev);
	}
}

/* free_global_cached_iovas: every depot magazine's PFNs back to the tree. */
void free_global_cached_iovas(struct rc_ctx *c, struct lab_domain *d)
{
	uint32_t k;
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		while (d->rcaches[k].depot_size) {
			struct iova_magazine m = iova_depot_pop(c, d, k);
			iova_magazine_free_pfns(c, d, &m);
			iova_magazine_free(c, &m);
		}
	}
}

/* The depot size iova_depot_work_func trims down to (num_online_cpus() in the kernel). */
static uint32_t depot_trim_threshold(struct rc_ctx *c)
{
	uint32_t t = c->policy->trim_threshold;
	return t == IOVA_TRIM_ONLINE ? *c->online_count : t;
}

/* iova_depot_work_func: while the depot is above the threshold, free one magazine and rearm. */
void iova_depot_work_func(struct rc_ctx *c, struct lab_domain *d, uint32_t k)
{
	struct iova_rcache *r = &d->rcaches[k];
	struct iova_magazine m;
	r->work_pending = 0;
	if (r->depot_size <= depot_trim_threshold(c))
		return;
	m = iova_depot_pop(c, d, k);
	r->st.trims++;
	c->lab_cls[k].trims++;
	iova_magazine_free_pfns(c, d, &m);
	iova_magazine_free(c, &m);
	iova_depot_schedule_work(c, d, k);
}
