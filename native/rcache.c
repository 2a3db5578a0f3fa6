#include "rcache.h"
#include "status.h"
#include <stdlib.h>
#include <string.h>

void pool_init(struct pfnpool *p, uint32_t words) { memset(p, 0, sizeof(*p)); p->words = words; }
void pool_destroy(struct pfnpool *p) { free(p->pfn); free(p->freelist); memset(p, 0, sizeof(*p)); }

int pool_reserve(struct pfnpool *p, uint32_t n)
{
	uint32_t ncap, i;
	uint64_t *np; uint32_t *nf;
	if (p->nfree >= n) return 0;
	ncap = p->cap ? p->cap * 2 : 16;
	while (ncap - p->cap + p->nfree < n) ncap *= 2;
	np = realloc(p->pfn, (size_t)ncap * p->words * sizeof(uint64_t));
	if (!np) return -1;
	p->pfn = np;
	nf = realloc(p->freelist, (size_t)ncap * sizeof(uint32_t));
	if (!nf) return -1;
	p->freelist = nf;
	for (i = ncap; i-- > p->cap;) p->freelist[p->nfree++] = i;
	p->cap = ncap;
	return 0;
}

static uint64_t *bufp(struct rc_ctx *c, struct mag *m) { return &c->pool->pfn[(size_t)m->buf * c->pool->words]; }

static void mag_push(struct rc_ctx *c, struct mag *m, uint64_t pfn)
{
	if (m->buf == BUF_NONE) m->buf = c->pool->freelist[--c->pool->nfree];
	bufp(c, m)[m->count++] = pfn;
}

static void mag_release_buf(struct rc_ctx *c, struct mag *m)
{
	if (m->buf != BUF_NONE) { c->pool->freelist[c->pool->nfree++] = m->buf; m->buf = BUF_NONE; }
}

/* returns 0 when nothing at or below limit */
static uint64_t mag_pop(struct rc_ctx *c, struct mag *m, uint64_t limit)
{
	uint64_t *p = bufp(c, m), pfn;
	uint32_t i = m->count - 1;
	while (p[i] > limit) { if (i == 0) return 0; i--; }
	pfn = p[i];
	p[i] = p[--m->count];
	if (m->count == 0) mag_release_buf(c, m);
	return pfn;
}

static int mag_alloc(struct rc_ctx *c, struct mag *m)
{
	if (inject_hit(c->fail_mag)) return -1;
	m->slab = slab_alloc(c->mag_cache);
	if (m->slab == SLAB_NONE) return -1;
	m->count = 0; m->buf = BUF_NONE;
	return 0;
}

static int mag_present(const struct mag *m) { return m->slab != SLAB_NONE; }

static void mag_free(struct rc_ctx *c, struct mag *m)
{
	if (!mag_present(m)) return;
	slab_free(c->mag_cache, m->slab);
	mag_release_buf(c, m);
	m->count = 0;
	m->slab = SLAB_NONE;
}

static struct iova_env env_of(struct rc_ctx *c)
{
	struct iova_env e; e.iova_cache = c->iova_cache; e.fail_iova = c->fail_iova; return e;
}

/* free every PFN of a magazine back to the tree (PFNs not found are skipped) */
static void mag_free_pfns(struct rc_ctx *c, struct domain *d, struct mag *m)
{
	struct iova_env e = env_of(c);
	uint32_t i;
	for (i = 0; i < m->count; i++) {
		uint32_t x = find_iova(&d->iovad, bufp(c, m)[i]);
		if (x == NODE_NONE) continue;
		d->iovad.n[x].cached = 0;
		remove_iova(&d->iovad, &e, x);
	}
	m->count = 0;
	mag_release_buf(c, m);
}

static void array_free(struct rc_ctx *c, struct domain *d)
{
	if (c->array_cache) slab_free(c->array_cache, d->array_slab);
}

static void domain_free(struct domain *d)
{
	uint32_t k;
	iovad_destroy(&d->iovad, NULL);
	for (k = 0; k < RC_CLASSES; k++) free(d->rc[k].cpu);
	free(d);
}

int domain_create(struct rc_ctx *c, int32_t id, uint32_t shift, uint64_t start_pfn, struct domain **out)
{
	const struct iova_policy *p = c->policy;
	struct domain *d = calloc(1, sizeof(*d));
	uint32_t k, cpu, nm = 0, per_class = 2 * c->possible;
	if (!d) return IOVA_E_NOMEM;
	d->id = id;
	for (k = 0; k < RC_CLASSES; k++) {
		d->rc[k].cpu = malloc((size_t)per_class * sizeof(struct mag));
		if (!d->rc[k].cpu) goto nomem;
		for (cpu = 0; cpu < per_class; cpu++) {
			d->rc[k].cpu[cpu].count = 0;
			d->rc[k].cpu[cpu].slab = SLAB_NONE;
			d->rc[k].cpu[cpu].buf = BUF_NONE;
		}
		d->rc[k].mag_cap = p->dynamic_initial ? p->dynamic_initial : p->mag_size;
	}
	if (iovad_init(&d->iovad, shift, start_pfn)) goto nomem;
	if (slab_reserve(c->mag_cache, RC_CLASSES * per_class + 1)) goto nomem;
	if (c->array_cache && slab_reserve(c->array_cache, 2)) goto nomem;
	if (c->array_cache) d->array_slab = slab_alloc(c->array_cache);
	if (!p->lazy)
		for (k = 0; k < RC_CLASSES; k++)
			for (cpu = 0; cpu < per_class; cpu++, nm++)
				if (mag_alloc(c, &d->rc[k].cpu[cpu])) goto failed;
	*out = d;
	return 0;
failed:
	while (nm-- > 0) mag_free(c, &d->rc[nm / per_class].cpu[nm % per_class]);
	array_free(c, d);
	domain_free(d);
	return IOVA_E_ALLOC_FAILED;
nomem:
	domain_free(d);
	return IOVA_E_NOMEM;
}

void domain_put(struct rc_ctx *c, struct domain *d)
{
	struct iova_env e = env_of(c);
	uint32_t k, i;
	clock_cancel_domain(c->clk, d->id);
	for (k = 0; k < RC_CLASSES; k++) {
		struct rclass *r = &d->rc[k];
		for (i = 0; i < 2 * c->possible; i++) mag_free(c, &r->cpu[i]);
		c->lab_cls[k].depot_mags -= r->depot_size;
		while (r->depot_size) mag_free(c, &r->depot[--r->depot_size]);
		free(r->depot);
		r->depot = NULL;
	}
	array_free(c, d);
	iovad_destroy(&d->iovad, &e);
	for (k = 0; k < RC_CLASSES; k++) free(d->rc[k].cpu);
	free(d);
}

int domain_reserve(struct rc_ctx *c, struct domain *d)
{
	uint32_t k;
	/* worst case for one fast op: two magazines (a lazy prev, then a new loaded), one trim work */
	if (iovad_reserve_nodes(&d->iovad, 2) || slab_reserve(c->iova_cache, 2) ||
	    slab_reserve(c->mag_cache, 2) || pool_reserve(c->pool, 2) || clock_reserve(c->clk, 1))
		return -1;
	for (k = 0; k < RC_CLASSES; k++) {
		struct rclass *r = &d->rc[k];
		if (r->depot_size + 1 > r->depot_cap) {
			uint32_t ncap = r->depot_cap ? r->depot_cap * 2 : 4;
			struct mag *m = realloc(r->depot, (size_t)ncap * sizeof(*m));
			if (!m) return -1;
			r->depot = m; r->depot_cap = ncap;
		}
	}
	return 0;
}

/* Bonwick's dynamic magazine size: a class whose depot is exchanged with DYNAMIC_CONTENTION
 * times within one DYNAMIC_WINDOW_MS window doubles its magazine capacity, up to mag_size. */
static void note_depot_exchange(struct rc_ctx *c, struct rclass *r)
{
	uint64_t window = c->clk->now / DYNAMIC_WINDOW_MS;
	if (!c->policy->dynamic_initial) return;
	if (window != r->window) { r->window = window; r->window_ops = 0; }
	if (++r->window_ops < DYNAMIC_CONTENTION) return;
	r->window_ops = 0;
	r->mag_cap = r->mag_cap * 2 > c->policy->mag_size ? c->policy->mag_size : r->mag_cap * 2;
}

static void schedule_trim(struct rc_ctx *c, struct domain *d, uint32_t k)
{
	clock_schedule(c->clk, c->clk->now + c->policy->trim_delay_ms, d->id, k);
	d->rc[k].pending = 1;
}

static void depot_push(struct rc_ctx *c, struct domain *d, uint32_t k, struct mag *m)
{
	struct rclass *r = &d->rc[k];
	struct class_stats *l = &c->lab_cls[k];
	r->depot[r->depot_size++] = *m;
	r->st.pushes++; l->pushes++;
	l->depot_mags++;
	if (r->depot_size > r->st.high_water) r->st.high_water = r->depot_size;
	if (l->depot_mags > l->high_water) l->high_water = l->depot_mags;
	note_depot_exchange(c, r);
	if (c->policy->trim_delay_ms && !r->pending) schedule_trim(c, d, k);
}

static struct mag depot_pop(struct rc_ctx *c, struct domain *d, uint32_t k)
{
	struct rclass *r = &d->rc[k];
	c->lab_cls[k].depot_mags--;
	return r->depot[--r->depot_size];
}

uint64_t domain_alloc_iova(struct rc_ctx *c, struct domain *d, uint64_t size, uint64_t limit_pfn, int aligned)
{
	struct iova_env e = env_of(c);
	uint64_t pfn = alloc_iova(&d->iovad, &e, size, limit_pfn, aligned);
	if (!pfn) d->slow_fail++;
	return pfn;
}

static void swap_mags(struct mag *a, struct mag *b) { struct mag t = *a; *a = *b; *b = t; }

static uint64_t rcache_get(struct rc_ctx *c, struct domain *d, uint32_t cpu, uint32_t k, uint64_t limit)
{
	struct rclass *r = &d->rc[k];
	struct mag *ld = &r->cpu[2 * cpu], *pv = &r->cpu[2 * cpu + 1];
	uint64_t pfn;
	uint32_t x;
	if (ld->count) {
	} else if (pv->count) {
		swap_mags(ld, pv);
	} else if (r->depot_size) {
		mag_free(c, ld);
		*ld = depot_pop(c, d, k);
		r->st.pops++; c->lab_cls[k].pops++;
		note_depot_exchange(c, r);
	} else return 0;
	pfn = mag_pop(c, ld, limit);
	if (!pfn) return 0;
	x = find_iova_exact(&d->iovad, pfn);
	if (x != NODE_NONE) d->iovad.n[x].cached = 0;
	return pfn;
}

uint64_t alloc_iova_fast(struct rc_ctx *c, struct domain *d, uint32_t cpu, uint64_t size, uint64_t limit_pfn, int flush)
{
	uint32_t k, i;
	uint64_t pfn;
	if (size < (1u << (RC_CLASSES - 1))) size = (uint64_t)1 << order_base_2_(size);
	k = order_base_2_(size);
	if (k < RC_CLASSES) {
		pfn = rcache_get(c, d, cpu, k, limit_pfn + 1 - size);
		if (pfn) { d->rc[k].st.hits++; c->lab_cls[k].hits++; return pfn; }
		d->rc[k].st.misses++; c->lab_cls[k].misses++;
	}
	pfn = domain_alloc_iova(c, d, size, limit_pfn, 1);
	if (!pfn && flush) {
		d->flush_retries++;
		for (i = 0; i < c->possible; i++) if (c->online[i]) flush_cpu(c, d, i);
		flush_depot(c, d);
		pfn = domain_alloc_iova(c, d, size, limit_pfn, 1);
	}
	return pfn;
}

/* A full `loaded` goes to the depot; a fixed depot that is full drops it (PFNs to the tree). */
static void retire_loaded(struct rc_ctx *c, struct domain *d, uint32_t k, struct mag *full, struct mag *dropped)
{
	struct rclass *r = &d->rc[k];
	if (c->policy->depot_cap && r->depot_size >= c->policy->depot_cap) {
		*dropped = *full;
		r->st.overflows++; c->lab_cls[k].overflows++;
		return;
	}
	depot_push(c, d, k, full);
}

void free_iova_fast(struct rc_ctx *c, struct domain *d, uint32_t cpu, uint64_t pfn, uint64_t size)
{
	struct iova_env e = env_of(c);
	uint32_t k = order_base_2_(size), x = find_iova_exact(&d->iovad, pfn);
	struct rclass *r;
	struct mag *ld, *pv, dropped = {0, SLAB_NONE, BUF_NONE};
	if (k >= RC_CLASSES) { if (x != NODE_NONE) remove_iova(&d->iovad, &e, x); return; }
	r = &d->rc[k];
	ld = &r->cpu[2 * cpu]; pv = &r->cpu[2 * cpu + 1];
	if (!mag_present(ld) && mag_alloc(c, ld)) goto to_tree;
	if (ld->count >= r->mag_cap) {
		if (!mag_present(pv) && mag_alloc(c, pv)) goto to_tree;
		if (pv->count < r->mag_cap) {
			swap_mags(ld, pv);
		} else {
			struct mag nm;
			if (mag_alloc(c, &nm)) goto to_tree;
			retire_loaded(c, d, k, ld, &dropped);
			*ld = nm;
		}
	}
	mag_push(c, ld, pfn);
	if (x != NODE_NONE) d->iovad.n[x].cached = 1;
	if (mag_present(&dropped)) { mag_free_pfns(c, d, &dropped); mag_free(c, &dropped); }
	return;
to_tree:
	if (x != NODE_NONE) remove_iova(&d->iovad, &e, x);
}

void flush_cpu(struct rc_ctx *c, struct domain *d, uint32_t cpu)
{
	uint32_t k;
	for (k = 0; k < RC_CLASSES; k++) {
		mag_free_pfns(c, d, &d->rc[k].cpu[2 * cpu]);
		mag_free_pfns(c, d, &d->rc[k].cpu[2 * cpu + 1]);
	}
}

void flush_depot(struct rc_ctx *c, struct domain *d)
{
	uint32_t k;
	for (k = 0; k < RC_CLASSES; k++) {
		while (d->rc[k].depot_size) {
			struct mag m = depot_pop(c, d, k);
			mag_free_pfns(c, d, &m);
			mag_free(c, &m);
		}
	}
}

static uint32_t trim_threshold(struct rc_ctx *c)
{
	uint32_t t = c->policy->trim_threshold;
	return t == IOVA_TRIM_ONLINE ? *c->online_count : t;
}

void trim_work(struct rc_ctx *c, struct domain *d, uint32_t k)
{
	struct rclass *r = &d->rc[k];
	struct mag m;
	r->pending = 0;
	if (r->depot_size <= trim_threshold(c)) return;
	m = depot_pop(c, d, k);
	r->st.trims++; c->lab_cls[k].trims++;
	mag_free_pfns(c, d, &m);
	mag_free(c, &m);
	schedule_trim(c, d, k);
}
