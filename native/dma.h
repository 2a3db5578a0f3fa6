/* The DMA layer above the rcache (dma-iommu): devices map and unmap through a domain's cookie;
 * strict domains free at once, lazy ones through flush queues; PCI devices try a 32-bit IOVA first. */
#ifndef IOVA_DMA_H
#define IOVA_DMA_H
#include <stdint.h>
#include "flush_queue.h"

enum iommu_dma_type { IOMMU_DMA_STRICT = 0, IOMMU_DMA_LAZY = 1, IOMMU_DMA_LAZY_SINGLE = 2 };
enum dma_bus { DMA_BUS_PCI = 0, DMA_BUS_PLATFORM = 1 };

/* What differs between kernel versions in this layer; the profile sets it. */
struct dma_facets {
	uint8_t sac_latch; /* v6.6+: the first failed 32-bit attempt switches the device for good */
	uint8_t single_queue_available; /* v6.7+: the one shared 32768-entry queue (lazy-single) */
	uint8_t round_in_caller; /* before v5.17: the DMA layer rounds to a power of two, not alloc_iova_fast */
};
extern const struct dma_facets dma_facets_v6_8;

struct dma_stats {
	uint64_t maps, unmaps, mapped_bytes, map_failures;
	uint64_t sac_attempts, sac_successes, sac_switched; /* 32-bit attempts, their successes, devices switched */
};

/* A domain's DMA state (the kernel's iommu_dma_cookie; the iova_domain is the rcache domain). */
struct iommu_dma_cookie {
	struct lab_domain *dom;
	uint32_t type;
	uint64_t aperture_end; /* forced aperture: IOVAs up to here */
	struct dma_facets facets;
	struct iova_fq_domain fq; /* lazy types only */
	struct dma_stats st;
	uint32_t devices; /* devices attached */
};

struct dma_device {
	struct iommu_dma_cookie *cookie;
	uint64_t dma_mask, coherent_dma_mask;
	uint64_t seg_boundary; /* scatter-gather segments may not cross it: 4 GiB for PCI, none otherwise */
	uint8_t bus, forcedac;
	uint8_t pci_32bit_workaround; /* v6.6+: still tries the 32-bit window */
};

/* The checks of iommu_dma_init_domain, before anything is allocated: IOVA_E_DOMAIN_TYPE (type unknown or
 * lazy-single without the single queue), IOVA_E_APERTURE (bits outside 32..63 or ending below start_pfn). */
int iommu_dma_cookie_check(uint32_t type, uint32_t aperture_bits, uint32_t shift, uint64_t start_pfn,
			   const struct dma_facets *f);
/* iommu_dma_init_domain (+ iommu_dma_init_fq for lazy types) for a checked type; the caller sets ck->dom.
 * 0 or IOVA_E_NOMEM. */
int iommu_dma_cookie_init(struct iommu_dma_cookie *ck, uint32_t type, uint32_t aperture_bits, uint32_t hz,
			  const struct dma_facets *f, uint32_t possible);
void iommu_dma_cookie_put(struct iommu_dma_cookie *ck, struct clock *clk);
/* Probe: masks of 1..64 bits whose limit reaches the domain's start_pfn (else IOVA_E_DMA_MASK), a bus
 * pci or platform (else IOVA_E_BUS). */
int dma_device_attach(struct dma_device *dev, struct iommu_dma_cookie *ck, uint32_t mask_bits, uint32_t coherent_bits,
		      uint32_t bus, uint32_t forcedac);
/* iommu_dma_map_page (coherent: an iommu_dma_alloc with coherent_dma_mask) on an online cpu.
 * *dma_addr 0: the allocation failed. Bad input (IOVA_E_SIZE, IOVA_E_OFFSET for off >= granule)
 * changes nothing. */
int iommu_dma_map(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, uint64_t bytes, uint64_t off, int coherent,
		  uint64_t *dma_addr);
/* iommu_dma_map_sg: one allocation of the segments' summed, aligned lengths (plus boundary padding). */
int iommu_dma_map_sg(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, const uint64_t *seg_bytes, uint32_t nseg,
		     uint64_t *dma_addr);
/* The IOVA length an unmap of a map_sg takes (IOVA_E_SEGMENTS for none or too many, IOVA_E_SIZE when a
 * segment is empty or too long). */
int iommu_dma_sg_length(const struct dma_device *dev, const uint64_t *seg_bytes, uint32_t nseg, uint64_t *len);
/* __iommu_dma_unmap: IOVA_E_NOT_ALLOCATED, IOVA_E_DOUBLE_FREE (cached), IOVA_E_QUEUED, IOVA_E_SIZE_CLASS. */
int iommu_dma_unmap(struct rc_ctx *c, struct dma_device *dev, uint32_t cpu, uint64_t dma_addr, uint64_t bytes);
#endif
