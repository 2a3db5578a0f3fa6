/* The lab behind a handle, and the checked operations the exported entry points and the batch
 * interpreter share. Conventions: see the top of ops.c. */
#ifndef IOVA_LAB_H
#define IOVA_LAB_H
#include "iova_abi.h"
#include "rcache.h"
#include "dma.h"

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
	uint32_t fail[2]; /* fault countdowns: [0] magazine, [1] iommu_iova object */
	struct class_stats cls[IOVA_RANGE_CACHE_MAX_SIZE];
	struct rc_ctx ctx;
	char msg[256]; /* the last broken invariant */
	/* The DMA layer: settings for new DMA domains, cookies by domain id (NULL: a plain domain, or
	 * past cookiecap), devices by id (cookie NULL once their domain is put), the batch's pending
	 * scatter list. */
	uint32_t hz;
	struct dma_facets facets;
	struct iommu_dma_cookie **cookies;
	uint32_t cookiecap;
	struct dma_device *devs;
	uint32_t ndevs, devcap;
	uint64_t *sg;
	uint32_t nsg;
};

struct iova_lab *lab_of_handle(int32_t handle);
struct lab_domain *lab_domain_of_id(struct iova_lab *lab, int32_t id);

/* Checked operations on a resolved lab: validate, take headroom, then change the model. Each
 * returns IOVA_OK or a status and writes its one result word (0 when it has none) to *result. */
int32_t lab_domain_create(struct iova_lab *lab, uint64_t granule, uint64_t start_pfn, uint64_t *result);
int32_t lab_domain_put(struct iova_lab *lab, int32_t dom, uint64_t *result);
int32_t lab_alloc_fast(struct iova_lab *lab, int32_t dom, uint64_t cpu, uint64_t size, uint64_t limit, uint64_t flush,
		       uint64_t *result);
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
int32_t lab_free_cpu_cached(struct iova_lab *lab, int32_t dom, uint64_t cpu, uint64_t *result);
int32_t lab_inject_failure(struct iova_lab *lab, uint64_t kind, uint64_t nth, uint64_t *result);

/* The DMA layer's checked operations (dma_ops.c). */
int32_t lab_dma_domain_create(struct iova_lab *lab, uint64_t granule, uint64_t start_pfn, uint64_t type,
			      uint64_t aperture_bits, uint64_t *result);
int32_t lab_device_attach(struct iova_lab *lab, int32_t dom, uint64_t bus, uint64_t mask_bits, uint64_t coherent_bits,
			  uint64_t forcedac, uint64_t *result);
int32_t lab_dma_map(struct iova_lab *lab, int32_t dev, uint64_t cpu, uint64_t bytes, uint64_t off, uint64_t coherent,
		    uint64_t *result);
int32_t lab_dma_map_sg(struct iova_lab *lab, int32_t dev, uint64_t cpu, const uint64_t *seg, uint32_t nseg,
		       uint64_t *result);
int32_t lab_dma_unmap(struct iova_lab *lab, int32_t dev, uint64_t cpu, uint64_t addr, uint64_t bytes, uint64_t *result);
/* SG_SEGMENTS: appends the nonzero words to the pending scatter list. */
int32_t lab_sg_segments(struct iova_lab *lab, const uint64_t *words, uint32_t n, uint64_t *result);
/* A live domain's cookie, or NULL for a plain domain. */
struct iommu_dma_cookie *lab_dma_cookie(struct iova_lab *lab, int32_t dom);
/* IOVA_E_QUEUED when pfn is a queued IOVA of the domain (the plain frees must not touch it). */
int32_t lab_dma_check_not_queued(struct iova_lab *lab, int32_t dom, uint64_t lo, uint64_t hi);
/* Hooks of the lab lifecycle: a domain being put, a CPU gone offline, the lab destroyed. */
void lab_dma_domain_put(struct iova_lab *lab, int32_t dom);
void lab_dma_cpu_dead(struct iova_lab *lab, uint32_t cpu);
void lab_dma_destroy(struct iova_lab *lab);
/* The shape every exported call shares (ops.c, dma_ops.c). */
/* Model-only: an exported call's result words to its out-pointer, when the caller gave one. */
static inline void copy_out(uint64_t *out, const uint64_t *res, unsigned words)
{
	unsigned i;
	if (out)
		for (i = 0; i < words; i++)
			out[i] = res[i];
}

/* Resolves handle h into L, runs `call` (which fills res), copies `words` of res to out. */
#define ON_LAB(h, out, words, call)                    \
	do {                                           \
		struct iova_lab *L = lab_of_handle(h); \
		uint64_t res[2] = { 0, 0 };            \
		int32_t status;                        \
		if (!L)                                \
			return IOVA_E_NO_LAB;          \
		status = call;                         \
		copy_out(out, res, words);             \
		return status;                         \
	} while (0)

#endif
