/* Checks and call helpers shared by the native test files. */
#ifndef IOVA_TEST_HARNESS_H
#define IOVA_TEST_HARNESS_H
#include "../iova_abi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int passed, failed;
#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (cond)                                                               \
			passed++;                                                       \
		else {                                                                  \
			failed++;                                                       \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                       \
	} while (0)
#define EQ(a, b)                                                                                                      \
	do {                                                                                                          \
		unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b);                        \
		if (_a == _b)                                                                                         \
			passed++;                                                                                     \
		else {                                                                                                \
			failed++;                                                                                     \
			fprintf(stderr, "FAIL %s:%d: %s == %s (%llu vs %llu)\n", __FILE__, __LINE__, #a, #b, _a, _b); \
		}                                                                                                     \
	} while (0)

/* Snapshot words by the generated layout (iova_abi.h): HDR(s, NOW_MS), CACHE(s, C_MAG, ACTIVE_OBJS), ... */
enum { C_IOVA = IOVA_CACHE_IOVA, C_MAG = IOVA_CACHE_MAGAZINE, C_KM1K = IOVA_CACHE_KMALLOC_1K };
#define HDR(s, f) ((s)[IOVA_SNAP_HEADER_AT + IOVA_SNAP_HEADER_##f])
#define CACHE(s, c, f) ((s)[IOVA_SNAP_CACHE_AT + (c)*IOVA_SNAP_CACHE_WORDS + IOVA_SNAP_CACHE_##f])
#define MAGW(s, f) ((s)[IOVA_SNAP_MAGAZINES_AT + IOVA_SNAP_MAGAZINES_##f])
#define CLS(s, k, f) ((s)[IOVA_SNAP_CLASS_AT + (k)*IOVA_SNAP_CLASS_WORDS + IOVA_SNAP_CLASS_##f])
#define DOMW(s, n, f) ((s)[IOVA_SNAP_FIXED_WORDS + (n)*IOVA_SNAP_DOMAIN_WORDS + IOVA_SNAP_DOMAIN_##f])

static uint64_t S[1 << 16];
static inline uint64_t *snap(int lab)
{
	int n = iova_snapshot(lab, S, 1 << 16);
	if (n < 0) {
		fprintf(stderr, "snapshot failed %d\n", n);
		exit(2);
	}
	return S;
}

static inline uint64_t af(int lab, int dom, unsigned cpu, uint64_t size, uint64_t limit, int flush)
{
	uint64_t pfn = 0;
	int r = iova_alloc_fast(lab, dom, cpu, size, limit, flush, &pfn);
	if (r) {
		fprintf(stderr, "alloc_fast status %d\n", r);
		failed++;
		return 0;
	}
	return pfn;
}

static inline uint64_t sa(int lab, int dom, uint64_t size, uint64_t limit, int aligned)
{
	uint64_t pfn = 0;
	int r = iova_alloc(lab, dom, size, limit, aligned, &pfn);
	if (r) {
		fprintf(stderr, "alloc status %d\n", r);
		failed++;
		return 0;
	}
	return pfn;
}

/* reserve_iova's pfn_lo, or ~0 when the call failed */
static inline uint64_t rv(int lab, int dom, uint64_t lo, uint64_t hi)
{
	uint64_t pfn = 0;
	return iova_reserve(lab, dom, lo, hi, &pfn) ? ~0ull : pfn;
}

/* the node containing pfn as lo, hi words; ~0 in both when the call failed */
static uint64_t found[2];
static inline uint64_t *fd(int lab, int dom, uint64_t pfn)
{
	if (iova_find(lab, dom, pfn, found))
		found[0] = found[1] = ~0ull;
	return found;
}

/* The release facets as policies: v4.7's old walk, v6.0's retry-start overflow. */
void test_versions(void);
#endif
