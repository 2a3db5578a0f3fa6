// The benchmark's deterministic op streams: each workload is recorded once by driving a reference
// engine (so every PFN is known) and encoded in the 6-word batch layout every engine replays.
import { encodeOps, type BatchOp } from '../src/batch.js';
import type { DmaDomainType, Engine, LabConfig } from '../src/engine.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import { LIMIT32 as LIMIT } from '../test/support/constants.js';
import { seededRandom } from '../test/support/rng.js';

/** Live size-1 IOVAs before the slow path's random free+alloc pairs. */
export const SLOW_PREFILL = 300_000;

class Recorder {
  readonly ops: BatchOp[] = [];
  constructor(readonly e: Engine) {}
  createDomain(): number {
    const id = this.e.createDomain(4096, 1n);
    this.ops.push({ op: 'createDomain', granule: 4096, startPfn: 1n });
    return id;
  }
  putDomain(domain: number): void {
    this.e.putDomain(domain);
    this.ops.push({ op: 'putDomain', domain });
  }
  allocFast(domain: number, cpu: number, size: bigint): bigint {
    const pfn = this.e.allocFast(domain, cpu, size, LIMIT, false);
    if (pfn === 0n) throw new Error('generator: allocFast failed');
    this.ops.push({ op: 'allocFast', domain, cpu, size, limitPfn: LIMIT, flushRcache: false });
    return pfn;
  }
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void {
    this.e.freeFast(domain, cpu, pfn, size);
    this.ops.push({ op: 'freeFast', domain, cpu, pfn, size });
  }
  alloc(domain: number, size: bigint): bigint {
    const pfn = this.e.alloc(domain, size, LIMIT, true);
    if (pfn === 0n) throw new Error('generator: alloc failed');
    this.ops.push({ op: 'alloc', domain, size, limitPfn: LIMIT, sizeAligned: true });
    return pfn;
  }
  free(domain: number, pfn: bigint): void {
    this.e.free(domain, pfn);
    this.ops.push({ op: 'free', domain, pfn });
  }
  advance(ms: bigint): void {
    this.e.advanceClock(ms);
    this.ops.push({ op: 'advance', ms });
  }
  createDmaDomain(type: DmaDomainType): number {
    const id = this.e.createDmaDomain(4096, 1n, type, 48);
    this.ops.push({ op: 'createDmaDomain', granule: 4096, startPfn: 1n, type, apertureBits: 48 });
    return id;
  }
  attachDevice(domain: number, bits: number): number {
    const config = { bus: 'pci' as const, dmaMaskBits: bits, coherentMaskBits: bits, forceDac: false };
    const id = this.e.attachDevice(domain, config);
    this.ops.push({ op: 'attachDevice', domain, ...config });
    return id;
  }
  map(device: number, cpu: number, bytes: bigint): bigint {
    const addr = this.e.map(device, cpu, bytes, 0n, false);
    if (addr === 0n) throw new Error('generator: map failed');
    this.ops.push({ op: 'map', device, cpu, bytes, offset: 0n, coherent: false });
    return addr;
  }
  unmap(device: number, cpu: number, dmaAddr: bigint, bytes: bigint): void {
    this.e.unmap(device, cpu, dmaAddr, bytes);
    this.ops.push({ op: 'unmap', device, cpu, dmaAddr, bytes });
  }
}

export interface Workload {
  name: string;
  config: LabConfig;
  ops: BigUint64Array;
  n: number;
}

export const cfg = (cpus: number, slabGeometry: 'slub' | 'order0' = 'slub'): LabConfig => ({
  possibleCpus: cpus,
  onlineCpus: cpus,
  magazines: 'named',
  slabGeometry,
});

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
  [
    '1 same-CPU churn',
    cfg(8),
    (r, rand) => {
      const d = r.createDomain();
      for (let i = 0; i < 100_000; i++) {
        const s = BigInt(ri(rand, 1, 32));
        r.freeFast(d, 0, r.allocFast(d, 0, s), s);
      }
    },
  ],
  [
    '2 cross-CPU',
    cfg(8),
    (r, rand) => {
      const d = r.createDomain();
      for (let round = 0; round < 400; round++) {
        const cpu = round % 4;
        const live: [bigint, bigint][] = [];
        for (let i = 0; i < 256; i++) {
          const s = BigInt(ri(rand, 1, 32));
          live.push([r.allocFast(d, cpu, s), s]);
        }
        for (const [p, s] of live) r.freeFast(d, cpu + 4, p, s);
      }
    },
  ],
  [
    '3 depot grow+trim',
    cfg(8),
    (r, rand) => {
      const d = r.createDomain();
      for (let burst = 0; burst < 40; burst++) {
        const live: [bigint, bigint][] = [];
        for (let i = 0; i < 2000; i++) {
          const s = BigInt(ri(rand, 1, 4));
          live.push([r.allocFast(d, i % 8, s), s]);
        }
        for (const [p, s] of live) r.freeFast(d, burst % 8, p, s);
        for (let t = 0; t < 10; t++) r.advance(100n);
      }
    },
  ],
  [
    '4 slow path (alloc_iova)',
    cfg(8),
    (r, rand) => {
      const d = r.createDomain();
      const live: bigint[] = [];
      for (let i = 0; i < SLOW_PREFILL; i++) live.push(r.alloc(d, 1n));
      for (let i = 0; i < slowPairs; i++) {
        // each alloc walks down from cached32 to the freed hole
        const k = Math.floor(rand() * live.length);
        r.free(d, live[k]);
        live[k] = r.alloc(d, 1n);
      }
    },
  ],
  [
    '5 domain init/put 128x159',
    cfg(128),
    (r) => {
      const ids: number[] = [];
      for (let i = 0; i < 159; i++) ids.push(r.createDomain());
      for (const id of ids) r.putDomain(id);
    },
  ],
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

/**
 * The DMA layer's map/unmap pairs on a domain of `type`: 8 CPUs, one 64-bit PCI device (every map
 * makes the 32-bit attempt), bursts of 32 maps of 1..16 pages on one CPU, unmapped on its IRQ CPU
 * (0 or 4, as two completion vectors), 1 ms of virtual time after every burst so lazy timers fire.
 */
export function dmaWorkload(type: DmaDomainType, pairs: number): Promise<Workload> {
  return record(`DMA map/unmap ${type}`, cfg(8), (r, rand) => {
    const dev = r.attachDevice(r.createDmaDomain(type), 64);
    for (let done = 0; done < pairs; done += 32) {
      const cpu = ri(rand, 0, 7);
      const live: [bigint, bigint][] = [];
      for (let i = 0; i < 32; i++) {
        const bytes = BigInt(ri(rand, 1, 16) * 4096);
        live.push([r.map(dev, cpu, bytes), bytes]);
      }
      for (const [addr, bytes] of live) r.unmap(dev, cpu & ~3, addr, bytes);
      r.advance(1n);
    }
  });
}

/** Seed preset: 128 CPUs, 159 domains, order0 slabs; init + 20k churn ops spread over domains/CPUs. */
export function seedPreset(): Promise<Workload> {
  return record('seed', cfg(128, 'order0'), (r, rand) => {
    for (let i = 0; i < 159; i++) r.createDomain();
    // 10 s of virtual churn: 100 pairs per 100 ms step, so the depot trim work runs too
    for (let i = 0; i < 10_000; i++) {
      const d = i % 159,
        cpu = ri(rand, 0, 127),
        s = BigInt(ri(rand, 1, 32));
      r.freeFast(d, cpu, r.allocFast(d, cpu, s), s);
      if (i % 100 === 99) r.advance(100n);
    }
  });
}
