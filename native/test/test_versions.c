/* Hand-checked scenarios for the older releases' facets (the spec's section on older kernels):
 * the v4.7 walk and its cached32_node, the top-only pop, and v6.0's retry-start overflow. Every
 * PFN is worked out in the comments. */
#include "harness.h"

#define LIMIT32 0xfffffull

static const struct iova_policy v4_7 = {
	128, 32, 0, IOVA_TRIM_ONLINE, 0, 0, 0, IOVA_WALK_V4_7, 0, IOVA_RETRY_NONE, IOVA_POP_TOP, 0, 0, 0
};

/* A one-CPU lab of the policy with one 4 KiB domain starting at start_pfn. */
static int lab_with(const struct iova_policy *p, uint64_t start_pfn, int *dom)
{
	int lab = iova_lab_create_with_policy(1, 1, 1, 0, p);
	*dom = iova_domain_create(lab, 4096, start_pfn);
	return lab;
}

static void test_v4_7_cursor(void)
{
	int d, lab = lab_with(&v4_7, 1, &d);
	uint64_t a, c;
	/* exact 32-bit limit, empty cursor: the range ends at the limit, and the cursor takes it */
	EQ(sa(lab, d, 1, LIMIT32, 1), 0xfffff);
	/* 64-bit limits start at the highest node and leave the cursor alone */
	EQ(sa(lab, d, 1, 0x1fffff, 1), 0x1fffff);
	EQ(sa(lab, d, 1, 0x2fffff, 1), 0x2fffff); /* the v4.15 walk would start at cached_node: 0x1ffffe */
	/* exact 32-bit limit: below the cursor 0xfffff */
	EQ(sa(lab, d, 1, LIMIT32, 1), 0xffffe);
	/* a 32-bit limit other than dma_32bit_pfn walks from the top: 0xffffd is free */
	EQ(sa(lab, d, 1, 0xffffd, 1), 0xffffd);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);

	lab = lab_with(&v4_7, 1, &d);
	a = sa(lab, d, 1, LIMIT32, 1); /* 0xfffff */
	EQ(sa(lab, d, 1, LIMIT32, 1), 0xffffe);
	c = sa(lab, d, 1, LIMIT32, 1); /* 0xffffd */
	EQ(sa(lab, d, 1, LIMIT32, 1), 0xffffc); /* the cursor */
	EQ(iova_free(lab, d, c), 0); /* at or above the cursor: it moves to the successor 0xffffe */
	EQ(sa(lab, d, 1, LIMIT32, 1), 0xffffd); /* limit 0xffffd, predecessor 0xffffc leaves it free */
	EQ(iova_free(lab, d, a), 0); /* at or above the cursor 0xffffd: no successor below 0xfffff, empty */
	EQ(sa(lab, d, 1, LIMIT32, 1), 0xfffff); /* an empty cursor walks from the top */
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_v4_7_bottom_and_pad(void)
{
	int d, lab = lab_with(&v4_7, 1, &d);
	/* limit 2, size 1: 1 + 1 + 0 > 2 is false, pfn_lo = 2 */
	EQ(sa(lab, d, 1, 2, 1), 2);
	/* node [2, 2] drops the limit to 1; past the lowest node 1 + 1 + 0 > 1: start_pfn stays free */
	EQ(sa(lab, d, 1, 2, 1), 0);
	EQ(fd(lab, d, 1)[0], 0);
	/* size 3: pad = (0xfffff + 1 - 3) & 3 = 1, pfn_lo = 0xfffff - 4 + 1 = 0xffffc, a 3-page node */
	EQ(sa(lab, d, 3, LIMIT32, 1), 0xffffc);
	EQ(fd(lab, d, 0xffffc)[1], 0xffffe);
	/* alloc_iova_fast does not round either: size 3 below node [0xffffc, 0xffffe] (the cursor):
	 * limit 0xffffb, pad (0xffffb + 1 - 3) & 3 = 1, pfn_lo = 0xffffb - 4 + 1 = 0xffff8 */
	EQ(af(lab, d, 0, 3, LIMIT32, 1), 0xffff8);
	EQ(fd(lab, d, 0xffff8)[1], 0xffffa);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_v4_7_top_pop(void)
{
	int d, lab = lab_with(&v4_7, 1, &d);
	uint64_t x = af(lab, d, 0, 1, LIMIT32, 1), y = af(lab, d, 0, 1, LIMIT32, 1), *s;
	EQ(x, 0xfffff);
	EQ(y, 0xffffe);
	EQ(iova_free_fast(lab, d, 0, y, 1), 0);
	EQ(iova_free_fast(lab, d, 0, x, 1), 0); /* loaded [0xffffe, 0xfffff], top 0xfffff */
	/* top 0xfffff is not below the limit 0xfffff: the lookup fails; the tree gives 0xffffd */
	EQ(af(lab, d, 0, 1, LIMIT32, 1), 0xffffd);
	s = snap(lab);
	EQ(CLS(s, 0, HITS), 0);
	EQ(CLS(s, 0, MISSES), 3);
	EQ(CLS(s, 0, LOADED_PFNS), 2);
	EQ(af(lab, d, 0, 1, 0x100000, 1), 0xfffff); /* one PFN higher the top qualifies */
	EQ(CLS(snap(lab), 0, HITS), 1);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
}

static void test_v6_0_retry_overflow(void)
{
	struct iova_policy v6_0 = {
		127, 32, 0, IOVA_TRIM_ONLINE, 0, 0, 1680, IOVA_WALK_ANCHOR, 1, IOVA_RETRY_OVERFLOW, IOVA_POP_SCAN,
		1,   1,	 1
	};
	int d, lab = lab_with(&v6_0, 4, &d);
	uint64_t pfn = 1, active;
	EQ(rv(lab, d, 4, 7), 4); /* the whole window [4, 7]; cached32_node stays on the anchor */
	/* size 2 at limit 7 from the anchor: new 6 collides with [4, 7], new 2 < low 4: fail.
	 * retry_pfn = ~0 + 1 = 0 < 8: retry with low 0 finds [2, 3], below start_pfn */
	EQ(sa(lab, d, 2, 7, 1), 2);
	EQ(fd(lab, d, 2)[1], 3);
	EQ(iova_check_invariants(lab), 0);
	/* from cached32_node [2, 3]: new 0 < 4 fails; retry_pfn 4 < 8, low 4 = start_pfn again: the
	 * kernel retries the same search forever. The model stops, freeing the iova object. */
	active = CACHE(snap(lab), IOVA_CACHE_IOVA, ACTIVE_OBJS);
	EQ(iova_alloc(lab, d, 2, 7, 1, &pfn), IOVA_E_NON_TERMINATING);
	EQ(pfn, 0);
	EQ(CACHE(snap(lab), IOVA_CACHE_IOVA, ACTIVE_OBJS), active);
	EQ(DOMW(snap(lab), 0, SLOW_ALLOC_FAILURES), 0);
	EQ(iova_alloc_fast(lab, d, 0, 2, 7, 1, &pfn), IOVA_E_NON_TERMINATING);
	EQ(iova_check_invariants(lab), 0);
	iova_lab_destroy(lab);
	/* fixed (v6.2+): retry_pfn = ~0 is not below the limit: no retry, the allocation fails */
	v6_0.retry = IOVA_RETRY_FIXED;
	lab = lab_with(&v6_0, 4, &d);
	EQ(rv(lab, d, 4, 7), 4);
	EQ(sa(lab, d, 2, 7, 1), 0);
	EQ(fd(lab, d, 2)[0], 0);
	iova_lab_destroy(lab);
}

void test_versions(void)
{
	test_v4_7_cursor();
	test_v4_7_bottom_and_pad();
	test_v4_7_top_pop();
	test_v6_0_retry_overflow();
}
