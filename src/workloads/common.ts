// What every workload shares: options and results, the seeded PRNG, domain creation, progress
// reports, the alloc-then-free step and the virtual clock that spreads durationMs over the ops.
import type { BatchWindow } from '../batch-window.js';
import { OP_WORDS, OpCode, type DmaDomainType, type Engine } from '../engine.js';
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
  return 'runBatch' in target && 'allocFast' in target ? target : target.engine;
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

const ALLOC_FAST = BigInt(OpCode.AllocFast);
const FREE_FAST = BigInt(OpCode.FreeFast);

/** Ops of a workload's batch window: the longest burst (burst.ts) fits in one run. */
export const ROUND_WINDOW_OPS = 8192;

/** Op i of a window: its OP_WORDS words, written in place. */
function putOp(
  ops: BigUint64Array,
  i: number,
  code: bigint,
  dom: bigint,
  cpu: bigint,
  a: bigint,
  b: bigint,
  c: bigint,
): void {
  const at = i * OP_WORDS;
  ops[at] = code;
  ops[at + 1] = dom;
  ops[at + 2] = cpu;
  ops[at + 3] = a;
  ops[at + 4] = b;
  ops[at + 5] = c;
}

/** Runs n ops of the window and returns its results; an engine error is thrown, as a call would. */
function runWindow(win: BatchWindow, n: number): BigUint64Array {
  const r = win.run(n);
  if (r.error) throw r.error;
  return win.results;
}

/**
 * `count` allocFast calls on allocCpu (sizes from nextSize, drawn before each call), then a
 * freeFast on freeCpu of every one that succeeded, encoded into the batch window and run in
 * place. Returns how many allocations failed.
 */
export function allocThenFree(
  win: BatchWindow,
  dom: number,
  allocCpu: number,
  freeCpu: number,
  count: number,
  nextSize: () => bigint,
  limit: bigint,
): number {
  const d = BigInt(dom),
    ac = BigInt(allocCpu),
    fc = BigInt(freeCpu);
  const live: bigint[] = []; // pfn, size pairs of the allocations that succeeded
  const sizes: bigint[] = [];
  let failed = 0;
  for (let done = 0; done < count;) {
    const m = Math.min(win.capacity, count - done);
    const ops = win.ops;
    for (let i = 0; i < m; i++) {
      sizes[i] = nextSize();
      putOp(ops, i, ALLOC_FAST, d, ac, sizes[i], limit, 1n);
    }
    const results = runWindow(win, m);
    for (let i = 0; i < m; i++) {
      const pfn = results[i];
      if (pfn === 0n) failed++;
      else live.push(pfn, sizes[i]);
    }
    done += m;
  }
  for (let at = 0; at < live.length;) {
    const m = Math.min(win.capacity, (live.length - at) / 2);
    const ops = win.ops;
    for (let i = 0; i < m; i++) putOp(ops, i, FREE_FAST, d, fc, live[at + 2 * i], live[at + 2 * i + 1], 0n);
    runWindow(win, m);
    at += 2 * m;
  }
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
export interface Round {
  ops: number;
  failed: number;
}

/**
 * The loop every op-driven workload shares: rounds until `ops` are done (each given how many
 * remain and the run's batch window), progress after each, `afterRound` to move the clock, then
 * idle until durationMs.
 */
export function runRounds(
  name: WorkloadName,
  run: WorkloadRun,
  options: WorkloadOptions,
  round: (remaining: number, win: BatchWindow) => Round,
  afterRound: (done: number) => void,
): WorkloadResult {
  const { domainIds, ops, clock } = run;
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: name, domainIds, pairs: 0, failedAllocs, elapsedMs: clock.elapsedMs };
  using win = run.engine.batchWindow(ROUND_WINDOW_OPS);
  while (done < ops) {
    const r = round(ops - done, win);
    failedAllocs += r.failed;
    done += r.ops;
    opsDone(options, done, ops);
    afterRound(done);
  }
  clock.until(run.durationMs);
  return { workload: name, domainIds, pairs: done, failedAllocs, elapsedMs: clock.elapsedMs };
}
