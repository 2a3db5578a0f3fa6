/* The lab behind a handle, and the checked operations the exported entry points and the batch
 * interpreter share. Conventions: see the top of ops.c. */
#ifndef IOVA_LAB_H
#define IOVA_LAB_H
#include "iova_abi.h"
#include "rcache.h"

/* One simulated machine: its CPUs, policy, slab caches, clock, domains and fault countdowns. */
struct iova_lab {
	uint32_t possible, online_count, mode, geom;
	struct iova_policy policy;
	uint32_t mag_cache_index;
	uint8_t *online;
	struct slab_cache caches[IOVA_CACHE_COUNT];
	struct pfn_pool pool;
	struct clock clk;
	struct lab_domain **doms; /* by id; NULL once put (ids are never reused) */
	uint32_t ndoms, domcap, live;
	uint32_t fail[2];         /* fault countdowns: [0] magazine, [1] iommu_iova object */
	struct class_stats cls[IOVA_RANGE_CACHE_MAX_SIZE];
	struct rc_ctx ctx;
	char msg[256];            /* the last broken invariant */
};

struct iova_lab *lab_of_handle(int32_t handle);
struct lab_domain *lab_domain_of_id(struct iova_lab *lab, int32_t id);

/* Checked operations on a resolved lab: validate, take headroom, then change the model. Each
 * returns IOVA_OK or a status and writes its one result word (0 when it has none) to *result. */
int32_t lab_domain_create(struct iova_lab *lab, uint64_t granule, uint64_t start_pfn, uint64_t *result);
int32_t lab_domain_put(struct iova_lab *lab, int32_t dom, uint64_t *result);
int32_t lab_alloc_fast(struct iova_lab *lab, int32_t dom, uint64_t cpu, uint64_t size, uint64_t limit,
		       uint64_t flush, uint64_t *result);
int32_t lab_free_fast(struct iova_lab *lab, int32_t dom, uint64_t cpu, uint64_t pfn, uint64_t size, uint64_t *result);
int32_t lab_alloc(struct iova_lab *lab, int32_t dom, uint64_t size, uint64_t limit, uint64_t aligned, uint64_t *result);
int32_t lab_free(struct iova_lab *lab, int32_t dom, uint64_t pfn, uint64_t *result);
/* range[0], range[1]: the containing node's pfn_lo, pfn_hi, or 0, 0 */
int32_t lab_find(struct iova_lab *lab, int32_t dom, uint64_t pfn, uint64_t range[2]);
int32_t lab_reserve(struct iova_lab *lab, int32_t dom, uint64_t lo, uint64_t hi, uint64_t *result);
int32_t lab_advance_clock(struct iova_lab *lab, uint64_t ms, uint64_t *result);
int32_t lab_cpu_offline(struct iova_lab *lab, uint64_t cpu, uint64_t *result);
int32_t lab_cpu_online(struct iova_lab *lab, uint64_t cpu, uint64_t *result);
int32_t lab_flush(struct iova_lab *lab, int32_t dom, uint64_t *result);
int32_t lab_inject_failure(struct iova_lab *lab, uint64_t kind, uint64_t nth, uint64_t *result);
#endif
