/* iova-lab exported C ABI (native and WASM). See docs/design.md for the contract. */
#ifndef IOVA_MODEL_H
#define IOVA_MODEL_H
#include <stdint.h>
#include "status.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#define IOVA_API EMSCRIPTEN_KEEPALIVE
#else
#define IOVA_API __attribute__((visibility("default")))
#endif

enum iova_op {
	OP_ALLOC_FAST = 1, OP_FREE_FAST, OP_ALLOC, OP_FREE, OP_FIND, OP_RESERVE, OP_ADVANCE,
	OP_CPU_OFFLINE, OP_CPU_ONLINE, OP_FLUSH, OP_DOMAIN_CREATE, OP_DOMAIN_PUT, OP_INJECT_FAILURE
};
#define IOVA_OP_WORDS 6

/* What differs between kernel versions and what-if designs (docs/design.md "Policies"). The TS
 * layer resolves kernel profiles (src/profiles.ts) into these words. */
#define IOVA_TRIM_ONLINE 0xffffffffu
struct iova_policy {
	uint32_t mag_size;        /* PFNs per magazine, 1..1023 (v6.0+: 127, v4.7: 128) */
	uint32_t depot_cap;       /* 0: unbounded list (v6.7+); N: fixed array, overflow frees (v4.7, v6.0) */
	uint32_t trim_delay_ms;   /* 0: no trim work (before v6.7); else the delayed work's period */
	uint32_t trim_threshold;  /* trim while depot_size > this; IOVA_TRIM_ONLINE: online CPUs */
	uint32_t lazy;            /* 1: loaded/prev allocated on first use instead of at domain init */
	uint32_t dynamic_initial; /* 0: fixed size; N: magazines start full at N PFNs, doubling on contention */
	uint32_t array_bytes;     /* kmalloc size of the per-domain rcache array; 0: none (embedded) */
};
#define IOVA_POLICY_WORDS 7

/* policy NULL: the v6.8 policy. */
IOVA_API int32_t iova_lab_create_with_policy(uint32_t possible, uint32_t online, uint32_t magazine_mode,
					     uint32_t geometry, const struct iova_policy *policy);
IOVA_API int32_t iova_lab_create(uint32_t possible, uint32_t online, uint32_t magazine_mode, uint32_t geometry);
IOVA_API int32_t iova_lab_destroy(int32_t lab);
IOVA_API int32_t iova_domain_create(int32_t lab, uint32_t granule, uint64_t start_pfn);
IOVA_API int32_t iova_domain_put(int32_t lab, int32_t dom);
IOVA_API int32_t iova_alloc_fast(int32_t lab, int32_t dom, uint32_t cpu, uint64_t size, uint64_t limit_pfn, uint32_t flush_rcache);
IOVA_API int32_t iova_free_fast(int32_t lab, int32_t dom, uint32_t cpu, uint64_t pfn, uint64_t size);
IOVA_API int32_t iova_alloc(int32_t lab, int32_t dom, uint64_t size, uint64_t limit_pfn, uint32_t size_aligned);
IOVA_API int32_t iova_free(int32_t lab, int32_t dom, uint64_t pfn);
IOVA_API int32_t iova_find(int32_t lab, int32_t dom, uint64_t pfn);
IOVA_API int32_t iova_reserve(int32_t lab, int32_t dom, uint64_t lo, uint64_t hi);
IOVA_API int32_t iova_advance_clock(int32_t lab, uint64_t ms);
IOVA_API int32_t iova_cpu_offline(int32_t lab, uint32_t cpu);
IOVA_API int32_t iova_cpu_online(int32_t lab, uint32_t cpu);
IOVA_API int32_t iova_flush(int32_t lab, int32_t dom);
IOVA_API int32_t iova_inject_failure(int32_t lab, uint32_t kind, uint32_t nth);
IOVA_API uint64_t iova_result(int32_t lab);
IOVA_API uint64_t iova_result2(int32_t lab);
IOVA_API int32_t iova_run_batch(int32_t lab, const uint64_t *ops, uint32_t n_ops, uint64_t *results);
IOVA_API int32_t iova_last_status(int32_t lab);
IOVA_API uint32_t iova_snapshot_words(int32_t lab);
IOVA_API int32_t iova_snapshot(int32_t lab, uint64_t *out, uint32_t cap);
IOVA_API int32_t iova_check_invariants(int32_t lab);
IOVA_API const char *iova_invariant_message(int32_t lab);
#endif
