// The typed FFI of the WASM module; the loader lives in src/wasm/load.ts.

/** The C facade's exports (native/iova_model.h). Every int32 return is a status or handle. */
export interface IovaModule extends EmscriptenModule {
  _iova_lab_create_with_policy(possible: number, online: number, magazineMode: number, geometry: number, policyPtr: number): number;
  _iova_lab_destroy(lab: number): number;
  _iova_domain_create(lab: number, granule: number, startPfn: bigint): number;
  _iova_domain_put(lab: number, dom: number): number;
  _iova_alloc_fast(lab: number, dom: number, cpu: number, size: bigint, limitPfn: bigint, flush: number): number;
  _iova_free_fast(lab: number, dom: number, cpu: number, pfn: bigint, size: bigint): number;
  _iova_alloc(lab: number, dom: number, size: bigint, limitPfn: bigint, sizeAligned: number): number;
  _iova_free(lab: number, dom: number, pfn: bigint): number;
  _iova_find(lab: number, dom: number, pfn: bigint): number;
  _iova_reserve(lab: number, dom: number, lo: bigint, hi: bigint): number;
  _iova_advance_clock(lab: number, ms: bigint): number;
  _iova_cpu_offline(lab: number, cpu: number): number;
  _iova_cpu_online(lab: number, cpu: number): number;
  _iova_flush(lab: number, dom: number): number;
  _iova_inject_failure(lab: number, kind: number, nth: number): number;
  _iova_result(lab: number): bigint;
  _iova_result2(lab: number): bigint;
  _iova_run_batch(lab: number, opsPtr: number, nOps: number, resultsPtr: number): number;
  _iova_last_status(lab: number): number;
  _iova_snapshot_words(lab: number): number;
  _iova_snapshot(lab: number, outPtr: number, cap: number): number;
  _iova_check_invariants(lab: number): number;
  _iova_invariant_message(lab: number): number;
  UTF8ToString(ptr: number): string;
}
