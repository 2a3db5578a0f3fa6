// The Engine backed by the C model compiled to WASM. Owns one lab handle inside the module, a
// small transfer buffer that calls return their values through, and a scratch buffer for batches
// and snapshots; dispose() releases all three.
import type { IovaModule } from './bindings.js';
import type { BatchResult, DeviceConfig, DmaDomainType, Engine, FailureKind, LabConfig } from './engine.js';
import { DMA_DOMAIN_TYPES, DMA_FACETS_V6_8 } from './engine.js';
import { describeArgs, errorForStatus, Status } from './errors.js';
import { DMA_DEFAULT_HZ, OP_WORDS, policyWords } from './generated/abi.js';
import { labCpusProblem } from './model/validate.js';
import { policyOfConfig } from './policy.js';
import { decodeSnapshot, type Snapshot } from './snapshot.js';
import { loadIovaModule } from './wasm/load.js';
import type { WasmLoadOptions } from './wasm/options.js';

type Args = Record<string, number | bigint | boolean | string>;

/** uint64 words in the transfer buffer: find's [pfn_lo, pfn_hi] is the largest result. */
const TRANSFER_WORDS = 2;

/** Ops copied into the heap per call: small enough that the C loop reads them from cache, not
 * RAM, right after the copy, and the scratch buffer stays small whatever the batch length. */
const BATCH_CHUNK_OPS = 4096;

export async function createWasmEngine(config: LabConfig, load: WasmLoadOptions = {}): Promise<Engine> {
  const mod = await loadIovaModule(load);
  return new WasmEngine(mod, config);
}

class WasmEngine implements Engine {
  readonly name = 'wasm' as const;
  private lab: number;
  /** TRANSFER_WORDS uint64 words malloc'd once: the out-pointer of every call that returns a value. */
  private transferPtr = 0;
  private scratchPtr = 0;
  private scratchBytes = 0;

  readonly config: LabConfig;

  constructor(private readonly mod: IovaModule, config: LabConfig) {
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
    const status = Number.isInteger(hz) && hz >= 0 && hz <= 0xffffffff
      ? mod._iova_dma_configure(handle, hz, word(f.sacLatch), word(f.singleQueueAvailable), word(f.roundInCaller))
      : Status.DMA_CONFIG;
    if (status < 0) {
      this.dispose();
      throw errorForStatus(status, describeArgs({ hz, facets: JSON.stringify(f) }));
    }
  }

  /** Word i of the transfer buffer (HEAPU64 is re-made by the glue when memory grows). */
  private transferred(i: number): bigint {
    return this.mod.HEAPU64[this.transferPtr / 8 + i]!;
  }

  /** Callers test `status < 0` themselves so the args object is only built for an error. */
  private fail(status: number, args: Args): never {
    throw errorForStatus(status, describeArgs(args));
  }

  private get handle(): number {
    if (this.lab < 0) throw errorForStatus(Status.NO_LAB, 'lab');
    return this.lab;
  }

  createDomain(granule: number, startPfn: bigint): number {
    const id = this.mod._iova_domain_create(this.handle, granule, startPfn);
    if (id < 0) this.fail(id, { granule, startPfn });
    return id;
  }

  putDomain(domain: number): void {
    const status = this.mod._iova_domain_put(this.handle, domain);
    if (status < 0) this.fail(status, { domain });
  }

  allocFast(domain: number, cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    const flush = flushRcache ? 1 : 0;
    const status = this.mod._iova_alloc_fast(this.handle, domain, cpu, size, limitPfn, flush, this.transferPtr);
    if (status < 0) this.fail(status, { domain, cpu, size, limitPfn });
    return this.transferred(0);
  }

  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void {
    const status = this.mod._iova_free_fast(this.handle, domain, cpu, pfn, size);
    if (status < 0) this.fail(status, { domain, cpu, pfn, size });
  }

  alloc(domain: number, size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint {
    const status = this.mod._iova_alloc(this.handle, domain, size, limitPfn, sizeAligned ? 1 : 0, this.transferPtr);
    if (status < 0) this.fail(status, { domain, size, limitPfn });
    return this.transferred(0);
  }

  free(domain: number, pfn: bigint): void {
    const status = this.mod._iova_free(this.handle, domain, pfn);
    if (status < 0) this.fail(status, { domain, pfn });
  }

  find(domain: number, pfn: bigint): [bigint, bigint] | null {
    const status = this.mod._iova_find(this.handle, domain, pfn, this.transferPtr);
    if (status < 0) this.fail(status, { domain, pfn });
    const lo = this.transferred(0);
    return lo === 0n ? null : [lo, this.transferred(1)];
  }

  reserve(domain: number, lo: bigint, hi: bigint): bigint {
    const status = this.mod._iova_reserve(this.handle, domain, lo, hi, this.transferPtr);
    if (status < 0) this.fail(status, { domain, lo, hi });
    return this.transferred(0);
  }

  advanceClock(ms: bigint): void {
    const status = this.mod._iova_advance_clock(this.handle, ms);
    if (status < 0) this.fail(status, { ms });
  }

  cpuOffline(cpu: number): void {
    const status = this.mod._iova_cpu_offline(this.handle, cpu);
    if (status < 0) this.fail(status, { cpu });
  }

  cpuOnline(cpu: number): void {
    const status = this.mod._iova_cpu_online(this.handle, cpu);
    if (status < 0) this.fail(status, { cpu });
  }

  flush(domain: number): void {
    const status = this.mod._iova_flush(this.handle, domain);
    if (status < 0) this.fail(status, { domain });
  }

  injectFailure(kind: FailureKind, nth: number): void {
    const status = this.mod._iova_inject_failure(this.handle, kind === 'magazine' ? 0 : 1, nth);
    if (status < 0) this.fail(status, { kind, nth });
  }

  createDmaDomain(granule: number, startPfn: bigint, type: DmaDomainType, apertureBits: number): number {
    const t = DMA_DOMAIN_TYPES.indexOf(type);
    const bits = Number.isInteger(apertureBits) && apertureBits >= 0 && apertureBits <= 64 ? apertureBits : 64;
    const typeWord = t < 0 ? 3 : t;
    const status = this.mod._iova_dma_domain_create(this.handle, granule, startPfn, typeWord, bits, this.transferPtr);
    if (status < 0) this.fail(status, { granule, startPfn, type, apertureBits });
    return Number(this.transferred(0));
  }

  attachDevice(domain: number, device: DeviceConfig): number {
    const { bus, dmaMaskBits, coherentMaskBits, forceDac } = device;
    const busWord = bus === 'pci' ? 0 : bus === 'platform' ? 1 : 2;
    const bits = (b: number): number => (Number.isInteger(b) && b >= 0 && b <= 64 ? b : 65);
    const status = this.mod._iova_device_attach(this.handle, domain, busWord, bits(dmaMaskBits), bits(coherentMaskBits),
      forceDac ? 1 : 0, this.transferPtr);
    if (status < 0) this.fail(status, { domain, bus, dmaMaskBits, coherentMaskBits });
    return Number(this.transferred(0));
  }

  map(device: number, cpu: number, bytes: bigint, offset: bigint, coherent: boolean): bigint {
    const status = this.mod._iova_dma_map(this.handle, device, cpu, bytes, offset, coherent ? 1 : 0, this.transferPtr);
    if (status < 0) this.fail(status, { device, cpu, bytes, offset });
    return this.transferred(0);
  }

  mapSg(device: number, cpu: number, segmentBytes: readonly bigint[]): bigint {
    const lab = this.handle;
    const n = segmentBytes.length;
    const ptr = this.scratch(Math.max(n, 1) * 8);
    new BigUint64Array(this.mod.HEAPU8.buffer, ptr, n).set(segmentBytes);
    const status = this.mod._iova_dma_map_sg(lab, device, cpu, ptr, n, this.transferPtr);
    if (status < 0) this.fail(status, { device, cpu, segments: n });
    return this.transferred(0);
  }

  unmap(device: number, cpu: number, dmaAddr: bigint, bytes: bigint): void {
    const status = this.mod._iova_dma_unmap(this.handle, device, cpu, dmaAddr, bytes);
    if (status < 0) this.fail(status, { device, cpu, dmaAddr, bytes });
  }

  /** A malloc'd buffer of at least `bytes`, reused across calls; grows only. */
  private scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.mod._free(this.scratchPtr);
      this.scratchPtr = this.mod._malloc(bytes);
      this.scratchBytes = this.scratchPtr ? bytes : 0;
      if (!this.scratchPtr) throw errorForStatus(Status.NOMEM, `scratch buffer of ${bytes} bytes`);
    }
    return this.scratchPtr;
  }

  runBatch(ops: BigUint64Array): BatchResult {
    const lab = this.handle;
    const n = Math.floor(ops.length / OP_WORDS);
    const chunk = Math.min(n, BATCH_CHUNK_OPS);
    const opsBytes = chunk * OP_WORDS * 8;
    const base = this.scratch(opsBytes + chunk * 8);
    const results = new BigUint64Array(n);
    let completed = 0;
    let status: number = Status.OK;
    // do-while: an empty batch still makes one call, so a disposed lab reports E_NO_LAB.
    do {
      const m = Math.min(chunk, n - completed);
      const from = completed * OP_WORDS;
      new BigUint64Array(this.mod.HEAPU8.buffer, base, m * OP_WORDS).set(ops.subarray(from, from + m * OP_WORDS));
      status = this.mod._iova_run_batch(lab, base, m, base + opsBytes, this.transferPtr);
      const ran = this.mod.HEAPU32[this.transferPtr / 4]!;
      // Views are made after the call: memory growth inside it detaches older ones.
      results.set(new BigUint64Array(this.mod.HEAPU8.buffer, base + opsBytes, ran), completed);
      completed += ran;
      if (status < 0) break;
    } while (completed < n);
    if (status >= 0) return { results, completed };
    const at = completed * OP_WORDS;
    const error = errorForStatus(status, describeArgs({
      op: completed, opcode: ops[at], domain: ops[at + 1], cpu: ops[at + 2],
      a: ops[at + 3], b: ops[at + 4], c: ops[at + 5],
    }));
    return { results, completed, error };
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
    this.mod._iova_lab_destroy(this.lab);
    this.mod._free(this.transferPtr);
    this.transferPtr = 0;
    if (this.scratchPtr) this.mod._free(this.scratchPtr);
    this.scratchPtr = 0;
    this.scratchBytes = 0;
    this.lab = -1;
  }
}
