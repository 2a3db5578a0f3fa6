/* The handle table and the lifecycle of labs and their domains. */
#include "validate.h"
#include <stdlib.h>

static struct iova_lab **lab_table; /* handle h is lab_table[h - 1]; NULL once destroyed */
static uint32_t nlabs, labcap;

/* Model-only: the lab behind a handle, or NULL (never issued, or destroyed: handles are not reused). */
struct iova_lab *lab_of_handle(int32_t h)
{
	if (h < 1 || (uint32_t)h > nlabs)
		return NULL;
	return lab_table[h - 1];
}

/* Model-only: a live domain of the lab, or NULL. */
struct lab_domain *lab_domain_of_id(struct iova_lab *lab, int32_t id)
{
	if (id < 0 || (uint32_t)id >= lab->ndoms)
		return NULL;
	return lab->doms[id];
}

static const struct iova_policy v6_8_policy = {
	.mag_size = IOVA_MAG_SIZE,
	.depot_cap = 0,
	.trim_delay_ms = 100,
	.trim_threshold = IOVA_TRIM_ONLINE,
	.lazy = 0,
	.dynamic_initial = 0,
	.array_bytes = 720,
	.tree_walk = IOVA_WALK_ANCHOR,
	.max32_alloc_size = 1,
	.retry = IOVA_RETRY_FIXED,
	.magazine_pop = IOVA_POP_SCAN,
	.flush_rcache_arg = 1,
	.flush_depot_on_failure = 1,
	.round_in_fast_alloc = 1,
};

/* kmalloc_index: the kmalloc-N cache a kmalloc(bytes) lands in (bytes 1..8192). */
static uint32_t kmalloc_index(uint32_t bytes)
{
	uint32_t i = IOVA_CACHE_KMALLOC_8;
	while (i + 1 < IOVA_CACHE_COUNT && slab_obj_sizes[i] < bytes)
		i++;
	return i;
}

/* Model-only: bytes of a magazine of the policy's size (the size word, then the PFNs). */
static uint32_t magazine_bytes(const struct iova_policy *p)
{
	return IOVA_MAGAZINE_HEADER_BYTES + 8 * p->mag_size;
}

/* The named cache is SLAB_HWCACHE_ALIGN: objects round up to whole cache lines. */
static uint32_t named_magazine_size(const struct iova_policy *p)
{
	return (magazine_bytes(p) + CACHE_LINE_SIZE - 1) & ~(uint32_t)(CACHE_LINE_SIZE - 1);
}

/* Model-only: points the rcache context at the lab's caches, pool, clock and CPU state. */
static void wire_rcache_context(struct iova_lab *L)
{
	const struct iova_policy *p = &L->policy;
	L->ctx.policy = p;
	L->ctx.mag_cache = &L->caches[L->mag_cache_index];
	L->ctx.iova_cache = &L->caches[IOVA_CACHE_IOVA];
	L->ctx.array_cache = p->array_bytes ? &L->caches[kmalloc_index(p->array_bytes)] : NULL;
	L->ctx.pool = &L->pool;
	L->ctx.fail_mag = &L->fail[0];
	L->ctx.fail_iova = &L->fail[1];
	L->ctx.clk = &L->clk;
	L->ctx.online_count = &L->online_count;
	L->ctx.online = L->online;
	L->ctx.possible = L->possible;
	L->ctx.lab_cls = L->cls;
}

/* Model-only: boots a machine (iova_cache_get + the kmalloc caches) and issues its handle. */
int32_t iova_lab_create_with_policy(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry,
				    const struct iova_policy *policy)
{
	struct iova_lab *L;
	uint32_t i;
	if (!policy)
		policy = &v6_8_policy;
	if (validate_lab_config(possible, online, mode, geometry, policy))
		return IOVA_E_LAB_CONFIG;
	if (nlabs == labcap) {
		uint32_t ncap = labcap ? labcap * 2 : 8;
		struct iova_lab **n = realloc(lab_table, (size_t)ncap * sizeof(*n));
		if (!n)
			return IOVA_E_NOMEM;
		lab_table = n;
		labcap = ncap;
	}
	L = calloc(1, sizeof(*L));
	if (!L)
		return IOVA_E_NOMEM;
	L->online = calloc(possible, 1);
	if (!L->online) {
		free(L);
		return IOVA_E_NOMEM;
	}
	L->possible = possible;
	L->online_count = online;
	L->mode = mode;
	L->geom = geometry;
	L->policy = *policy;
	for (i = 0; i < online; i++)
		L->online[i] = 1;
	for (i = 0; i < IOVA_CACHE_COUNT; i++) {
		uint32_t size = i == IOVA_CACHE_MAGAZINE ? named_magazine_size(policy) : slab_obj_sizes[i];
		slab_init(&L->caches[i], size, possible, geometry);
	}
	pfn_pool_init(&L->pool, policy->mag_size);
	clock_init(&L->clk);
	L->mag_cache_index = mode ? kmalloc_index(magazine_bytes(policy)) : IOVA_CACHE_MAGAZINE;
	L->hz = DMA_DEFAULT_HZ;
	L->facets = dma_facets_v6_8;
	wire_rcache_context(L);
	lab_table[nlabs++] = L;
	return (int32_t)nlabs;
}

/* Model-only: iova_lab_create_with_policy with the v6.8 policy. */
int32_t iova_lab_create(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry)
{
	return iova_lab_create_with_policy(possible, online, mode, geometry, NULL);
}

/* Model-only: puts every domain and frees the machine; the handle stays dead. */
int32_t iova_lab_destroy(int32_t h)
{
	struct iova_lab *L = lab_of_handle(h);
	uint32_t i;
	if (!L)
		return IOVA_E_NO_LAB;
	lab_dma_destroy(L);
	for (i = 0; i < L->ndoms; i++)
		if (L->doms[i])
			put_iova_domain(&L->ctx, L->doms[i]);
	for (i = 0; i < IOVA_CACHE_COUNT; i++)
		slab_destroy(&L->caches[i]);
	pfn_pool_destroy(&L->pool);
	clock_destroy(&L->clk);
	free(L->doms);
	free(L->online);
	free(L);
	lab_table[h - 1] = NULL;
	return IOVA_OK;
}

/* init_iova_domain + iova_domain_init_rcaches under the next domain id; *result: the id. */
int32_t lab_domain_create(struct iova_lab *L, uint64_t granule, uint64_t start_pfn, uint64_t *result)
{
	uint32_t shift;
	struct lab_domain *d = NULL;
	int32_t r;
	*result = 0;
	if ((r = validate_granule(granule, &shift)) || (r = validate_start_pfn(shift, start_pfn)))
		return r;
	if ((uint64_t)(L->live + 1) * L->possible > MAX_DOMAIN_CPUS)
		return IOVA_E_DOMAIN_LIMIT;
	if (L->ndoms == L->domcap) {
		uint32_t ncap = L->domcap ? L->domcap * 2 : 8;
		struct lab_domain **n = realloc(L->doms, (size_t)ncap * sizeof(*n));
		if (!n)
			return IOVA_E_NOMEM;
		L->doms = n;
		L->domcap = ncap;
	}
	if ((r = lab_domain_init(&L->ctx, (int32_t)L->ndoms, shift, start_pfn, &d)))
		return r;
	L->doms[L->ndoms] = d;
	L->live++;
	*result = L->ndoms++;
	return IOVA_OK;
}

/* put_iova_domain; the id is never reused. */
int32_t lab_domain_put(struct iova_lab *L, int32_t dom, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	lab_dma_domain_put(L, dom);
	put_iova_domain(&L->ctx, d);
	L->doms[dom] = NULL;
	L->live--;
	return IOVA_OK;
}

/* Model-only: exported lab_domain_create; the id comes back by value. */
int32_t iova_domain_create(int32_t h, uint32_t granule, uint64_t start_pfn)
{
	struct iova_lab *L = lab_of_handle(h);
	uint64_t id;
	int32_t r;
	if (!L)
		return IOVA_E_NO_LAB;
	r = lab_domain_create(L, granule, start_pfn, &id);
	return r ? r : (int32_t)id;
}

/* Model-only: exported lab_domain_put. */
int32_t iova_domain_put(int32_t h, int32_t dom)
{
	struct iova_lab *L = lab_of_handle(h);
	uint64_t unused;
	if (!L)
		return IOVA_E_NO_LAB;
	return lab_domain_put(L, dom, &unused);
}
