/* The exported single-operation entry points (the facade of the C model).
 *
 * Conventions, shared with batch.c:
 * - Every exported iova_* call resolves its lab handle first (E_NO_LAB when there is none), then
 *   runs the checked operation lab_<op>() on the resolved struct iova_lab. The batch interpreter
 *   calls the same lab_<op>() functions, so a batch op and a single call behave identically.
 * - Statuses flow by value: every lab_<op>() returns IOVA_OK or a negative status (iova_abi.h), and
 *   writes its one result word (a pfn, pfn_lo or domain id; 0 when it has none) to *result. The
 *   exported call returns that status and copies the result through its out-pointer, so one call
 *   crosses the JS/WASM boundary once.
 * - A failed operation changes nothing. All argument checks (validate.c) run before any change,
 *   and an operation that may need memory first reserves headroom for its worst case (tree nodes,
 *   slab slots, PFN buffers, a queued work, depot room). After that the change itself cannot fail
 *   halfway: the model's own heap running out shows as E_NOMEM before anything moved, while a
 *   kernel allocation failure (injected) is modelled behaviour, not an error.
 * - The one exception: E_NON_TERMINATING stops an allocation where the kernel's own code would loop
 *   forever (the retry-start overflow). What that kernel did before the loop (an rcache miss and
 *   its magazine swap) stays done, as in the TS model; the tree itself is unchanged. */
#include "validate.h"
#include <stddef.h>

/* alloc_iova_fast, after the checks and headroom. */
int32_t lab_alloc_fast(struct iova_lab *L, int32_t dom, uint64_t cpu, uint64_t size, uint64_t limit, uint64_t flush,
		       uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	if ((r = validate_cpu(L, cpu, 1)) || (r = validate_size(d, size)) || (r = validate_limit(d, limit)))
		return r;
	if (lab_domain_reserve_headroom(&L->ctx, d))
		return IOVA_E_NOMEM;
	return alloc_iova_fast(&L->ctx, d, (uint32_t)cpu, size, limit, flush != 0, result);
}

/* free_iova_fast, after the checks (the kernel trusts its caller for them) and headroom. */
int32_t lab_free_fast(struct iova_lab *L, int32_t dom, uint64_t cpu, uint64_t pfn, uint64_t size, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	if ((r = validate_cpu(L, cpu, 1)) || (r = validate_size(d, size)) || (r = validate_free_fast(d, pfn, size)) ||
	    (r = lab_dma_check_not_queued(L, dom, pfn, pfn)))
		return r;
	if (lab_domain_reserve_headroom(&L->ctx, d))
		return IOVA_E_NOMEM;
	free_iova_fast(&L->ctx, d, (uint32_t)cpu, pfn, size);
	return IOVA_OK;
}

/* alloc_iova (the slow path), after the checks and headroom. */
int32_t lab_alloc(struct iova_lab *L, int32_t dom, uint64_t size, uint64_t limit, uint64_t aligned, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	uint32_t x;
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	if ((r = validate_size(d, size)) || (r = validate_limit(d, limit)))
		return r;
	if (lab_domain_reserve_headroom(&L->ctx, d))
		return IOVA_E_NOMEM;
	if ((r = alloc_iova_counted(&L->ctx, d, size, limit, aligned != 0, &x)))
		return r;
	/* a node at PFN 0 (the retry-start overflow) reads as 0, like the kernel's caller sees it */
	if (x != NODE_NONE)
		*result = d->iovad.n[x].pfn_lo;
	return IOVA_OK;
}

/* free_iova: find_iova, then __free_iova (needs no memory). */
int32_t lab_free(struct iova_lab *L, int32_t dom, uint64_t pfn, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	struct iova_env e;
	uint32_t x = NODE_NONE;
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	if ((r = validate_free(d, pfn, &x)) ||
	    (r = lab_dma_check_not_queued(L, dom, d->iovad.n[x].pfn_lo, d->iovad.n[x].pfn_lo)))
		return r;
	e.iova_cache = L->ctx.iova_cache;
	e.fail_iova = L->ctx.fail_iova;
	remove_iova(&d->iovad, &e, x);
	return IOVA_OK;
}

/* find_iova: the containing node's [pfn_lo, pfn_hi], or 0, 0. */
int32_t lab_find(struct iova_lab *L, int32_t dom, uint64_t pfn, uint64_t range[2])
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	uint32_t x;
	range[0] = range[1] = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	x = find_iova(&d->iovad, pfn);
	if (x != NODE_NONE) {
		range[0] = d->iovad.n[x].pfn_lo;
		range[1] = d->iovad.n[x].pfn_hi;
	}
	return IOVA_OK;
}

/* reserve_iova, after the checks and headroom; *result: the node's pfn_lo, 0 when it failed. */
int32_t lab_reserve(struct iova_lab *L, int32_t dom, uint64_t lo, uint64_t hi, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	struct iova_env e;
	uint32_t x;
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	if ((r = validate_reserve(d, lo, hi)))
		return r;
	if (lab_dma_check_not_queued(L, dom, lo, hi))
		return IOVA_E_RANGE;
	if (lab_domain_reserve_headroom(&L->ctx, d))
		return IOVA_E_NOMEM;
	e.iova_cache = L->ctx.iova_cache;
	e.fail_iova = L->ctx.fail_iova;
	x = reserve_iova(&d->iovad, &e, lo, hi);
	if (x != NODE_NONE)
		*result = d->iovad.n[x].pfn_lo;
	return IOVA_OK;
}

/* Model-only: the virtual clock moves on, running every work that falls due on the way: depot trims,
 * and flush-queue timers (their keys lie below every domain id: fq_timer_key). Each trim frees one
 * depot magazine or stops rescheduling, and each timer empties its queues, so the work is bounded by
 * what the depots and queues hold, not by `ms`. A clock that would pass 2^64 - 1 is refused. */
int32_t lab_advance_clock(struct iova_lab *L, uint64_t ms, uint64_t *result)
{
	uint64_t target = L->clk.now + ms;
	struct work w;
	*result = 0;
	if (ms > UINT64_MAX - L->clk.now)
		return IOVA_E_CLOCK_OVERFLOW;
	while (clock_pop_due(&L->clk, target, &w)) {
		struct lab_domain *d = lab_domain_of_id(L, w.dom);
		struct iommu_dma_cookie *ck = lab_dma_cookie(L, fq_timer_domain(w.dom));
		int32_t r;
		L->clk.now = w.due;
		if (d)
			iova_depot_work_func(&L->ctx, d, w.cls);
		else if (ck && (r = fq_flush_timeout(&L->ctx, ck->dom, &ck->fq)))
			return r;
	}
	L->clk.now = target;
	return IOVA_OK;
}

/* iova_cpuhp_dead: the CPU goes offline and every domain's magazines of it are flushed. */
int32_t lab_cpu_offline(struct iova_lab *L, uint64_t cpu, uint64_t *result)
{
	int32_t r;
	uint32_t i;
	*result = 0;
	if ((r = validate_cpu(L, cpu, 0)))
		return r;
	if (!L->online[cpu])
		return IOVA_E_CPU_ALREADY_OFFLINE;
	if (L->online_count == 1)
		return IOVA_E_LAST_ONLINE_CPU;
	L->online[cpu] = 0;
	L->online_count--;
	for (i = 0; i < L->ndoms; i++)
		if (L->doms[i])
			free_cpu_cached_iovas(&L->ctx, L->doms[i], (uint32_t)cpu);
	lab_dma_cpu_dead(L, (uint32_t)cpu);
	return IOVA_OK;
}

/* Model-only: the CPU comes back (its magazines are still allocated, and empty). */
int32_t lab_cpu_online(struct iova_lab *L, uint64_t cpu, uint64_t *result)
{
	int32_t r;
	*result = 0;
	if ((r = validate_cpu(L, cpu, 0)))
		return r;
	if (L->online[cpu])
		return IOVA_E_CPU_ALREADY_ONLINE;
	L->online[cpu] = 1;
	L->online_count++;
	return IOVA_OK;
}

/* free_cpu_cached_iovas on every online CPU, then free_global_cached_iovas. */
int32_t lab_flush(struct iova_lab *L, int32_t dom, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	uint32_t i;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	for (i = 0; i < L->possible; i++)
		if (L->online[i])
			free_cpu_cached_iovas(&L->ctx, d, i);
	free_global_cached_iovas(&L->ctx, d);
	return IOVA_OK;
}

/* free_cpu_cached_iovas: one CPU's loaded and prev PFNs of one domain back to the tree. Any possible CPU:
 * the kernel calls it for a CPU that is already down (the hotplug dead callback). */
int32_t lab_free_cpu_cached(struct iova_lab *L, int32_t dom, uint64_t cpu, uint64_t *result)
{
	struct lab_domain *d = lab_domain_of_id(L, dom);
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DOMAIN;
	if ((r = validate_cpu(L, cpu, 0)))
		return r;
	free_cpu_cached_iovas(&L->ctx, d, (uint32_t)cpu);
	return IOVA_OK;
}

/* Model-only: arms a fault: the nth next allocation of kind (0 magazine, 1 iommu_iova) fails. */
int32_t lab_inject_failure(struct iova_lab *L, uint64_t kind, uint64_t nth, uint64_t *result)
{
	*result = 0;
	if (kind > 1)
		return IOVA_E_BAD_OP;
	L->fail[kind] = nth > 0xffffffffu ? 0xffffffffu : (uint32_t)nth;
	return IOVA_OK;
}

/* The exported calls: one per checked operation above (design.md "Validation" for the statuses). */

/* alloc_iova_fast for a caller across the ABI; *pfn_out: the pfn, 0 when none. */
int32_t iova_alloc_fast(int32_t h, int32_t dom, uint32_t cpu, uint64_t size, uint64_t limit_pfn, uint32_t flush,
			uint64_t *pfn_out)
{
	ON_LAB(h, pfn_out, 1, lab_alloc_fast(L, dom, cpu, size, limit_pfn, flush, res));
}

/* free_iova_fast for a caller across the ABI. */
int32_t iova_free_fast(int32_t h, int32_t dom, uint32_t cpu, uint64_t pfn, uint64_t size)
{
	ON_LAB(h, NULL, 0, lab_free_fast(L, dom, cpu, pfn, size, res));
}

/* alloc_iova for a caller across the ABI; *pfn_out: the pfn, 0 when none. */
int32_t iova_alloc(int32_t h, int32_t dom, uint64_t size, uint64_t limit_pfn, uint32_t aligned, uint64_t *pfn_out)
{
	ON_LAB(h, pfn_out, 1, lab_alloc(L, dom, size, limit_pfn, aligned, res));
}

/* free_iova for a caller across the ABI. */
int32_t iova_free(int32_t h, int32_t dom, uint64_t pfn)
{
	ON_LAB(h, NULL, 0, lab_free(L, dom, pfn, res));
}

/* find_iova for a caller across the ABI; range_out: [pfn_lo, pfn_hi] or [0, 0]. */
int32_t iova_find(int32_t h, int32_t dom, uint64_t pfn, uint64_t *range_out)
{
	ON_LAB(h, range_out, 2, lab_find(L, dom, pfn, res));
}

/* reserve_iova for a caller across the ABI; *pfn_out: the node's pfn_lo, 0 on failure. */
int32_t iova_reserve(int32_t h, int32_t dom, uint64_t lo, uint64_t hi, uint64_t *pfn_out)
{
	ON_LAB(h, pfn_out, 1, lab_reserve(L, dom, lo, hi, res));
}

/* Model-only: lab_advance_clock for a caller across the ABI. */
int32_t iova_advance_clock(int32_t h, uint64_t ms)
{
	ON_LAB(h, NULL, 0, lab_advance_clock(L, ms, res));
}

/* iova_cpuhp_dead (after taking the CPU offline) for a caller across the ABI. */
int32_t iova_cpu_offline(int32_t h, uint32_t cpu)
{
	ON_LAB(h, NULL, 0, lab_cpu_offline(L, cpu, res));
}

/* Model-only: lab_cpu_online for a caller across the ABI. */
int32_t iova_cpu_online(int32_t h, uint32_t cpu)
{
	ON_LAB(h, NULL, 0, lab_cpu_online(L, cpu, res));
}

/* Model-only: lab_flush (both flushes of the rcache) for a caller across the ABI. */
int32_t iova_flush(int32_t h, int32_t dom)
{
	ON_LAB(h, NULL, 0, lab_flush(L, dom, res));
}

/* free_cpu_cached_iovas for a caller across the ABI. */
int32_t iova_free_cpu_cached(int32_t h, int32_t dom, uint32_t cpu)
{
	ON_LAB(h, NULL, 0, lab_free_cpu_cached(L, dom, cpu, res));
}

/* Model-only: lab_inject_failure for a caller across the ABI. */
int32_t iova_inject_failure(int32_t h, uint32_t kind, uint32_t nth)
{
	ON_LAB(h, NULL, 0, lab_inject_failure(L, kind, nth, res));
}
