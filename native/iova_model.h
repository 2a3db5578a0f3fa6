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
