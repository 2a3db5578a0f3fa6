// Deterministic workloads that drive an Engine (or an IovaLab, through lab.engine).
// idle: only create the domains (eager magazines). churn: same-CPU allocFast/freeFast pairs
// of sizes 1..32 in bursts, spreading durationMs of virtual time evenly over the ops.
// cross-cpu: allocate on some CPUs, free on others (magazines flow through the depot).
// burst: big free bursts then >= 100 ms idle gaps (depot trimming).
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';

export const WORKLOAD_NAMES = ['idle', 'churn', 'cross-cpu', 'burst'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface WorkloadOptions {
  /** Domains with rcaches to create. */
  domains: number;
  /** allocFast/freeFast pairs (churn). Default 0. */
  ops?: number;
  /** Virtual time spread over the ops (churn), in ms. Default 0. */
  durationMs?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Domain granule in bytes. Default 4096. */
  granule?: number;
  /** DMA limit PFN of every allocation. Default 2^20 − 1 (a 32-bit DMA mask with 4 KiB pages). */
  limitPfn?: bigint;
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
  pairs: number;
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

function engineOf(target: Engine | IovaLab): Engine {
  return 'runBatch' in target && 'allocFast' in target ? target : (target as IovaLab).engine;
}

function createDomains(engine: Engine, options: WorkloadOptions): number[] {
  const ids: number[] = [];
  const n = options.domains;
  const granule = options.granule ?? 4096;
  for (let i = 0; i < n; i++) {
    ids.push(engine.createDomain(granule, 1n));
    options.onProgress?.({ unit: 'domains', done: i + 1, total: n });
  }
  return ids;
}

function opsDone(options: WorkloadOptions, done: number, total: number): void {
  options.onProgress?.({ unit: 'ops', done, total });
}

export function runIdle(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const engine = engineOf(target);
  const domainIds = createDomains(engine, options);
  return { workload: 'idle', domainIds, pairs: 0, failedAllocs: 0, elapsedMs: 0 };
}

export function runChurn(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const engine = engineOf(target);
  const domainIds = createDomains(engine, options);
  const ops = options.ops ?? 0;
  const durationMs = options.durationMs ?? 0;
  const limit = options.limitPfn ?? (1n << 20n) - 1n;
  const rand = seededRandom(options.seed ?? 1);
  const cpus = engine.config.onlineCpus; // CPUs 0..online-1 are the online ones
  let elapsed = 0;
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: 'churn', domainIds, pairs: 0, failedAllocs, elapsedMs: 0 };
  while (done < ops) {
    // One burst: a domain and a CPU, up to 256 live allocations, then freed on the same CPU.
    const dom = domainIds[Math.floor(rand() * domainIds.length)]!;
    const cpu = Math.floor(rand() * cpus);
    const burst = Math.min(ops - done, 1 + Math.floor(rand() * 256));
    const live: Array<[bigint, bigint]> = [];
    for (let i = 0; i < burst; i++) {
      const size = BigInt(1 + Math.floor(rand() * 32));
      const pfn = engine.allocFast(dom, cpu, size, limit, true);
      if (pfn === 0n) failedAllocs++;
      else live.push([pfn, size]);
    }
    for (const [pfn, size] of live) engine.freeFast(dom, cpu, pfn, size);
    done += burst;
    opsDone(options, done, ops);
    const target = ops === 0 ? 0 : Math.floor((done * durationMs) / ops);
    if (target > elapsed) {
      engine.advanceClock(BigInt(target - elapsed));
      elapsed = target;
    }
  }
  if (durationMs > elapsed) {
    engine.advanceClock(BigInt(durationMs - elapsed));
    elapsed = durationMs;
  }
  return { workload: 'churn', domainIds, pairs: done, failedAllocs, elapsedMs: elapsed };
}

/** Spread durationMs evenly over ops: advance the clock to where `done` ops should be. */
function clockTo(engine: Engine, done: number, ops: number, durationMs: number, elapsed: number): number {
  const target = ops === 0 ? 0 : Math.floor((done * durationMs) / ops);
  if (target > elapsed) engine.advanceClock(BigInt(target - elapsed));
  return Math.max(target, elapsed);
}

/**
 * cross-cpu: the online CPUs split into M freeing CPUs (the upper half) and N allocating CPUs
 * (the lower half; with one CPU it does both). Each round allocates a batch on an allocator and
 * frees it on a freer, so full magazines go to the depot on the freers and come back out of it
 * (depot pops) on the allocators. Sizes 1..4 keep the traffic in few rcache classes.
 */
export function runCrossCpu(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const engine = engineOf(target);
  const domainIds = createDomains(engine, options);
  const ops = options.ops ?? 0;
  const durationMs = options.durationMs ?? 0;
  const limit = options.limitPfn ?? (1n << 20n) - 1n;
  const rand = seededRandom(options.seed ?? 1);
  const online = engine.config.onlineCpus;
  const nAlloc = Math.max(1, Math.ceil(online / 2));
  const allocators = Array.from({ length: nAlloc }, (_, i) => i);
  const freers = online > 1 ? Array.from({ length: online - nAlloc }, (_, i) => nAlloc + i) : [0];
  let elapsed = 0;
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: 'cross-cpu', domainIds, pairs: 0, failedAllocs, elapsedMs: 0 };
  while (done < ops) {
    const dom = domainIds[Math.floor(rand() * domainIds.length)]!;
    const a = allocators[Math.floor(rand() * allocators.length)]!;
    const f = freers[Math.floor(rand() * freers.length)]!;
    const batch = Math.min(ops - done, 128 + Math.floor(rand() * 384));
    const live: Array<[bigint, bigint]> = [];
    for (let i = 0; i < batch; i++) {
      const size = BigInt(1 + Math.floor(rand() * 4));
      const pfn = engine.allocFast(dom, a, size, limit, true);
      if (pfn === 0n) failedAllocs++;
      else live.push([pfn, size]);
    }
    for (const [pfn, size] of live) engine.freeFast(dom, f, pfn, size);
    done += batch;
    opsDone(options, done, ops);
    elapsed = clockTo(engine, done, ops, durationMs, elapsed);
  }
  if (durationMs > elapsed) {
    engine.advanceClock(BigInt(durationMs - elapsed));
    elapsed = durationMs;
  }
  return { workload: 'cross-cpu', domainIds, pairs: done, failedAllocs, elapsedMs: elapsed };
}

/**
 * burst: bursts of 1000..7999 same-size allocations on one CPU, then their frees on that CPU
 * (enough to push dozens of full magazines into the depot), each followed by an idle gap of
 * 100..400 ms of virtual time so the depot's delayed trim work runs. If durationMs is longer than
 * the bursts took, the lab then idles until durationMs: the depot drains (or, without trim work,
 * does not).
 */
export function runBurst(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const engine = engineOf(target);
  const domainIds = createDomains(engine, options);
  const ops = options.ops ?? 0;
  const limit = options.limitPfn ?? (1n << 20n) - 1n;
  const rand = seededRandom(options.seed ?? 1);
  const online = engine.config.onlineCpus;
  let elapsed = 0;
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: 'burst', domainIds, pairs: 0, failedAllocs, elapsedMs: 0 };
  while (done < ops) {
    const dom = domainIds[Math.floor(rand() * domainIds.length)]!;
    const cpu = Math.floor(rand() * online);
    const size = BigInt(1 << Math.floor(rand() * 3)); // 1, 2 or 4: one rcache class per burst
    const burst = Math.min(ops - done, 1000 + Math.floor(rand() * 7000));
    const live: bigint[] = [];
    for (let i = 0; i < burst; i++) {
      const pfn = engine.allocFast(dom, cpu, size, limit, true);
      if (pfn === 0n) failedAllocs++;
      else live.push(pfn);
    }
    for (const pfn of live) engine.freeFast(dom, cpu, pfn, size);
    done += burst;
    opsDone(options, done, ops);
    const gap = 100 + Math.floor(rand() * 301);
    engine.advanceClock(BigInt(gap));
    elapsed += gap;
  }
  const durationMs = options.durationMs ?? 0;
  if (durationMs > elapsed) {
    engine.advanceClock(BigInt(durationMs - elapsed));
    elapsed = durationMs;
  }
  return { workload: 'burst', domainIds, pairs: done, failedAllocs, elapsedMs: elapsed };
}

export function runWorkload(name: WorkloadName, target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  switch (name) {
    case 'idle': return runIdle(target, options);
    case 'churn': return runChurn(target, options);
    case 'cross-cpu': return runCrossCpu(target, options);
    case 'burst': return runBurst(target, options);
  }
}
