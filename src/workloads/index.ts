// Deterministic workloads that drive an Engine (or an IovaLab, through lab.engine).
// idle: only create the domains (eager magazines). churn: same-CPU allocFast/freeFast pairs
// of sizes 1..32 in bursts, spreading durationMs of virtual time evenly over the ops.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';

export const WORKLOAD_NAMES = ['idle', 'churn'] as const;
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

function createDomains(engine: Engine, n: number, granule: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(engine.createDomain(granule, 1n));
  return ids;
}

export function runIdle(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const engine = engineOf(target);
  const domainIds = createDomains(engine, options.domains, options.granule ?? 4096);
  return { workload: 'idle', domainIds, pairs: 0, failedAllocs: 0, elapsedMs: 0 };
}

export function runChurn(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const engine = engineOf(target);
  const domainIds = createDomains(engine, options.domains, options.granule ?? 4096);
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

export function runWorkload(name: WorkloadName, target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  return name === 'idle' ? runIdle(target, options) : runChurn(target, options);
}
