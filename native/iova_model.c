/* Exported facade: handle tables, validation (design.md order), batch interpreter, snapshot,
 * invariant checker. */
#include "iova_model.h"
#include "rcache.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lab {
	uint32_t possible, online_count, mode, geom;
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

static struct domain *get_dom(struct lab *L, int32_t id)
{
	if (id < 0 || (uint32_t)id >= L->ndoms) return NULL;
	return L->doms[id];
}

int32_t iova_lab_create(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry)
{
	struct lab *L;
	uint32_t i;
	if (possible < 1 || possible > 4096 || online < 1 || online > possible || mode > 1 || geometry > 1)
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
	for (i = 0; i < online; i++) L->online[i] = 1;
	for (i = 0; i < SC_NCACHES; i++) slab_init(&L->caches[i], slab_obj_sizes[i], possible, geometry);
	pool_init(&L->pool);
	clock_init(&L->clk);
	L->ctx.mag_cache = &L->caches[mode ? SC_KM1K : SC_MAG];
	L->ctx.iova_cache = &L->caches[SC_IOVA];
	L->ctx.array_cache = &L->caches[SC_KM1K];
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
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return domain_create_v(L, granule, start_pfn);
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
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return alloc_fast_v(L, dom, cpu, size, limit_pfn, flush);
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
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return free_fast_v(L, dom, cpu, pfn, size);
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
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return alloc_v(L, dom, size, limit_pfn, aligned);
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

int32_t iova_free(int32_t h, int32_t dom, uint64_t pfn)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return free_v(L, dom, pfn);
}

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

int32_t iova_find(int32_t h, int32_t dom, uint64_t pfn)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return find_v(L, dom, pfn);
}

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
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return reserve_v(L, dom, lo, hi);
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

int32_t iova_advance_clock(int32_t h, uint64_t ms)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return advance_v(L, ms);
}

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

int32_t iova_cpu_offline(int32_t h, uint32_t cpu)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return cpu_offline_v(L, cpu);
}

static int32_t cpu_online_v(struct lab *L, uint64_t cpu)
{
	int32_t r;
	if ((r = check_cpu(L, cpu, 0))) return st(L, r);
	if (L->online[cpu]) return st(L, IOVA_E_CPU_STATE);
	L->online[cpu] = 1; L->online_count++;
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_cpu_online(int32_t h, uint32_t cpu)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return cpu_online_v(L, cpu);
}

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

int32_t iova_flush(int32_t h, int32_t dom)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return flush_v(L, dom);
}

static int32_t inject_v(struct lab *L, uint64_t kind, uint64_t nth)
{
	if (kind > 1) return st(L, IOVA_E_BAD_OP);
	L->fail[kind] = nth > 0xffffffffu ? 0xffffffffu : (uint32_t)nth;
	L->result = L->result2 = 0;
	return st(L, IOVA_OK);
}

int32_t iova_inject_failure(int32_t h, uint32_t kind, uint32_t nth)
{
	struct lab *L = get_lab(h);
	if (!L) return IOVA_E_NO_LAB;
	return inject_v(L, kind, nth);
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
#define SNAP_FIXED (5 + SC_NCACHES * 8 + 7 + RC_CLASSES * 7)
#define SNAP_DOM 12

uint32_t iova_snapshot_words(int32_t h)
{
	struct lab *L = get_lab(h);
	return L ? SNAP_FIXED + SNAP_DOM * L->live : 0;
}

int32_t iova_snapshot(int32_t h, uint64_t *out, uint32_t cap)
{
	struct lab *L = get_lab(h);
	uint32_t i, k, c, w = 0;
	uint64_t mags[7] = {0};
	if (!L) return IOVA_E_NO_LAB;
	if (cap < SNAP_FIXED + SNAP_DOM * L->live) return IOVA_E_RANGE;
	out[w++] = L->clk.now; out[w++] = L->possible; out[w++] = L->online_count;
	out[w++] = L->mode; out[w++] = L->live;
	for (i = 0; i < SC_NCACHES; i++) {
		struct slab_cache *s = &L->caches[i];
		out[w++] = s->obj_size; out[w++] = s->per_slab; out[w++] = s->pages;
		out[w++] = s->active; out[w++] = s->num_slabs * s->per_slab; out[w++] = s->num_slabs;
		out[w++] = s->allocs; out[w++] = s->frees;
	}
	for (i = 0; i < L->ndoms; i++) {
		struct domain *d = L->doms[i];
		if (!d) continue;
		for (k = 0; k < RC_CLASSES; k++) {
			for (c = 0; c < L->possible; c++) {
				mags[4] += d->rc[k].cpu[2 * c].count;
				mags[5] += d->rc[k].cpu[2 * c + 1].count;
			}
			mags[0] += L->possible; mags[1] += L->possible;
			mags[2] += d->rc[k].depot_size;
			mags[6] += (uint64_t)d->rc[k].depot_size * MAG_SIZE;
		}
	}
	mags[3] = mags[0] + mags[1] + mags[2];
	for (i = 0; i < 7; i++) out[w++] = mags[i];
	for (k = 0; k < RC_CLASSES; k++) {
		struct class_stats *s = &L->cls[k];
		out[w++] = s->hits; out[w++] = s->misses; out[w++] = s->pushes; out[w++] = s->pops;
		out[w++] = s->trims; out[w++] = s->depot_mags; out[w++] = s->high_water;
	}
	for (i = 0; i < L->ndoms; i++) {
		struct domain *d = L->doms[i];
		uint64_t cached = 0, nmag = 0, depot = 0, hits = 0, misses = 0, push = 0, pop = 0, trim = 0;
		if (!d) continue;
		for (k = 0; k < RC_CLASSES; k++) {
			struct rclass *r = &d->rc[k];
			for (c = 0; c < 2 * L->possible; c++) cached += r->cpu[c].count;
			cached += (uint64_t)r->depot_size * MAG_SIZE;
			nmag += 2 * L->possible + r->depot_size;
			depot += r->depot_size;
			hits += r->st.hits; misses += r->st.misses; push += r->st.pushes;
			pop += r->st.pops; trim += r->st.trims;
		}
		out[w++] = (uint64_t)d->id; out[w++] = d->iovad.count; out[w++] = cached; out[w++] = nmag;
		out[w++] = depot; out[w++] = hits; out[w++] = misses; out[w++] = push; out[w++] = pop;
		out[w++] = trim; out[w++] = d->flush_retries; out[w++] = d->slow_fail;
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

static int check_mag(struct lab *L, struct domain *d, uint32_t k, const struct mag *m, uint8_t *mark, uint64_t *npfn, uint64_t *nbuf)
{
	uint32_t j;
	if (m->count > MAG_SIZE || (m->count == 0) != (m->buf == BUF_NONE)) return -1;
	if (m->buf != BUF_NONE) { if (m->buf >= L->pool.cap) return -1; (*nbuf)++; }
	for (j = 0; j < m->count; j++) {
		uint64_t pfn = L->pool.pfn[(size_t)m->buf * MAG_SIZE + j];
		uint32_t x = find_iova_exact(&d->iovad, pfn);
		if (x == NODE_NONE || !d->iovad.n[x].cached || mark[x]) return -1;
		if (order_base_2_(d->iovad.n[x].hi - d->iovad.n[x].lo + 1) != k) return -1;
		mark[x] = 1;
		(*npfn)++;
	}
	return 0;
}

int32_t iova_check_invariants(int32_t h)
{
	struct lab *L = get_lab(h);
	uint32_t i, k, c, x, prevx;
	uint64_t nmags = 0, nbuf = 0, cls_depot[RC_CLASSES] = {0};
	if (!L) return IOVA_E_NO_LAB;
	L->msg[0] = 0;
	for (i = 0; i < SC_NCACHES; i++)
		if (slab_check(&L->caches[i])) return bad(L, "slab counters inconsistent", -1);
	for (i = 0; i < L->ndoms; i++) {
		struct domain *d = L->doms[i];
		struct iovad *v;
		uint8_t *mark;
		uint64_t cnt = 0, npfn = 0, nflag = 0;
		int found_c = 0, found_c32 = 0;
		if (!d) continue;
		v = &d->iovad;
		prevx = NODE_NONE;
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
			if (n->lo > n->hi || n->lo < v->start_pfn || n->hi == PFN_MAX_ALL)
				return bad(L, "node out of range", d->id);
			if (prevx != NODE_NONE && v->n[prevx].hi >= n->lo) return bad(L, "nodes overlap", d->id);
			if (n->cached) nflag++;
		}
		if (cnt != v->count) return bad(L, "node count", d->id);
		if (!found_c || !found_c32) return bad(L, "cursor not in tree", d->id);
		mark = calloc(v->cap ? v->cap : 1, 1);
		if (!mark) continue;
		for (k = 0; k < RC_CLASSES; k++) {
			struct rclass *r = &d->rc[k];
			for (c = 0; c < 2 * L->possible; c++)
				if (check_mag(L, d, k, &r->cpu[c], mark, &npfn, &nbuf)) { free(mark); return bad(L, "bad cached pfn in cpu magazine", d->id); }
			for (c = 0; c < r->depot_size; c++)
				if (r->depot[c].count != MAG_SIZE || check_mag(L, d, k, &r->depot[c], mark, &npfn, &nbuf)) {
					free(mark); return bad(L, "bad depot magazine", d->id);
				}
			nmags += 2 * L->possible + r->depot_size;
			cls_depot[k] += r->depot_size;
		}
		free(mark);
		if (npfn != nflag) return bad(L, "cached flag without cached pfn", d->id);
	}
	for (k = 0; k < RC_CLASSES; k++)
		if (cls_depot[k] != L->cls[k].depot_mags) return bad(L, "depot_size mismatch", -1);
	if (nbuf != L->pool.cap - L->pool.nfree) return bad(L, "pfn buffer leak", -1);
	if (L->mode == 0 ? L->caches[SC_MAG].active != nmags
			 : L->caches[SC_KM1K].active != nmags + L->live)
		return bad(L, "magazine count != slab counters", -1);
	if (L->caches[SC_IOVA].active != 0 || 1) {
		uint64_t nodes = 0;
		for (i = 0; i < L->ndoms; i++) if (L->doms[i]) nodes += L->doms[i]->iovad.count;
		if (nodes != L->caches[SC_IOVA].active) return bad(L, "iova objects != nodes", -1);
	}
	return IOVA_OK;
}

const char *iova_invariant_message(int32_t h)
{
	struct lab *L = get_lab(h);
	return L ? L->msg : "no lab";
}
