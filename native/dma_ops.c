/* The DMA layer's checked operations on a resolved lab, and its exported entry points: DMA domains
 * (an rcache domain plus its iommu_dma_cookie), devices, map, map_sg, unmap. Conventions: ops.c. */
#include "validate.h"
#include <stdlib.h>
#include <string.h>

/* Model-only: a live domain's cookie, or NULL for a plain domain. */
struct iommu_dma_cookie *lab_dma_cookie(struct iova_lab *L, int32_t dom)
{
	if (!lab_domain_of_id(L, dom) || (uint32_t)dom >= L->cookiecap)
		return NULL;
	return L->cookies[dom];
}

/* Model-only: room for the cookie of domain id `id`; 0 or -1. */
static int reserve_cookie_slot(struct iova_lab *L, uint32_t id)
{
	uint32_t ncap;
	struct iommu_dma_cookie **n;
	if (id < L->cookiecap)
		return 0;
	ncap = L->cookiecap ? L->cookiecap * 2 : 8;
	while (ncap <= id)
		ncap *= 2;
	n = realloc(L->cookies, (size_t)ncap * sizeof(*n));
	if (!n)
		return -1;
	memset(n + L->cookiecap, 0, (size_t)(ncap - L->cookiecap) * sizeof(*n));
	L->cookies = n;
	L->cookiecap = ncap;
	return 0;
}

/* iommu_get_dma_cookie + iommu_dma_init_domain: an rcache domain and its cookie; *result: the id. */
int32_t lab_dma_domain_create(struct iova_lab *L, uint64_t granule, uint64_t start_pfn, uint64_t type,
			      uint64_t aperture_bits, uint64_t *result)
{
	struct iommu_dma_cookie *ck;
	uint32_t shift;
	int32_t r;
	*result = 0;
	if ((r = validate_granule(granule, &shift)) || (r = validate_start_pfn(shift, start_pfn)))
		return r;
	/* out-of-range words become invalid small values, so the checks keep their order */
	if (type > IOMMU_DMA_LAZY_SINGLE)
		type = IOMMU_DMA_LAZY_SINGLE + 1;
	if (aperture_bits > 64)
		aperture_bits = 64;
	if ((r = iommu_dma_cookie_check((uint32_t)type, (uint32_t)aperture_bits, shift, start_pfn, &L->facets)))
		return r;
	if (reserve_cookie_slot(L, L->ndoms) || !(ck = malloc(sizeof(*ck))))
		return IOVA_E_NOMEM;
	if (iommu_dma_cookie_init(ck, (uint32_t)type, (uint32_t)aperture_bits, L->hz, &L->facets, L->possible)) {
		free(ck);
		return IOVA_E_NOMEM;
	}
	if ((r = lab_domain_create(L, granule, start_pfn, result))) {
		iommu_dma_cookie_put(ck, &L->clk);
		free(ck);
		return r;
	}
	ck->dom = lab_domain_of_id(L, (int32_t)*result);
	L->cookies[*result] = ck;
	return IOVA_OK;
}

/* Model-only: the device behind an id whose domain is still live. */
static struct dma_device *device_of_id(struct iova_lab *L, int32_t dev)
{
	if (dev < 0 || (uint32_t)dev >= L->ndevs || !L->devs[dev].cookie)
		return NULL;
	return &L->devs[dev];
}

/* iommu_probe_device into a DMA domain; *result: the device id (ids are never reused). */
int32_t lab_device_attach(struct iova_lab *L, int32_t dom, uint64_t bus, uint64_t mask_bits, uint64_t coherent_bits,
			  uint64_t forcedac, uint64_t *result)
{
	struct iommu_dma_cookie *ck;
	struct dma_device dev;
	int32_t r;
	*result = 0;
	if (!lab_domain_of_id(L, dom))
		return IOVA_E_NO_DOMAIN;
	if (!(ck = lab_dma_cookie(L, dom)))
		return IOVA_E_NOT_DMA_DOMAIN;
	/* out-of-range words become invalid small values, so dma_device_attach keeps its check order */
	if (bus > DMA_BUS_PLATFORM)
		bus = DMA_BUS_PLATFORM + 1;
	if (mask_bits > 64)
		mask_bits = 65;
	if (coherent_bits > 64)
		coherent_bits = 65;
	if (L->ndevs == L->devcap) {
		uint32_t ncap = L->devcap ? L->devcap * 2 : 8;
		struct dma_device *n = realloc(L->devs, (size_t)ncap * sizeof(*n));
		if (!n)
			return IOVA_E_NOMEM;
		L->devs = n;
		L->devcap = ncap;
	}
	r = dma_device_attach(&dev, ck, (uint32_t)mask_bits, (uint32_t)coherent_bits, (uint32_t)bus, forcedac != 0);
	if (r)
		return r;
	L->devs[L->ndevs] = dev;
	*result = L->ndevs++;
	return IOVA_OK;
}

/* iommu_dma_map_page on an online cpu; *result: the DMA address, 0 when the allocation failed. */
int32_t lab_dma_map(struct iova_lab *L, int32_t dev, uint64_t cpu, uint64_t bytes, uint64_t off, uint64_t coherent,
		    uint64_t *result)
{
	struct dma_device *d = device_of_id(L, dev);
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DEVICE;
	if ((r = validate_cpu(L, cpu, 1)))
		return r;
	return iommu_dma_map(&L->ctx, d, (uint32_t)cpu, bytes, off, coherent != 0, result);
}

/* iommu_dma_map_sg of nseg segments on an online cpu; *result: the DMA address or 0. */
int32_t lab_dma_map_sg(struct iova_lab *L, int32_t dev, uint64_t cpu, const uint64_t *seg, uint32_t nseg,
		       uint64_t *result)
{
	struct dma_device *d = device_of_id(L, dev);
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DEVICE;
	if ((r = validate_cpu(L, cpu, 1)))
		return r;
	return iommu_dma_map_sg(&L->ctx, d, (uint32_t)cpu, seg, nseg, result);
}

/* __iommu_dma_unmap on an online cpu: strict frees there, lazy queues there. */
int32_t lab_dma_unmap(struct iova_lab *L, int32_t dev, uint64_t cpu, uint64_t addr, uint64_t bytes, uint64_t *result)
{
	struct dma_device *d = device_of_id(L, dev);
	int32_t r;
	*result = 0;
	if (!d)
		return IOVA_E_NO_DEVICE;
	if ((r = validate_cpu(L, cpu, 1)))
		return r;
	return iommu_dma_unmap(&L->ctx, d, (uint32_t)cpu, addr, bytes);
}

/* Model-only: a batch's scatter list grows by the nonzero words (at most IOVA_SG_MAX_SEGMENTS). */
int32_t lab_sg_segments(struct iova_lab *L, const uint64_t *words, uint32_t n, uint64_t *result)
{
	uint32_t i, add = 0;
	*result = 0;
	for (i = 0; i < n; i++)
		add += words[i] != 0;
	if (L->nsg + add > IOVA_SG_MAX_SEGMENTS)
		return IOVA_E_SEGMENTS;
	if (!L->sg && !(L->sg = malloc(IOVA_SG_MAX_SEGMENTS * sizeof(*L->sg))))
		return IOVA_E_NOMEM;
	for (i = 0; i < n; i++)
		if (words[i])
			L->sg[L->nsg++] = words[i];
	return IOVA_OK;
}

/* Model-only: a queued IOVA of the domain lies in [lo, hi]; the plain free/reserve ops leave it be. */
int32_t lab_dma_check_not_queued(struct iova_lab *L, int32_t dom, uint64_t lo, uint64_t hi)
{
	struct iommu_dma_cookie *ck = lab_dma_cookie(L, dom);
	uint32_t i;
	if (!ck || !ck->fq.rings || !ck->fq.queued.count)
		return IOVA_OK;
	if (lo == hi)
		return pfn_set_has(&ck->fq.queued, lo) ? IOVA_E_QUEUED : IOVA_OK;
	for (i = 0; i < ck->fq.queued.cap; i++) {
		uint64_t pfn = ck->fq.queued.slot[i];
		uint32_t x = pfn ? find_iova_exact(&ck->dom->iovad, pfn) : NODE_NONE;
		if (x != NODE_NONE && ck->dom->iovad.n[x].pfn_lo <= hi && ck->dom->iovad.n[x].pfn_hi >= lo)
			return IOVA_E_QUEUED;
	}
	return IOVA_OK;
}

/* iommu_put_dma_cookie before put_iova_domain; the domain's devices go with it. */
void lab_dma_domain_put(struct iova_lab *L, int32_t dom)
{
	struct iommu_dma_cookie *ck = lab_dma_cookie(L, dom);
	uint32_t i;
	if (!ck)
		return;
	for (i = 0; i < L->ndevs; i++)
		if (L->devs[i].cookie == ck)
			L->devs[i].cookie = NULL;
	iommu_dma_cookie_put(ck, &L->clk);
	free(ck);
	L->cookies[dom] = NULL;
}

/* CPU hotplug dead: a flush-queue timer pending on that CPU migrates. */
void lab_dma_cpu_dead(struct iova_lab *L, uint32_t cpu)
{
	uint32_t i;
	for (i = 0; i < L->cookiecap && i < L->ndoms; i++)
		if (L->cookies[i] && L->cookies[i]->fq.rings)
			fq_cpu_dead(&L->ctx, &L->cookies[i]->fq, cpu);
}

/* Model-only: every cookie, the device table and the scatter list (before the domains are put). */
void lab_dma_destroy(struct iova_lab *L)
{
	uint32_t i;
	for (i = 0; i < L->cookiecap && i < L->ndoms; i++)
		lab_dma_domain_put(L, (int32_t)i);
	free(L->cookies);
	free(L->devs);
	free(L->sg);
	L->cookies = NULL;
	L->devs = NULL;
	L->sg = NULL;
}

/* Model-only: the lab's HZ and DMA facets, for DMA domains created afterwards. */
int32_t iova_dma_configure(int32_t h, uint32_t hz, uint32_t sac_latch, uint32_t single_queue, uint32_t round_in_caller)
{
	struct iova_lab *L = lab_of_handle(h);
	if (!L)
		return IOVA_E_NO_LAB;
	if (hz < 1 || hz > 1000 || sac_latch > 1 || single_queue > 1 || round_in_caller > 1)
		return IOVA_E_DMA_CONFIG;
	L->hz = hz;
	L->facets.sac_latch = (uint8_t)sac_latch;
	L->facets.single_queue_available = (uint8_t)single_queue;
	L->facets.round_in_caller = (uint8_t)round_in_caller;
	return IOVA_OK;
}

/* Model-only: lab_dma_domain_create across the ABI. */
int32_t iova_dma_domain_create(int32_t h, uint32_t granule, uint64_t start_pfn, uint32_t type, uint32_t aperture_bits,
			       uint64_t *id_out)
{
	ON_LAB(h, id_out, 1, lab_dma_domain_create(L, granule, start_pfn, type, aperture_bits, res));
}

/* Model-only: lab_device_attach across the ABI. */
int32_t iova_device_attach(int32_t h, int32_t dom, uint32_t bus, uint32_t mask_bits, uint32_t coherent_bits,
			   uint32_t forcedac, uint64_t *id_out)
{
	ON_LAB(h, id_out, 1, lab_device_attach(L, dom, bus, mask_bits, coherent_bits, forcedac, res));
}

/* iommu_dma_map_page across the ABI. */
int32_t iova_dma_map(int32_t h, int32_t dev, uint32_t cpu, uint64_t bytes, uint64_t offset, uint32_t coherent,
		     uint64_t *addr_out)
{
	ON_LAB(h, addr_out, 1, lab_dma_map(L, dev, cpu, bytes, offset, coherent, res));
}

/* iommu_dma_map_sg across the ABI: the segment sizes are read from seg_bytes. */
int32_t iova_dma_map_sg(int32_t h, int32_t dev, uint32_t cpu, const uint64_t *seg_bytes, uint32_t nseg,
			uint64_t *addr_out)
{
	ON_LAB(h, addr_out, 1, lab_dma_map_sg(L, dev, cpu, seg_bytes, nseg, res));
}

/* __iommu_dma_unmap across the ABI. */
int32_t iova_dma_unmap(int32_t h, int32_t dev, uint32_t cpu, uint64_t dma_addr, uint64_t bytes)
{
	ON_LAB(h, NULL, 0, lab_dma_unmap(L, dev, cpu, dma_addr, bytes, res));
}
