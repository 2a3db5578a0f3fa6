/* Per-CPU IOVA range caches: magazines (loaded/prev), depot, trim work, fast alloc/free. */
#ifndef IOVA_RCACHE_H
#define IOVA_RCACHE_H
#include <stdint.h>
#include "tree.h"
#include "slab.h"
#include "clock.h"
#include "iova_abi.h"
#include "magazine.h"

/* One CPU's pair of magazines in one size class. */
struct iova_cpu_rcache {
	struct iova_magazine loaded, prev;
};

struct class_stats {
	uint64_t hits, misses, pushes, pops, trims, depot_mags, high_water, overflows;
};

/* One size class of one domain. */
struct iova_rcache {
	struct iova_cpu_rcache *cpu_rcaches; /* [possible CPUs] */
	struct iova_magazine *depot; /* stack: depot[depot_size-1] is the head */
	uint32_t depot_size, depot_cap;
	uint8_t work_pending;
	uint32_t mag_cap; /* PFNs that make a magazine full (grows under the dynamic policy) */
	uint64_t window, window_ops; /* dynamic policy: depot exchanges in the current 100 ms window */
	struct class_stats st;
};

/* Magazine i of a class in init order: CPU i / 2, loaded (even i) then prev (odd i). */
static inline struct iova_magazine *rcache_magazine(struct iova_rcache *r, uint32_t i)
{
	return i & 1 ? &r->cpu_rcaches[i / 2].prev : &r->cpu_rcaches[i / 2].loaded;
}

/* What the rcache code needs of its lab: policy, caches, PFN pool, fault countdowns, clock, CPUs. */
struct rc_ctx {
	const struct iova_policy *policy;
	struct slab_cache *mag_cache, *iova_cache, *array_cache; /* array_cache NULL: no rcache array */
	struct pfn_pool *pool;
	uint32_t *fail_mag, *fail_iova;
	struct clock *clk;
	const uint32_t *online_count;
	const uint8_t *online;
	uint32_t possible;
	struct class_stats *lab_cls;
};

/* A domain as the lab holds it: the iova_domain (tree), its rcaches and per-domain counters. */
struct lab_domain {
	int32_t id;
	struct iova_domain iovad;
	struct iova_rcache rcaches[IOVA_RANGE_CACHE_MAX_SIZE];
	uint32_t array_slab;
	uint64_t flush_retries, slow_fail;
};

/* Allocates a domain (iovad + rcaches). Returns 0, IOVA_E_NOMEM or IOVA_E_ALLOC_FAILED. */
int lab_domain_init(struct rc_ctx *c, int32_t id, uint32_t shift, uint64_t start_pfn, struct lab_domain **out);
void put_iova_domain(struct rc_ctx *c, struct lab_domain *d);
int lab_domain_reserve_headroom(struct rc_ctx *c, struct lab_domain *d); /* for one fast op; 0 or -1 */
/* IOVA_OK or IOVA_E_NON_TERMINATING; *pfn: the pfn, 0 when none. */
int32_t alloc_iova_fast(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu, uint64_t size, uint64_t limit_pfn,
			int flush_rcache, uint64_t *pfn);
void free_iova_fast(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu, uint64_t pfn, uint64_t size);
/* alloc_iova counting failures: IOVA_OK or IOVA_E_NON_TERMINATING; *node the new node or NODE_NONE. */
int32_t alloc_iova_counted(struct rc_ctx *c, struct lab_domain *d, uint64_t size, uint64_t limit_pfn, int aligned,
			   uint32_t *node);
void free_cpu_cached_iovas(struct rc_ctx *c, struct lab_domain *d, uint32_t cpu);
void free_global_cached_iovas(struct rc_ctx *c, struct lab_domain *d);
void iova_depot_work_func(struct rc_ctx *c, struct lab_domain *d, uint32_t cls);
#endif
