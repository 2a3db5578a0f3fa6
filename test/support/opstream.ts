// Random operation streams for differential testing. An op names live allocations by index
// ("the i-th live IOVA"), resolved when it runs, so any stream stays meaningful after shrinking.
import fc from 'fast-check';
import { DMA_DOMAIN_TYPES, type DmaDomainType, type Engine } from '../../src/engine.js';
import { GRANULE, LIMIT32, limitPfn } from './constants.js';

export type StreamOp =
  | { k: 'allocFast'; dom: number; cpu: number; size: number; wide: boolean; flush: boolean }
  | { k: 'alloc'; dom: number; size: number; wide: boolean; aligned: boolean }
  | { k: 'freeFast'; live: number; cpu: number }
  | { k: 'free'; live: number }
  | { k: 'badFree'; dom: number; pfn: bigint }
  | { k: 'reserve'; dom: number; lo: number; len: number }
  | { k: 'tick'; ms: number | bigint }
  | { k: 'offline'; cpu: number }
  | { k: 'online'; cpu: number }
  | { k: 'flush'; dom: number }
  | { k: 'freeCpuCached'; dom: number; cpu: number }
  | { k: 'inject'; kind: 'magazine' | 'iova'; nth: number }
  | { k: 'put'; dom: number }
  | { k: 'create'; startPfn: number }
  | { k: 'burst'; dom: number; from: number; to: number; size: number; count: number }
  | DmaStreamOp;

/** The DMA layer's ops: devices and mappings are named by index, resolved when the op runs. */
export type DmaStreamOp =
  | { k: 'createDma'; type: DmaDomainType; startPfn: number; aperture: number }
  | { k: 'attach'; dom: number; bus: 'pci' | 'platform'; mask: number; coherentMask: number; forceDac: boolean }
  | { k: 'map'; dev: number; cpu: number; bytes: number; offset: number; coherent: boolean }
  | { k: 'mapSg'; dev: number; cpu: number; segs: number[] }
  | { k: 'unmap'; mapped: number; cpu: number }
  | { k: 'badUnmap'; dev: number; cpu: number; addr: bigint; bytes: number }
  | { k: 'dmaBurst'; dev: number; from: number; to: number; count: number };

const CPUS = 4;
const U64_MAX = (1n << 64n) - 1n;
const dom = fc.integer({ min: 0, max: 3 });
const cpu = fc.integer({ min: 0, max: CPUS - 1 });
// Mostly short ticks; rarely a huge one: past 2^53 (exactness), to just below or exactly at
// 2^64 - 1 (later ticks then overflow, which both engines must refuse alike, and trims due past
// the end wait at 2^64 - 1).
const tickMs: fc.Arbitrary<number | bigint> = fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min: 0, max: 250 }) },
  { weight: 1, arbitrary: fc.constantFrom(2n ** 53n + 1n, 2n ** 63n, U64_MAX - 150n, U64_MAX) },
  { weight: 1, arbitrary: fc.bigInt({ min: 2n ** 32n, max: U64_MAX }) },
);
const size = fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }));

export const streamOp: fc.Arbitrary<StreamOp> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      k: fc.constant('allocFast' as const),
      dom,
      cpu,
      size,
      wide: fc.boolean(),
      flush: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('alloc' as const), dom, size, wide: fc.boolean(), aligned: fc.boolean() }),
  },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('freeFast' as const), live: fc.nat(), cpu }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('free' as const), live: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('badFree' as const), dom, pfn: fc.bigInt({ min: 0n, max: 0x100010n }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('reserve' as const),
      dom,
      lo: fc.integer({ min: 0, max: 0xfffff }),
      len: fc.integer({ min: 1, max: 300 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: tickMs }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('offline' as const), cpu }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('online' as const), cpu }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('flush' as const), dom }) },
  // any possible CPU, online or not; CPUS itself is past the last one
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('freeCpuCached' as const), dom, cpu: fc.integer({ min: 0, max: CPUS }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('inject' as const),
      kind: fc.constantFrom('magazine' as const, 'iova' as const),
      nth: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('put' as const), dom }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('create' as const), startPfn: fc.constantFrom(1, 1, 0xfff00, 0x100) }),
  },
  // Enough same-size frees on one CPU to push magazines to the depot, so trims have work.
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('burst' as const),
      dom,
      from: cpu,
      to: cpu,
      size: fc.constantFrom(1, 2, 8),
      count: fc.integer({ min: 128, max: 1200 }),
    }),
  },
);

const dev = fc.nat();
const domainType = fc.constantFrom(...DMA_DOMAIN_TYPES);
const maskBits = fc.constantFrom(20, 32, 32, 40, 48, 64, 64, 65);
const pageMultiple = fc.integer({ min: 1, max: 32 }).map((p) => p * 4096);
const mapBytes = fc.oneof(fc.integer({ min: 1, max: 3 * 4096 }), pageMultiple, fc.constantFrom(0, 2 ** 49));

export const dmaStreamOp: fc.Arbitrary<DmaStreamOp> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('createDma' as const),
      type: domainType,
      startPfn: fc.constantFrom(1, 1, 0xffffe, 0x100),
      aperture: fc.constantFrom(48, 48, 40, 32, 63, 31),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('attach' as const),
      dom,
      bus: fc.constantFrom('pci' as const, 'platform' as const),
      mask: maskBits,
      coherentMask: maskBits,
      forceDac: fc.boolean(),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      k: fc.constant('map' as const),
      dev,
      cpu,
      bytes: mapBytes,
      offset: fc.constantFrom(0, 0, 0, 0x10, 4095, 4096),
      coherent: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('mapSg' as const),
      dev,
      cpu,
      segs: fc.array(fc.oneof(fc.integer({ min: 1, max: 4096 }), pageMultiple), { minLength: 0, maxLength: 4 }),
    }),
  },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('unmap' as const), mapped: fc.nat(), cpu }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('badUnmap' as const),
      dev,
      cpu,
      addr: fc.bigInt({ min: 0n, max: 0x100010000n }),
      bytes: fc.integer({ min: 1, max: 8192 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('dmaBurst' as const),
      dev,
      from: cpu,
      to: cpu,
      count: fc.integer({ min: 128, max: 600 }),
    }),
  },
);

/** Starts with two domains; the stream may put them and create more (ids keep counting). */
export const stream = (maxLength: number) => fc.array(streamOp, { minLength: 1, maxLength, size: 'max' });

/**
 * A stream that sets up a DMA domain (of one of `leadTypes`) with a device first, then mixes DMA ops,
 * among them domains of every type, with every other op.
 */
export const dmaStream = (maxLength: number, leadTypes: readonly DmaDomainType[] = DMA_DOMAIN_TYPES) =>
  fc
    .tuple(
      // start PFNs close below 4 GiB leave a small 32-bit window, so 64-bit PCI devices fall out of it
      fc.record({
        k: fc.constant('createDma' as const),
        type: fc.constantFrom(...leadTypes),
        startPfn: fc.constantFrom(1, 0xfff00, 0xffffe),
        aperture: fc.constant(48),
      }),
      fc.record({
        k: fc.constant('attach' as const),
        dom: fc.constant(2),
        bus: fc.constantFrom('pci' as const, 'platform' as const),
        mask: fc.constantFrom(32, 64),
        coherentMask: fc.constant(32),
        forceDac: fc.boolean(),
      }),
      fc.array(
        fc.oneof(
          { weight: 10, arbitrary: streamOp },
          { weight: 20, arbitrary: dmaStreamOp },
          // ticks of a few ms land between jiffy-rounded timer due times
          { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 12 }) }) },
        ),
        { minLength: 1, maxLength, size: 'max' },
      ),
    )
    .map(([create, attach, rest]): StreamOp[] => [create, attach, ...rest]);

export interface Live {
  dom: number;
  pfn: bigint;
  size: bigint;
}
/** A mapping the stream made: unmap gives back the device, address and the byte length mapped. */
export interface Mapped {
  dev: number;
  dom: number;
  addr: bigint;
  bytes: bigint;
}

/** What a runner tracks beside its engine: live allocations, domains, devices, mappings. */
export interface StreamState {
  live: Live[];
  domains: number[];
  devices: { id: number; dom: number }[];
  mapped: Mapped[];
}

export const newState = (domains: number[]): StreamState => ({ live: [], domains, devices: [], mapped: [] });

const alignedSum = (segs: readonly number[]): bigint =>
  segs.reduce((a, b) => a + BigInt(Math.ceil(b / 4096) * 4096), 0n);

/** What an op did: a value, or the error class and status. Compared across engines. */
export type Outcome = { value: string } | { error: string; status: number };

/** Turns a stream op into engine calls; `state` is the runner's view of what is allocated. */
export function applyOp(engine: Engine, op: StreamOp, state: StreamState): Outcome {
  const { live, domains } = state;
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
      case 'freeCpuCached':
        engine.freeCpuCachedIovas(domId(op.dom), op.cpu);
        return { value: 'ok' };
      case 'inject':
        engine.injectFailure(op.kind, op.nth);
        return { value: 'ok' };
      case 'put': {
        const d = domId(op.dom);
        engine.putDomain(d);
        domains.splice(domains.indexOf(d), 1);
        for (let i = live.length - 1; i >= 0; i--) if (live[i].dom === d) live.splice(i, 1);
        state.mapped = state.mapped.filter((m) => m.dom !== d);
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
      default:
        return applyDmaOp(engine, op, state);
    }
  } catch (e) {
    const err = e as Error & { status?: number };
    return { error: err.constructor.name, status: err.status ?? NaN };
  }
}

/** A device of the state by index (an id that was never attached when there is none). */
const deviceOf = (state: StreamState, i: number): { id: number; dom: number } =>
  state.devices[i % Math.max(state.devices.length, 1)] ?? { id: 9999, dom: -1 };

function applyDmaOp(engine: Engine, op: DmaStreamOp, state: StreamState): Outcome {
  const domId = (i: number) => state.domains[i % Math.max(state.domains.length, 1)] ?? 99;
  const record = (d: { id: number; dom: number }, addr: bigint, bytes: bigint): Outcome => {
    if (addr !== 0n) state.mapped.push({ dev: d.id, dom: d.dom, addr, bytes });
    return { value: addr.toString() };
  };
  switch (op.k) {
    case 'createDma': {
      const id = engine.createDmaDomain(4096, BigInt(op.startPfn), op.type, op.aperture);
      state.domains.push(id);
      return { value: String(id) };
    }
    case 'attach': {
      const dom = domId(op.dom);
      const { bus, mask: dmaMaskBits, coherentMask: coherentMaskBits, forceDac } = op;
      const id = engine.attachDevice(dom, { bus, dmaMaskBits, coherentMaskBits, forceDac });
      state.devices.push({ id, dom });
      return { value: String(id) };
    }
    case 'map': {
      const d = deviceOf(state, op.dev);
      const bytes = BigInt(op.bytes);
      return record(d, engine.map(d.id, op.cpu, bytes, BigInt(op.offset), op.coherent), bytes);
    }
    case 'mapSg': {
      const d = deviceOf(state, op.dev);
      return record(d, engine.mapSg(d.id, op.cpu, op.segs.map(BigInt)), alignedSum(op.segs));
    }
    case 'unmap': {
      if (state.mapped.length === 0) return { value: 'none' };
      const i = op.mapped % state.mapped.length;
      const m = state.mapped[i];
      engine.unmap(m.dev, op.cpu, m.addr, m.bytes);
      state.mapped.splice(i, 1);
      return { value: 'ok' };
    }
    case 'badUnmap':
      engine.unmap(deviceOf(state, op.dev).id, op.cpu, op.addr, BigInt(op.bytes));
      return { value: 'unmapped' }; // may hit a live mapping: resync below
    case 'dmaBurst': {
      // `count` single-page maps on `from`, then their unmaps on `to`: rings fill and flush.
      const d = deviceOf(state, op.dev);
      const got: bigint[] = [];
      for (let i = 0; i < op.count; i++) {
        const addr = engine.map(d.id, op.from, 4096n, 0n, false);
        if (addr !== 0n) got.push(addr);
      }
      for (const addr of got) engine.unmap(d.id, op.to, addr, 4096n);
      return { value: `${got.length}:${got.at(-1) ?? 0n}` };
    }
  }
}
