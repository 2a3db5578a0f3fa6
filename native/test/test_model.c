/* Hand-checked tests for the iova-lab C core (run under ASan/UBSan by `make native`). */
#include "harness.h"

int passed, failed;

static void test_magazine_counts(void)
{
	int lab = iova_lab_create(128, 128, 0, 0), d;
	uint64_t *s;
	CHECK(lab >= 1);
	d = iova_domain_create(lab, 4096, 1);
	EQ(d, 0);
	s = snap(lab);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 1536);
	EQ(CACHE(s, C_MAG, OBJ_PER_SLAB), 32);
	EQ(CACHE(s, C_MAG, PAGES_PER_SLAB), 8);
	EQ(CACHE(s, C_KM1K, ACTIVE_OBJS), 1);
	EQ(MAGW(s, TOTAL), 1536);
	EQ(iova_check_invariants(lab), 0);
	EQ(iova_domain_put(lab, d), 0);
	s = snap(lab);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 0);
	EQ(CACHE(s, C_MAG, NUM_SLABS), 0);
	EQ(CACHE(s, C_KM1K, ACTIVE_OBJS), 0);
	EQ(iova_domain_put(lab, d), IOVA_E_NO_DOMAIN);
	EQ(iova_lab_destroy(lab), 0);
	EQ(iova_lab_destroy(lab), IOVA_E_NO_LAB);

	lab = iova_lab_create(128, 128, 1, 1);
	d = iova_domain_create(lab, 4096, 1);
	s = snap(lab);
	EQ(CACHE(s, C_KM1K, ACTIVE_OBJS), 1537);
	EQ(CACHE(s, C_KM1K, OBJ_PER_SLAB), 4);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 0);
	EQ(iova_check_invariants(lab), 0);
	iova_domain_put(lab, d);
	s = snap(lab);
	EQ(CACHE(s, C_KM1K, ACTIVE_OBJS), 0);
	EQ(CACHE(s, C_KM1K, ALLOCS), 1537);
	EQ(CACHE(s, C_KM1K, FREES), 1537);
	EQ(iova_domain_create(lab, 4096, 1), 1); /* ids are never reused */
	iova_lab_destroy(lab);
}

static void test_placement(void)
{
	int lab = iova_lab_create(4, 4, 0, 0), d = iova_domain_create(lab, 4096, 1);
	uint64_t p;
	static const uint64_t sizes[] = { 1, 3, 4, 5, 32, 33 }, align[] = { 1, 4, 4, 8, 32, 64 };
	unsigned i;
	EQ(sa(lab, d, 1, 0xfffff, 0), 0xfffff);
	EQ(sa(lab, d, 1, 0xfffff, 0), 0xffffe);
	p = sa(lab, d, 4, 0xfffff, 1);
	EQ(p, 0xffff8);
	EQ(p % 4, 0);
	EQ(fd(lab, d, 0xffffa)[0], 0xffff8);
	EQ(found[1], 0xffffb);
	for (i = 0; i < 6; i++) {
		int dd = iova_domain_create(lab, 4096, 1);
		p = sa(lab, dd, sizes[i], 0xfffff, 1);
		EQ(p % align[i], 0);
		EQ(p, (0x100000 - sizes[i]) & ~(align[i] - 1));
		p = sa(lab, dd, sizes[i], 0xfffff, 0);
		EQ(iova_check_invariants(lab), 0);
	}
	/* 64-bit limit goes through cached_node */
	EQ(sa(lab, d, 1, 0xffffffffull, 0), 0xffffffffull);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_max32(void)
{
	int lab = iova_lab_create(4, 4, 0, 0), d = iova_domain_create(lab, 4096, 1);
	uint64_t *s, a0, f0;
	uint64_t first = sa(lab, d, 0x80000, 0xfffff, 0);
	EQ(first, 0x80000);
	EQ(sa(lab, d, 0x80000, 0xfffff, 0), 0); /* walks, fails, max32 = 0x80000 */
	s = snap(lab);
	a0 = CACHE(s, C_IOVA, ALLOCS);
	f0 = CACHE(s, C_IOVA, FREES);
	EQ(sa(lab, d, 0x80000, 0xfffff, 0), 0); /* fast-fail */
	s = snap(lab);
	EQ(CACHE(s, C_IOVA, ALLOCS), a0 + 1);
	EQ(CACHE(s, C_IOVA, FREES), f0 + 1);
	EQ(DOMW(s, 0, SLOW_ALLOC_FAILURES), 2);
	EQ(iova_free(lab, d, first + 5), 0); /* resets max32 */
	EQ(sa(lab, d, 0x80000, 0xfffff, 0), 0x80000);
	EQ(iova_free(lab, d, 0x80000), 0);
	EQ(sa(lab, d, 0x7ffff, 0xfffff, 0), 0x80001);
	EQ(sa(lab, d, 0x80000, 0xfffff, 0), 1); /* fits exactly below */
	EQ(sa(lab, d, 1, 0xfffff, 0), 0); /* 32-bit space full: max32 := 1 */
	EQ(sa(lab, d, 1, 0xffffffffull, 0), 0xffffffffull); /* 64-bit limit: not fast-failed, uses cached_node */
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_reserve(void)
{
	int lab = iova_lab_create(4, 4, 0, 0), d = iova_domain_create(lab, 4096, 1);
	EQ(rv(lab, d, 100, 200), 100);
	EQ(rv(lab, d, 150, 300), 201);
	EQ(rv(lab, d, 50, 120), 50);
	EQ(fd(lab, d, 60)[0], 50);
	EQ(found[1], 200);
	EQ(rv(lab, d, 120, 150), 50);
	EQ(rv(lab, d, 40, 400), 301);
	EQ(fd(lab, d, 45)[0], 40);
	EQ(fd(lab, d, 5000)[0], 0);
	EQ(found[1], 0);
	EQ(iova_reserve(lab, d, 300, 100, NULL), IOVA_E_RANGE);
	EQ(iova_reserve(lab, d, 1, 1ull << 52, NULL), IOVA_E_RANGE);
	EQ(iova_inject_failure(lab, 1, 1), 0);
	EQ(rv(lab, d, 1000, 2000), 0);
	EQ(iova_inject_failure(lab, 1, 2), 0);
	EQ(sa(lab, d, 1, 0xfffff, 0), 0xfffff);
	EQ(sa(lab, d, 1, 0xfffff, 0), 0);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_rcache(void)
{
	int lab = iova_lab_create(4, 4, 0, 0), d = iova_domain_create(lab, 4096, 1);
	uint64_t p, pf[700], *s;
	int i;
	p = af(lab, d, 0, 1, 0xfffff, 1);
	EQ(p, 0xfffff);
	EQ(iova_free_fast(lab, d, 0, p, 1), 0);
	EQ(iova_free_fast(lab, d, 0, p, 1), IOVA_E_DOUBLE_FREE);
	EQ(iova_free(lab, d, p), IOVA_E_DOUBLE_FREE);
	EQ(af(lab, d, 0, 1, 0xfffff, 1), p);
	s = snap(lab);
	EQ(CLS(s, 0, HITS), 1);
	EQ(CLS(s, 0, MISSES), 1);
	EQ(iova_free_fast(lab, d, 0, p, 2), IOVA_E_SIZE_CLASS);
	EQ(iova_free_fast(lab, d, 0, p + 1, 1), IOVA_E_NOT_ALLOCATED);
	EQ(iova_free(lab, d, p), 0);
	for (i = 0; i < 255; i++)
		pf[i] = af(lab, d, 0, 1, 0xfffff, 1);
	for (i = 0; i < 127; i++)
		EQ(iova_free_fast(lab, d, 0, pf[i], 1), 0);
	s = snap(lab);
	EQ(MAGW(s, LOADED_PFNS), 127);
	EQ(MAGW(s, PREV_PFNS), 0);
	EQ(MAGW(s, DEPOT), 0);
	for (; i < 254; i++)
		iova_free_fast(lab, d, 0, pf[i], 1);
	s = snap(lab);
	EQ(MAGW(s, LOADED_PFNS), 127);
	EQ(MAGW(s, PREV_PFNS), 127);
	EQ(MAGW(s, DEPOT), 0);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 48);
	iova_free_fast(lab, d, 0, pf[254], 1);
	s = snap(lab);
	EQ(MAGW(s, LOADED_PFNS), 1);
	EQ(MAGW(s, PREV_PFNS), 127);
	EQ(MAGW(s, DEPOT), 1);
	EQ(MAGW(s, DEPOT_PFNS), 127);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 49);
	EQ(DOMW(s, 0, DEPOT_PUSHES), 1);
	EQ(iova_check_invariants(lab), 0);
	/* cross-cpu via the depot: cpu1 pops the depot magazine (pfns #128..#254) */
	EQ(af(lab, d, 1, 1, 0xfffff, 1), pf[253]);
	s = snap(lab);
	EQ(MAGW(s, DEPOT), 0);
	EQ(DOMW(s, 0, DEPOT_POPS), 1);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 48);
	EQ(iova_check_invariants(lab), 0);
	/* size-2 class: rounding 3 -> 4 uses class 2 */
	p = af(lab, d, 2, 3, 0xfffff, 1);
	EQ(p % 4, 0);
	EQ(iova_free_fast(lab, d, 2, p, 3), 0);
	EQ(af(lab, d, 2, 4, 0xfffff, 1), p);
	/* limit respected: cached pfn above limit is not handed out */
	EQ(iova_free_fast(lab, d, 2, p, 4), 0);
	EQ(af(lab, d, 2, 4, 0xfff, 1) != p, 1);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_trim(void)
{
	int lab = iova_lab_create(4, 2, 0, 0), d = iova_domain_create(lab, 4096, 1);
	uint64_t pf[700], *s, live;
	int i, n = 254 + 1 + 127 * 3;
	for (i = 0; i < n; i++)
		pf[i] = af(lab, d, 0, 1, 0xfffff, 0);
	EQ(iova_advance_clock(lab, 50), 0);
	for (i = 0; i < n; i++)
		iova_free_fast(lab, d, 0, pf[i], 1);
	s = snap(lab);
	EQ(DOMW(s, 0, DEPOT_MAGS), 4);
	live = DOMW(s, 0, LIVE_IOVAS);
	EQ(live, n);
	EQ(iova_advance_clock(lab, 99), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, DEPOT_MAGS), 4);
	EQ(iova_advance_clock(lab, 1), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, DEPOT_MAGS), 3);
	EQ(DOMW(s, 0, DEPOT_TRIMS), 1);
	EQ(DOMW(s, 0, LIVE_IOVAS), live - 127);
	EQ(HDR(s, NOW_MS), 150);
	EQ(iova_advance_clock(lab, 100), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, DEPOT_MAGS), 2);
	EQ(DOMW(s, 0, DEPOT_TRIMS), 2);
	EQ(iova_advance_clock(lab, 1000), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, DEPOT_MAGS), 2);
	EQ(DOMW(s, 0, DEPOT_TRIMS), 2);
	EQ(CLS(s, 0, DEPOT_HIGH_WATER), 4);
	/* offline a cpu: threshold drops to 1, but no work is pending until the next push */
	EQ(iova_cpu_offline(lab, 1), 0);
	EQ(iova_advance_clock(lab, 1000), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, DEPOT_MAGS), 2);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_flush_retry_hotplug(void)
{
	int lab = iova_lab_create(4, 4, 0, 0), d = iova_domain_create(lab, 4096, 1);
	uint64_t pf[8], *s;
	int i;
	for (i = 0; i < 8; i++)
		pf[i] = af(lab, d, 0, 1, 8, 1);
	EQ(pf[0], 8);
	EQ(pf[7], 1);
	for (i = 0; i < 8; i++)
		iova_free_fast(lab, d, 0, pf[i], 1);
	EQ(af(lab, d, 1, 1, 8, 0), 0);
	EQ(af(lab, d, 1, 1, 8, 1), 8);
	s = snap(lab);
	EQ(DOMW(s, 0, FLUSH_RETRIES), 1);
	EQ(DOMW(s, 0, SLOW_ALLOC_FAILURES), 2);
	EQ(DOMW(s, 0, LIVE_IOVAS), 1);
	EQ(DOMW(s, 0, CACHED_PFNS), 0);
	/* hotplug dead returns cpu 3's pfns to the tree */
	for (i = 0; i < 4; i++)
		pf[i] = af(lab, d, 3, 1, 0xfffff, 1);
	for (i = 0; i < 4; i++)
		iova_free_fast(lab, d, 3, pf[i], 1);
	s = snap(lab);
	EQ(DOMW(s, 0, CACHED_PFNS), 4);
	EQ(DOMW(s, 0, LIVE_IOVAS), 5);
	EQ(iova_cpu_offline(lab, 3), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, CACHED_PFNS), 0);
	EQ(DOMW(s, 0, LIVE_IOVAS), 1);
	EQ(HDR(s, ONLINE_CPUS), 3);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 48);
	EQ(iova_alloc_fast(lab, d, 3, 1, 0xfffff, 1, NULL), IOVA_E_CPU_OFFLINE);
	EQ(iova_cpu_online(lab, 3), 0);
	EQ(iova_cpu_online(lab, 3), IOVA_E_CPU_ALREADY_ONLINE);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

/* free_cpu_cached_iovas of one domain and CPU: worked by hand on 127-PFN magazines. */
static void test_free_cpu_cached(void)
{
	int lab = iova_lab_create(2, 2, 0, 0), d = iova_domain_create(lab, 4096, 1),
	    d2 = iova_domain_create(lab, 4096, 1);
	uint64_t pf[130], *s;
	int i;
	/* cpu 1 frees 130 into d: 127 fill loaded, the 128th swaps it into prev, so loaded 3, prev 127 */
	for (i = 0; i < 130; i++)
		pf[i] = af(lab, d, 1, 1, 0xfffff, 1);
	for (i = 0; i < 130; i++)
		EQ(iova_free_fast(lab, d, 1, pf[i], 1), 0);
	/* cpu 0 caches 5 in d, cpu 1 caches 3 in d2 */
	for (i = 0; i < 5; i++)
		pf[i] = af(lab, d, 0, 1, 0xfffff, 1);
	for (i = 0; i < 5; i++)
		EQ(iova_free_fast(lab, d, 0, pf[i], 1), 0);
	for (i = 0; i < 3; i++)
		pf[i] = af(lab, d2, 1, 1, 0xfffff, 1);
	for (i = 0; i < 3; i++)
		EQ(iova_free_fast(lab, d2, 1, pf[i], 1), 0);
	s = snap(lab);
	EQ(DOMW(s, 0, CACHED_PFNS), 135);
	EQ(MAGW(s, PREV_PFNS), 127);
	EQ(iova_free_cpu_cached(lab, d, 1), 0);
	/* d keeps only cpu 0's 5; d2 keeps its 3; every magazine (2 domains x 6 classes x 2 cpus x 2) stays */
	s = snap(lab);
	EQ(DOMW(s, 0, CACHED_PFNS), 5);
	EQ(DOMW(s, 0, LIVE_IOVAS), 5);
	EQ(DOMW(s, 1, CACHED_PFNS), 3);
	EQ(MAGW(s, LOADED_PFNS), 8);
	EQ(MAGW(s, PREV_PFNS), 0);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 48);
	EQ(HDR(s, ONLINE_CPUS), 2);
	EQ(iova_free_cpu_cached(lab, 7, 0), IOVA_E_NO_DOMAIN);
	EQ(iova_free_cpu_cached(lab, d, 2), IOVA_E_CPU_RANGE);
	EQ(iova_free_cpu_cached(lab, 7, 2), IOVA_E_NO_DOMAIN); /* the domain is checked first */
	EQ(iova_free_cpu_cached(99, d, 0), IOVA_E_NO_LAB);
	/* an offline CPU is allowed: the hotplug dead callback already emptied it */
	EQ(iova_cpu_offline(lab, 1), 0);
	EQ(iova_free_cpu_cached(lab, d2, 1), 0);
	s = snap(lab);
	EQ(DOMW(s, 1, CACHED_PFNS), 0);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_injection(void)
{
	int lab = iova_lab_create(4, 4, 0, 0), d;
	uint64_t *s, pf[260];
	int i;
	EQ(iova_inject_failure(lab, 0, 30), 0);
	EQ(iova_domain_create(lab, 4096, 1), IOVA_E_ALLOC_FAILED);
	s = snap(lab);
	EQ(CACHE(s, C_MAG, ACTIVE_OBJS), 0);
	EQ(CACHE(s, C_KM1K, ACTIVE_OBJS), 0);
	EQ(CACHE(s, C_MAG, ALLOCS), 29);
	EQ(CACHE(s, C_MAG, FREES), 29);
	EQ(HDR(s, LIVE_DOMAINS), 0);
	d = iova_domain_create(lab, 4096, 1);
	EQ(d, 0);
	for (i = 0; i < 255; i++)
		pf[i] = af(lab, d, 0, 1, 0xfffff, 1);
	for (i = 0; i < 254; i++)
		iova_free_fast(lab, d, 0, pf[i], 1);
	EQ(iova_inject_failure(lab, 0, 1), 0);
	EQ(iova_free_fast(lab, d, 0, pf[254], 1), 0);
	s = snap(lab);
	EQ(MAGW(s, DEPOT), 0);
	EQ(DOMW(s, 0, LIVE_IOVAS), 254);
	EQ(DOMW(s, 0, CACHED_PFNS), 254);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_validation(void)
{
	int lab = iova_lab_create(4, 2, 0, 0), d = iova_domain_create(lab, 4096, 16);
	uint32_t nw = iova_snapshot_words(lab);
	uint64_t *before = malloc(nw * 8), cachedp;
	EQ(iova_lab_create(0, 1, 0, 0), IOVA_E_LAB_CONFIG);
	EQ(iova_lab_create(4, 5, 0, 0), IOVA_E_LAB_CONFIG);
	EQ(iova_lab_create(4097, 1, 0, 0), IOVA_E_LAB_CONFIG);
	sa(lab, d, 3, 0xfffff, 1);
	cachedp = af(lab, d, 0, 1, 0xfffff, 1);
	EQ(cachedp, 0xffffb); /* below the cached32 cursor, not at the top */
	iova_free_fast(lab, d, 0, cachedp, 1);
	memcpy(before, snap(lab), nw * 8);
	EQ(iova_domain_create(99, 4096, 1), IOVA_E_NO_LAB);
	EQ(iova_domain_create(lab, 3000, 1), IOVA_E_GRANULE);
	EQ(iova_domain_create(lab, 8192, 1), IOVA_E_GRANULE);
	EQ(iova_domain_create(lab, 4096, 0), IOVA_E_START_PFN);
	EQ(iova_domain_create(lab, 4096, (~0ull >> 12)), IOVA_E_START_PFN);
	EQ(iova_alloc_fast(lab, 7, 0, 1, 0xfffff, 1, NULL), IOVA_E_NO_DOMAIN);
	EQ(iova_alloc_fast(lab, -1, 0, 1, 0xfffff, 1, NULL), IOVA_E_NO_DOMAIN);
	EQ(iova_alloc_fast(lab, d, 4, 1, 0xfffff, 1, NULL), IOVA_E_CPU_RANGE);
	EQ(iova_alloc_fast(lab, d, 3, 0, 0xfffff, 1, NULL), IOVA_E_CPU_OFFLINE);
	EQ(iova_alloc_fast(lab, d, 0, 0, 0xfffff, 1, NULL), IOVA_E_SIZE);
	EQ(iova_alloc_fast(lab, d, 0, 1, 15, 1, NULL), IOVA_E_LIMIT);
	EQ(iova_alloc(lab, d, 1, 1ull << 52, 1, NULL), IOVA_E_LIMIT);
	EQ(iova_alloc(lab, d, (1ull << 52), 0xfffff, 1, NULL), IOVA_E_SIZE);
	EQ(iova_free(lab, d, 5), IOVA_E_NOT_ALLOCATED);
	EQ(iova_free_fast(lab, d, 0, 0xffffd, 3), IOVA_E_NOT_RANGE_START); /* inside [0xffffc, 0xffffd] */
	EQ(iova_free_fast(lab, d, 0, 0xffffc, 2), IOVA_E_SIZE_CLASS);
	EQ(iova_free_fast(lab, d, 0, cachedp, 1), IOVA_E_DOUBLE_FREE);
	EQ(iova_free(lab, d, cachedp), IOVA_E_DOUBLE_FREE);
	EQ(iova_cpu_offline(lab, 3), IOVA_E_CPU_ALREADY_OFFLINE);
	EQ(iova_cpu_offline(lab, 9), IOVA_E_CPU_RANGE);
	EQ(iova_cpu_online(lab, 0), IOVA_E_CPU_ALREADY_ONLINE);
	EQ(iova_cpu_offline(lab, 1), 0);
	EQ(iova_cpu_offline(lab, 0), IOVA_E_LAST_ONLINE_CPU);
	EQ(iova_cpu_online(lab, 1), 0);
	EQ(iova_reserve(lab, d, 5, 4, NULL), IOVA_E_RANGE);
	EQ(iova_reserve(lab, d, cachedp - 1, cachedp, NULL), IOVA_E_RESERVE_CACHED);
	EQ(iova_inject_failure(lab, 2, 1), IOVA_E_BAD_OP);
	{
		uint64_t op[IOVA_OP_WORDS] = { 99, 0, 0, 0, 0, 0 };
		uint32_t ran = 7;
		EQ(iova_run_batch(lab, op, 1, NULL, &ran), IOVA_E_BAD_OP);
		EQ(ran, 0);
	}
	EQ(iova_snapshot_words(lab), nw);
	CHECK(memcmp(before, snap(lab), nw * 8) == 0);
	EQ(iova_check_invariants(lab), 0);
	free(before);
	iova_lab_destroy(lab);
}

/* The clock is exact to 2^64 - 1 ms and refuses to pass it; a trim due past it waits at 2^64 - 1. */
static void test_clock_limits(void)
{
	int lab = iova_lab_create(1, 1, 0, 0), d = iova_domain_create(lab, 4096, 1), i;
	uint64_t pfns[4 * IOVA_MAG_SIZE + 1], *s;
	EQ(iova_advance_clock(lab, ~0ull - 50), 0);
	for (i = 0; i < 4 * IOVA_MAG_SIZE + 1; i++)
		pfns[i] = af(lab, d, 0, 1, 0xfffff, 1);
	for (i = 0; i < 4 * IOVA_MAG_SIZE + 1; i++)
		EQ(iova_free_fast(lab, d, 0, pfns[i], 1), 0);
	s = snap(lab);
	EQ(CLS(s, 0, DEPOT_MAGS), 3); /* a trim work is queued 100 ms on: past 2^64 - 1 */
	EQ(iova_advance_clock(lab, 51), IOVA_E_CLOCK_OVERFLOW);
	s = snap(lab);
	EQ(HDR(s, NOW_MS), ~0ull - 50);
	EQ(CLS(s, 0, DEPOT_TRIMS), 0);
	EQ(iova_advance_clock(lab, 49), 0);
	EQ(CLS(snap(lab), 0, DEPOT_TRIMS), 0); /* not due before 2^64 - 1 (no wrap to a small due time) */
	EQ(iova_advance_clock(lab, 1), 0);
	s = snap(lab);
	EQ(HDR(s, NOW_MS), ~0ull);
	EQ(CLS(s, 0, DEPOT_TRIMS), 2); /* 3 down to the 1-CPU threshold, at 2^64 - 1 */
	EQ(iova_advance_clock(lab, 0), 0);
	EQ(iova_advance_clock(lab, 1), IOVA_E_CLOCK_OVERFLOW);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

/* Live domains x possible CPUs stay within MAX_DOMAIN_CPUS; a put makes room again. */
static void test_domain_limit(void)
{
	static const struct iova_policy lazy = { IOVA_MAG_SIZE,
						 0,
						 100,
						 IOVA_TRIM_ONLINE,
						 1,
						 0,
						 720,
						 IOVA_WALK_ANCHOR,
						 1,
						 IOVA_RETRY_FIXED,
						 IOVA_POP_SCAN,
						 1,
						 1,
						 1 };
	int lab = iova_lab_create_with_policy(MAX_POSSIBLE_CPUS, 1, 0, 0, &lazy), i;
	for (i = 0; i < MAX_DOMAIN_CPUS / MAX_POSSIBLE_CPUS; i++)
		EQ(iova_domain_create(lab, 4096, 1), i);
	EQ(iova_domain_create(lab, 4096, 1), IOVA_E_DOMAIN_LIMIT);
	EQ(iova_domain_put(lab, 3), 0);
	EQ(iova_domain_create(lab, 4096, 1), MAX_DOMAIN_CPUS / MAX_POSSIBLE_CPUS);
	iova_lab_destroy(lab);
}

/* ---- random stream ---- */
static uint64_t rng = 12345;
static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng >> 33) % n);
}

#define MAXLIVE 3000
struct held {
	int dom;
	uint64_t pfn, size;
};

static int phase;
static int gen_op(uint64_t *op, struct held *h, int nh, int ndoms)
{
	uint32_t r = rnd(1000);
	int dom = (int)rnd((uint32_t)ndoms);
	/* alternate phases: heavy allocation on cpu 0, then heavy frees on cpu 0 (fills depots) */
	if (phase == 1 && rnd(10) < 8 && nh < MAXLIVE) {
		memset(op, 0, 6 * sizeof(*op));
		op[0] = 1;
		op[1] = 0;
		op[3] = 1;
		op[4] = 0xfffff;
		op[5] = 1;
		return -1;
	}
	if (phase == 2 && rnd(10) < 8 && nh) {
		int i = (int)rnd((uint32_t)nh);
		memset(op, 0, 6 * sizeof(*op));
		op[0] = 2;
		op[1] = (uint64_t)h[i].dom;
		op[3] = h[i].pfn;
		op[4] = h[i].size;
		return i;
	}
	memset(op, 0, 6 * sizeof(*op));
	op[1] = (uint64_t)dom;
	if (r < 330 && nh < MAXLIVE) {
		op[0] = 1;
		op[2] = rnd(4);
		op[3] = 1 + rnd(rnd(8) ? 8 : 70);
		op[4] = rnd(4) ? 0xfffff : 0xfffffffffull;
		op[5] = rnd(2);
	} else if (r < 700 && nh) {
		int i = (int)rnd((uint32_t)nh);
		op[0] = 2;
		op[1] = (uint64_t)h[i].dom;
		op[2] = rnd(4);
		op[3] = h[i].pfn;
		op[4] = h[i].size;
		return i;
	} else if (r < 760 && nh < MAXLIVE) {
		op[0] = 3;
		op[3] = 1 + rnd(40);
		op[4] = 0xfffff;
		op[5] = rnd(2);
	} else if (r < 800 && nh) {
		int i = (int)rnd((uint32_t)nh);
		op[0] = 4;
		op[1] = (uint64_t)h[i].dom;
		op[3] = h[i].pfn;
		return i;
	} else if (r < 850) {
		op[0] = 7;
		op[3] = rnd(120);
	} else if (r < 860) {
		op[0] = 8;
		op[1] = 0;
		op[2] = rnd(4);
	} else if (r < 875) {
		op[0] = 9;
		op[1] = 0;
		op[2] = rnd(4);
	} else if (r < 880) {
		op[0] = 10;
	} else if (r < 900) {
		op[0] = 6;
		op[3] = 10 + rnd(5000);
		op[4] = op[3] + rnd(50);
	} else if (r < 905) {
		op[0] = 13;
		op[1] = 0;
		op[3] = rnd(2);
		op[4] = 1 + rnd(20);
	} else if (r < 960) {
		op[0] = 5;
		op[3] = 0xfffff - rnd(5000);
	} else {
		op[0] = 2;
		op[2] = rnd(4);
		op[3] = 0xfffff - rnd(300);
		op[4] = 1 + rnd(4); /* mostly invalid */
	}
	return -1;
}

static void apply_held(const uint64_t *op, int idx, int32_t rc, uint64_t res, struct held *h, int *nh)
{
	if (rc < 0)
		return;
	if ((op[0] == 1 || op[0] == 3) && res && *nh < MAXLIVE) {
		h[*nh].dom = (int)op[1];
		h[*nh].pfn = res;
		h[*nh].size = op[3];
		(*nh)++;
	} else if ((op[0] == 2 || op[0] == 4) && idx >= 0) {
		h[idx] = h[--*nh];
	}
}

/* one op through its exported single call; *res: its result word (0 when it has none) */
static int32_t single(int lab, const uint64_t *op, uint64_t *res)
{
	int dom = (int)op[1];
	uint64_t range[2] = { 0, 0 };
	int32_t r;
	*res = 0;
	switch (op[0]) {
	case IOVA_OP_ALLOC_FAST:
		return iova_alloc_fast(lab, dom, (uint32_t)op[2], op[3], op[4], (uint32_t)op[5], res);
	case IOVA_OP_FREE_FAST:
		return iova_free_fast(lab, dom, (uint32_t)op[2], op[3], op[4]);
	case IOVA_OP_ALLOC:
		return iova_alloc(lab, dom, op[3], op[4], (uint32_t)op[5], res);
	case IOVA_OP_FREE:
		return iova_free(lab, dom, op[3]);
	case IOVA_OP_FIND:
		r = iova_find(lab, dom, op[3], range);
		*res = range[0];
		return r;
	case IOVA_OP_RESERVE:
		return iova_reserve(lab, dom, op[3], op[4], res);
	case IOVA_OP_ADVANCE:
		return iova_advance_clock(lab, op[3]);
	case IOVA_OP_CPU_OFFLINE:
		return iova_cpu_offline(lab, (uint32_t)op[2]);
	case IOVA_OP_CPU_ONLINE:
		return iova_cpu_online(lab, (uint32_t)op[2]);
	case IOVA_OP_FLUSH:
		return iova_flush(lab, dom);
	case IOVA_OP_INJECT_FAILURE:
		return iova_inject_failure(lab, (uint32_t)op[3], (uint32_t)op[4]);
	}
	return IOVA_E_BAD_OP;
}

static void test_random_stream(int nops, int check_every_op, const struct iova_policy *pol, uint32_t mode)
{
	int lab = iova_lab_create_with_policy(4, 3, mode, 0, pol), nh = 0, i, ndoms = 3, bad_inv = 0;
	struct held *h = malloc(sizeof(*h) * MAXLIVE);
	uint64_t op[6];
	for (i = 0; i < ndoms; i++)
		iova_domain_create(lab, 4096, 1);
	for (i = 0; i < nops; i++) {
		int idx, rc;
		uint64_t res;
		phase = (i / 3000) % 3;
		idx = gen_op(op, h, nh, ndoms);
		rc = single(lab, op, &res);
		/* a double free or class mismatch means the held entry is stale */
		apply_held(op, idx, rc, res, h, &nh);
		if (rc < 0 && idx >= 0 && (rc == IOVA_E_NOT_ALLOCATED || rc == IOVA_E_NOT_RANGE_START))
			h[idx] = h[--nh];
		if ((check_every_op || i % 1000 == 0) && iova_check_invariants(lab)) {
			if (!bad_inv)
				fprintf(stderr, "invariant after op %d (op %llu): %s\n", i, (unsigned long long)op[0],
					iova_invariant_message(lab));
			bad_inv++;
		}
	}
	EQ(bad_inv, 0);
	{
		uint64_t *s = snap(lab), hits = 0, push = 0, trims = 0, pops = 0;
		int k;
		for (k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
			hits += CLS(s, k, HITS);
			push += CLS(s, k, DEPOT_PUSHES);
			pops += CLS(s, k, DEPOT_POPS);
			trims += CLS(s, k, DEPOT_TRIMS);
		}
		fprintf(stderr, "random stream: hits %llu pushes %llu pops %llu trims %llu live %llu cached %llu\n",
			(unsigned long long)hits, (unsigned long long)push, (unsigned long long)pops,
			(unsigned long long)trims, (unsigned long long)DOMW(s, 0, LIVE_IOVAS),
			(unsigned long long)DOMW(s, 0, CACHED_PFNS));
		CHECK(hits > 1000 || nops < 50000);
		CHECK(push > 0);
		CHECK(pops > 0 || nops < 50000);
		CHECK(trims > 0 || nops < 50000 || (pol && !pol->trim_delay_ms));
	}
	for (i = 0; i < ndoms; i++)
		EQ(iova_domain_put(lab, i), 0);
	{
		uint64_t *s = snap(lab);
		int c;
		for (c = 0; c < IOVA_CACHE_COUNT; c++)
			EQ(CACHE(s, c, ACTIVE_OBJS), 0);
		EQ(MAGW(s, TOTAL), 0);
	}
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
	free(h);
}

static void test_batch_equivalence(void)
{
	int a = iova_lab_create(4, 3, 1, 0), b = iova_lab_create(4, 3, 1, 0), nh = 0, i, n = 20000, done;
	struct held *h = malloc(sizeof(*h) * MAXLIVE);
	uint64_t *ops = malloc(sizeof(uint64_t) * 6 * (size_t)(n + 2)), *res = calloc((size_t)n + 2, 8);
	uint64_t *ra = calloc((size_t)n + 2, 8);
	uint32_t nw, ran = 0;
	int m = 0;
	uint64_t *sa_ = NULL;
	for (i = 0; i < 2; i++, m++) {
		uint64_t create[IOVA_OP_WORDS] = { IOVA_OP_DOMAIN_CREATE, 0, 0, 4096, 1, 0 };
		memcpy(ops + 6 * m, create, sizeof(create));
	}
	rng = 777;
	for (i = 0; i < 2; i++) {
		EQ(single(a, ops + 6 * i, &ra[i]) == IOVA_E_BAD_OP, 1); /* single() has no domain create */
		EQ(iova_domain_create(a, 4096, 1), i);
		ra[i] = (uint64_t)i;
	}
	for (i = 0; i < n; i++, m++) {
		int idx = gen_op(ops + 6 * m, h, nh, 2);
		int32_t rc;
		if (ops[6 * m] == 2 && idx < 0)
			ops[6 * m + 3] = h[0].pfn * 0 + 3; /* keep the batch running: skip invalid */
		if (ops[6 * m] == 2 && idx < 0) {
			ops[6 * m] = 5;
		}
		rc = single(a, ops + 6 * m, &ra[m]);
		if (rc < 0) {
			m--;
			continue;
		}
		apply_held(ops + 6 * m, idx, rc, ra[m], h, &nh);
	}
	EQ(iova_run_batch(b, ops, (uint32_t)m, res, &ran), 0);
	done = (int)ran;
	EQ(done, m);
	CHECK(memcmp(ra, res, (size_t)m * 8) == 0);
	nw = iova_snapshot_words(a);
	EQ(iova_snapshot_words(b), nw);
	sa_ = malloc(nw * 8);
	memcpy(sa_, snap(a), nw * 8);
	CHECK(memcmp(sa_, snap(b), nw * 8) == 0);
	EQ(iova_check_invariants(b), 0);
	/* a failing op stops the batch and reports the count */
	{
		uint64_t bo[12] = { 7, 0, 0, 5, 0, 0, 4, 0, 0, 3, 0, 0 };
		EQ(iova_run_batch(b, bo, 2, NULL, &ran), IOVA_E_NOT_ALLOCATED);
		EQ(ran, 1);
		EQ(iova_run_batch(b, bo, 1, NULL, NULL), IOVA_OK);
		EQ(iova_run_batch(99, bo, 1, NULL, &ran), IOVA_E_NO_LAB);
	}
	free(sa_);
	free(ops);
	free(res);
	free(ra);
	free(h);
	iova_lab_destroy(a);
	iova_lab_destroy(b);
}

/* v4.7: 128-PFN magazines, a fixed 32-slot depot, the old walk, top-only pop, no flush_rcache,
 * no depot flush, no rounding in alloc_iova_fast */
static const struct iova_policy v4_7 = {
	128, 32, 0, IOVA_TRIM_ONLINE, 0, 0, 0, IOVA_WALK_V4_7, 0, IOVA_RETRY_NONE, IOVA_POP_TOP, 0, 0, 0
};
/* v6.0: the anchor walk with the retry-start overflow */
static const struct iova_policy v6_0 = {
	127, 32, 0, IOVA_TRIM_ONLINE, 0, 0, 1680, IOVA_WALK_ANCHOR, 1, IOVA_RETRY_OVERFLOW, IOVA_POP_SCAN, 1, 1, 1
};
static const struct iova_policy tiny_lazy_dynamic = {
	6, 3, 7, 1, 1, 2, 72, IOVA_WALK_ANCHOR, 1, IOVA_RETRY_FIXED, IOVA_POP_SCAN, 1, 1, 1
};

static void test_policies(void)
{
	struct iova_policy bad = v4_7;
	uint64_t *s, pfn[40];
	int lab, d, i;
	/* v4.7: 128-PFN magazines are kmalloc(1032) -> kmalloc-2k; no rcache array */
	lab = iova_lab_create_with_policy(2, 2, 1, 0, &v4_7);
	d = iova_domain_create(lab, 4096, 1);
	s = snap(lab);
	/* magazine object size, cache index of kmalloc-2k */
	EQ(HDR(s, MAGAZINE_OBJ_SIZE), 2048);
	EQ(HDR(s, MAGAZINE_CACHE), IOVA_CACHE_KMALLOC_2K);
	EQ(CACHE(s, IOVA_CACHE_KMALLOC_2K, ACTIVE_OBJS), 24);
	EQ(CACHE(s, C_KM1K, ACTIVE_OBJS), 0);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
	/* lazy + tiny fixed depot: nothing at init; overflow drops magazines back to the tree */
	lab = iova_lab_create_with_policy(2, 2, 0, 0, &tiny_lazy_dynamic);
	d = iova_domain_create(lab, 4096, 1);
	s = snap(lab);
	EQ(MAGW(s, TOTAL), 0);
	EQ(CACHE(s, IOVA_CACHE_KMALLOC_96, ACTIVE_OBJS), 1); /* only the 72-byte array, in kmalloc-96 */
	for (i = 0; i < 40; i++)
		pfn[i] = sa(lab, d, 1, 0xfffff, 0);
	for (i = 0; i < 40; i++)
		EQ(iova_free_fast(lab, d, 1, pfn[i], 1), 0);
	s = snap(lab);
	EQ(CLS(s, 0, DEPOT_MAGS), 3); /* depot at its cap of 3 */
	CHECK(CLS(s, 0, DEPOT_OVERFLOWS) > 0); /* overflows */
	EQ(CLS(s, 0, LOADED), 1);
	EQ(CLS(s, 0, PREV), 1); /* CPU 1's loaded and prev only */
	EQ(DOMW(s, 0, LIVE_IOVAS), DOMW(s, 0, CACHED_PFNS)); /* everything not cached went back to the tree */
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
	/* refused policies */
	bad.mag_size = 0;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad.mag_size = 1024;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.dynamic_initial = 129;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.lazy = 2;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.array_bytes = 8193;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.tree_walk = 2;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.retry = 3;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.magazine_pop = 2;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
	bad = v4_7;
	bad.round_in_fast_alloc = 2;
	EQ(iova_lab_create_with_policy(1, 1, 0, 0, &bad), IOVA_E_LAB_CONFIG);
}

int main(int argc, char **argv)
{
	int nops = argc > 1 ? atoi(argv[1]) : 100000;
	test_magazine_counts();
	test_placement();
	test_max32();
	test_reserve();
	test_rcache();
	test_trim();
	test_flush_retry_hotplug();
	test_free_cpu_cached();
	test_injection();
	test_validation();
	test_clock_limits();
	test_domain_limit();
	test_batch_equivalence();
	test_random_stream(nops, 1, NULL, 0);
	test_policies();
	test_versions();
	test_random_stream(nops / 2, 1, &v4_7, 1);
	test_random_stream(nops / 2, 1, &v6_0, 1);
	test_random_stream(nops / 2, 1, &tiny_lazy_dynamic, 0);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
