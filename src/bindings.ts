// Loads the WASM build of native/ and types its exports; nothing else lives here.
// The glue is Emscripten's MODULARIZE output (CommonJS), committed under wasm/.

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

export type IovaModuleFactory = (overrides: Partial<EmscriptenModule>) => Promise<IovaModule>;

export interface LoadOptions {
  /** The .wasm bytes (Node 20 and browsers); read from the package's wasm/ folder when omitted in Node. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch the .wasm from (browsers), used when wasmBinary is not given. */
  wasmUrl?: string | URL;
  /** The glue's factory; in a browser pass the bundled `wasm/iova_model.cjs` export. */
  factory?: IovaModuleFactory;
}

const WASM_URL = new URL('../wasm/iova_model.wasm', import.meta.url);
const GLUE_URL = new URL('../wasm/iova_model.cjs', import.meta.url);

async function nodeFactory(): Promise<IovaModuleFactory> {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)(GLUE_URL.pathname) as IovaModuleFactory;
}

async function wasmBytes(options: LoadOptions): Promise<ArrayBuffer | Uint8Array> {
  if (options.wasmBinary) return options.wasmBinary;
  if (options.wasmUrl) return new Uint8Array(await (await fetch(options.wasmUrl)).arrayBuffer());
  const { readFile } = await import('node:fs/promises');
  return readFile(WASM_URL);
}

let shared: Promise<IovaModule> | undefined;

/** Instantiate the module. Without options the instance is shared by every lab in this process. */
export function loadIovaModule(options: LoadOptions = {}): Promise<IovaModule> {
  const custom = options.wasmBinary || options.wasmUrl || options.factory;
  if (!custom && shared) return shared;
  const instance = (async () => {
    const factory = options.factory ?? (await nodeFactory());
    const wasmBinary = await wasmBytes(options);
    return factory({ wasmBinary: wasmBinary as ArrayBuffer });
  })();
  if (!custom) shared = instance;
  return instance;
}
