// Random operation streams for differential testing. An op names live allocations by index
// ("the i-th live IOVA"), resolved when it runs, so any stream stays meaningful after shrinking.
import fc from 'fast-check';
import type { Engine } from '../../src/engine.js';
import { GRANULE, LIMIT32, limitPfn } from './constants.js';

export type StreamOp =
  | { k: 'allocFast'; dom: number; cpu: number; size: number; wide: boolean; flush: boolean }
  | { k: 'alloc'; dom: number; size: number; wide: boolean; aligned: boolean }
  | { k: 'freeFast'; live: number; cpu: number }
  | { k: 'free'; live: number }
  | { k: 'badFree'; dom: number; pfn: bigint }
  | { k: 'reserve'; dom: number; lo: number; len: number }
  | { k: 'tick'; ms: number }
  | { k: 'offline'; cpu: number }
  | { k: 'online'; cpu: number }
  | { k: 'flush'; dom: number }
  | { k: 'inject'; kind: 'magazine' | 'iova'; nth: number }
  | { k: 'put'; dom: number }
  | { k: 'create'; startPfn: number }
  | { k: 'burst'; dom: number; from: number; to: number; size: number; count: number };

const CPUS = 4;
const dom = fc.integer({ min: 0, max: 3 });
const cpu = fc.integer({ min: 0, max: CPUS - 1 });
const size = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }));

export const streamOp: fc.Arbitrary<StreamOp> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ k: fc.constant('allocFast' as const), dom, cpu, size, wide: fc.boolean(), flush: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('alloc' as const), dom, size, wide: fc.boolean(), aligned: fc.boolean() }) },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('freeFast' as const), live: fc.nat(), cpu }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('free' as const), live: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('badFree' as const), dom, pfn: fc.bigInt({ min: 0n, max: 0x100010n }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reserve' as const), dom, lo: fc.integer({ min: 0, max: 0xfffff }), len: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 250 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('offline' as const), cpu }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('online' as const), cpu }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('flush' as const), dom }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('inject' as const), kind: fc.constantFrom('magazine' as const, 'iova' as const), nth: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('put' as const), dom }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('create' as const), startPfn: fc.constantFrom(1, 1, 0xfff00, 0x100) }) },
  // Enough same-size frees on one CPU to push magazines to the depot, so trims have work.
  { weight: 1, arbitrary: fc.record({ k: fc.constant('burst' as const), dom, from: cpu, to: cpu, size: fc.constantFrom(1, 2, 8), count: fc.integer({ min: 128, max: 1200 }) }) },
);

/** Starts with two domains; the stream may put them and create more (ids keep counting). */
export const stream = (maxLength: number) => fc.array(streamOp, { minLength: 1, maxLength, size: 'max' });

export interface Live { dom: number; pfn: bigint; size: bigint }

/** What an op did: a value, or the error class and status. Compared across engines. */
export type Outcome = { value: string } | { error: string; status: number };

/** Turns a stream op into engine calls; `live` is the runner's view of what is allocated. */
export function applyOp(engine: Engine, op: StreamOp, live: Live[], domains: number[]): Outcome {
  const domId = (i: number) => domains[i % Math.max(domains.length, 1)] ?? 99;
  try {
    switch (op.k) {
      case 'allocFast': {
        const d = domId(op.dom);
        const pfn = engine.allocFast(d, op.cpu, BigInt(op.size), limitPfn(op.wide), op.flush);
        const rounded = op.size < 32 ? 1 << Math.ceil(Math.log2(op.size)) : op.size;
        if (pfn !== 0n) live.push({ dom: d, pfn, size: BigInt(rounded) });
        return { value: pfn.toString() };
      }
      case 'alloc': {
        const d = domId(op.dom);
        const pfn = engine.alloc(d, BigInt(op.size), limitPfn(op.wide), op.aligned);
        if (pfn !== 0n) live.push({ dom: d, pfn, size: BigInt(op.size) });
        return { value: pfn.toString() };
      }
      case 'freeFast':
      case 'free': {
        if (live.length === 0) return { value: 'none' };
        const i = op.live % live.length;
        const it = live[i];
        if (op.k === 'freeFast') engine.freeFast(it.dom, op.cpu, it.pfn, it.size);
        else engine.free(it.dom, it.pfn);
        live.splice(i, 1);
        return { value: 'ok' };
      }
      case 'badFree':
        engine.free(domId(op.dom), op.pfn);
        return { value: 'freed' }; // may legitimately free a live range: resync below
      case 'reserve':
        return { value: engine.reserve(domId(op.dom), BigInt(op.lo), BigInt(op.lo + op.len - 1)).toString() };
      case 'tick':
        engine.advanceClock(BigInt(op.ms));
        return { value: 'ok' };
      case 'offline':
        engine.cpuOffline(op.cpu);
        return { value: 'ok' };
      case 'online':
        engine.cpuOnline(op.cpu);
        return { value: 'ok' };
      case 'flush':
        engine.flush(domId(op.dom));
        return { value: 'ok' };
      case 'inject':
        engine.injectFailure(op.kind, op.nth);
        return { value: 'ok' };
      case 'put': {
        const d = domId(op.dom);
        engine.putDomain(d);
        domains.splice(domains.indexOf(d), 1);
        for (let i = live.length - 1; i >= 0; i--) if (live[i].dom === d) live.splice(i, 1);
        return { value: 'ok' };
      }
      case 'burst': {
        // allocFast `count` times on `from`, then freeFast them all on `to`: magazines reach the depot.
        const d = domId(op.dom);
        const got: bigint[] = [];
        for (let i = 0; i < op.count; i++) {
          const pfn = engine.allocFast(d, op.from, BigInt(op.size), LIMIT32, true);
          if (pfn !== 0n) got.push(pfn);
        }
        for (const pfn of got) engine.freeFast(d, op.to, pfn, BigInt(op.size));
        return { value: `${got.length}:${got.at(-1) ?? 0n}` };
      }
      case 'create': {
        const id = engine.createDomain(GRANULE, BigInt(op.startPfn));
        domains.push(id);
        return { value: String(id) };
      }
    }
  } catch (e) {
    const err = e as Error & { status?: number };
    return { error: err.constructor.name, status: err.status ?? NaN };
  }
}
