// Hand-checked kernel scenarios, run on both engines through the public API (the Engine-level
// table is kernel-scenarios.test.ts).
import { describe, expect, it } from 'vitest';
import { encodeOps, type BatchOp } from '../src/batch.js';
import { ENGINES, LIMIT32, active, newLab } from './support/labs.js';
import { randomInt } from './support/rng.js';

describe.each(ENGINES)('%s engine', (engine) => {
  describe("Robin's arithmetic", () => {
    it('1 domain on 128 possible CPUs holds 1536 magazines in the named cache, 0 after put', async () => {
      using lab = await newLab(engine, { possibleCpus: 128 });
      const dom = lab.createDomain();
      const s = lab.snapshot();
      expect(active(s, 'iommu_iova_magazine')).toBe(1536);
      expect(active(s, 'kmalloc-1k')).toBe(1); // the rcache array
      expect(s.magazines).toMatchObject({ loaded: 768, prev: 768, depot: 0, total: 1536 });
      const named = s.caches.find((c) => c.name === 'iommu_iova_magazine')!;
      expect([named.objPerSlab, named.pagesPerSlab, named.numSlabs]).toEqual([32, 8, 48]);
      dom.dispose();
      const after = lab.snapshot();
      expect(active(after, 'iommu_iova_magazine')).toBe(0);
      expect(active(after, 'kmalloc-1k')).toBe(0);
      expect(after.domains).toEqual([]);
    });

    it('unnamed mode hides the same 1536 magazines in kmalloc-1k', async () => {
      using lab = await newLab(engine, { possibleCpus: 128, magazines: 'unnamed', slabGeometry: 'order0' });
      const dom = lab.createDomain();
      const s = lab.snapshot();
      expect(s.caches.map((c) => c.name)).not.toContain('iommu_iova_magazine');
      expect(s.caches.length).toBe(14);
      expect(s.caches.find((c) => c.name === 'kmalloc-8k')!.pagesPerSlab).toBe(2);
      const k1 = s.caches.find((c) => c.name === 'kmalloc-1k')!;
      expect(k1.activeObjs).toBe(1537);
      expect([k1.objPerSlab, k1.pagesPerSlab, k1.numSlabs]).toEqual([4, 1, 385]);
      dom.dispose();
      expect(active(lab.snapshot(), 'kmalloc-1k')).toBe(0);
    });
  });

  describe('alloc_iova (slow path)', () => {
    it('places top-down below the limit, following cached32_node', async () => {
      using lab = await newLab(engine, { possibleCpus: 2 });
      const dom = lab.createDomain();
      expect(dom.alloc(1, LIMIT32)).toBe(0xfffffn);
      expect(dom.alloc(1, LIMIT32)).toBe(0xffffen);
      expect(dom.alloc(4, LIMIT32, { sizeAligned: true })).toBe(0xffff8n);
      expect(dom.find(0xffff9n)).toEqual({ pfnLo: 0xffff8n, pfnHi: 0xffffbn });
      expect(active(lab.snapshot(), 'iommu_iova')).toBe(3);
    });

    it.each([
      [1, 0xfffffn],
      [3, 0xffffcn],
      [4, 0xffffcn],
      [5, 0xffff8n],
      [32, 0xfffe0n],
      [33, 0xfffc0n],
    ])('size %i size-aligned lands at %s', async (size, pfn) => {
      using lab = await newLab(engine, { possibleCpus: 1 });
      expect(lab.createDomain().alloc(size, LIMIT32, { sizeAligned: true })).toBe(pfn);
    });

    it('keeps separate cursors for 32-bit and 64-bit limits', async () => {
      using lab = await newLab(engine, { possibleCpus: 1 });
      const dom = lab.createDomain();
      expect(dom.alloc(1, 0xffffffffffn)).toBe(0xffffffffffn);
      expect(dom.alloc(1, LIMIT32)).toBe(0xfffffn);
      expect(dom.alloc(1, 0xffffffffffn)).toBe(0xfffffffffen);
      expect(dom.alloc(1, LIMIT32)).toBe(0xffffen);
    });

    it('fast-fails at max32_alloc_size until a 32-bit free resets it', async () => {
      using lab = await newLab(engine, { possibleCpus: 1 });
      const dom = lab.createDomain();
      expect(dom.alloc(0x10, 0xfn)).toBe(0n); // no room below PFN 0x10: max32_alloc_size = 0x10
      expect(dom.alloc(0x10, LIMIT32)).toBe(0n); // plenty of room, but fast-failed
      const small = dom.alloc(0xf, LIMIT32);
      expect(small).toBe(0xffff1n);
      dom.free(small); // a free below 4 GiB resets max32_alloc_size
      expect(dom.alloc(0x10, LIMIT32)).toBe(0xffff0n);
      expect(lab.snapshot().domains[0].slowAllocFailures).toBe(2);
    });

    it('retries once from find_limit when the cursor sits too low', async () => {
      using lab = await newLab(engine, { possibleCpus: 1 });
      const dom = lab.createDomain();
      expect(dom.alloc(1, 0xffn)).toBe(0xffn); // cached32_node now at 0xff
      expect(dom.alloc(0x100, LIMIT32)).toBe(0xfff00n);
    });

    it('reserve merges overlapping ranges', async () => {
      using lab = await newLab(engine, { possibleCpus: 1 });
      const dom = lab.createDomain();
      expect(dom.reserve(0x100, 0x1ff)).toBe(0x100n);
      expect(dom.reserve(0x180, 0x27f)).toBe(0x200n);
      expect(dom.reserve(0x80, 0x150)).toBe(0x80n);
      expect(dom.find(0x90)).toEqual({ pfnLo: 0x80n, pfnHi: 0x1ffn });
      expect(dom.find(0x27f)).toEqual({ pfnLo: 0x200n, pfnHi: 0x27fn });
      expect(lab.snapshot().domains[0].liveIovas).toBe(2);
    });
  });

  describe('rcache', () => {
    it('a free then an alloc on the same CPU returns the same PFN', async () => {
      using lab = await newLab(engine, { possibleCpus: 2 });
      const dom = lab.createDomain();
      const pfn = dom.allocFast(0, 1, LIMIT32);
      dom.freeFast(0, pfn, 1);
      expect(dom.allocFast(0, 1, LIMIT32)).toBe(pfn);
      const s = lab.snapshot();
      expect(s.classes[0]).toMatchObject({ hits: 1, misses: 1 });
      expect(s.domains[0]).toMatchObject({ hits: 1, misses: 1, liveIovas: 1, cachedPfns: 0 });
    });

    it('127 frees fill loaded, 254 fill prev, the 255th pushes a magazine to the depot', async () => {
      using lab = await newLab(engine, { possibleCpus: 2 });
      const dom = lab.createDomain();
      const pfns = Array.from({ length: 255 }, () => dom.allocFast(0, 1, LIMIT32));
      pfns.slice(0, 127).forEach((p) => dom.freeFast(0, p, 1));
      expect(lab.snapshot().magazines).toMatchObject({ loadedPfns: 127, prevPfns: 0, depot: 0 });
      pfns.slice(127, 254).forEach((p) => dom.freeFast(0, p, 1));
      expect(lab.snapshot().magazines).toMatchObject({ loadedPfns: 127, prevPfns: 127, depot: 0 });
      dom.freeFast(0, pfns[254], 1);
      const s = lab.snapshot();
      expect(s.magazines).toMatchObject({ loadedPfns: 1, prevPfns: 127, depot: 1, depotPfns: 127, total: 25 });
      expect(s.classes[0].depotPushes).toBe(1);
      expect(active(s, 'iommu_iova_magazine')).toBe(25);
      lab.checkInvariants();
    });

    it('frees on CPU 0 reach allocations on CPU 1 through the depot', async () => {
      using lab = await newLab(engine, { possibleCpus: 2 });
      const dom = lab.createDomain();
      const pfns = Array.from({ length: 508 }, () => dom.allocFast(1, 1, LIMIT32));
      pfns.forEach((p) => dom.freeFast(0, p, 1));
      expect(lab.snapshot().magazines.depot).toBe(2);
      const got = dom.allocFast(1, 1, LIMIT32);
      expect(pfns.slice(254, 381)).toContain(got); // the newest depot magazine
      const s = lab.snapshot();
      expect(s.classes[0]).toMatchObject({ depotPops: 1, hits: 1, depotMags: 1 });
      expect(s.magazines.total).toBe(24 + 2 - 1); // the empty loaded magazine was freed
      lab.checkInvariants();
    });

    it('trims one depot magazine per 100 ms while the depot exceeds the online CPUs', async () => {
      using lab = await newLab(engine, { possibleCpus: 2 });
      const dom = lab.createDomain();
      const pfns = Array.from({ length: 889 }, () => dom.allocFast(1, 1, LIMIT32));
      pfns.forEach((p) => dom.freeFast(0, p, 1));
      const depotAt = (ms: number) => {
        lab.advanceClock(BigInt(ms) - lab.snapshot().nowMs);
        const s = lab.snapshot();
        return [s.magazines.depot, s.domains[0].liveIovas];
      };
      expect(depotAt(99)).toEqual([5, 889]);
      expect(depotAt(100)).toEqual([4, 889 - 127]);
      expect(depotAt(250)).toEqual([3, 889 - 254]);
      expect(depotAt(300)).toEqual([2, 889 - 381]);
      expect(depotAt(10_000)).toEqual([2, 889 - 381]);
      expect(lab.snapshot().classes[0].depotTrims).toBe(3);
      lab.checkInvariants();
    });

    it('a failed allocation flushes every CPU and the depot, then succeeds', async () => {
      using lab = await newLab(engine, { possibleCpus: 2 });
      const dom = lab.createDomain({ startPfn: 0xfffc0n }); // 64 PFNs below 4 GiB
      const pfns = Array.from({ length: 64 }, () => dom.allocFast(0, 1, LIMIT32));
      expect(pfns).not.toContain(0n);
      pfns.slice(0, 10).forEach((p) => dom.freeFast(1, p, 1));
      expect(dom.allocFast(0, 1, LIMIT32, { flushRcache: false })).toBe(0n);
      expect(dom.allocFast(0, 1, LIMIT32)).not.toBe(0n);
      const s = lab.snapshot();
      expect(s.domains[0]).toMatchObject({ flushRetries: 1, cachedPfns: 0, liveIovas: 55 });
      lab.checkInvariants();
    });

    it('CPU hotplug dead returns that CPU’s cached PFNs to the tree', async () => {
      using lab = await newLab(engine, { possibleCpus: 4 });
      const dom = lab.createDomain();
      const pfns = Array.from({ length: 10 }, () => dom.allocFast(2, 1, LIMIT32));
      pfns.forEach((p) => dom.freeFast(2, p, 1));
      expect(lab.snapshot().domains[0]).toMatchObject({ cachedPfns: 10, liveIovas: 10 });
      lab.cpuOffline(2);
      const s = lab.snapshot();
      expect(s.domains[0]).toMatchObject({ cachedPfns: 0, liveIovas: 0 });
      expect(s.onlineCpus).toBe(3);
      expect(s.magazines.total).toBe(48); // magazines of a possible CPU stay
    });
  });

  it('the batch API gives the same PFNs and counters as the per-op API', async () => {
    const ops: BatchOp[] = [{ op: 'createDomain', granule: 4096, startPfn: 1n }];
    const rand = randomInt(7);
    for (let i = 0; i < 600; i++) {
      ops.push({
        op: 'allocFast',
        domain: 0,
        cpu: rand(2),
        size: BigInt(1 + rand(40)),
        limitPfn: LIMIT32,
        flushRcache: true,
      });
      if (i % 50 === 0) ops.push({ op: 'advance', ms: 60n });
    }
    using perOp = await newLab(engine, { possibleCpus: 2 });
    const dom = perOp.createDomain();
    const perOpResults: bigint[] = [BigInt(dom.id)];
    for (const op of ops.slice(1)) {
      if (op.op === 'allocFast') perOpResults.push(dom.allocFast(op.cpu, op.size, op.limitPfn));
      else if (op.op === 'advance') {
        perOp.advanceClock(op.ms);
        perOpResults.push(0n);
      }
    }
    using batched = await newLab(engine, { possibleCpus: 2 });
    const run = batched.runBatch(encodeOps(ops));
    expect(run.error).toBeUndefined();
    expect(run.completed).toBe(ops.length);
    expect([...run.results]).toEqual(perOpResults);
    expect(batched.snapshot()).toEqual(perOp.snapshot());
  });
});
