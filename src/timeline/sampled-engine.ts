// An Engine that samples a timeline while it runs: every clock advance is split at the sampling
// points, so a sample at t shows the lab after every op before t and every trim due by t — even
// when a workload idles for seconds in one advanceClock call.
import { ArrayBatchWindow, resultsFor, type BatchWindow } from '../batch-window.js';
import type { BatchResult, DeviceConfig, DmaDomainType, Engine, FailureKind } from '../engine.js';
import { OP_WORDS, OpCode } from '../engine.js';
import { toU64 } from '../numbers.js';
import type { Snapshot } from '../snapshot.js';
import { TimelineError, TimelineRecorder, type TimelineSeries } from './sample.js';

import { MAX_TIMELINE_SAMPLES } from '../share/limits.js';

/** Samples one run may record in all: many clock advances must not add up past this either. */
const MAX_SAMPLES = BigInt(MAX_TIMELINE_SAMPLES);

/**
 * An engine wrapper that records a timeline while the wrapped engine runs: every clock advance is split
 * at the sampling points. Every other Engine method passes straight through to the wrapped engine.
 * @throws TimelineError (from the constructor) for an interval that is not a whole number of ms ≥ 1.
 * @example
 * ```ts
 * const sampled = new SampledEngine(engine, 100); // engine: an internal Engine (as the CLI wraps)
 * sampled.advanceClock(1000n);
 * const series = sampled.finish('v6.8');
 * ```
 */
export class SampledEngine implements Engine {
  private readonly recorder: TimelineRecorder;
  private now = 0n;
  private started = false;
  private samples = 0n;

  private readonly step: bigint;

  /**
   * Wraps `inner`, sampling every `intervalMs` ms of virtual time.
   * @throws TimelineError for an interval that is not a whole number of ms ≥ 1.
   * @example `const sampled = new SampledEngine(engine, 100);`
   */
  constructor(
    private readonly inner: Engine,
    /** The sampling interval in virtual ms. @example `sampled.intervalMs // 100` */
    readonly intervalMs: number,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
      throw new TimelineError(`the sampling interval must be a whole number of ms ≥ 1, got ${String(intervalMs)}`);
    }
    this.recorder = new TimelineRecorder(intervalMs);
    this.step = BigInt(intervalMs);
  }

  /** The wrapped engine's name. @example `sampled.name // 'wasm'` */
  get name() {
    return this.inner.name;
  }
  /** The wrapped engine's config. @example `sampled.config.possibleCpus` */
  get config() {
    return this.inner.config;
  }

  private sample(): void {
    this.samples++;
    this.recorder.observe(Number(this.now), () => this.inner.snapshot());
  }

  /**
   * Advances the wrapped engine's clock by `ms`, sampling at each interval multiple on the way.
   * @throws TimelineError when the run would pass MAX_TIMELINE_SAMPLES samples; InvalidNumberError for a bad
   *   `ms`; ClockOverflowError (or another IovaLabError) from the wrapped engine.
   * @example `sampled.advanceClock(250n);`
   */
  advanceClock(ms: bigint): void {
    if (!this.started) {
      this.started = true;
      this.sample(); // t = 0: the lab as set up before time first moves
    }
    toU64('ms', ms);
    const target = this.now + ms;
    // Checked before the engine moves: the samples due by `target`, counted from the run's start.
    const due = target / this.step - this.now / this.step;
    if (this.samples + due > MAX_SAMPLES) {
      throw new TimelineError(
        `advancing ${ms} ms to ${target} ms would bring the timeline to ${this.samples + due} ` +
          `samples at ${this.step} ms, more than the limit of ${MAX_TIMELINE_SAMPLES}; use a longer interval`,
      );
    }
    for (let next = (this.now / this.step + 1n) * this.step; next <= target; next += this.step) {
      this.inner.advanceClock(next - this.now);
      this.now = next;
      this.sample();
    }
    if (target > this.now) this.inner.advanceClock(target - this.now);
    this.now = target;
  }

  /**
   * The series; a run that never advanced its clock still gets its one sample at t = 0.
   * @throws TimelineError for an empty label or a second call.
   * @example `const series = sampled.finish('v6.8+lazy');`
   */
  finish(label: string): TimelineSeries {
    if (!this.started) this.sample();
    return this.recorder.finish(label);
  }

  /**
   * As Engine.createDomain: a plain domain on the wrapped engine; its id.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `const id = sampled.createDomain(4096, 1n);`
   */
  createDomain(granule: number, startPfn: bigint): number {
    return this.inner.createDomain(granule, startPfn);
  }
  /**
   * As Engine.putDomain, on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.putDomain(id);`
   */
  putDomain(domain: number): void {
    this.inner.putDomain(domain);
  }
  /**
   * As Engine.allocFast (alloc_iova_fast), on the wrapped engine; the pfn or 0n.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.allocFast(id, 0, 1n, 0xfffffn, true)`
   */
  allocFast(domain: number, cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    return this.inner.allocFast(domain, cpu, size, limitPfn, flushRcache);
  }
  /**
   * As Engine.freeFast (free_iova_fast), on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.freeFast(id, 0, pfn, 1n);`
   */
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void {
    this.inner.freeFast(domain, cpu, pfn, size);
  }
  /**
   * As Engine.alloc (alloc_iova), on the wrapped engine; the pfn or 0n.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.alloc(id, 4n, 0xfffffn, true)`
   */
  alloc(domain: number, size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint {
    return this.inner.alloc(domain, size, limitPfn, sizeAligned);
  }
  /**
   * As Engine.free (free_iova), on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.free(id, pfn);`
   */
  free(domain: number, pfn: bigint): void {
    this.inner.free(domain, pfn);
  }
  /**
   * As Engine.find (find_iova), on the wrapped engine: [pfnLo, pfnHi] or null.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.find(id, pfn)?.[1]`
   */
  find(domain: number, pfn: bigint): [bigint, bigint] | null {
    return this.inner.find(domain, pfn);
  }
  /**
   * As Engine.reserve (reserve_iova), on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.reserve(id, 0xfee00n, 0xfeeffn);`
   */
  reserve(domain: number, lo: bigint, hi: bigint): bigint {
    return this.inner.reserve(domain, lo, hi);
  }
  /**
   * As Engine.cpuOffline, on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.cpuOffline(1);`
   */
  cpuOffline(cpu: number): void {
    this.inner.cpuOffline(cpu);
  }
  /**
   * As Engine.cpuOnline, on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.cpuOnline(1);`
   */
  cpuOnline(cpu: number): void {
    this.inner.cpuOnline(cpu);
  }
  /**
   * As Engine.flush, on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.flush(id);`
   */
  flush(domain: number): void {
    this.inner.flush(domain);
  }
  /**
   * As Engine.injectFailure, on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.injectFailure('magazine', 1);`
   */
  injectFailure(kind: FailureKind, nth: number): void {
    this.inner.injectFailure(kind, nth);
  }
  /**
   * As Engine.createDmaDomain: a DMA domain on the wrapped engine; its id.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.createDmaDomain(4096, 1n, 'lazy', 48)`
   */
  createDmaDomain(granule: number, startPfn: bigint, type: DmaDomainType, apertureBits: number): number {
    return this.inner.createDmaDomain(granule, startPfn, type, apertureBits);
  }
  /**
   * As Engine.attachDevice: a device in a DMA domain of the wrapped engine; its id.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.attachDevice(id, { bus: 'pci', dmaMaskBits: 64, coherentMaskBits: 64, forceDac: false })`
   */
  attachDevice(domain: number, device: DeviceConfig): number {
    return this.inner.attachDevice(domain, device);
  }
  /**
   * As Engine.map (iommu_dma_map_page), on the wrapped engine; the DMA address or 0n.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.map(dev, 0, 4096n, 0n, false)`
   */
  map(device: number, cpu: number, bytes: bigint, offset: bigint, coherent: boolean): bigint {
    return this.inner.map(device, cpu, bytes, offset, coherent);
  }
  /**
   * As Engine.mapSg (iommu_dma_map_sg), on the wrapped engine; the DMA address or 0n.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.mapSg(dev, 0, [4096n, 512n])`
   */
  mapSg(device: number, cpu: number, segmentBytes: readonly bigint[]): bigint {
    return this.inner.mapSg(device, cpu, segmentBytes);
  }
  /**
   * As Engine.unmap (__iommu_dma_unmap), on the wrapped engine.
   * @throws the wrapped engine's IovaLabError subclass (see IovaLab and IovaDomain for which).
   * @example `sampled.unmap(dev, 0, addr, 4096n);`
   */
  unmap(device: number, cpu: number, dmaAddr: bigint, bytes: bigint): void {
    this.inner.unmap(device, cpu, dmaAddr, bytes);
  }
  /**
   * The wrapped engine's counters now.
   * @throws DisposedError after dispose.
   * @example `sampled.snapshot().magazineObjSize`
   */
  snapshot(): Snapshot {
    return this.inner.snapshot();
  }
  /**
   * As Engine.checkInvariants, on the wrapped engine.
   * @throws InvariantError naming the first broken invariant; DisposedError.
   * @example `sampled.checkInvariants();`
   */
  checkInvariants(): void {
    this.inner.checkInvariants();
  }
  /**
   * Disposes the wrapped engine.
   * @example `sampled.dispose();`
   */
  dispose(): void {
    this.inner.dispose();
  }

  /**
   * A batch window whose runs go through {@link SampledEngine.runBatch}, so their advances are sampled.
   * @throws RangeError for a capacity that is not an integer in [1, 2^22].
   * @example `const w = sampled.batchWindow(1024);`
   */
  batchWindow(capacityOps: number): BatchWindow {
    return new ArrayBatchWindow(capacityOps, (ops, n, results) => {
      const { completed, error } = this.runBatch(ops.subarray(0, n * OP_WORDS), results);
      return error ? { completed, error } : { completed };
    });
  }

  /**
   * Runs encoded ops on the wrapped engine, split at each advance op so that its clock advance is sampled.
   * A failing op (a TimelineError from an advance included) is reported in the result's `error`.
   * @throws RangeError when `out` is shorter than one word per op.
   * @example `const { completed } = sampled.runBatch(encodeOps([{ op: 'advance', ms: 500n }]));`
   */
  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult {
    const n = Math.floor(ops.length / OP_WORDS);
    const results = resultsFor(n, out);
    let from = 0;
    const runPiece = (to: number): BatchResult | null => {
      if (to <= from) return null;
      const r = this.inner.runBatch(ops.subarray(from * OP_WORDS, to * OP_WORDS), results.subarray(from, to));
      if (r.error) return { results, completed: from + r.completed, error: r.error };
      from = to;
      return null;
    };
    for (let i = 0; i < n; i++) {
      if (ops[i * OP_WORDS] !== BigInt(OpCode.Advance)) continue;
      const failed = runPiece(i);
      if (failed) return failed;
      try {
        this.advanceClock(ops[i * OP_WORDS + 3]);
      } catch (error) {
        return { results, completed: i, error: error as Error };
      }
      from = i + 1;
    }
    return runPiece(n) ?? { results, completed: n };
  }
}
