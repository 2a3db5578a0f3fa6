/* Argument checks of the exported operations. Each returns IOVA_OK or the status the design
 * fixes, and changes nothing, so a caller can run them all before touching the model. */
#include "validate.h"

/* Model-only: the lab and policy limits (design.md "Validation"). */
int32_t validate_lab_config(uint32_t possible, uint32_t online, uint32_t mode, uint32_t geometry,
			    const struct iova_policy *p)
{
	if (possible < 1 || possible > MAX_POSSIBLE_CPUS || online < 1 || online > possible || mode > 1 || geometry > 1)
		return IOVA_E_LAB_CONFIG;
	if (p->mag_size < 1 || p->mag_size > IOVA_MAG_SIZE_MAX || p->depot_cap > 1u << 20 ||
	    p->trim_delay_ms > 1u << 30 || p->lazy > 1 || p->dynamic_initial > p->mag_size ||
	    p->array_bytes > MAX_RCACHE_ARRAY_BYTES)
		return IOVA_E_LAB_CONFIG;
	/* the release facets: each a choice or an on/off switch */
	if (p->tree_walk > IOVA_WALK_V4_7 || p->max32_alloc_size > 1 || p->retry > IOVA_RETRY_FIXED ||
	    p->magazine_pop > IOVA_POP_TOP || p->flush_rcache_arg > 1 || p->flush_depot_on_failure > 1 ||
	    p->round_in_fast_alloc > 1)
		return IOVA_E_LAB_CONFIG;
	return IOVA_OK;
}

/* init_iova_domain's granule: a power of two no larger than a page; *shift its log2. */
int32_t validate_granule(uint64_t granule, uint32_t *shift)
{
	uint32_t s = 0;
	if (granule < 1 || granule > PAGE_SIZE || (granule & (granule - 1)))
		return IOVA_E_GRANULE;
	while (((uint64_t)1 << s) < granule)
		s++;
	*shift = s;
	return IOVA_OK;
}

/* init_iova_domain's start_pfn: at least 1 and below the domain's last PFN. */
int32_t validate_start_pfn(uint32_t shift, uint64_t start_pfn)
{
	uint64_t max_pfn = shift ? PFN_MAX_ALL >> shift : PFN_MAX_ALL - 1;
	return start_pfn < 1 || start_pfn > max_pfn - 1 ? IOVA_E_START_PFN : IOVA_OK;
}

/* Model-only: a possible CPU, and online when the operation runs on it. */
int32_t validate_cpu(const struct iova_lab *lab, uint64_t cpu, int need_online)
{
	if (cpu >= lab->possible)
		return IOVA_E_CPU_RANGE;
	if (need_online && !lab->online[cpu])
		return IOVA_E_CPU_OFFLINE;
	return IOVA_OK;
}

/* Model-only: a size the domain can hold at all. */
int32_t validate_size(const struct lab_domain *d, uint64_t size)
{
	return size < 1 || size > d->iovad.max_pfn - d->iovad.start_pfn + 1 ? IOVA_E_SIZE : IOVA_OK;
}

/* Model-only: a limit inside the domain. */
int32_t validate_limit(const struct lab_domain *d, uint64_t limit)
{
	return limit < d->iovad.start_pfn || limit > d->iovad.max_pfn ? IOVA_E_LIMIT : IOVA_OK;
}

/* reserve_iova's range, kept inside the domain and off PFNs that sit in magazines (extending such
 * a node would corrupt the rcache). */
int32_t validate_reserve(struct lab_domain *d, uint64_t lo, uint64_t hi)
{
	if (lo < d->iovad.start_pfn || lo > hi || hi > d->iovad.max_pfn)
		return IOVA_E_RANGE;
	if (range_in_magazines(&d->iovad, lo, hi))
		return IOVA_E_RESERVE_CACHED;
	return IOVA_OK;
}

/* Model-only: what free_iova_fast trusts its caller for: the start of an allocated, uncached range. */
int32_t validate_free_fast(struct lab_domain *d, uint64_t pfn, uint64_t size)
{
	uint32_t x = find_iova(&d->iovad, pfn);
	const struct iova *n;
	if (x == NODE_NONE)
		return IOVA_E_NOT_ALLOCATED;
	n = &d->iovad.n[x];
	if (n->pfn_lo != pfn)
		return IOVA_E_NOT_RANGE_START;
	if (n->in_magazine)
		return IOVA_E_DOUBLE_FREE;
	if (order_base_2_(size) != order_base_2_(n->pfn_hi - n->pfn_lo + 1))
		return IOVA_E_SIZE_CLASS;
	return IOVA_OK;
}

/* free_iova's lookup: find_iova must find a node, and it must not sit in a magazine. */
int32_t validate_free(struct lab_domain *d, uint64_t pfn, uint32_t *node)
{
	uint32_t x = find_iova(&d->iovad, pfn);
	if (x == NODE_NONE)
		return IOVA_E_NOT_ALLOCATED;
	if (d->iovad.n[x].in_magazine)
		return IOVA_E_DOUBLE_FREE;
	*node = x;
	return IOVA_OK;
}
