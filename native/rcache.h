/* Per-CPU IOVA range caches: magazines (loaded/prev), depot, trim work, fast alloc/free. */
#ifndef IOVA_RCACHE_H
#define IOVA_RCACHE_H
#include <stdint.h>
#include "tree.h"
#include "slab.h"
#include "clock.h"
#include "iova_model.h"

#define RC_CLASSES 6
#define BUF_NONE 0xffffffffu
#define DYNAMIC_WINDOW_MS 100
#define DYNAMIC_CONTENTION 4

/* An empty magazine is 12 bytes; its PFN buffer is materialised only while it holds PFNs.
 * slab == SLAB_NONE: not allocated (the lazy policy before first use). */
struct mag { uint32_t count, slab, buf; };

/* PFN buffers of `words` (the magazine size) slots each, shared by a lab's magazines. */
struct pfnpool { uint64_t *pfn; uint32_t *freelist; uint32_t cap, nfree, words; };

struct class_stats { uint64_t hits, misses, pushes, pops, trims, depot_mags, high_water, overflows; };

struct rclass {
	struct mag *cpu;   /* [2*cpu] = loaded, [2*cpu+1] = prev */
	struct mag *depot; /* stack: depot[depot_size-1] is the head */
	uint32_t depot_size, depot_cap;
	uint8_t pending;
	uint32_t mag_cap;           /* PFNs that make a magazine full (grows under the dynamic policy) */
	uint64_t window, window_ops; /* dynamic policy: depot exchanges in the current 100 ms window */
	struct class_stats st;
};

struct rc_ctx {
	const struct iova_policy *policy;
	struct slab_cache *mag_cache, *iova_cache, *array_cache; /* array_cache NULL: no rcache array */
	struct pfnpool *pool;
	uint32_t *fail_mag, *fail_iova;
	struct clock *clk;
	const uint32_t *online_count;
	const uint8_t *online;
	uint32_t possible;
	struct class_stats *lab_cls;
};

struct domain {
	int32_t id;
	struct iovad iovad;
	struct rclass rc[RC_CLASSES];
	uint32_t array_slab;
	uint64_t flush_retries, slow_fail;
};

void pool_init(struct pfnpool *p, uint32_t words);
void pool_destroy(struct pfnpool *p);
int pool_reserve(struct pfnpool *p, uint32_t n);

/* Allocates a domain (iovad + rcaches). Returns 0, IOVA_E_NOMEM or IOVA_E_ALLOC_FAILED. */
int domain_create(struct rc_ctx *c, int32_t id, uint32_t shift, uint64_t start_pfn, struct domain **out);
void domain_put(struct rc_ctx *c, struct domain *d);
int domain_reserve(struct rc_ctx *c, struct domain *d); /* headroom for one fast op; 0 or -1 */
uint64_t alloc_iova_fast(struct rc_ctx *c, struct domain *d, uint32_t cpu, uint64_t size, uint64_t limit_pfn, int flush);
void free_iova_fast(struct rc_ctx *c, struct domain *d, uint32_t cpu, uint64_t pfn, uint64_t size);
uint64_t domain_alloc_iova(struct rc_ctx *c, struct domain *d, uint64_t size, uint64_t limit_pfn, int aligned);
void flush_cpu(struct rc_ctx *c, struct domain *d, uint32_t cpu);
void flush_depot(struct rc_ctx *c, struct domain *d);
void trim_work(struct rc_ctx *c, struct domain *d, uint32_t cls);
#endif
