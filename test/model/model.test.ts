import { describe, it, expect } from 'vitest';
import { OpCode, type Engine, type LabConfig } from '../../src/engine.js';
import { encodeOps } from '../../src/batch.js';
import {
  CpuOfflineError, CpuRangeError, CpuStateError, DisposedError, DoubleFreeError, GranuleError, LabConfigError,
  LimitError, NotAllocatedError, ReserveRangeError, SizeClassError, SizeError, StartPfnError, UnknownDomainError,
  AllocationFailedError, BadOpError,
} from '../../src/errors.js';
import { createModelEngine } from '../../src/model/lab.js';
import { SlabCache } from '../../src/model/slab.js';
import { IovaTree } from '../../src/model/tree.js';
import { cacheByName, type CacheName, type Snapshot } from '../../src/snapshot.js';

const LIMIT = 0xfffffn;
const lab = (over: Partial<LabConfig> = {}): Engine =>
  createModelEngine({ possibleCpus: 2, onlineCpus: 2, magazines: 'named', slabGeometry: 'slub', ...over });
const active = (s: Snapshot, name: CacheName): number | undefined => cacheByName(s, name)?.activeObjs;
const newTree = (startPfn = 1n): IovaTree => new IovaTree(12, startPfn, new SlabCache('iommu_iova', 'slub', 1), () => false);

describe('slab accounting', () => {
  it('1 domain on 128 possible CPUs: 1536 magazines (named), 1537 kmalloc-1k (unnamed), 0 after put', () => {
    const named = lab({ possibleCpus: 128, onlineCpus: 128 });
    const d = named.createDomain(4096, 1n);
    let s = named.snapshot();
    expect(active(s, 'iommu_iova_magazine')).toBe(1536);
    expect(active(s, 'kmalloc-1k')).toBe(1);
    const mag = cacheByName(s, 'iommu_iova_magazine')!;
    expect([mag.objPerSlab, mag.pagesPerSlab, mag.numSlabs, mag.numObjs]).toEqual([32, 8, 48, 1536]);
    expect(s.magazines).toMatchObject({ loaded: 768, prev: 768, depot: 0, total: 1536 });
    named.putDomain(d);
    s = named.snapshot();
    expect(active(s, 'iommu_iova_magazine')).toBe(0);
    expect(cacheByName(s, 'iommu_iova_magazine')!.numSlabs).toBe(0);
    expect(active(s, 'kmalloc-1k')).toBe(0);

    const unnamed = lab({ possibleCpus: 128, onlineCpus: 128, magazines: 'unnamed', slabGeometry: 'order0' });
    const u = unnamed.createDomain(4096, 1n);
    s = unnamed.snapshot();
    expect(cacheByName(s, 'iommu_iova_magazine')).toBeUndefined();
    expect(s.caches.length).toBe(14);
    const k1 = cacheByName(s, 'kmalloc-1k')!;
    expect([k1.activeObjs, k1.objPerSlab, k1.pagesPerSlab, k1.numSlabs]).toEqual([1537, 4, 1, 385]);
    expect(cacheByName(s, 'kmalloc-8k')!.pagesPerSlab).toBe(2);
    unnamed.putDomain(u);
    expect(active(unnamed.snapshot(), 'kmalloc-1k')).toBe(0);
  });

  it('a failed alloc costs one iommu_iova alloc and free', () => {
    const e = lab();
    const d = e.createDomain(4096, 0xffff0n);
    expect(e.alloc(d, 0x20n, LIMIT, true)).toBe(0n);
    const s = e.snapshot();
    expect(cacheByName(s, 'iommu_iova')).toMatchObject({ allocs: 1, frees: 1, activeObjs: 0, numSlabs: 0 });
    expect(s.domains[0].slowAllocFailures).toBe(1);
  });
});

describe('tree', () => {
  it('places top-down below the limit', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    expect(e.alloc(d, 1n, LIMIT, true)).toBe(0xfffffn);
    expect(e.alloc(d, 1n, LIMIT, true)).toBe(0xffffen);
    expect(e.find(d, 0xffffen)).toEqual([0xffffen, 0xffffen]);
    expect(e.find(d, 0xffffdn)).toBeNull();
  });

  it('aligns sizes 1,3,4,5,32,33', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const got = [1n, 3n, 4n, 5n, 32n, 33n].map((n) => e.alloc(d, n, LIMIT, true));
    expect(got).toEqual([0xfffffn, 0xffffcn, 0xffff8n, 0xffff0n, 0xfffc0n, 0xfff80n]);
    const d2 = e.createDomain(4096, 1n);
    expect(e.alloc(d2, 3n, LIMIT, false)).toBe(0xffffdn);
    e.checkInvariants();
  });

  it('max32 fast-fail and reset on free', () => {
    const t = newTree();
    expect(t.allocIova(0x80000n, LIMIT, true)).toBe(0x80000n);
    expect(t.allocIova(0x80000n, LIMIT, true)).toBe(0n);
    expect(t.max32AllocSize).toBe(0x80000n);
    expect(t.allocIova(0x7ffffn, LIMIT, false)).toBe(1n);
    expect(t.allocIova(0x90000n, LIMIT, false)).toBe(0n); // fast fail
    expect(t.slowAllocFailures).toBe(2);
    expect(t.freeIova(0x80000n)).toBe(true);
    expect(t.max32AllocSize).toBe(0x100000n);
    expect(t.allocIova(0x80000n, LIMIT, true)).toBe(0x80000n);
  });

  it('retries once from the limit when the cursor sits low', () => {
    const t = newTree();
    const a = t.allocIova(0x10n, LIMIT, true); // 0xffff0
    t.allocIova(0x10n, LIMIT, true); // 0xfffe0, cached32
    t.freeIova(a); // cached32 -> successor of 0xffff0 = anchor? (pfnLo >= cached32.pfnLo) -> moves up
    expect(t.allocIova(0x10n, LIMIT, true)).toBe(0xffff0n);
  });

  it('reserve extends, splits and nests', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    expect(e.reserve(d, 10n, 20n)).toBe(10n);
    expect(e.reserve(d, 5n, 12n)).toBe(5n);
    expect(e.find(d, 5n)).toEqual([5n, 20n]);
    expect(e.reserve(d, 15n, 30n)).toBe(21n);
    expect(e.find(d, 25n)).toEqual([21n, 30n]);
    expect(e.reserve(d, 22n, 24n)).toBe(21n);
    expect(e.snapshot().domains[0].liveIovas).toBe(2);
    e.checkInvariants();
  });
});

describe('rcache', () => {
  it('same-cpu free then alloc returns the same pfn', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const p = e.allocFast(d, 0, 1n, LIMIT, true);
    e.freeFast(d, 0, p, 1n);
    expect(e.allocFast(d, 0, 1n, LIMIT, true)).toBe(p);
    const s = e.snapshot();
    expect(s.classes[0]).toMatchObject({ hits: 1, misses: 1 });
    expect(s.domains[0]).toMatchObject({ hits: 1, misses: 1, liveIovas: 1, cachedPfns: 0 });
  });

  it('127/254/255 frees: the 255th pushes to the depot; another cpu pops it', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const pfns = Array.from({ length: 255 }, () => e.allocFast(d, 0, 1n, LIMIT, true));
    const magsBefore = active(e.snapshot(), 'iommu_iova_magazine')!;
    pfns.slice(0, 127).forEach((p) => e.freeFast(d, 0, p, 1n));
    expect(e.snapshot().magazines).toMatchObject({ loadedPfns: 127, prevPfns: 0, depot: 0 });
    pfns.slice(127, 254).forEach((p) => e.freeFast(d, 0, p, 1n));
    expect(e.snapshot().magazines).toMatchObject({ loadedPfns: 127, prevPfns: 127, depot: 0 });
    e.freeFast(d, 0, pfns[254], 1n);
    let s = e.snapshot();
    expect(s.magazines).toMatchObject({ loadedPfns: 1, prevPfns: 127, depot: 1, depotPfns: 127 });
    expect(s.classes[0]).toMatchObject({ depotPushes: 1, depotMags: 1, depotHighWater: 1 });
    expect(active(s, 'iommu_iova_magazine')).toBe(magsBefore + 1);
    expect(() => e.freeFast(d, 0, pfns[3], 1n)).toThrow(DoubleFreeError);
    e.checkInvariants();
    // cpu 1 has nothing of its own: it takes the depot head (frees 128..254) and its last pfn.
    expect(e.allocFast(d, 1, 1n, LIMIT, true)).toBe(pfns[253]);
    s = e.snapshot();
    expect(s.classes[0]).toMatchObject({ depotPops: 1, depotMags: 0 });
    expect(active(s, 'iommu_iova_magazine')).toBe(magsBefore); // empty loaded freed
    e.checkInvariants();
  });

  it('depot trims one magazine per 100 ms while it holds more than the online cpus', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const n = 255 + 3 * 127;
    const pfns = Array.from({ length: n }, () => e.allocFast(d, 0, 1n, LIMIT, true));
    pfns.forEach((p) => e.freeFast(d, 0, p, 1n));
    expect(e.snapshot().domains[0].depotMags).toBe(4);
    e.advanceClock(99n);
    expect(e.snapshot().domains[0].depotMags).toBe(4);
    e.advanceClock(1n);
    expect(e.snapshot().domains[0]).toMatchObject({ depotMags: 3, depotTrims: 1, liveIovas: n - 127 });
    e.advanceClock(250n);
    let s = e.snapshot();
    expect(s.nowMs).toBe(350);
    expect(s.domains[0]).toMatchObject({ depotMags: 2, depotTrims: 2, liveIovas: n - 254 });
    e.advanceClock(1000n);
    s = e.snapshot();
    expect(s.domains[0]).toMatchObject({ depotMags: 2, depotTrims: 2 });
    expect(s.classes[0].depotHighWater).toBe(4);
    e.checkInvariants();
  });

  it('flushes and retries when the tree is full of cached pfns', () => {
    const e = lab();
    const d = e.createDomain(4096, 0xfff00n);
    const pfns = Array.from({ length: 256 }, () => e.allocFast(d, 0, 1n, LIMIT, true));
    expect(pfns[255]).toBe(0xfff00n);
    expect(e.allocFast(d, 0, 1n, LIMIT, false)).toBe(0n);
    pfns.forEach((p) => e.freeFast(d, 0, p, 1n));
    expect(e.allocFast(d, 1, 2n, LIMIT, false)).toBe(0n);
    expect(e.snapshot().domains[0]).toMatchObject({ flushRetries: 0, slowAllocFailures: 2, liveIovas: 256 });
    expect(e.allocFast(d, 1, 2n, LIMIT, true)).toBe(0xffffen);
    expect(e.snapshot().domains[0]).toMatchObject({ flushRetries: 1, slowAllocFailures: 3, liveIovas: 1, cachedPfns: 0 });
    e.checkInvariants();
  });

  it('cpu hotplug dead returns that cpu’s pfns; magazines stay', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const pfns = Array.from({ length: 5 }, () => e.allocFast(d, 1, 4n, LIMIT, true));
    pfns.forEach((p) => e.freeFast(d, 1, p, 3n));
    expect(e.snapshot().domains[0]).toMatchObject({ liveIovas: 5, cachedPfns: 5 });
    e.cpuOffline(1);
    const s = e.snapshot();
    expect(s.domains[0]).toMatchObject({ liveIovas: 0, cachedPfns: 0, magazines: 24 });
    expect(s.onlineCpus).toBe(1);
    expect(() => e.allocFast(d, 1, 1n, LIMIT, true)).toThrow(CpuOfflineError);
    expect(() => e.cpuOffline(0)).toThrow(CpuStateError);
    e.cpuOnline(1);
    expect(() => e.cpuOnline(1)).toThrow(CpuStateError);
  });

  it('injected magazine failures: free falls back to the tree; init fails cleanly', () => {
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const pfns = Array.from({ length: 255 }, () => e.allocFast(d, 0, 1n, LIMIT, true));
    e.injectFailure('magazine', 1);
    pfns.forEach((p) => e.freeFast(d, 0, p, 1n));
    let s = e.snapshot();
    expect(s.domains[0]).toMatchObject({ liveIovas: 254, depotMags: 0 });
    e.injectFailure('magazine', 5);
    expect(() => e.createDomain(4096, 1n)).toThrow(AllocationFailedError);
    s = e.snapshot();
    expect(active(s, 'iommu_iova_magazine')).toBe(24);
    expect(active(s, 'kmalloc-1k')).toBe(1);
    expect(e.createDomain(4096, 1n)).toBe(1);
    e.injectFailure('iova', 1);
    expect(e.alloc(d, 1n, LIMIT, false)).toBe(0n);
    e.checkInvariants();
  });
});

describe('errors and batches', () => {
  it('validation errors leave the snapshot unchanged', () => {
    expect(() => lab({ possibleCpus: 0 })).toThrow(LabConfigError);
    expect(() => lab({ onlineCpus: 3 })).toThrow(LabConfigError);
    const e = lab();
    const d = e.createDomain(4096, 1n);
    const p = e.allocFast(d, 0, 4n, LIMIT, true);
    const q = e.alloc(d, 40n, LIMIT, true);
    e.freeFast(d, 0, p, 4n);
    const before = e.snapshot();
    const bad: [() => unknown, new (...a: never[]) => Error][] = [
      [() => e.createDomain(3, 1n), GranuleError],
      [() => e.createDomain(4096, 0n), StartPfnError],
      [() => e.createDomain(4096, (1n << 52n) - 1n), StartPfnError],
      [() => e.alloc(9, 1n, LIMIT, true), UnknownDomainError],
      [() => e.allocFast(d, 2, 1n, LIMIT, true), CpuRangeError],
      [() => e.alloc(d, 0n, LIMIT, true), SizeError],
      [() => e.alloc(d, 1n, 0n, true), LimitError],
      [() => e.alloc(d, 1n, 1n << 52n, true), LimitError],
      [() => e.reserve(d, 5n, 4n), ReserveRangeError],
      [() => e.reserve(d, 1n, 1n << 52n), ReserveRangeError],
      [() => e.free(d, 5n), NotAllocatedError],
      [() => e.free(d, p), DoubleFreeError],
      [() => e.freeFast(d, 0, p, 4n), DoubleFreeError],
      [() => e.freeFast(d, 0, q + 1n, 40n), NotAllocatedError],
      [() => e.freeFast(d, 0, q, 4n), SizeClassError],
      [() => e.cpuOnline(0), CpuStateError],
    ];
    for (const [f, cls] of bad) {
      expect(f).toThrow(cls);
      expect(e.snapshot()).toEqual(before);
    }
    const r = e.runBatch(encodeOps([{ op: 'find', domain: d, pfn: q }, { op: 'free', domain: d, pfn: 7n }]));
    expect(r.completed).toBe(1);
    expect(r.results[0]).toBe(q);
    expect(r.error).toBeInstanceOf(NotAllocatedError);
    const bogus = new BigUint64Array(6);
    bogus[0] = 99n;
    expect(e.runBatch(bogus).error).toBeInstanceOf(BadOpError);
    expect(e.snapshot()).toEqual(before);
    e.dispose();
    expect(() => e.snapshot()).toThrow(DisposedError);
    expect(() => e.runBatch(bogus)).toThrow(DisposedError);
  });

  it('batches create, allocate and put domains', () => {
    const e = lab();
    const r = e.runBatch(encodeOps([
      { op: 'createDomain', granule: 4096, startPfn: 1n },
      { op: 'allocFast', domain: 0, cpu: 0, size: 1n, limitPfn: LIMIT, flushRcache: true },
      { op: 'alloc', domain: 0, size: 1n, limitPfn: LIMIT, sizeAligned: true },
      { op: 'advance', ms: 5n },
      { op: 'putDomain', domain: 0 },
    ]));
    expect(r.completed).toBe(5);
    expect([...r.results]).toEqual([0n, 0xfffffn, 0xffffen, 0n, 0n]);
    const s = e.snapshot();
    expect(s.domains.length).toBe(0);
    expect(s.nowMs).toBe(5);
    expect(active(s, 'iommu_iova')).toBe(0);
    expect(OpCode.InjectFailure).toBe(13);
  });
});

describe('random op stream', () => {
  it('keeps invariants', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return Math.floor(((seed >>> 8) / 0x1000000) * n);
    };
    for (const magazines of ['named', 'unnamed'] as const) {
      const e = lab({ possibleCpus: 4, onlineCpus: 3, magazines });
      const doms = [e.createDomain(4096, 1n), e.createDomain(4096, 0xff000n)];
      const live: [number, bigint, bigint][] = [];
      for (let step = 0; step < 4000; step++) {
        const d = doms[rnd(doms.length)];
        const cpu = rnd(3);
        const op = rnd(10);
        try {
          if (op < 4) {
            const size = BigInt(1 + rnd(rnd(4) === 0 ? 80 : 8));
            const pfn = e.allocFast(d, cpu, size, rnd(2) ? LIMIT : 0xffffffffn, rnd(2) === 0);
            if (pfn) live.push([d, pfn, size]);
          } else if (op < 8 && live.length) {
            const [dd, pfn, size] = live.splice(rnd(live.length), 1)[0];
            if (rnd(5) === 0) e.free(dd, pfn);
            else e.freeFast(dd, cpu, pfn, size);
          } else if (op === 8) {
            e.advanceClock(BigInt(rnd(150)));
          } else {
            const x = rnd(4);
            if (x === 0) e.flush(d);
            else if (x === 1) { e.cpuOffline(2); e.cpuOnline(2); }
            else if (x === 2) e.alloc(d, BigInt(1 + rnd(40)), LIMIT, rnd(2) === 0);
            else e.injectFailure(rnd(2) ? 'magazine' : 'iova', 1 + rnd(3));
          }
        } catch (err) {
          // cpu 2 may be offline at the time; nothing else may fail
          expect(err).toBeInstanceOf(CpuOfflineError);
        }
        if (step % 25 === 0) e.checkInvariants();
      }
      e.checkInvariants();
      for (const d of doms) e.putDomain(d);
      const s = e.snapshot();
      expect(s.caches.every((c) => c.activeObjs === 0 && c.numSlabs === 0)).toBe(true);
      e.checkInvariants();
    }
  });
});
