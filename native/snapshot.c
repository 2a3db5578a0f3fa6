/* The counter snapshot: flat uint64 words in the layout iova_abi.h declares (IOVA_SNAP_*). */
#include "lab.h"
#include <string.h>

/* Model-only: the cookie's flush queues, or NULL (a plain or strict domain). */
static const struct iova_fq_domain *fq_of(const struct iova_lab *L, uint32_t id)
{
	const struct iommu_dma_cookie *ck = id < L->cookiecap ? L->cookies[id] : NULL;
	return ck && ck->fq.rings ? &ck->fq : NULL;
}

/* Model-only: the words iova_snapshot writes for this lab. */
static uint32_t snapshot_words(const struct iova_lab *L)
{
	uint32_t i, w = IOVA_SNAP_FIXED_WORDS + IOVA_SNAP_CPU_CLASS_WORDS * IOVA_RANGE_CACHE_MAX_SIZE * L->possible;
	w += IOVA_SNAP_DOMAIN_WORDS * L->live;
	for (i = 0; i < L->ndoms; i++) {
		const struct iova_fq_domain *q = L->doms[i] ? fq_of(L, i) : NULL;
		if (q)
			w += q->nrings + L->possible;
	}
	return w;
}

/* Model-only: exported snapshot_words; 0 for no lab. */
uint32_t iova_snapshot_words(int32_t h)
{
	struct iova_lab *L = lab_of_handle(h);
	return L ? snapshot_words(L) : 0;
}

/* where a class's magazines are: present loaded/prev magazines and the PFNs in them */
struct class_view {
	uint64_t loaded, prev, loaded_pfns, prev_pfns, depot, depot_pfns;
};

/* Model-only: adds one class's magazines of one domain to v, and its per-CPU PFNs to the cpu rows. */
static void view_class(const struct iova_lab *L, const struct iova_rcache *r, uint32_t k, struct class_view *v,
		       uint64_t *cpu_rows)
{
	uint32_t c;
	for (c = 0; c < L->possible; c++) {
		const struct iova_magazine *ld = &r->cpu_rcaches[c].loaded, *pv = &r->cpu_rcaches[c].prev;
		uint64_t *row = cpu_rows + ((size_t)c * IOVA_RANGE_CACHE_MAX_SIZE + k) * IOVA_SNAP_CPU_CLASS_WORDS;
		v->loaded += ld->slab != SLAB_NONE;
		v->loaded_pfns += ld->size;
		v->prev += pv->slab != SLAB_NONE;
		v->prev_pfns += pv->size;
		row[IOVA_SNAP_CPU_CLASS_LOADED_PFNS] += ld->size;
		row[IOVA_SNAP_CPU_CLASS_PREV_PFNS] += pv->size;
	}
	v->depot += r->depot_size;
	for (c = 0; c < r->depot_size; c++)
		v->depot_pfns += r->depot[c].size;
}

/* Model-only: to += v. */
static void add_view(struct class_view *to, const struct class_view *v)
{
	to->loaded += v->loaded;
	to->prev += v->prev;
	to->depot += v->depot;
	to->loaded_pfns += v->loaded_pfns;
	to->prev_pfns += v->prev_pfns;
	to->depot_pfns += v->depot_pfns;
}

/* Model-only: a domain's DMA counters (all 0 for a plain domain). */
static void write_dma_counters(const struct iova_lab *L, const struct lab_domain *d, uint64_t *row)
{
	const struct iommu_dma_cookie *ck = (uint32_t)d->id < L->cookiecap ? L->cookies[d->id] : NULL;
	const struct iova_fq_domain *q = fq_of(L, (uint32_t)d->id);
	if (!ck)
		return;
	row[IOVA_SNAP_DOMAIN_DMA_TYPE] = ck->type + 1;
	row[IOVA_SNAP_DOMAIN_DEVICES] = ck->devices;
	row[IOVA_SNAP_DOMAIN_MAPS] = ck->st.maps;
	row[IOVA_SNAP_DOMAIN_UNMAPS] = ck->st.unmaps;
	row[IOVA_SNAP_DOMAIN_MAPPED_BYTES] = ck->st.mapped_bytes;
	row[IOVA_SNAP_DOMAIN_MAP_FAILURES] = ck->st.map_failures;
	row[IOVA_SNAP_DOMAIN_SAC_ATTEMPTS] = ck->st.sac_attempts;
	row[IOVA_SNAP_DOMAIN_SAC_SUCCESSES] = ck->st.sac_successes;
	row[IOVA_SNAP_DOMAIN_SAC_SWITCHED] = ck->st.sac_switched;
	if (!q)
		return;
	row[IOVA_SNAP_DOMAIN_QUEUED] = q->queued.count;
	row[IOVA_SNAP_DOMAIN_FQ_RINGS] = q->nrings;
	row[IOVA_SNAP_DOMAIN_FLUSHES_FULL] = q->st.flushes_full;
	row[IOVA_SNAP_DOMAIN_FLUSHES_TIMER] = q->st.flushes_timer;
	row[IOVA_SNAP_DOMAIN_TIMER_EXPIRIES] = q->st.timer_expiries;
	row[IOVA_SNAP_DOMAIN_TIMER_PENDING] = q->fq_timer_on;
	row[IOVA_SNAP_DOMAIN_QUEUE_FREED] = q->st.queue_freed;
	row[IOVA_SNAP_DOMAIN_TIMER_FREED] = q->st.timer_freed;
}

/* Model-only: a flush-queue domain's per-ring queued counts, then the IOVAs its timer freed per CPU. */
static uint32_t write_fq_words(const struct iova_lab *L, const struct iova_fq_domain *q, uint64_t *out)
{
	uint32_t i, w = 0;
	for (i = 0; i < q->nrings; i++)
		out[w++] = fq_ring_count(&q->rings[i]);
	for (i = 0; i < L->possible; i++)
		out[w++] = q->st.timer_freed_on[i];
	return w;
}

/* Model-only: one domain's row; adds its magazines to the lab-wide class views and cpu rows. */
static void write_domain_row(const struct iova_lab *L, struct lab_domain *d, struct class_view *cls, uint64_t *cpu_rows,
			     uint64_t *row)
{
	struct class_view v;
	uint64_t hits = 0, misses = 0, push = 0, pop = 0, trim = 0;
	uint32_t k;
	memset(&v, 0, sizeof(v));
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		const struct iova_rcache *r = &d->rcaches[k];
		struct class_view c;
		memset(&c, 0, sizeof(c));
		view_class(L, r, k, &c, cpu_rows);
		add_view(&cls[k], &c);
		add_view(&v, &c);
		hits += r->st.hits;
		misses += r->st.misses;
		push += r->st.pushes;
		pop += r->st.pops;
		trim += r->st.trims;
	}
	row[IOVA_SNAP_DOMAIN_ID] = (uint64_t)d->id;
	row[IOVA_SNAP_DOMAIN_LIVE_IOVAS] = d->iovad.count;
	row[IOVA_SNAP_DOMAIN_CACHED_PFNS] = v.loaded_pfns + v.prev_pfns + v.depot_pfns;
	row[IOVA_SNAP_DOMAIN_MAGAZINES] = v.loaded + v.prev + v.depot;
	row[IOVA_SNAP_DOMAIN_DEPOT_MAGS] = v.depot;
	row[IOVA_SNAP_DOMAIN_HITS] = hits;
	row[IOVA_SNAP_DOMAIN_MISSES] = misses;
	row[IOVA_SNAP_DOMAIN_DEPOT_PUSHES] = push;
	row[IOVA_SNAP_DOMAIN_DEPOT_POPS] = pop;
	row[IOVA_SNAP_DOMAIN_DEPOT_TRIMS] = trim;
	row[IOVA_SNAP_DOMAIN_FLUSH_RETRIES] = d->flush_retries;
	row[IOVA_SNAP_DOMAIN_SLOW_ALLOC_FAILURES] = d->slow_fail;
	write_dma_counters(L, d, row);
}

/* Model-only: the header, cache rows, magazine totals and class rows. */
static void write_fixed_part(const struct iova_lab *L, const struct class_view *cls, uint64_t *out)
{
	uint64_t *hd = out + IOVA_SNAP_HEADER_AT, *mg = out + IOVA_SNAP_MAGAZINES_AT;
	struct class_view all;
	uint32_t i, k;
	memset(&all, 0, sizeof(all));
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++)
		add_view(&all, &cls[k]);
	hd[IOVA_SNAP_HEADER_NOW_MS] = L->clk.now;
	hd[IOVA_SNAP_HEADER_POSSIBLE_CPUS] = L->possible;
	hd[IOVA_SNAP_HEADER_ONLINE_CPUS] = L->online_count;
	hd[IOVA_SNAP_HEADER_MAGAZINE_MODE] = L->mode;
	hd[IOVA_SNAP_HEADER_LIVE_DOMAINS] = L->live;
	hd[IOVA_SNAP_HEADER_MAGAZINE_OBJ_SIZE] = L->ctx.mag_cache->obj_size;
	hd[IOVA_SNAP_HEADER_MAGAZINE_CACHE] = L->mag_cache_index;
	for (i = 0; i < IOVA_CACHE_COUNT; i++) {
		const struct slab_cache *s = &L->caches[i];
		uint64_t *row = out + IOVA_SNAP_CACHE_AT + i * IOVA_SNAP_CACHE_WORDS;
		row[IOVA_SNAP_CACHE_OBJ_SIZE] = s->obj_size;
		row[IOVA_SNAP_CACHE_OBJ_PER_SLAB] = s->per_slab;
		row[IOVA_SNAP_CACHE_PAGES_PER_SLAB] = s->pages;
		row[IOVA_SNAP_CACHE_ACTIVE_OBJS] = s->active;
		row[IOVA_SNAP_CACHE_NUM_OBJS] = s->num_slabs * s->per_slab;
		row[IOVA_SNAP_CACHE_NUM_SLABS] = s->num_slabs;
		row[IOVA_SNAP_CACHE_ALLOCS] = s->allocs;
		row[IOVA_SNAP_CACHE_FREES] = s->frees;
	}
	mg[IOVA_SNAP_MAGAZINES_LOADED] = all.loaded;
	mg[IOVA_SNAP_MAGAZINES_PREV] = all.prev;
	mg[IOVA_SNAP_MAGAZINES_DEPOT] = all.depot;
	mg[IOVA_SNAP_MAGAZINES_TOTAL] = all.loaded + all.prev + all.depot;
	mg[IOVA_SNAP_MAGAZINES_LOADED_PFNS] = all.loaded_pfns;
	mg[IOVA_SNAP_MAGAZINES_PREV_PFNS] = all.prev_pfns;
	mg[IOVA_SNAP_MAGAZINES_DEPOT_PFNS] = all.depot_pfns;
	for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
		const struct class_stats *s = &L->cls[k];
		uint64_t *row = out + IOVA_SNAP_CLASS_AT + k * IOVA_SNAP_CLASS_WORDS;
		row[IOVA_SNAP_CLASS_HITS] = s->hits;
		row[IOVA_SNAP_CLASS_MISSES] = s->misses;
		row[IOVA_SNAP_CLASS_DEPOT_PUSHES] = s->pushes;
		row[IOVA_SNAP_CLASS_DEPOT_POPS] = s->pops;
		row[IOVA_SNAP_CLASS_DEPOT_TRIMS] = s->trims;
		row[IOVA_SNAP_CLASS_DEPOT_MAGS] = s->depot_mags;
		row[IOVA_SNAP_CLASS_DEPOT_HIGH_WATER] = s->high_water;
		row[IOVA_SNAP_CLASS_DEPOT_OVERFLOWS] = s->overflows;
		row[IOVA_SNAP_CLASS_LOADED] = cls[k].loaded;
		row[IOVA_SNAP_CLASS_PREV] = cls[k].prev;
		row[IOVA_SNAP_CLASS_LOADED_PFNS] = cls[k].loaded_pfns;
		row[IOVA_SNAP_CLASS_PREV_PFNS] = cls[k].prev_pfns;
		row[IOVA_SNAP_CLASS_DEPOT_PFNS] = cls[k].depot_pfns;
	}
}

/* Model-only: what slabinfo, slabtop and the rcache would show, as flat words; the count written. */
int32_t iova_snapshot(int32_t h, uint64_t *out, uint32_t cap)
{
	struct iova_lab *L = lab_of_handle(h);
	struct class_view cls[IOVA_RANGE_CACHE_MAX_SIZE];
	uint32_t i, cpu_words, w;
	uint64_t *cpu_rows;
	if (!L)
		return IOVA_E_NO_LAB;
	if (cap < snapshot_words(L))
		return IOVA_E_RANGE;
	memset(cls, 0, sizeof(cls));
	cpu_words = IOVA_SNAP_CPU_CLASS_WORDS * IOVA_RANGE_CACHE_MAX_SIZE * L->possible;
	cpu_rows = out + IOVA_SNAP_FIXED_WORDS + IOVA_SNAP_DOMAIN_WORDS * L->live;
	memset(cpu_rows, 0, (size_t)cpu_words * sizeof(*out));
	w = IOVA_SNAP_FIXED_WORDS;
	/* One pass over every magazine: the domain rows, the cpu rows and the class views they add up to. */
	for (i = 0; i < L->ndoms; i++) {
		if (!L->doms[i])
			continue;
		memset(out + w, 0, IOVA_SNAP_DOMAIN_WORDS * sizeof(*out));
		write_domain_row(L, L->doms[i], cls, cpu_rows, out + w);
		w += IOVA_SNAP_DOMAIN_WORDS;
	}
	w += cpu_words;
	for (i = 0; i < L->ndoms; i++) {
		const struct iova_fq_domain *q = L->doms[i] ? fq_of(L, i) : NULL;
		if (q)
			w += write_fq_words(L, q, out + w);
	}
	write_fixed_part(L, cls, out);
	return (int32_t)w;
}
