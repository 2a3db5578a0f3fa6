/* The DMA layer (dma-iommu): cookies, device probe, map, map_sg and unmap over the rcache. */
#include "dma.h"
#include <string.h>

const struct dma_facets dma_facets_v6_8 = { .sac_latch = 1, .single_queue_available = 1, .round_in_caller = 0 };

#define DMA_32BIT_MASK 0xffffffffull

/* DMA_BIT_MASK(bits). */
static uint64_t bit_mask(uint32_t bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}
/* cookie_msi_granule-like: 1 << the iova_domain's shift. */
static uint64_t granule_of(const struct lab_domain *d)
{
	return 1ull << d->iovad.shift;
}

/* iommu_dma_init_domain's checks: a known type the facets allow, an aperture reaching start_pfn. */
int iommu_dma_cookie_check(uint32_t type, uint32_t aperture_bits, uint32_t shift, uint64_t start_pfn,
			   const struct dma_facets *f)
{
	if (type > IOMMU_DMA_LAZY_SINGLE || (type == IOMMU_DMA_LAZY_SINGLE && !f->single_queue_available))
		return IOVA_E_DOMAIN_TYPE;
	if (aperture_bits < 32 || aperture_bits > 63 || (bit_mask(aperture_bits) >> shift) < start_pfn)
		return IOVA_E_APERTURE;
	return IOVA_OK;
}

/* iommu_dma_init_domain, plus iommu_dma_init_fq for the lazy types. */
int iommu_dma_cookie_init(struct iommu_dma_cookie *ck, uint32_t type, uint32_t aperture_bits, uint32_t hz,
			  const struct dma_facets *f, uint32_t possible)
{
	memset(ck, 0, sizeof(*ck));
	ck->type = type;
	ck->aperture_end = bit_mask(aperture_bits);
	ck->facets = *f;
	if (type != IOMMU_DMA_STRICT && iommu_dma_init_fq(&ck->fq, type == IOMMU_DMA_LAZY_SINGLE, possible, hz))
		return IOVA_E_NOMEM;
	return IOVA_OK;
}

/* iommu_put_dma_cookie: the flush queues and their timer go; the iova_domain is put by the caller. */
void iommu_dma_cookie_put(struct iommu_dma_cookie *ck, struct clock *clk)
{
	/* A cookie whose domain never came (the domain's init failed) never armed a timer. */
	iommu_dma_free_fq(&ck->fq, clk, ck->dom ? ck->dom->id : -1);
}

/* The device's limit for a mask: min with the forced aperture (no bus limit in the model). */
static uint64_t dma_limit(const struct iommu_dma_cookie *ck, uint64_t mask)
{
	return mask < ck->aperture_end ? mask : ck->aperture_end;
}

/* iommu_dma_probe / pci_device_add: masks, segment boundary, the v6.6 32-bit workaround flag. */
int dma_device_attach(struct dma_device *dev, struct iommu_dma_cookie *ck, uint32_t mask_bits, uint32_t coherent_bits,
		      uint32_t bus, uint32_t forcedac)
{
	const struct iova_domain *v = &ck->dom->iovad;
	if (mask_bits < 1 || mask_bits > 64 || coherent_bits < 1 || coherent_bits > 64)
		return IOVA_E_DMA_MASK;
	if ((dma_limit(ck, bit_mask(mask_bits)) >> v->shift) < v->start_pfn ||
	    (dma_limit(ck, bit_mask(coherent_bits)) >> v->shift) < v->start_pfn)
		return IOVA_E_DMA_MASK;
	if (bus > DMA_BUS_PLATFORM)
		return IOVA_E_BUS;
	memset(dev, 0, sizeof(*dev));
	dev->cookie = ck;
	dev->dma_mask = bit_mask(mask_bits);
	dev->coherent_dma_mask = bit_mask(coherent_bits);
	dev->bus = (uint8_t)bus;
	dev->forcedac = forcedac != 0;
	dev->seg_boundary = bus == DMA_BUS_PCI ? DMA_32BIT_MASK : ~0ull;
	dev->pci_32bit_workaround = bus == DMA_BUS_PCI && !forcedac;
	ck->devices++;
	return 0;
}

/* The SAC trick applies: a PCI device whose limit is above 4 GiB and (from v6.6) whose flag holds. */
static int try_32bit(const struct dma_device *dev, uint64_t limit)
{
	if (limit <= DMA_32BIT_MASK || dev->bus != DMA_BUS_PCI || dev->forcedac)
		return 0;
	return dev->cookie->facets.sac_latch ? dev->pci_32bit_workaround : 1;
}

/* iommu_dma_alloc_iova: size is granule-aligned bytes; returns a pfn or 0. */
static int dma_alloc_iova(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, uint64_t size, uint64_t mask,
			  uint64_t *pfn)
{
	struct iommu_dma_cookie *ck = dev->cookie;
	struct lab_domain *d = ck->dom;
	uint32_t shift = d->iovad.shift;
	uint64_t pages = size >> shift, limit = dma_limit(ck, mask);
	int32_t r;
	if (ck->facets.round_in_caller && pages < (1u << (IOVA_RANGE_CACHE_MAX_SIZE - 1)))
		pages = 1ull << order_base_2_(pages);
	if (try_32bit(dev, limit)) {
		ck->st.sac_attempts++;
		if (lab_domain_reserve_headroom(c, d))
			return IOVA_E_NOMEM;
		r = alloc_iova_fast(c, d, cpu, pages, DMA_32BIT_MASK >> shift, 0, pfn);
		if (r < 0)
			return r;
		if (*pfn) {
			ck->st.sac_successes++;
			return 0;
		}
		if (ck->facets.sac_latch) {
			dev->pci_32bit_workaround = 0;
			ck->st.sac_switched++;
		}
	}
	if (lab_domain_reserve_headroom(c, d))
		return IOVA_E_NOMEM;
	return alloc_iova_fast(c, d, cpu, pages, limit >> shift, 1, pfn);
}

/* bytes at offset off in one granule, aligned up; IOVA_E_SIZE when empty or past the aperture. */
static int aligned_size(const struct iommu_dma_cookie *ck, uint64_t bytes, uint64_t off, uint64_t *size)
{
	uint64_t g = granule_of(ck->dom);
	if (bytes < 1 || bytes - 1 > ck->aperture_end - off)
		return IOVA_E_SIZE;
	*size = (bytes + off + g - 1) & ~(g - 1);
	return 0;
}

/* __iommu_dma_map's allocation and its counters; *dma_addr 0 when it failed. */
static int map_size(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, uint64_t size, uint64_t mask,
		    uint64_t bytes, uint64_t off, uint64_t *dma_addr)
{
	struct iommu_dma_cookie *ck = dev->cookie;
	uint64_t pfn = 0;
	int err = dma_alloc_iova(c, dev, cpu, size, mask, &pfn);
	if (err)
		return err;
	*dma_addr = pfn ? pfn << ck->dom->iovad.shift | off : 0;
	if (!pfn) {
		ck->st.map_failures++;
		return 0;
	}
	ck->st.maps++;
	ck->st.mapped_bytes += bytes;
	return 0;
}

/* iommu_dma_map_page: the page offset's granule, aligned up, under the streaming or coherent mask. */
int iommu_dma_map(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, uint64_t bytes, uint64_t off, int coherent,
		  uint64_t *dma_addr)
{
	uint64_t size;
	int err;
	if (off >= granule_of(dev->cookie->dom))
		return IOVA_E_OFFSET;
	if ((err = aligned_size(dev->cookie, bytes, off, &size)))
		return err;
	return map_size(c, dev, cpu, size, coherent ? dev->coherent_dma_mask : dev->dma_mask, bytes, off, dma_addr);
}

/* Segments laid out back to back, each aligned; a segment that would cross the boundary mask
 * starts on the boundary instead (the padding joins the previous segment). */
int iommu_dma_sg_length(const struct dma_device *dev, const uint64_t *seg_bytes, uint32_t nseg, uint64_t *len)
{
	const struct iommu_dma_cookie *ck = dev->cookie;
	uint64_t total = 0, mask = dev->seg_boundary, s;
	uint32_t i;
	int err;
	if (nseg < 1 || nseg > IOVA_SG_MAX_SEGMENTS)
		return IOVA_E_SEGMENTS;
	for (i = 0; i < nseg; i++) {
		uint64_t pad = (mask - total + 1) & mask;
		if ((err = aligned_size(ck, seg_bytes[i], 0, &s)))
			return err;
		if (pad && pad < s - 1)
			total += pad;
		if (total > ck->aperture_end || s - 1 > ck->aperture_end - total)
			return IOVA_E_SIZE;
		total += s;
	}
	*len = total;
	return 0;
}

/* iommu_dma_map_sg: one IOVA for the segments' laid-out length. */
int iommu_dma_map_sg(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, const uint64_t *seg_bytes, uint32_t nseg,
		     uint64_t *dma_addr)
{
	uint64_t size, bytes = 0;
	uint32_t i;
	int err;
	if ((err = iommu_dma_sg_length(dev, seg_bytes, nseg, &size)))
		return err;
	for (i = 0; i < nseg; i++)
		bytes += seg_bytes[i];
	return map_size(c, dev, cpu, size, dev->dma_mask, bytes, 0, dma_addr);
}

/* __iommu_dma_unmap: checked like free_iova_fast, then freed (strict) or queued (lazy) on cpu. */
int iommu_dma_unmap(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, uint64_t dma_addr, uint64_t bytes)
{
	struct iommu_dma_cookie *ck = dev->cookie;
	struct lab_domain *d = ck->dom;
	uint32_t shift = d->iovad.shift, x;
	uint64_t off = dma_addr & (granule_of(d) - 1), pfn = dma_addr >> shift, size, pages;
	int err;
	if ((err = aligned_size(ck, bytes, off, &size)))
		return err;
	pages = size >> shift;
	x = find_iova_exact(&d->iovad, pfn);
	if (x == NODE_NONE)
		return IOVA_E_NOT_ALLOCATED;
	if (d->iovad.n[x].in_magazine)
		return IOVA_E_DOUBLE_FREE;
	if (ck->fq.rings && pfn_set_has(&ck->fq.queued, pfn))
		return IOVA_E_QUEUED;
	if (order_base_2_(pages) != order_base_2_(d->iovad.n[x].pfn_hi - d->iovad.n[x].pfn_lo + 1))
		return IOVA_E_SIZE_CLASS;
	if (ck->type == IOMMU_DMA_STRICT) {
		if (lab_domain_reserve_headroom(c, d))
			return IOVA_E_NOMEM;
		free_iova_fast(c, d, cpu, pfn, pages);
	} else if ((err = queue_iova(c, d, &ck->fq, cpu, pfn, pages))) {
		return err;
	}
	ck->st.unmaps++;
	return 0;
}
