// Hand-checked kernel scenarios at the Engine interface, one table run on both engines: slab
// accounting, the tree, the rcache, validation and batches. The library-level scenarios are in
// core.test.ts; TS-model internals in model/model.test.ts.
import { describe, expect, it } from 'vitest';
import { encodeOps } from '../src/batch.js';
import { OpCode, type Engine, type LabConfig } from '../src/engine.js';
import {
  AllocationFailedError,
  BadOpError,
  CpuOfflineError,
  CpuRangeError,
  CpuStateError,
  DisposedError,
  DoubleFreeError,
  GranuleError,
  LabConfigError,
  LimitError,
  NotAllocatedError,
  ReserveRangeError,
  SizeClassError,
  SizeError,
  StartPfnError,
  UnknownDomainError,
} from '../src/errors.js';
import { createEngine } from '../src/lab.js';
import { cacheByName } from '../src/snapshot.js';
import { active, ENGINES, LIMIT32 as LIMIT } from './support/labs.js';

describe.each(ENGINES)('%s engine', (engine) => {
  const lab = (over: Partial<LabConfig> = {}): Promise<Engine> =>
    createEngine(engine, { possibleCpus: 2, onlineCpus: 2, magazines: 'named', slabGeometry: 'slub', ...over });

  describe('slab accounting', () => {
    it('a failed alloc costs one iommu_iova alloc and free', async () => {
      const e = await lab();
      const d = e.createDomain(4096, 0xffff0n);
      expect(e.alloc(d, 0x20n, LIMIT, true)).toBe(0n);
      const s = e.snapshot();
      expect(cacheByName(s, 'iommu_iova')).toMatchObject({ allocs: 1, frees: 1, activeObjs: 0, numSlabs: 0 });
      expect(s.domains[0].slowAllocFailures).toBe(1);
    });
  });

  describe('tree', () => {
    it('aligns sizes 1,3,4,5,32,33', async () => {
      const e = await lab();
      const d = e.createDomain(4096, 1n);
      const got = [1n, 3n, 4n, 5n, 32n, 33n].map((n) => e.alloc(d, n, LIMIT, true));
      expect(got).toEqual([0xfffffn, 0xffffcn, 0xffff8n, 0xffff0n, 0xfffc0n, 0xfff80n]);
      const d2 = e.createDomain(4096, 1n);
      expect(e.alloc(d2, 3n, LIMIT, false)).toBe(0xffffdn);
      e.checkInvariants();
    });

    it('reserve extends, splits and nests', async () => {
      const e = await lab();
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
    it('127/254/255 frees: the 255th pushes to the depot; another cpu pops it', async () => {
      const e = await lab();
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

    it('depot trims one magazine per 100 ms while it holds more than the online cpus', async () => {
      const e = await lab();
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
      expect(s.nowMs).toBe(350n);
      expect(s.domains[0]).toMatchObject({ depotMags: 2, depotTrims: 2, liveIovas: n - 254 });
      e.advanceClock(1000n);
      s = e.snapshot();
      expect(s.domains[0]).toMatchObject({ depotMags: 2, depotTrims: 2 });
      expect(s.classes[0].depotHighWater).toBe(4);
      e.checkInvariants();
    });

    it('flushes and retries when the tree is full of cached pfns', async () => {
      const e = await lab();
      const d = e.createDomain(4096, 0xfff00n);
      const pfns = Array.from({ length: 256 }, () => e.allocFast(d, 0, 1n, LIMIT, true));
      expect(pfns[255]).toBe(0xfff00n);
      expect(e.allocFast(d, 0, 1n, LIMIT, false)).toBe(0n);
      pfns.forEach((p) => e.freeFast(d, 0, p, 1n));
      expect(e.allocFast(d, 1, 2n, LIMIT, false)).toBe(0n);
      expect(e.snapshot().domains[0]).toMatchObject({ flushRetries: 0, slowAllocFailures: 2, liveIovas: 256 });
      expect(e.allocFast(d, 1, 2n, LIMIT, true)).toBe(0xffffen);
      expect(e.snapshot().domains[0]).toMatchObject({
        flushRetries: 1,
        slowAllocFailures: 3,
        liveIovas: 1,
        cachedPfns: 0,
      });
      e.checkInvariants();
    });

    it('cpu hotplug dead returns that cpu’s pfns; magazines stay', async () => {
      const e = await lab();
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

    it('free_cpu_cached_iovas empties one CPU of one domain; its magazines stay', async () => {
      const e = await lab();
      const d = e.createDomain(4096, 1n);
      const d2 = e.createDomain(4096, 1n);
      const freeAll = (dom: number, cpu: number, n: number, size: bigint): bigint[] => {
        const pfns = Array.from({ length: n }, () => e.allocFast(dom, cpu, size, LIMIT, true));
        pfns.forEach((p) => e.freeFast(dom, cpu, p, size));
        return pfns;
      };
      // cpu 1, class 0: 127 frees fill loaded, the 128th swaps it into prev: loaded 3, prev 127.
      freeAll(d, 1, 130, 1n);
      freeAll(d, 1, 2, 4n); // cpu 1, class 2: loaded 2
      const cpu0 = freeAll(d, 0, 5, 1n); // cpu 0, class 0: loaded 5
      freeAll(d2, 1, 3, 1n); // the other domain's cpu 1: loaded 3
      let s = e.snapshot();
      expect(s.domains.map((x) => x.cachedPfns)).toEqual([137, 3]);
      expect(s.magazines).toMatchObject({ loadedPfns: 13, prevPfns: 127 });
      const magazines = active(s, 'iommu_iova_magazine');
      expect(magazines).toBe(48); // 2 domains x 6 classes x 2 cpus x (loaded, prev)
      e.freeCpuCachedIovas(d, 1);
      // 3 + 127 + 2 go back to d's tree; cpu 0's 5 and d2's 3 stay cached.
      s = e.snapshot();
      expect(s.domains[0]).toMatchObject({ liveIovas: 5, cachedPfns: 5 });
      expect(s.domains[1]).toMatchObject({ liveIovas: 3, cachedPfns: 3 });
      expect(s.magazines).toMatchObject({ loadedPfns: 8, prevPfns: 0 });
      expect(active(s, 'iommu_iova_magazine')).toBe(magazines);
      expect(active(s, 'iommu_iova')).toBe(8);
      expect(s.onlineCpus).toBe(2);
      // cpu 1 now misses in d; cpu 0 still hits its last free.
      const { hits, misses } = s.domains[0];
      expect(e.allocFast(d, 1, 1n, LIMIT, true)).not.toBe(0n);
      expect(e.allocFast(d, 0, 1n, LIMIT, true)).toBe(cpu0[4]);
      expect(e.snapshot().domains[0]).toMatchObject({ hits: hits + 1, misses: misses + 1 });
      // Any possible CPU, online or not: an offline CPU has nothing left to give back.
      e.cpuOffline(1);
      const before = e.snapshot();
      expect(before.domains[1].cachedPfns).toBe(0);
      e.freeCpuCachedIovas(d2, 1);
      expect(e.snapshot()).toEqual(before);
      expect(() => e.freeCpuCachedIovas(9, 0)).toThrow(UnknownDomainError);
      expect(() => e.freeCpuCachedIovas(d, 2)).toThrow(CpuRangeError);
      expect(() => e.freeCpuCachedIovas(d, 2)).toThrow(/cpu 2/);
      expect(() => e.freeCpuCachedIovas(9, 2)).toThrow(UnknownDomainError);
      expect(e.snapshot()).toEqual(before);
      e.checkInvariants();
    });

    it('injected magazine failures: free falls back to the tree; init fails cleanly', async () => {
      const e = await lab();
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
    it('validation errors leave the snapshot unchanged', async () => {
      await expect(lab({ possibleCpus: 0 })).rejects.toThrow(LabConfigError);
      await expect(lab({ onlineCpus: 3 })).rejects.toThrow(LabConfigError);
      const e = await lab();
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
      const r = e.runBatch(
        encodeOps([
          { op: 'find', domain: d, pfn: q },
          { op: 'free', domain: d, pfn: 7n },
        ]),
      );
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

    it('batches create, allocate and put domains', async () => {
      const e = await lab();
      const r = e.runBatch(
        encodeOps([
          { op: 'createDomain', granule: 4096, startPfn: 1n },
          { op: 'allocFast', domain: 0, cpu: 0, size: 1n, limitPfn: LIMIT, flushRcache: true },
          { op: 'alloc', domain: 0, size: 1n, limitPfn: LIMIT, sizeAligned: true },
          { op: 'advance', ms: 5n },
          { op: 'putDomain', domain: 0 },
        ]),
      );
      expect(r.completed).toBe(5);
      expect([...r.results]).toEqual([0n, 0xfffffn, 0xffffen, 0n, 0n]);
      const s = e.snapshot();
      expect(s.domains.length).toBe(0);
      expect(s.nowMs).toBe(5n);
      expect(active(s, 'iommu_iova')).toBe(0);
      expect(OpCode.InjectFailure).toBe(13);
    });
  });
});
