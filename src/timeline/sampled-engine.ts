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

export class SampledEngine implements Engine {
  private readonly recorder: TimelineRecorder;
  private now = 0n;
  private started = false;
  private samples = 0n;

  private readonly step: bigint;

  constructor(
    private readonly inner: Engine,
    readonly intervalMs: number,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
      throw new TimelineError(`the sampling interval must be a whole number of ms ≥ 1, got ${String(intervalMs)}`);
    }
    this.recorder = new TimelineRecorder(intervalMs);
    this.step = BigInt(intervalMs);
  }

  get name() {
    return this.inner.name;
  }
  get config() {
    return this.inner.config;
  }

  private sample(): void {
    this.samples++;
    this.recorder.observe(Number(this.now), () => this.inner.snapshot());
  }

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

  /** The series; a run that never advanced its clock still gets its one sample at t = 0. */
  finish(label: string): TimelineSeries {
    if (!this.started) this.sample();
    return this.recorder.finish(label);
  }

  createDomain(granule: number, startPfn: bigint): number {
    return this.inner.createDomain(granule, startPfn);
  }
  putDomain(domain: number): void {
    this.inner.putDomain(domain);
  }
  allocFast(domain: number, cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    return this.inner.allocFast(domain, cpu, size, limitPfn, flushRcache);
  }
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void {
    this.inner.freeFast(domain, cpu, pfn, size);
  }
  alloc(domain: number, size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint {
    return this.inner.alloc(domain, size, limitPfn, sizeAligned);
  }
  free(domain: number, pfn: bigint): void {
    this.inner.free(domain, pfn);
  }
  find(domain: number, pfn: bigint): [bigint, bigint] | null {
    return this.inner.find(domain, pfn);
  }
  reserve(domain: number, lo: bigint, hi: bigint): bigint {
    return this.inner.reserve(domain, lo, hi);
  }
  cpuOffline(cpu: number): void {
    this.inner.cpuOffline(cpu);
  }
  cpuOnline(cpu: number): void {
    this.inner.cpuOnline(cpu);
  }
  flush(domain: number): void {
    this.inner.flush(domain);
  }
  injectFailure(kind: FailureKind, nth: number): void {
    this.inner.injectFailure(kind, nth);
  }
  createDmaDomain(granule: number, startPfn: bigint, type: DmaDomainType, apertureBits: number): number {
    return this.inner.createDmaDomain(granule, startPfn, type, apertureBits);
  }
  attachDevice(domain: number, device: DeviceConfig): number {
    return this.inner.attachDevice(domain, device);
  }
  map(device: number, cpu: number, bytes: bigint, offset: bigint, coherent: boolean): bigint {
    return this.inner.map(device, cpu, bytes, offset, coherent);
  }
  mapSg(device: number, cpu: number, segmentBytes: readonly bigint[]): bigint {
    return this.inner.mapSg(device, cpu, segmentBytes);
  }
  unmap(device: number, cpu: number, dmaAddr: bigint, bytes: bigint): void {
    this.inner.unmap(device, cpu, dmaAddr, bytes);
  }
  snapshot(): Snapshot {
    return this.inner.snapshot();
  }
  checkInvariants(): void {
    this.inner.checkInvariants();
  }
  dispose(): void {
    this.inner.dispose();
  }

  /** Runs the batch in pieces so that its clock advances are sampled too. */
  batchWindow(capacityOps: number): BatchWindow {
    return new ArrayBatchWindow(capacityOps, (ops, n, results) => {
      const { completed, error } = this.runBatch(ops.subarray(0, n * OP_WORDS), results);
      return error ? { completed, error } : { completed };
    });
  }

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
