// The Engine backed by the C model compiled to WASM. Owns one lab handle inside the module, a
// small transfer buffer that calls return their values through, the batch windows made from it
// (runBatch's own among them) and a scratch buffer for snapshots and scatter lists; dispose()
// releases them all. The operations' glue is generated (WasmEngineOps, from abi/iova-abi.json)
// over the members this class provides: mod, handle, transferPtr, transferred, fail and scratch.
import { checkCapacity, checkRunCount, disposed, resultsFor, type BatchRun, type BatchWindow } from './batch-window.js';
import type { IovaModule } from './bindings.js';
import type { BatchResult, Engine, LabConfig } from './engine.js';
import { DMA_FACETS_V6_8 } from './engine.js';
import { describeArgs, errorForStatus, Status } from './errors.js';
import { DMA_DEFAULT_HZ, OP_WORDS, policyWords } from './generated/abi.js';
import { WasmEngineOps } from './generated/wasm-engine-ops.js';
import { labCpusProblem } from './model/validate.js';
import { policyOfConfig } from './policy.js';
import { decodeSnapshot, type Snapshot } from './snapshot.js';
import { loadIovaModule } from './wasm/load.js';
import type { WasmLoadOptions } from './wasm/options.js';

/** uint64 words in the transfer buffer: find's [pfn_lo, pfn_hi] is the largest result. */
const TRANSFER_WORDS = 2;

/** Ops runBatch copies into its window per call: small enough that the C loop reads them from
 * cache, not RAM, right after the copy, and the window stays small whatever the batch length. */
const BATCH_CHUNK_OPS = 4096;

export async function createWasmEngine(config: LabConfig, load: WasmLoadOptions = {}): Promise<Engine> {
  const mod = await loadIovaModule(load);
  return new WasmEngine(mod, config);
}

class WasmEngine extends WasmEngineOps implements Engine {
  readonly name = 'wasm' as const;
  private lab: number;
  /** TRANSFER_WORDS uint64 words malloc'd once: the out-pointer of every call that returns a value. */
  protected transferPtr = 0;
  private scratchPtr = 0;
  private scratchBytes = 0;
  /** Live windows, freed with the lab; `own` is runBatch's, made on first use. */
  private readonly windows = new Set<HeapBatchWindow>();
  private own: HeapBatchWindow | null = null;

  readonly config: LabConfig;

  constructor(
    protected readonly mod: IovaModule,
    config: LabConfig,
  ) {
    super();
    const policy = policyOfConfig(config);
    this.config = { ...config, policy };
    const words = policyWords(policy);
    const ptr = mod._malloc(words.byteLength);
    if (!ptr) throw errorForStatus(Status.NOMEM, 'policy words');
    new Uint32Array(mod.HEAPU8.buffer, ptr, words.length).set(words);
    const handle = mod._iova_lab_create_with_policy(
      config.possibleCpus,
      config.onlineCpus,
      config.magazines === 'named' ? 0 : 1,
      config.slabGeometry === 'slub' ? 0 : 1,
      ptr,
    );
    mod._free(ptr);
    const { possibleCpus, onlineCpus, magazines, slabGeometry } = config;
    if (handle < 0) {
      const problem = handle === Status.LAB_CONFIG ? labCpusProblem(possibleCpus, onlineCpus) : null;
      const args = { possibleCpus, onlineCpus, magazines, slabGeometry };
      throw errorForStatus(handle, describeArgs(problem ? { ...args, problem } : args));
    }
    this.transferPtr = mod._malloc(TRANSFER_WORDS * 8);
    if (!this.transferPtr) {
      mod._iova_lab_destroy(handle);
      throw errorForStatus(Status.NOMEM, 'transfer buffer');
    }
    this.lab = handle;
    const { hz = DMA_DEFAULT_HZ, dmaFacets: f = DMA_FACETS_V6_8 } = config;
    const word = (v: boolean): number => (v === true ? 1 : v === false ? 0 : 2);
    const status =
      Number.isInteger(hz) && hz >= 0 && hz <= 0xffffffff
        ? mod._iova_dma_configure(handle, hz, word(f.sacLatch), word(f.singleQueueAvailable), word(f.roundInCaller))
        : Status.DMA_CONFIG;
    if (status < 0) {
      this.dispose();
      throw errorForStatus(status, describeArgs({ hz, facets: JSON.stringify(f) }));
    }
  }

  /** Word i of the transfer buffer (HEAPU64 is re-made by the glue when memory grows). */
  protected transferred(i: number): bigint {
    return this.mod.HEAPU64[this.transferPtr / 8 + i];
  }

  /** Callers test `status < 0` themselves so the args object is only built for an error. */
  protected fail(status: number, args: Parameters<typeof describeArgs>[0]): never {
    throw errorForStatus(status, describeArgs(args));
  }

  protected get handle(): number {
    if (this.lab < 0) throw errorForStatus(Status.NO_LAB, 'lab');
    return this.lab;
  }

  /** A malloc'd buffer of at least `bytes`, reused across calls; grows only. */
  protected scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.mod._free(this.scratchPtr);
      this.scratchPtr = this.mod._malloc(bytes);
      this.scratchBytes = this.scratchPtr ? bytes : 0;
      if (!this.scratchPtr) throw errorForStatus(Status.NOMEM, `scratch buffer of ${bytes} bytes`);
    }
    return this.scratchPtr;
  }

  batchWindow(capacityOps: number): BatchWindow {
    void this.handle; // throws DisposedError once disposed
    const w: HeapBatchWindow = new HeapBatchWindow(
      this.mod,
      checkCapacity(capacityOps),
      (n) => this.runWindow(w, n),
      () => this.windows.delete(w),
    );
    this.windows.add(w);
    return w;
  }

  /** One iova_run_batch over a window's words; completed comes back through the transfer buffer.
   * An error names the failed op as opBase + its index in the window. */
  private runWindow(w: HeapBatchWindow, n: number, opBase = 0): BatchRun {
    const status = this.mod._iova_run_batch(this.handle, w.opsPtr, n, w.resultsPtr, this.transferPtr);
    const completed = this.mod.HEAPU32[this.transferPtr / 4];
    if (status >= 0) return { completed };
    const ops = w.ops;
    const at = completed * OP_WORDS;
    return {
      completed,
      error: errorForStatus(
        status,
        describeArgs({
          op: opBase + completed,
          opcode: ops[at],
          domain: ops[at + 1],
          cpu: ops[at + 2],
          a: ops[at + 3],
          b: ops[at + 4],
          c: ops[at + 5],
        }),
      ),
    };
  }

  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult {
    void this.handle; // throws DisposedError once disposed
    const n = Math.floor(ops.length / OP_WORDS);
    const results = resultsFor(n, out);
    const w = (this.own ??= this.batchWindow(BATCH_CHUNK_OPS) as HeapBatchWindow);
    let completed = 0;
    while (completed < n) {
      const m = Math.min(w.capacity, n - completed);
      w.ops.set(ops.subarray(completed * OP_WORDS, (completed + m) * OP_WORDS));
      const r = this.runWindow(w, m, completed);
      // Fetched after the run: memory growth inside it detaches older views.
      results.set(w.results.subarray(0, r.completed), completed);
      if (r.error) return { results, completed: completed + r.completed, error: r.error };
      completed += m;
    }
    return { results, completed };
  }

  snapshot(): Snapshot {
    const lab = this.handle;
    const words = this.mod._iova_snapshot_words(lab);
    const ptr = this.scratch(words * 8);
    const written = this.mod._iova_snapshot(lab, ptr, words);
    if (written < 0) this.fail(written, { words });
    return decodeSnapshot(new BigUint64Array(this.mod.HEAPU8.buffer, ptr, written));
  }

  checkInvariants(): void {
    const lab = this.handle;
    const status = this.mod._iova_check_invariants(lab);
    if (status === Status.INVARIANT) {
      throw errorForStatus(status, this.mod.UTF8ToString(this.mod._iova_invariant_message(lab)));
    }
    if (status < 0) this.fail(status, { check: 'invariants' });
  }

  dispose(): void {
    if (this.lab < 0) return;
    for (const w of [...this.windows]) w.dispose();
    this.own = null;
    this.mod._iova_lab_destroy(this.lab);
    this.mod._free(this.transferPtr);
    this.transferPtr = 0;
    if (this.scratchPtr) this.mod._free(this.scratchPtr);
    this.scratchPtr = 0;
    this.scratchBytes = 0;
    this.lab = -1;
  }
}

/** A window in the module's heap: capacity × OP_WORDS op words, then capacity result words, in
 * one malloc'd block. Views are cached and remade when the module's memory has grown. */
class HeapBatchWindow implements BatchWindow {
  readonly opsPtr: number;
  readonly resultsPtr: number;
  private opsView: BigUint64Array;
  private resultsView: BigUint64Array;
  private live = true;

  constructor(
    private readonly mod: IovaModule,
    readonly capacity: number,
    private readonly runIt: (n: number) => BatchRun,
    private readonly onDispose: () => void,
  ) {
    const bytes = capacity * (OP_WORDS + 1) * 8;
    this.opsPtr = mod._malloc(bytes);
    if (!this.opsPtr) throw errorForStatus(Status.NOMEM, `batch window of ${capacity} ops (${bytes} bytes)`);
    this.resultsPtr = this.opsPtr + capacity * OP_WORDS * 8;
    this.opsView = this.resultsView = new BigUint64Array(0);
    this.remap();
  }

  private remap(): void {
    const buf = this.mod.HEAPU8.buffer;
    this.opsView = new BigUint64Array(buf, this.opsPtr, this.capacity * OP_WORDS);
    this.resultsView = new BigUint64Array(buf, this.resultsPtr, this.capacity);
  }

  get ops(): BigUint64Array {
    if (!this.live) disposed();
    if (this.opsView.buffer !== this.mod.HEAPU8.buffer) this.remap();
    return this.opsView;
  }

  get results(): BigUint64Array {
    if (!this.live) disposed();
    if (this.resultsView.buffer !== this.mod.HEAPU8.buffer) this.remap();
    return this.resultsView;
  }

  run(nOps: number): BatchRun {
    if (!this.live) disposed();
    return this.runIt(checkRunCount(nOps, this.capacity));
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    if (!this.live) return;
    this.live = false;
    this.mod._free(this.opsPtr);
    this.onDispose();
  }
}
