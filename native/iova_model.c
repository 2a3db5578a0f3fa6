/* Exported facade: handle tables, validation (design.md order), batch interpreter, snapshot,
 * invariant checker. */
#include "iova_model.h"
#include "rcache.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lab {
	uint32_t possible, online_count, mode, geom;
	struct iova_policy policy;
	uint32_t mag_cache_index;
	uint8_t *online;
	struct slab_cache caches[SC_NCACHES];
	struct pfnpool pool;
	struct clock clk;
	struct domain **doms;
	uint32_t ndoms, domcap, live;
	uint32_t fail[2];
	uint64_t result, result2;
	int32_t last_status;
	struct class_stats cls[RC_CLASSES];
	struct rc_ctx ctx;
	char msg[256];
};

static struct lab **lab_table;
static uint32_t nlabs, labcap;

static struct lab *get_lab(int32_t h)
{
	if (h < 1 || (uint32_t)h > nlabs) return NULL;
	return lab_table[h - 1];
}

static int32_t st(struct lab *L, int32_t s) { L->last_status = s; return s; }

/* The exported entry points: resolve the handle, then run the checked operation on lab L. */
#define WITH_LAB(h, call) do { struct lab *L = get_lab(h); if (!L) return IOVA_E_NO_LAB; return call; } while (0)

static struct domain *get_dom(struct lab *L, int32_t id)
{
	if (id < 0 || (uint32_t)id >= L->ndoms) return NULL;
	return L->doms[id];
}

static const struct iova_policy v6_8_policy = {
	.mag_size = 127, .depot_cap = 0, .trim_delay_ms = 100, .trim_threshold = IOVA_TRIM_ONLINE,
	.lazy = 0, .dynamic_initial = 0, .array_bytes = 720,
};

static int policy_valid(const struct iova_policy *p)
{
	return p->mag_size >= 1 && p->mag_size <= 1023 && p->depot_cap <= 1u << 20 &&
	       p->trim_delay_ms <= 1u << 30 && p->lazy <= 1 && p->dynamic_initial <= p->mag_size &&
	       p->array_bytes <= 8192;
}

/* the kmalloc-N cache a kmalloc(bytes) lands in (bytes 1..8192) */
static uint32_t kmalloc_index(uint32_t bytes)
{
	uint32_t i = SC_KM8;
	while (i + 1 < SC_NCACHES && slab_obj_sizes[i] < bytes) i++;
	return i;
}

/* the named cache is SLAB_HWCACHE_ALIGN: objects round up to 64-byte lines */
static uint32_t magazine_bytes(const struct iova_policy *p) { return 8 + 8 * p->mag_size; }
static uint32_t named_magazine_size(const struct iova_policy *p) { return (magazine_bytes(p) + 63) & ~63u; }

int32_t iova_lab_create(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry)
{
	return iova_lab_create_with_policy(possible, online, mode, geometry, NULL);
}

int32_t iova_lab_create_with_policy(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry,
				    const struct iova_policy *policy)
{
	struct lab *L;
	uint32_t i;
	if (!policy) policy = &v6_8_policy;
	if (possible < 1 || possible > 4096 || online < 1 || online > possible || mode > 1 || geometry > 1 ||
	    !policy_valid(policy))
		return IOVA_E_LAB_CONFIG;
	if (nlabs == labcap) {
		uint32_t ncap = labcap ? labcap * 2 : 8;
		struct lab **n = realloc(lab_table, (size_t)ncap * sizeof(*n));
		if (!n) return IOVA_E_NOMEM;
		lab_table = n; labcap = ncap;
	}
	L = calloc(1, sizeof(*L));
	if (!L) return IOVA_E_NOMEM;
	L->online = calloc(possible, 1);
	if (!L->online) { free(L); return IOVA_E_NOMEM; }
	L->possible = possible; L->online_count = online; L->mode = mode; L->geom = geometry;
	L->policy = *policy;
	for (i = 0; i < online; i++) L->online[i] = 1;
	for (i = 0; i < SC_NCACHES; i++)
		slab_init(&L->caches[i], i == SC_MAG ? named_magazine_size(policy) : slab_obj_sizes[i], possible, geometry);
	pool_init(&L->pool, policy->mag_size);
	clock_init(&L->clk);
	L->mag_cache_index = mode ? kmalloc_index(magazine_bytes(policy)) : SC_MAG;
	L->ctx.policy = &L->policy;
	L->ctx.mag_cache = &L->caches[L->mag_cache_index];
	L->ctx.iova_cache = &L->caches[SC_IOVA];
	L->ctx.array_cache = policy->array_bytes ? &L->caches[kmalloc_index(policy->array_bytes)] : NULL;
	L->ctx.pool = &L->pool;
	L->ctx.fail_mag = &L->fail[0];
	L->ctx.fail_iova = &L->fail[1];
	L->ctx.clk = &L->clk;
	L->ctx.online_count = &L->online_count;
	L->ctx.online = L->online;
	L->ctx.possible = possible;
	L->ctx.lab_cls = L->cls;
	lab_table[nlabs++] = L;
	return (int32_t)nlabs;
}

int32_t iova_lab_destroy(int32_t h)
{
	struct lab *L = get_lab(h);
	uint32_t i;
	if (!L) return IOVA_E_NO_LAB;
	for (i = 0; i < L->ndoms; i++) if (L->doms[i]) domain_put(&L->ctx, L->doms[i]);
	for (i = 0; i < SC_NCACHES; i++) slab_destroy(&L->caches[i]);
	pool_destroy(&L->pool);
	clock_destroy(&L->clk);
	free(L->doms); free(L->online); free(L);
	lab_table[h - 1] = NULL;
	return IOVA_OK;
}

static int32_t check_shift(uint32_t granule, uint32_t *shift)
{
	uint32_t s = 0;
	if (granule < 1 || granule > 4096 || (granule & (granule - 1))) return IOVA_E_GRANULE;
	while ((1u << s) < granule) s++;
	*shift = s;
	return 0;
}

static int32_t domain_create_v(struct lab *L, uint64_t granule, uint64_t start_pfn)
{
	uint32_t shift;
	uint64_t max_pfn;
	struct domain *d = NULL;
	int r;
	if (granule > 4096 || check_shift((uint32_t)granule, &shift)) return st(L, IOVA_E_GRANULE);
	max_pfn = shift ? PFN_MAX_ALL >> shift : PFN_MAX_ALL - 1;
	if (start_pfn < 1 || start_pfn > max_pfn - 1) return st(L, IOVA_E_START_PFN);
	if (L->ndoms == L->domcap) {
		uint32_t ncap = L->domcap ? L->domcap * 2 : 8;
		struct domain **n = realloc(L->doms, (size_t)ncap * sizeof(*n));
		if (!n) return st(L, IOVA_E_NOMEM);
		L->doms = n; L->domcap = ncap;
	}
	r = domain_create(&L->ctx, (int32_t)L->ndoms, shift, start_pfn, &d);
	if (r) return st(L, r);
	L->doms[L->ndoms] = d;
	L->live++;
	L->result = L->ndoms++; L->result2 = 0;
	st(L, IOVA_OK);
	return (int32_t)L->result;
}

int32_t iova_domain_create(int32_t h, uint32_t granule, uint64_t start_pfn)
{
	WITH_LAB(h, domain_create_v(L, granule, start_pfn));
}

int32_t iova_domain_put(int32_t h, int32_t dom)
{
	struct lab *L = get_lab(h);
	struct domain *d;
	if (!L) return IOVA_E_NO_LAB;
	if (!(d = get_dom(L, dom))) return st(L, IOVA_E_NO_DOMAIN);
	domain_put(&L->ctx, d);
	L->doms[dom] = NULL; L->live--;
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

static int32_t check_cpu(struct lab *L, uint64_t cpu, int need_online)
{
	if (cpu >= L->possible) return IOVA_E_CPU_RANGE;
	if (need_online && !L->online[cpu]) return IOVA_E_CPU_OFFLINE;
	return 0;
}

static int32_t check_size(struct domain *d, uint64_t size)
{
	if (size < 1 || size > d->iovad.max_pfn - d->iovad.start_pfn + 1) return IOVA_E_SIZE;
	return 0;
}

static int32_t check_limit(struct domain *d, uint64_t limit)
{
	if (limit < d->iovad.start_pfn || limit > d->iovad.max_pfn) return IOVA_E_LIMIT;
	return 0;
}

static int32_t alloc_fast_v(struct lab *L, int32_t dom, uint64_t cpu, uint64_t size, uint64_t limit, uint64_t flush)
{
	struct domain *d = get_dom(L, dom);
	int32_t r;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	if ((r = check_cpu(L, cpu, 1)) || (r = check_size(d, size)) || (r = check_limit(d, limit))) return st(L, r);
	if (domain_reserve(&L->ctx, d)) return st(L, IOVA_E_NOMEM);
	L->result = alloc_iova_fast(&L->ctx, d, (uint32_t)cpu, size, limit, flush != 0);
	L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_alloc_fast(int32_t h, int32_t dom, uint32_t cpu, uint64_t size, uint64_t limit_pfn, uint32_t flush)
{
	WITH_LAB(h, alloc_fast_v(L, dom, cpu, size, limit_pfn, flush));
}

static int32_t free_fast_v(struct lab *L, int32_t dom, uint64_t cpu, uint64_t pfn, uint64_t size)
{
	struct domain *d = get_dom(L, dom);
	int32_t r;
	uint32_t x;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	if ((r = check_cpu(L, cpu, 1)) || (r = check_size(d, size))) return st(L, r);
	x = find_iova_exact(&d->iovad, pfn);
	if (x == NODE_NONE) return st(L, IOVA_E_NOT_ALLOCATED);
	if (d->iovad.n[x].cached) return st(L, IOVA_E_DOUBLE_FREE);
	if (order_base_2_(size) != order_base_2_(d->iovad.n[x].hi - d->iovad.n[x].lo + 1))
		return st(L, IOVA_E_SIZE_CLASS);
	if (domain_reserve(&L->ctx, d)) return st(L, IOVA_E_NOMEM);
	free_iova_fast(&L->ctx, d, (uint32_t)cpu, pfn, size);
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_free_fast(int32_t h, int32_t dom, uint32_t cpu, uint64_t pfn, uint64_t size)
{
	WITH_LAB(h, free_fast_v(L, dom, cpu, pfn, size));
}

static int32_t alloc_v(struct lab *L, int32_t dom, uint64_t size, uint64_t limit, uint64_t aligned)
{
	struct domain *d = get_dom(L, dom);
	int32_t r;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	if ((r = check_size(d, size)) || (r = check_limit(d, limit))) return st(L, r);
	if (domain_reserve(&L->ctx, d)) return st(L, IOVA_E_NOMEM);
	L->result = domain_alloc_iova(&L->ctx, d, size, limit, aligned != 0);
	L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_alloc(int32_t h, int32_t dom, uint64_t size, uint64_t limit_pfn, uint32_t aligned)
{
	WITH_LAB(h, alloc_v(L, dom, size, limit_pfn, aligned));
}

static int32_t free_v(struct lab *L, int32_t dom, uint64_t pfn)
{
	struct domain *d = get_dom(L, dom);
	struct iova_env e;
	uint32_t x;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	x = find_iova(&d->iovad, pfn);
	if (x == NODE_NONE) return st(L, IOVA_E_NOT_ALLOCATED);
	if (d->iovad.n[x].cached) return st(L, IOVA_E_DOUBLE_FREE);
	e.iova_cache = L->ctx.iova_cache; e.fail_iova = L->ctx.fail_iova;
	remove_iova(&d->iovad, &e, x);
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_free(int32_t h, int32_t dom, uint64_t pfn) { WITH_LAB(h, free_v(L, dom, pfn)); }

static int32_t find_v(struct lab *L, int32_t dom, uint64_t pfn)
{
	struct domain *d = get_dom(L, dom);
	uint32_t x;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	x = find_iova(&d->iovad, pfn);
	L->result = x == NODE_NONE ? 0 : d->iovad.n[x].lo;
	L->result2 = x == NODE_NONE ? 0 : d->iovad.n[x].hi;
	return st(L, IOVA_OK);
}

int32_t iova_find(int32_t h, int32_t dom, uint64_t pfn) { WITH_LAB(h, find_v(L, dom, pfn)); }

static int32_t reserve_v(struct lab *L, int32_t dom, uint64_t lo, uint64_t hi)
{
	struct domain *d = get_dom(L, dom);
	struct iova_env e;
	uint32_t x;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	if (lo < d->iovad.start_pfn || lo > hi || hi > d->iovad.max_pfn) return st(L, IOVA_E_RANGE);
	/* extending a node whose pfn sits in a magazine would corrupt the rcache */
	if (range_has_cached(&d->iovad, lo, hi)) return st(L, IOVA_E_RANGE);
	if (domain_reserve(&L->ctx, d)) return st(L, IOVA_E_NOMEM);
	e.iova_cache = L->ctx.iova_cache; e.fail_iova = L->ctx.fail_iova;
	x = reserve_iova(&d->iovad, &e, lo, hi);
	L->result = x == NODE_NONE ? 0 : d->iovad.n[x].lo;
	L->result2 = x == NODE_NONE ? 0 : d->iovad.n[x].hi;
	return st(L, IOVA_OK);
}

int32_t iova_reserve(int32_t h, int32_t dom, uint64_t lo, uint64_t hi)
{
	WITH_LAB(h, reserve_v(L, dom, lo, hi));
}

static int32_t advance_v(struct lab *L, uint64_t ms)
{
	uint64_t target = L->clk.now + ms;
	struct work w;
	if (target < L->clk.now) target = PFN_MAX_ALL;
	while (clock_pop_due(&L->clk, target, &w)) {
		struct domain *d = get_dom(L, w.dom);
		L->clk.now = w.due;
		if (d) trim_work(&L->ctx, d, w.cls);
	}
	L->clk.now = target;
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_advance_clock(int32_t h, uint64_t ms) { WITH_LAB(h, advance_v(L, ms)); }

static int32_t cpu_offline_v(struct lab *L, uint64_t cpu)
{
	int32_t r;
	uint32_t i;
	if ((r = check_cpu(L, cpu, 1))) return st(L, r);
	if (L->online_count == 1) return st(L, IOVA_E_CPU_STATE);
	L->online[cpu] = 0; L->online_count--;
	for (i = 0; i < L->ndoms; i++) if (L->doms[i]) flush_cpu(&L->ctx, L->doms[i], (uint32_t)cpu);
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_cpu_offline(int32_t h, uint32_t cpu) { WITH_LAB(h, cpu_offline_v(L, cpu)); }

static int32_t cpu_online_v(struct lab *L, uint64_t cpu)
{
	int32_t r;
	if ((r = check_cpu(L, cpu, 0))) return st(L, r);
	if (L->online[cpu]) return st(L, IOVA_E_CPU_STATE);
	L->online[cpu] = 1; L->online_count++;
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_cpu_online(int32_t h, uint32_t cpu) { WITH_LAB(h, cpu_online_v(L, cpu)); }

static int32_t flush_v(struct lab *L, int32_t dom)
{
	struct domain *d = get_dom(L, dom);
	uint32_t i;
	if (!d) return st(L, IOVA_E_NO_DOMAIN);
	for (i = 0; i < L->possible; i++) if (L->online[i]) flush_cpu(&L->ctx, d, i);
	flush_depot(&L->ctx, d);
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_flush(int32_t h, int32_t dom) { WITH_LAB(h, flush_v(L, dom)); }

static int32_t inject_v(struct lab *L, uint64_t kind, uint64_t nth)
{
	if (kind > 1) return st(L, IOVA_E_BAD_OP);
	L->fail[kind] = nth > 0xffffffffu ? 0xffffffffu : (uint32_t)nth;
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_inject_failure(int32_t h, uint32_t kind, uint32_t nth)
{
	WITH_LAB(h, inject_v(L, kind, nth));
}

uint64_t iova_result(int32_t h) { struct lab *L = get_lab(h); return L ? L->result : 0; }
uint64_t iova_result2(int32_t h) { struct lab *L = get_lab(h); return L ? L->result2 : 0; }
int32_t iova_last_status(int32_t h) { struct lab *L = get_lab(h); return L ? L->last_status : IOVA_E_NO_LAB; }

static int32_t dom_word(uint64_t w) { return w > 0x7fffffffu ? -1 : (int32_t)w; }
static uint64_t cpu_word(uint64_t w) { return w; }

int32_t iova_run_batch(int32_t h, const uint64_t *ops, uint32_t n_ops, uint64_t *results)
{
	struct lab *L = get_lab(h);
	uint32_t i;
	if (!L) return IOVA_E_NO_LAB;
	for (i = 0; i < n_ops; i++) {
		const uint64_t *o = ops + (size_t)i * IOVA_OP_WORDS;
		int32_t dom = dom_word(o[1]), r;
		uint64_t cpu = cpu_word(o[2]);
		switch (o[0]) {
		case OP_ALLOC_FAST: r = alloc_fast_v(L, dom, cpu, o[3], o[4], o[5]); break;
		case OP_FREE_FAST: r = free_fast_v(L, dom, cpu, o[3], o[4]); break;
		case OP_ALLOC: r = alloc_v(L, dom, o[3], o[4], o[5]); break;
		case OP_FREE: r = free_v(L, dom, o[3]); break;
		case OP_FIND: r = find_v(L, dom, o[3]); break;
		case OP_RESERVE: r = reserve_v(L, dom, o[3], o[4]); break;
		case OP_ADVANCE: r = advance_v(L, o[3]); break;
		case OP_CPU_OFFLINE: r = cpu_offline_v(L, cpu); break;
		case OP_CPU_ONLINE: r = cpu_online_v(L, cpu); break;
		case OP_FLUSH: r = flush_v(L, dom); break;
		case OP_DOMAIN_CREATE: r = domain_create_v(L, o[3], o[4]); break;
		case OP_DOMAIN_PUT: r = iova_domain_put(h, dom); break;
		case OP_INJECT_FAILURE: r = inject_v(L, o[3], o[4]); break;
		default: r = st(L, IOVA_E_BAD_OP); break;
		}
		if (r < 0) return (int32_t)i;
		if (results) results[i] = L->result;
	}
	L->last_status = IOVA_OK;
	return (int32_t)i;
}

/* ---- snapshot ---- */
#define SNAP_HEADER 7
#define SNAP_MAGS 7
#define SNAP_CLASS 13
#define SNAP_FIXED (SNAP_HEADER + SC_NCACHES * 8 + SNAP_MAGS + RC_CLASSES * SNAP_CLASS)
#define SNAP_DOM 12

uint32_t iova_snapshot_words(int32_t h)
{
	struct lab *L = get_lab(h);
	return L ? SNAP_FIXED + SNAP_DOM * L->live : 0;
}

/* where a class's magazines are: present loaded/prev magazines and the PFNs in them */
struct class_view { uint64_t loaded, prev, loaded_pfns, prev_pfns, depot, depot_pfns; };

static void view_class(const struct lab *L, const struct rclass *r, struct class_view *v)
{
	uint32_t c;
	for (c = 0; c < L->possible; c++) {
		const struct mag *ld = &r->cpu[2 * c], *pv = &r->cpu[2 * c + 1];
		v->loaded += ld->slab != SLAB_NONE; v->loaded_pfns += ld->count;
		v->prev += pv->slab != SLAB_NONE; v->prev_pfns += pv->count;
	}
	v->depot += r->depot_size;
	for (c = 0; c < r->depot_size; c++) v->depot_pfns += r->depot[c].count;
}

static void add_view(struct class_view *to, const struct class_view *v)
{
	to->loaded += v->loaded; to->prev += v->prev; to->depot += v->depot;
	to->loaded_pfns += v->loaded_pfns; to->prev_pfns += v->prev_pfns; to->depot_pfns += v->depot_pfns;
}

int32_t iova_snapshot(int32_t h, uint64_t *out, uint32_t cap)
{
	struct lab *L = get_lab(h);
	uint32_t i, k, w = SNAP_FIXED;
	struct class_view cls[RC_CLASSES], all;
	if (!L) return IOVA_E_NO_LAB;
	if (cap < SNAP_FIXED + SNAP_DOM * L->live) return IOVA_E_RANGE;
	memset(cls, 0, sizeof(cls));
	memset(&all, 0, sizeof(all));
	/* One pass over every magazine: the domain rows (written after the fixed part) and the
	 * lab-wide class views they add up to. */
	for (i = 0; i < L->ndoms; i++) {
		struct domain *d = L->doms[i];
		struct class_view v;
		uint64_t hits = 0, misses = 0, push = 0, pop = 0, trim = 0;
		if (!d) continue;
		memset(&v, 0, sizeof(v));
		for (k = 0; k < RC_CLASSES; k++) {
			struct rclass *r = &d->rc[k];
			struct class_view c;
			memset(&c, 0, sizeof(c));
			view_class(L, r, &c);
			add_view(&cls[k], &c);
			add_view(&v, &c);
			hits += r->st.hits; misses += r->st.misses; push += r->st.pushes;
			pop += r->st.pops; trim += r->st.trims;
		}
		out[w++] = (uint64_t)d->id; out[w++] = d->iovad.count;
		out[w++] = v.loaded_pfns + v.prev_pfns + v.depot_pfns; out[w++] = v.loaded + v.prev + v.depot;
		out[w++] = v.depot; out[w++] = hits; out[w++] = misses; out[w++] = push; out[w++] = pop;
		out[w++] = trim; out[w++] = d->flush_retries; out[w++] = d->slow_fail;
	}
	for (k = 0; k < RC_CLASSES; k++) add_view(&all, &cls[k]);
	{
		uint64_t *o = out;
		*o++ = L->clk.now; *o++ = L->possible; *o++ = L->online_count;
		*o++ = L->mode; *o++ = L->live;
		*o++ = L->ctx.mag_cache->obj_size; *o++ = L->mag_cache_index;
		for (i = 0; i < SC_NCACHES; i++) {
			struct slab_cache *s = &L->caches[i];
			*o++ = s->obj_size; *o++ = s->per_slab; *o++ = s->pages;
			*o++ = s->active; *o++ = s->num_slabs * s->per_slab; *o++ = s->num_slabs;
			*o++ = s->allocs; *o++ = s->frees;
		}
		*o++ = all.loaded; *o++ = all.prev; *o++ = all.depot;
		*o++ = all.loaded + all.prev + all.depot;
		*o++ = all.loaded_pfns; *o++ = all.prev_pfns; *o++ = all.depot_pfns;
		for (k = 0; k < RC_CLASSES; k++) {
			struct class_stats *s = &L->cls[k];
			*o++ = s->hits; *o++ = s->misses; *o++ = s->pushes; *o++ = s->pops;
			*o++ = s->trims; *o++ = s->depot_mags; *o++ = s->high_water; *o++ = s->overflows;
			*o++ = cls[k].loaded; *o++ = cls[k].prev;
			*o++ = cls[k].loaded_pfns; *o++ = cls[k].prev_pfns; *o++ = cls[k].depot_pfns;
		}
	}
	return (int32_t)w;
}

/* ---- invariants ---- */
static int32_t bad(struct lab *L, const char *m, int32_t dom)
{
	snprintf(L->msg, sizeof(L->msg), "domain %d: %s", (int)dom, m);
	L->last_status = IOVA_E_INVARIANT;
	return IOVA_E_INVARIANT;
}

/* A magazine's PFNs: each the pfn_lo of a live node of class k flagged cached, seen once. */
static int check_mag(struct lab *L, struct domain *d, uint32_t k, const struct mag *m, uint8_t *mark, uint64_t *npfn, uint64_t *nbuf)
{
	uint32_t j;
	if (m->slab == SLAB_NONE) return m->count == 0 && m->buf == BUF_NONE ? 0 : -1;
	if (m->count > d->rc[k].mag_cap || (m->count == 0) != (m->buf == BUF_NONE)) return -1;
	if (m->buf != BUF_NONE) { if (m->buf >= L->pool.cap) return -1; (*nbuf)++; }
	for (j = 0; j < m->count; j++) {
		uint64_t pfn = L->pool.pfn[(size_t)m->buf * L->pool.words + j];
		uint32_t x = find_iova_exact(&d->iovad, pfn);
		if (x == NODE_NONE || !d->iovad.n[x].cached || mark[x]) return -1;
		if (order_base_2_(d->iovad.n[x].hi - d->iovad.n[x].lo + 1) != k) return -1;
		mark[x] = 1;
		(*npfn)++;
	}
	return 0;
}

static int32_t check_domain(struct lab *L, struct domain *d, uint64_t *nmags, uint64_t *nbuf, uint64_t *cls_depot)
{
	const struct iova_policy *p = &L->policy;
	struct iovad *v = &d->iovad;
	uint32_t k, c, x, prevx = NODE_NONE;
	uint64_t cnt = 0, npfn = 0, nflag = 0;
	int found_c = 0, found_c32 = 0;
	uint8_t *mark;
	for (x = tree_first(v); x != NODE_NONE; prevx = x, x = tree_next(v, x)) {
		struct node *n = &v->n[x];
		if (x == v->cached) found_c = 1;
		if (x == v->cached32) found_c32 = 1;
		if (x == v->anchor) {
			if (n->lo != PFN_MAX_ALL || n->hi != PFN_MAX_ALL || tree_next(v, x) != NODE_NONE)
				return bad(L, "anchor misplaced", d->id);
			continue;
		}
		cnt++;
		if (n->lo > n->hi || n->lo < v->start_pfn || n->hi == PFN_MAX_ALL) return bad(L, "node out of range", d->id);
		if (prevx != NODE_NONE && v->n[prevx].hi >= n->lo) return bad(L, "nodes overlap", d->id);
		if (n->cached) nflag++;
	}
	if (cnt != v->count) return bad(L, "node count", d->id);
	if (!found_c || !found_c32) return bad(L, "cursor not in tree", d->id);
	mark = calloc(v->cap ? v->cap : 1, 1);
	if (!mark) return L->last_status = IOVA_E_NOMEM; /* cannot prove anything without memory */
	for (k = 0; k < RC_CLASSES; k++) {
		struct rclass *r = &d->rc[k];
		const char *why = NULL;
		if (r->mag_cap < 1 || r->mag_cap > p->mag_size) why = "magazine capacity outside 1..mag_size";
		if (p->depot_cap && r->depot_size > p->depot_cap) why = "depot above its cap";
		for (c = 0; !why && c < 2 * L->possible; c++) {
			if (!p->lazy && r->cpu[c].slab == SLAB_NONE) why = "eager magazine missing";
			else if (check_mag(L, d, k, &r->cpu[c], mark, &npfn, nbuf)) why = "bad cached pfn in cpu magazine";
			else *nmags += r->cpu[c].slab != SLAB_NONE;
		}
		for (c = 0; !why && c < r->depot_size; c++) {
			const struct mag *m = &r->depot[c];
			int full = p->dynamic_initial ? m->count >= 1 : m->count == p->mag_size;
			if (m->slab == SLAB_NONE || !full || check_mag(L, d, k, m, mark, &npfn, nbuf)) why = "bad depot magazine";
		}
		if (why) { free(mark); return bad(L, why, d->id); }
		*nmags += r->depot_size;
		cls_depot[k] += r->depot_size;
	}
	free(mark);
	if (npfn != nflag) return bad(L, "cached flag without cached pfn", d->id);
	return IOVA_OK;
}

int32_t iova_check_invariants(int32_t h)
{
	struct lab *L = get_lab(h);
	uint32_t i, k;
	uint64_t nmags = 0, nbuf = 0, nodes = 0, cls_depot[RC_CLASSES] = {0}, expect[SC_NCACHES] = {0};
	int32_t r;
	if (!L) return IOVA_E_NO_LAB;
	L->msg[0] = 0;
	for (i = 0; i < SC_NCACHES; i++)
		if (slab_check(&L->caches[i])) return bad(L, "slab counters inconsistent", -1);
	for (i = 0; i < L->ndoms; i++) {
		if (!L->doms[i]) continue;
		if ((r = check_domain(L, L->doms[i], &nmags, &nbuf, cls_depot))) return r;
		nodes += L->doms[i]->iovad.count;
	}
	for (k = 0; k < RC_CLASSES; k++)
		if (cls_depot[k] != L->cls[k].depot_mags) return bad(L, "depot_size mismatch", -1);
	if (nbuf != L->pool.cap - L->pool.nfree) return bad(L, "pfn buffer leak", -1);
	/* every object in every cache is accounted for: nodes, magazines, rcache arrays */
	expect[SC_IOVA] += nodes;
	expect[L->mag_cache_index] += nmags;
	if (L->ctx.array_cache) expect[L->ctx.array_cache - L->caches] += L->live;
	for (i = 0; i < SC_NCACHES; i++)
		if (L->caches[i].active != expect[i]) return bad(L, "slab objects != live model objects", -1);
	return IOVA_OK;
}

const char *iova_invariant_message(int32_t h)
{
	struct lab *L = get_lab(h);
	return L ? L->msg : "no lab";
}
