/* Hand-checked tests for the DMA layer (dma.c, flush_queue.c, pfn_set.c) over the rcache, run under
 * ASan/UBSan by `make test-dma`. Each expected value is worked out in the comment beside it. */
#include "../lab.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int passed, failed;

#define NCPU 4
#define PAGE 4096ull

/* A lab of NCPU CPUs (all online), v6.8 policy, one DMA domain, built through the exported calls;
 * the tests reach into the lab's cookie and domain to read what the kernel structures hold. */
struct fixture {
	int32_t h;
	struct iova_lab *L;
	struct rc_ctx *ctx;
	struct lab_domain *d;
	struct iommu_dma_cookie *ck;
};

static void setup(struct fixture *f, uint64_t start_pfn, uint32_t type, const struct dma_facets *facets, uint32_t hz)
{
	uint64_t id = 99;
	memset(f, 0, sizeof(*f));
	f->h = iova_lab_create(NCPU, NCPU, 0, 0);
	f->L = lab_of_handle(f->h);
	f->ctx = &f->L->ctx;
	EQ(iova_dma_configure(f->h, hz, facets->sac_latch, facets->single_queue_available, facets->round_in_caller), 0);
	EQ(iova_dma_domain_create(f->h, 4096, start_pfn, type, 48, &id), 0);
	f->d = lab_domain_of_id(f->L, (int32_t)id);
	f->ck = lab_dma_cookie(f->L, (int32_t)id);
}

/* Every test ends with the invariant checker passing over what it left queued and cached. */
static void teardown(struct fixture *f)
{
	int32_t r = iova_check_invariants(f->h);
	if (r)
		fprintf(stderr, "invariant: %s\n", iova_invariant_message(f->h));
	EQ(r, 0);
	EQ(iova_lab_destroy(f->h), 0);
}

static void advance(struct fixture *f, uint64_t ms)
{
	EQ(iova_advance_clock(f->h, ms), 0);
}

static uint32_t loaded(struct fixture *f, uint32_t k, uint32_t cpu)
{
	return f->d->rcaches[k].cpu_rcaches[cpu].loaded.size;
}
static uint32_t prev(struct fixture *f, uint32_t k, uint32_t cpu)
{
	return f->d->rcaches[k].cpu_rcaches[cpu].prev.size;
}
static int cached(struct fixture *f, uint64_t pfn)
{
	return f->d->iovad.n[find_iova_exact(&f->d->iovad, pfn)].in_magazine;
}
static uint32_t queued(struct fixture *f, uint32_t cpu)
{
	return fq_ring_count(&f->ck->fq.rings[cpu]);
}

static uint64_t map(struct fixture *f, struct dma_device *dev, uint32_t cpu, uint64_t bytes)
{
	uint64_t a = 0;
	EQ(iommu_dma_map(f->ctx, dev, cpu, bytes, 0, 0, &a), 0);
	return a;
}

static void attach(struct fixture *f, struct dma_device *dev, uint32_t bits, uint32_t bus)
{
	EQ(dma_device_attach(dev, f->ck, bits, bits, bus, 0), 0);
}

static void test_strict(void)
{
	struct fixture f;
	struct dma_device dev;
	uint64_t a;
	setup(&f, 1, IOMMU_DMA_STRICT, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	/* 32-bit mask: limit pfn 0xfffff, empty tree -> the top page, address 0xfffff000 */
	a = map(&f, &dev, 0, 100);
	EQ(a, 0xfffff000ull);
	EQ(iommu_dma_unmap(f.ctx, &dev, 2, a, 100), 0);
	/* strict: the pfn is in CPU 2's loaded magazine of class 0 at once, flagged cached */
	EQ(loaded(&f, 0, 2), 1);
	EQ(loaded(&f, 0, 0), 0);
	EQ(cached(&f, 0xfffff), 1);
	EQ(iommu_dma_unmap(f.ctx, &dev, 2, a, 100), IOVA_E_DOUBLE_FREE);
	EQ(iommu_dma_unmap(f.ctx, &dev, 2, 0x12345000ull, 100), IOVA_E_NOT_ALLOCATED);
	/* offset 0x10 in the page: 4096 + 16 bytes span 2 pages -> a 2-page node, address keeps the offset.
	 * The rcache class 1 is empty; the tree places it below 0xfffff (still allocated) and size-aligned
	 * to 2 pages: (0xfffff - 2) & ~1 = 0xffffc, so 0xffffc..0xffffd. */
	EQ(iommu_dma_map(f.ctx, &dev, 1, 4096, 0x10, 0, &a), 0);
	EQ(a, 0xffffc010ull);
	EQ(iommu_dma_unmap(f.ctx, &dev, 1, a, 1), IOVA_E_SIZE_CLASS); /* 1 byte at 0x10: 1 page, class 0 */
	EQ(iommu_dma_unmap(f.ctx, &dev, 1, a, 4096), 0);
	EQ(loaded(&f, 1, 1), 1);
	EQ(iommu_dma_map(f.ctx, &dev, 1, 0, 0, 0, &a), IOVA_E_SIZE);
	EQ(iommu_dma_map(f.ctx, &dev, 1, 1, PAGE, 0, &a), IOVA_E_OFFSET);
	EQ(f.ck->st.maps, 2);
	EQ(f.ck->st.unmaps, 2);
	EQ(f.ck->st.mapped_bytes, 4196);
	teardown(&f);
}

static void test_lazy_timer(void)
{
	struct fixture f;
	struct dma_device dev;
	uint64_t a[3];
	uint32_t i;
	setup(&f, 1, IOMMU_DMA_LAZY, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	for (i = 0; i < 3; i++)
		a[i] = map(&f, &dev, 0, PAGE); /* 0xfffff, 0xffffe, 0xffffd */
	EQ(a[2], 0xffffd000ull);
	advance(&f, 3);
	/* t=3: CPU 1 queues first and arms the timer for 3 + 10 = 13 on CPU 1 */
	EQ(iommu_dma_unmap(f.ctx, &dev, 1, a[0], PAGE), 0);
	EQ(f.ck->fq.fq_timer_on, 1);
	EQ(f.ck->fq.timer_cpu, 1);
	EQ(f.ck->fq.timer_due, 13);
	advance(&f, 4);
	/* t=7: CPU 3 queues two more; the pending timer is not moved */
	EQ(iommu_dma_unmap(f.ctx, &dev, 3, a[1], PAGE), 0);
	EQ(iommu_dma_unmap(f.ctx, &dev, 3, a[2], PAGE), 0);
	EQ(iommu_dma_unmap(f.ctx, &dev, 3, a[2], PAGE), IOVA_E_QUEUED);
	EQ(f.ck->fq.timer_due, 13);
	EQ(queued(&f, 1), 1);
	EQ(queued(&f, 3), 2);
	EQ(cached(&f, 0xfffff), 0); /* queued: in the tree, in no magazine */
	EQ(f.d->iovad.count, 3);
	EQ(fq_check(f.d, &f.ck->fq) == NULL, 1);
	advance(&f, 5);
	/* t=12: not yet */
	EQ(queued(&f, 1) + queued(&f, 3), 3);
	advance(&f, 1);
	/* t=13: the timer flushes and frees all three on CPU 1, the arming CPU, none on CPU 3 */
	EQ(queued(&f, 1) + queued(&f, 3), 0);
	EQ(loaded(&f, 0, 1), 3);
	EQ(loaded(&f, 0, 3), 0);
	EQ(f.ck->fq.st.timer_expiries, 1);
	EQ(f.ck->fq.st.flushes_timer, 1);
	EQ(f.ck->fq.st.timer_freed, 3);
	EQ(f.ck->fq.st.timer_freed_on[1], 3);
	EQ(f.ck->fq.fq_timer_on, 0);
	EQ(fq_check(f.d, &f.ck->fq) == NULL, 1);
	teardown(&f);
}

static void test_ring_full(void)
{
	struct fixture f;
	struct dma_device dev;
	static uint64_t a[260];
	uint64_t b0, b1;
	uint32_t i;
	setup(&f, 1, IOMMU_DMA_LAZY, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	for (i = 0; i < 256; i++)
		a[i] = map(&f, &dev, 0, PAGE);
	b0 = map(&f, &dev, 0, PAGE);
	b1 = map(&f, &dev, 0, PAGE);
	/* CPU 1 queues one entry (counter 0) before CPU 0 fills its ring */
	EQ(iommu_dma_unmap(f.ctx, &dev, 1, b0, PAGE), 0);
	for (i = 0; i < 255; i++)
		EQ(iommu_dma_unmap(f.ctx, &dev, 0, a[i], PAGE), 0);
	/* 255 entries: full (tail + 1 == head), no flush yet */
	EQ(queued(&f, 0), 255);
	EQ(f.ck->fq.st.flushes_full, 0);
	EQ(iommu_dma_unmap(f.ctx, &dev, 0, a[255], PAGE), 0);
	/* the 256th: flush (start 1, finish 1), CPU 0 frees its 255 covered entries into its own
	 * magazines: loaded fills to 127, swaps with the empty prev, fills again to 127, then both full
	 * -> loaded to the depot, a new loaded takes the 255th. 127 + 127 + 1 = 255. */
	EQ(f.ck->fq.st.flushes_full, 1);
	EQ(f.ck->fq.fq_flush_start_cnt, 1);
	EQ(f.ck->fq.st.queue_freed, 255);
	EQ(queued(&f, 0), 1);
	EQ(loaded(&f, 0, 0), 1);
	EQ(prev(&f, 0, 0), 127);
	EQ(f.d->rcaches[0].depot_size, 1);
	/* CPU 1's older entry is freeable now but still queued: only CPU 1 frees its own ring */
	EQ(queued(&f, 1), 1);
	EQ(loaded(&f, 0, 1), 0);
	EQ(iommu_dma_unmap(f.ctx, &dev, 1, b1, PAGE), 0);
	/* CPU 1's next queueing frees b0 into CPU 1's loaded, then queues b1 */
	EQ(loaded(&f, 0, 1), 1);
	EQ(queued(&f, 1), 1);
	EQ(f.ck->fq.st.queue_freed, 256);
	EQ(f.ck->fq.st.flushes_full, 1);
	EQ(fq_check(f.d, &f.ck->fq) == NULL, 1);
	teardown(&f);
}

/* start_pfn 0xffffe leaves two pages below 4 GiB: two 32-bit maps succeed, the third fails. */
static void sac_run(const struct dma_facets *facets, uint32_t bus, uint64_t *attempts, uint64_t *switched,
		    uint64_t *fourth)
{
	struct fixture f;
	struct dma_device dev;
	setup(&f, 0xffffe, IOMMU_DMA_STRICT, facets, DMA_DEFAULT_HZ);
	attach(&f, &dev, 64, bus);
	map(&f, &dev, 0, PAGE);
	map(&f, &dev, 0, PAGE);
	map(&f, &dev, 0, PAGE);
	*fourth = map(&f, &dev, 0, PAGE);
	*attempts = f.ck->st.sac_attempts;
	*switched = f.ck->st.sac_switched;
	teardown(&f);
}

static void test_sac(void)
{
	struct dma_facets v65 = dma_facets_v6_8;
	uint64_t attempts, switched, fourth;
	struct fixture f;
	struct dma_device dev;
	v65.sac_latch = 0;
	/* up to v6.5: all four maps try 32 bits; maps 3 and 4 fail there and take the top of the
	 * 48-bit aperture: pfn 0xfffffffff, then 0xffffffffe */
	sac_run(&v65, DMA_BUS_PCI, &attempts, &switched, &fourth);
	EQ(attempts, 4);
	EQ(switched, 0);
	EQ(fourth, 0xffffffffe000ull);
	/* v6.6+: map 3's failure switches the device; map 4 makes no attempt */
	sac_run(&dma_facets_v6_8, DMA_BUS_PCI, &attempts, &switched, &fourth);
	EQ(attempts, 3);
	EQ(switched, 1);
	EQ(fourth, 0xffffffffe000ull);
	/* platform: never; all four from the top: 0xfffffffff .. 0xffffffffc */
	sac_run(&dma_facets_v6_8, DMA_BUS_PLATFORM, &attempts, &switched, &fourth);
	EQ(attempts, 0);
	EQ(fourth, 0xffffffffc000ull);
	/* forcedac skips the attempt; a 32-bit device has nothing to try */
	setup(&f, 0xffffe, IOMMU_DMA_STRICT, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	EQ(dma_device_attach(&dev, f.ck, 64, 64, DMA_BUS_PCI, 1), 0);
	EQ(map(&f, &dev, 0, PAGE), 0xfffffffff000ull);
	EQ(dma_device_attach(&dev, f.ck, 32, 32, DMA_BUS_PCI, 0), 0);
	EQ(map(&f, &dev, 0, PAGE), 0xfffff000ull);
	EQ(f.ck->st.sac_attempts, 0);
	/* a mask whose limit is below start_pfn cannot be attached */
	EQ(dma_device_attach(&dev, f.ck, 20, 20, DMA_BUS_PCI, 0), IOVA_E_DMA_MASK);
	EQ(dma_device_attach(&dev, f.ck, 64, 64, 2, 0), IOVA_E_BUS);
	teardown(&f);
}

static void test_map_sg(void)
{
	struct fixture f;
	struct dma_device dev;
	const uint64_t seg[3] = { PAGE, 100, 2 * PAGE };
	uint64_t a = 0, len = 0;
	uint32_t x;
	setup(&f, 1, IOMMU_DMA_STRICT, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	/* 4096 + 4096 (100 aligned) + 8192 = 16384 bytes: one 4-page allocation, 4-aligned at the top */
	EQ(iommu_dma_sg_length(&dev, seg, 3, &len), 0);
	EQ(len, 4 * PAGE);
	EQ(iommu_dma_map_sg(f.ctx, &dev, 0, seg, 3, &a), 0);
	EQ(a, 0xffffc000ull);
	x = find_iova_exact(&f.d->iovad, 0xffffc);
	EQ(f.d->iovad.n[x].pfn_hi, 0xfffff);
	EQ(f.d->iovad.count, 1);
	EQ(f.ck->st.mapped_bytes, 4096 + 100 + 8192);
	EQ(iommu_dma_unmap(f.ctx, &dev, 0, a, len), 0);
	EQ(loaded(&f, 2, 0), 1);
	teardown(&f);
}

/* PCI segments may not cross 4 GiB: with 4 GiB - 4 KiB laid out, pad = 4096 < 8192 - 1, so an
 * 8 KiB segment starts on the boundary (4 GiB + 8 KiB in all); a platform device packs them. */
static void test_sg_boundary(void)
{
	struct fixture f;
	struct dma_device pci, plat;
	const uint64_t two[2] = { (1ull << 32) - PAGE, 2 * PAGE }, fits[2] = { (1ull << 32) - PAGE, PAGE };
	uint64_t len = 0;
	setup(&f, 1, IOMMU_DMA_STRICT, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &pci, 48, DMA_BUS_PCI);
	attach(&f, &plat, 48, DMA_BUS_PLATFORM);
	EQ(iommu_dma_sg_length(&pci, two, 2, &len), 0);
	EQ(len, (1ull << 32) + 2 * PAGE);
	EQ(iommu_dma_sg_length(&plat, two, 2, &len), 0);
	EQ(len, (1ull << 32) + PAGE);
	EQ(iommu_dma_sg_length(&pci, fits, 2, &len), 0);
	EQ(len, 1ull << 32);
	EQ(iommu_dma_sg_length(&pci, fits, 0, &len), IOVA_E_SEGMENTS);
	teardown(&f);
}

static void test_timer_due(void)
{
	EQ(fq_timer_due(0, 10, 1000), 10);
	EQ(fq_timer_due(7, 1000, 1000), 1007);
	/* HZ 250: 4 ms jiffies; at 5 ms jiffies = 1, 10 ms = 3 jiffies (2.5 up), due jiffy 4 = 16 ms */
	EQ(fq_timer_due(5, 10, 250), 16);
	/* HZ 100: at 5 ms jiffies = 0, one jiffy -> 10 ms */
	EQ(fq_timer_due(5, 10, 100), 10);
	/* HZ 300: at 4 ms jiffies = 1 (1.2), 10 ms = 3 jiffies, jiffy 4 ticks at 13.3 -> 14 ms */
	EQ(fq_timer_due(4, 10, 300), 14);
	EQ(fq_timer_due(UINT64_MAX - 5, 10, 1000), UINT64_MAX);
}

static void test_hz_in_queue(void)
{
	struct fixture f;
	struct dma_device dev;
	uint64_t a;
	setup(&f, 1, IOMMU_DMA_LAZY, &dma_facets_v6_8, 250);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	a = map(&f, &dev, 0, PAGE);
	advance(&f, 5);
	EQ(iommu_dma_unmap(f.ctx, &dev, 2, a, PAGE), 0);
	EQ(f.ck->fq.timer_due, 16); /* as fq_timer_due(5, 10, 250) */
	advance(&f, 10);
	EQ(queued(&f, 2), 1); /* t=15 */
	advance(&f, 1);
	EQ(queued(&f, 2), 0); /* t=16 */
	EQ(loaded(&f, 0, 2), 1);
	teardown(&f);
}

static void test_single_queue(void)
{
	struct fixture f;
	struct dma_device dev;
	struct dma_facets v66 = dma_facets_v6_8;
	uint64_t a, b;
	setup(&f, 1, IOMMU_DMA_LAZY_SINGLE, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	a = map(&f, &dev, 0, PAGE);
	b = map(&f, &dev, 0, PAGE);
	EQ(iommu_dma_unmap(f.ctx, &dev, 2, a, PAGE), 0);
	EQ(iommu_dma_unmap(f.ctx, &dev, 3, b, PAGE), 0);
	/* one shared ring; the timer: 1000 ms, on CPU 2 */
	EQ(f.ck->fq.nrings, 1);
	EQ(queued(&f, 0), 2);
	EQ(f.ck->fq.timer_due, 1000);
	advance(&f, 999);
	EQ(queued(&f, 0), 2);
	advance(&f, 1);
	EQ(loaded(&f, 0, 2), 2);
	teardown(&f);
	/* before v6.7 there is no single queue; HZ and the aperture are checked */
	v66.single_queue_available = 0;
	setup(&f, 1, IOMMU_DMA_STRICT, &v66, DMA_DEFAULT_HZ);
	EQ(iova_dma_domain_create(f.h, 4096, 1, IOMMU_DMA_LAZY_SINGLE, 48, &a), IOVA_E_DOMAIN_TYPE);
	EQ(iova_dma_domain_create(f.h, 4096, 1, 3, 48, &a), IOVA_E_DOMAIN_TYPE);
	EQ(iova_dma_domain_create(f.h, 4096, 1, IOMMU_DMA_LAZY, 31, &a), IOVA_E_APERTURE);
	EQ(iova_dma_domain_create(f.h, 4096, 1ull << 37, IOMMU_DMA_LAZY, 48, &a), IOVA_E_APERTURE);
	EQ(iova_dma_configure(f.h, 0, 1, 1, 0), IOVA_E_DMA_CONFIG);
	EQ(iova_dma_configure(f.h, 1001, 1, 1, 0), IOVA_E_DMA_CONFIG);
	EQ(f.L->live, 1); /* the failed creates made no domain */
	teardown(&f);
}

/* A CPU that goes offline keeps its ring; the timer walks every possible CPU's ring, so the entries
 * come back on the timer's CPU. A timer pending on the dead CPU moves to the first online CPU. */
static void test_hotplug(void)
{
	struct fixture f;
	struct dma_device dev;
	uint64_t a, b;
	setup(&f, 1, IOMMU_DMA_LAZY, &dma_facets_v6_8, DMA_DEFAULT_HZ);
	attach(&f, &dev, 32, DMA_BUS_PCI);
	a = map(&f, &dev, 0, PAGE);
	b = map(&f, &dev, 0, PAGE);
	EQ(iommu_dma_unmap(f.ctx, &dev, 3, a, PAGE), 0); /* arms on CPU 3 */
	EQ(iommu_dma_unmap(f.ctx, &dev, 2, b, PAGE), 0);
	EQ(iova_cpu_offline(f.h, 0), 0); /* CPUs 0 and 3 go down */
	EQ(f.ck->fq.timer_cpu, 3);
	EQ(iova_cpu_offline(f.h, 3), 0);
	EQ(f.ck->fq.timer_cpu, 1); /* the first online CPU */
	EQ(queued(&f, 3), 1);
	advance(&f, 10);
	EQ(queued(&f, 3), 0);
	EQ(loaded(&f, 0, 1), 2);
	EQ(f.ck->fq.st.timer_freed_on[1], 2);
	teardown(&f);
}

/* At one due time: every domain's timer before any trim work, timers in domain id order. */
static void test_timer_order(void)
{
	struct clock k;
	struct work w;
	clock_init(&k);
	EQ(clock_reserve(&k, 3), 0);
	clock_schedule(&k, 10, 0, 2);
	clock_schedule(&k, 10, fq_timer_key(1), 0);
	clock_schedule(&k, 10, fq_timer_key(0), 0);
	EQ(clock_pop_due(&k, 10, &w), 1);
	EQ(fq_timer_domain(w.dom), 0);
	EQ(clock_pop_due(&k, 10, &w), 1);
	EQ(fq_timer_domain(w.dom), 1);
	EQ(clock_pop_due(&k, 10, &w), 1);
	EQ(fq_timer_domain(w.dom), (uint64_t)-1);
	EQ(w.cls, 2);
	clock_destroy(&k);
}

/* The set against a plain array under a deterministic mix of adds and deletes. */
static void test_pfn_set(void)
{
	struct pfn_set s;
	static uint8_t in[5000];
	uint32_t i, x = 12345, members = 0;
	pfn_set_init(&s);
	for (i = 0; i < 200000; i++) {
		uint64_t pfn;
		x = x * 1103515245u + 12345u;
		pfn = 1 + (x >> 8) % 4999;
		if (in[pfn]) {
			pfn_set_del(&s, pfn);
			in[pfn] = 0;
			members--;
		} else if (pfn_set_reserve(&s, 1)) {
			EQ(pfn, 0);
			break;
		} else {
			pfn_set_add(&s, pfn);
			in[pfn] = 1;
			members++;
		}
	}
	EQ(s.count, members);
	for (i = 1; i < 5000; i++)
		if ((uint32_t)pfn_set_has(&s, i) != in[i]) {
			EQ(i, 0);
			break;
		}
	pfn_set_destroy(&s);
}

/* A lazy DMA domain whose rcache init fails (an injected magazine failure) is refused, and its
 * cookie, already holding flush queues, is released with it: no domain, no leak, no crash. */
static void test_domain_init_failure(void)
{
	int32_t h = iova_lab_create(NCPU, NCPU, 0, 0);
	uint64_t id = 99;
	EQ(iova_inject_failure(h, 0, 1), 0);
	EQ(iova_dma_domain_create(h, 4096, 1, IOMMU_DMA_LAZY, 48, &id), IOVA_E_ALLOC_FAILED);
	EQ(id, 0);
	EQ(iova_check_invariants(h), 0);
	EQ(iova_dma_domain_create(h, 4096, 1, IOMMU_DMA_LAZY, 48, &id), 0);
	EQ(iova_lab_destroy(h), 0);
}

int main(void)
{
	test_strict();
	test_lazy_timer();
	test_ring_full();
	test_sac();
	test_map_sg();
	test_sg_boundary();
	test_timer_due();
	test_hz_in_queue();
	test_single_queue();
	test_hotplug();
	test_timer_order();
	test_pfn_set();
	test_domain_init_failure();
	printf("test_dma: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
