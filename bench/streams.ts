// The benchmark's deterministic op streams: each workload is recorded once by driving a reference
// engine (so every PFN is known) and encoded in the 6-word batch layout every engine replays.
import { encodeOps, type BatchOp } from '../src/batch.js';
import type { Engine, LabConfig } from '../src/engine.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import { LIMIT32 as LIMIT } from '../test/support/constants.js';
import { seededRandom } from '../test/support/rng.js';

/** Live size-1 IOVAs before the slow path's random free+alloc pairs. */
export const SLOW_PREFILL = 300_000;

class Recorder {
  readonly ops: BatchOp[] = [];
  constructor(readonly e: Engine) {}
  createDomain(): number { const id = this.e.createDomain(4096, 1n); this.ops.push({ op: 'createDomain', granule: 4096, startPfn: 1n }); return id; }
  putDomain(domain: number): void { this.e.putDomain(domain); this.ops.push({ op: 'putDomain', domain }); }
  allocFast(domain: number, cpu: number, size: bigint): bigint {
    const pfn = this.e.allocFast(domain, cpu, size, LIMIT, false);
    if (pfn === 0n) throw new Error('generator: allocFast failed');
    this.ops.push({ op: 'allocFast', domain, cpu, size, limitPfn: LIMIT, flushRcache: false });
    return pfn;
  }
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void { this.e.freeFast(domain, cpu, pfn, size); this.ops.push({ op: 'freeFast', domain, cpu, pfn, size }); }
  alloc(domain: number, size: bigint): bigint {
    const pfn = this.e.alloc(domain, size, LIMIT, true);
    if (pfn === 0n) throw new Error('generator: alloc failed');
    this.ops.push({ op: 'alloc', domain, size, limitPfn: LIMIT, sizeAligned: true });
    return pfn;
  }
  free(domain: number, pfn: bigint): void { this.e.free(domain, pfn); this.ops.push({ op: 'free', domain, pfn }); }
  advance(ms: bigint): void { this.e.advanceClock(ms); this.ops.push({ op: 'advance', ms }); }
}

export interface Workload { name: string; config: LabConfig; ops: BigUint64Array; n: number }

export const cfg = (cpus: number, slabGeometry: 'slub' | 'order0' = 'slub'): LabConfig =>
  ({ possibleCpus: cpus, onlineCpus: cpus, magazines: 'named', slabGeometry });

type Generator = (r: Recorder, rand: () => number) => void;

export async function record(name: string, config: LabConfig, gen: Generator): Promise<Workload> {
  const e = await createWasmEngine(config);
  const r = new Recorder(e);
  gen(r, seededRandom(42));
  e.dispose();
  return { name, config, ops: encodeOps(r.ops), n: r.ops.length };
}

const ri = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

const generators = (slowPairs: number): [string, LabConfig, Generator][] => [
  ['1 same-CPU churn', cfg(8), (r, rand) => {
    const d = r.createDomain();
    for (let i = 0; i < 100_000; i++) { const s = BigInt(ri(rand, 1, 32)); r.freeFast(d, 0, r.allocFast(d, 0, s), s); }
  }],
  ['2 cross-CPU', cfg(8), (r, rand) => {
    const d = r.createDomain();
    for (let round = 0; round < 400; round++) {
      const cpu = round % 4;
      const live: [bigint, bigint][] = [];
      for (let i = 0; i < 256; i++) { const s = BigInt(ri(rand, 1, 32)); live.push([r.allocFast(d, cpu, s), s]); }
      for (const [p, s] of live) r.freeFast(d, cpu + 4, p, s);
    }
  }],
  ['3 depot grow+trim', cfg(8), (r, rand) => {
    const d = r.createDomain();
    for (let burst = 0; burst < 40; burst++) {
      const live: [bigint, bigint][] = [];
      for (let i = 0; i < 2000; i++) { const s = BigInt(ri(rand, 1, 4)); live.push([r.allocFast(d, i % 8, s), s]); }
      for (const [p, s] of live) r.freeFast(d, burst % 8, p, s);
      for (let t = 0; t < 10; t++) r.advance(100n);
    }
  }],
  ['4 slow path (alloc_iova)', cfg(8), (r, rand) => {
    const d = r.createDomain();
    const live: bigint[] = [];
    for (let i = 0; i < SLOW_PREFILL; i++) live.push(r.alloc(d, 1n));
    for (let i = 0; i < slowPairs; i++) { // each alloc walks down from cached32 to the freed hole
      const k = Math.floor(rand() * live.length);
      r.free(d, live[k]);
      live[k] = r.alloc(d, 1n);
    }
  }],
  ['5 domain init/put 128x159', cfg(128), (r) => {
    const ids: number[] = [];
    for (let i = 0; i < 159; i++) ids.push(r.createDomain());
    for (const id of ids) r.putDomain(id);
  }],
];

/** The five workloads, the slow path with `slowPairs` free+alloc pairs. */
export async function workloads(slowPairs: number): Promise<Workload[]> {
  const out: Workload[] = [];
  for (const [name, config, gen] of generators(slowPairs)) {
    console.error(`recording workload ${name}`);
    out.push(await record(name, config, gen));
  }
  return out;
}

/** Seed preset: 128 CPUs, 159 domains, order0 slabs; init + 20k churn ops spread over domains/CPUs. */
export function seedPreset(): Promise<Workload> {
  return record('seed', cfg(128, 'order0'), (r, rand) => {
    for (let i = 0; i < 159; i++) r.createDomain();
    // 10 s of virtual churn: 100 pairs per 100 ms step, so the depot trim work runs too
    for (let i = 0; i < 10_000; i++) {
      const d = i % 159, cpu = ri(rand, 0, 127), s = BigInt(ri(rand, 1, 32));
      r.freeFast(d, cpu, r.allocFast(d, cpu, s), s);
      if (i % 100 === 99) r.advance(100n);
    }
  });
}
