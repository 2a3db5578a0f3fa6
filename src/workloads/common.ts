// What every workload shares: options and results, the seeded PRNG, domain creation, progress
// reports, the alloc-then-free step and the virtual clock that spreads durationMs over the ops.
import type { DmaDomainType, Engine } from '../engine.js';
import { PAGE_SIZE } from '../kernel.js';
import type { IovaLab } from '../lab.js';

/** Workloads of plain allocFast/freeFast on rcache domains. */
export const RCACHE_WORKLOAD_NAMES = ['idle', 'churn', 'cross-cpu', 'burst'] as const;
/** Workloads that map and unmap through the DMA layer (devices on DMA domains). */
export const DMA_WORKLOAD_NAMES = ['nvme', 'nic', 'pause'] as const;
export const WORKLOAD_NAMES = [...RCACHE_WORKLOAD_NAMES, ...DMA_WORKLOAD_NAMES] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];
export type DmaWorkloadName = (typeof DMA_WORKLOAD_NAMES)[number];
export const isDmaWorkload = (name: WorkloadName): name is DmaWorkloadName =>
  (DMA_WORKLOAD_NAMES as readonly string[]).includes(name);

export interface WorkloadOptions {
  /** Domains with rcaches to create. */
  domains: number;
  /** allocFast/freeFast pairs. Default 0. */
  ops?: number;
  /** Virtual time of the run, in ms (how each workload uses it is in its file). Default 0. */
  durationMs?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Domain granule in bytes. Default 4096. */
  granule?: number;
  /** DMA limit PFN of every allocation. Default 2^20 − 1 (a 32-bit DMA mask with 4 KiB pages). */
  limitPfn?: bigint;
  /** DMA workloads: the domains' type. Default 'lazy' (DMA-FQ, the x86 default). */
  domainType?: DmaDomainType;
  /** DMA workloads: CPUs that take completion interrupts (nvme, nic). Default min(online CPUs, 16). */
  irqCpus?: number;
  /** DMA workloads: every device's DMA mask. Default 64 (a 64-bit PCI device: the SAC trick applies). */
  dmaMaskBits?: number;
  /**
   * Called as work completes: once per domain created (unit 'domains'), then after every burst
   * of ops (unit 'ops'), ending with done === total. It must not touch the engine.
   */
  onProgress?: (progress: WorkloadProgress) => void;
}

export interface WorkloadProgress {
  unit: 'domains' | 'ops';
  done: number;
  total: number;
}

export interface WorkloadResult {
  workload: WorkloadName;
  domainIds: number[];
  /** DMA workloads: one device per domain. */
  deviceIds?: number[];
  /** alloc/free or map/unmap pairs. */
  pairs: number;
  /** Failed allocFast calls, or failed maps. */
  failedAllocs: number;
  elapsedMs: number;
}

/** mulberry32: small, fast, deterministic from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random element of a non-empty list. */
export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

export function engineOf(target: Engine | IovaLab): Engine {
  return 'runBatch' in target && 'allocFast' in target ? target : (target).engine;
}

export function createDomains(engine: Engine, options: WorkloadOptions): number[] {
  const ids: number[] = [];
  const n = options.domains;
  const granule = options.granule ?? PAGE_SIZE;
  for (let i = 0; i < n; i++) {
    ids.push(engine.createDomain(granule, 1n));
    options.onProgress?.({ unit: 'domains', done: i + 1, total: n });
  }
  return ids;
}

export function opsDone(options: WorkloadOptions, done: number, total: number): void {
  options.onProgress?.({ unit: 'ops', done, total });
}

export const DEFAULT_LIMIT = (1n << 20n) - 1n;

/**
 * `count` allocFast calls on allocCpu (sizes from nextSize, drawn before each call), then a
 * freeFast on freeCpu of every one that succeeded. Returns how many allocations failed.
 */
export function allocThenFree(
  engine: Engine, dom: number, allocCpu: number, freeCpu: number, count: number, nextSize: () => bigint, limit: bigint,
): number {
  const live: Array<[bigint, bigint]> = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const size = nextSize();
    const pfn = engine.allocFast(dom, allocCpu, size, limit, true);
    if (pfn === 0n) failed++;
    else live.push([pfn, size]);
  }
  for (const [pfn, size] of live) engine.freeFast(dom, freeCpu, pfn, size);
  return failed;
}

/** The run's virtual time: where the clock is, moved only forward. */
export class RunClock {
  elapsedMs = 0;

  constructor(private readonly engine: Pick<Engine, 'advanceClock'>) {}

  /** Spread durationMs evenly over ops: move to where `done` of `ops` should be. */
  spread(done: number, ops: number, durationMs: number): void {
    this.until(ops === 0 ? 0 : Math.floor((done * durationMs) / ops));
  }

  /** Idle for ms. */
  idle(ms: number): void {
    this.until(this.elapsedMs + ms);
  }

  /** Idle until the clock reads ms (no-op if it already does). */
  until(ms: number): void {
    if (ms <= this.elapsedMs) return;
    this.engine.advanceClock(BigInt(ms - this.elapsedMs));
    this.elapsedMs = ms;
  }
}

/** What a workload starts from: its engine, fresh domains, the option values and a clock. */
export interface WorkloadRun {
  engine: Engine;
  domainIds: number[];
  ops: number;
  durationMs: number;
  limit: bigint;
  rand: () => number;
  clock: RunClock;
}

export function startRun(target: Engine | IovaLab, options: WorkloadOptions): WorkloadRun {
  const engine = engineOf(target);
  return {
    engine,
    domainIds: createDomains(engine, options),
    ops: options.ops ?? 0,
    durationMs: options.durationMs ?? 0,
    limit: options.limitPfn ?? DEFAULT_LIMIT,
    rand: seededRandom(options.seed ?? 1),
    clock: new RunClock(engine),
  };
}

/** One round of a workload: how many ops it ran and how many of its allocations failed. */
export interface Round { ops: number; failed: number }

/**
 * The loop every op-driven workload shares: rounds until `ops` are done (each given how many
 * remain), progress after each, `afterRound` to move the clock, then idle until durationMs.
 */
export function runRounds(
  name: WorkloadName, run: WorkloadRun, options: WorkloadOptions,
  round: (remaining: number) => Round, afterRound: (done: number) => void,
): WorkloadResult {
  const { domainIds, ops, clock } = run;
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: name, domainIds, pairs: 0, failedAllocs, elapsedMs: clock.elapsedMs };
  while (done < ops) {
    const r = round(ops - done);
    failedAllocs += r.failed;
    done += r.ops;
    opsDone(options, done, ops);
    afterRound(done);
  }
  clock.until(run.durationMs);
  return { workload: name, domainIds, pairs: done, failedAllocs, elapsedMs: clock.elapsedMs };
}
