// The v4.7 design as its code (spec §8), on both engines: the old inclusive-limit walk with one
// cached32_node cursor, the top-only magazine pop, no size rounding in alloc_iova_fast and the
// failure flush of CPU magazines only. Every PFN below is worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import type { EngineName } from '../../src/engine.js';
import type { IovaLab } from '../../src/lab.js';
import { active, ENGINES, LIMIT32, newLab } from '../support/labs.js';

describe.each(ENGINES)('%s engine', (engine: EngineName) => {
  const lab47 = (policy: string[] = []): Promise<IovaLab> =>
    newLab(engine, { possibleCpus: 1, profile: 'v4.7', policy });

  describe('v4.7 tree walk', () => {
    it('an allocation at a 64-bit limit ignores the cursors; only the exact 32-bit limit uses cached32_node', async () => {
      using lab = await lab47();
      const dom = lab.createDomain();
      // limit 0xfffff = dma_32bit_pfn: empty cursor, empty tree → the range ends at the limit; cursor = it.
      expect(dom.alloc(1, LIMIT32)).toBe(0xfffffn);
      // 64-bit limits walk from the highest node: 0x1fffff is free, the cursor is not moved.
      expect(dom.alloc(1, 0x1fffff)).toBe(0x1fffffn);
      // Again from the top: [0x200000, 0x2fffff] is free, so the range ends at 0x2fffff. (From v4.15 the
      // walk starts at cached_node 0x1fffff instead and returns 0x1ffffe: checked on v6.9 below.)
      expect(dom.alloc(1, 0x2fffff)).toBe(0x2fffffn);
      // The exact 32-bit limit starts below the cursor 0xfffff: limit 0xffffe, nothing below → 0xffffe.
      expect(dom.alloc(1, LIMIT32)).toBe(0xffffen);
      // A 32-bit limit that is not exactly dma_32bit_pfn walks from the top too: 0xffffd is the highest
      // free PFN at or below 0xffffd.
      expect(dom.alloc(1, 0xffffd)).toBe(0xffffdn);
      lab.checkInvariants();

      using now = await newLab(engine, { possibleCpus: 1 });
      const d69 = now.createDomain();
      expect([d69.alloc(1, LIMIT32), d69.alloc(1, 0x1fffff), d69.alloc(1, 0x2fffff)]).toEqual([
        0xfffffn,
        0x1fffffn,
        0x1ffffen,
      ]);
    });

    it('never hands out start_pfn; the pad aligns a 3-page range to 4', async () => {
      using lab = await lab47();
      const dom = lab.createDomain({ startPfn: 1 });
      // limit 2, size 1: start_pfn + 1 + 0 = 2 > 2 is false → pfn_lo = 2 − 1 + 1 = 2.
      expect(dom.alloc(1, 2, { sizeAligned: true })).toBe(2n);
      // Node [2,2]: limit drops to 1; past the lowest node 1 + 1 + 0 > 1 → fail, PFN 1 stays free.
      expect(dom.alloc(1, 2, { sizeAligned: true })).toBe(0n);
      expect(dom.find(1)).toBeNull();
      // size 3 at limit 0xfffff: pad = (0xfffff + 1 − 3) & 3 = 1 → pfn_lo = 0xfffff − 4 + 1 = 0xffffc.
      expect(dom.alloc(3, LIMIT32, { sizeAligned: true })).toBe(0xffffcn);
      expect(dom.find(0xffffc)).toEqual({ pfnLo: 0xffffcn, pfnHi: 0xffffen });
      lab.checkInvariants();

      using now = await newLab(engine, { possibleCpus: 1 });
      const d69 = now.createDomain({ startPfn: 1 });
      expect([d69.alloc(1, 2, { sizeAligned: true }), d69.alloc(1, 2, { sizeAligned: true })]).toEqual([2n, 1n]);
    });

    it('a range whose end would pass 2^64 does not fit (granule 1), instead of wrapping', async () => {
      using lab = await lab47();
      const dom = lab.createDomain({ granule: 1, startPfn: 1 });
      const top = (1n << 64n) - 2n; // the domain's last PFN
      // size 2^63 at limit 2^64 − 2: pad = (2^64 − 1 − 2^63) & (2^63 − 1) = 2^63 − 1; start_pfn + size + pad
      // = 2^64 > limit, so it fails (a wrapped sum, 0, would have "fit" and made a node at PFN 0).
      expect(dom.alloc(1n << 63n, top, { sizeAligned: true })).toBe(0n);
      // Unaligned: 1 + 2^63 <= limit fits, pfn_lo = limit − 2^63 + 1 = 2^63 − 1.
      expect(dom.alloc(1n << 63n, top)).toBe((1n << 63n) - 1n);
      lab.checkInvariants();
    });

    it('a free at or above the cursor moves it to the successor below dma_32bit_pfn, else empties it', async () => {
      using lab = await lab47();
      const dom = lab.createDomain();
      // Exact-limit allocations stack down from the top: 0xfffff, 0xffffe, 0xffffd, 0xffffc (cursor).
      const [a, b, c, d] = Array.from({ length: 4 }, () => dom.alloc(1, LIMIT32));
      expect([a, b, c, d]).toEqual([0xfffffn, 0xffffen, 0xffffdn, 0xffffcn]);
      dom.free(c); // 0xffffd >= cursor 0xffffc: the cursor moves to its successor 0xffffe
      // From the cursor 0xffffe: limit 0xffffd, its predecessor 0xffffc leaves 0xffffd free.
      expect(dom.alloc(1, LIMIT32)).toBe(0xffffdn);
      dom.free(a); // 0xfffff >= cursor 0xffffd: its successor is past the top → the cursor empties
      // An empty cursor walks from the top: 0xfffff is free again.
      expect(dom.alloc(1, LIMIT32)).toBe(0xfffffn);
      lab.checkInvariants();
    });
  });

  describe('v4.7 rcache', () => {
    it('a magazine whose top PFN equals the limit is not used, even with a usable PFN under it', async () => {
      using lab = await lab47();
      const dom = lab.createDomain();
      const x = dom.allocFast(0, 1, LIMIT32); // miss → tree: 0xfffff (cursor)
      const y = dom.allocFast(0, 1, LIMIT32); // miss → tree: 0xffffe (cursor)
      expect([x, y]).toEqual([0xfffffn, 0xffffen]);
      dom.freeFast(0, y, 1);
      dom.freeFast(0, x, 1); // loaded = [0xffffe, 0xfffff]: top 0xfffff
      // top 0xfffff >= limit 0xfffff → the pop fails and so does the lookup; the tree gives 0xffffd
      // (below the cursor 0xffffe). Today's scan would have taken 0xfffff.
      expect(dom.allocFast(0, 1, LIMIT32)).toBe(0xffffdn);
      expect(lab.snapshot().classes[0]).toMatchObject({ hits: 0, misses: 3, loadedPfns: 2 });
      // Above the limit by one PFN the top qualifies.
      expect(dom.allocFast(0, 1, 0x100000)).toBe(0xfffffn);
      expect(lab.snapshot().classes[0]).toMatchObject({ hits: 1, loadedPfns: 1 });
      lab.checkInvariants();

      using now = await newLab(engine, { possibleCpus: 1 });
      const d69 = now.createDomain();
      const [x9, y9] = [d69.allocFast(0, 1, LIMIT32), d69.allocFast(0, 1, LIMIT32)];
      d69.freeFast(0, y9, 1);
      d69.freeFast(0, x9, 1);
      expect(d69.allocFast(0, 1, LIMIT32)).toBe(0xfffffn);
    });

    it('alloc_iova_fast does not round the size: a 3-page request makes a 3-page node', async () => {
      using lab = await lab47();
      const dom = lab.createDomain();
      // size 3 aligned: pad = (0xfffff + 1 − 3) & 3 = 1 → [0xffffc, 0xffffe]
      expect(dom.allocFast(0, 3, LIMIT32)).toBe(0xffffcn);
      expect(dom.find(0xffffc)).toEqual({ pfnLo: 0xffffcn, pfnHi: 0xffffen });
      using now = await newLab(engine, { possibleCpus: 1 });
      const d69 = now.createDomain();
      // rounded to 4: (0x100000 − 4) & ~3 = 0xffffc → [0xffffc, 0xfffff]
      expect(d69.allocFast(0, 3, LIMIT32)).toBe(0xffffcn);
      expect(d69.find(0xffffc)).toEqual({ pfnLo: 0xffffcn, pfnHi: 0xfffffn });
    });

    it('a tree failure flushes the CPU magazines but not the depot, whatever flush_rcache says', async () => {
      using lab = await lab47(['mag-size=1']);
      const dom = lab.createDomain({ startPfn: 1 });
      // limit 4 is not dma_32bit_pfn: top walks give 4, 3, 2 (never start_pfn 1), then nothing.
      const pfns = [
        dom.alloc(1, 4, { sizeAligned: true }),
        dom.alloc(1, 4, { sizeAligned: true }),
        dom.alloc(1, 4, { sizeAligned: true }),
      ];
      expect(pfns).toEqual([4n, 3n, 2n]);
      // 1-PFN magazines: free 4 → loaded [4]; free 3 → swap, loaded [3], prev [4]; free 2 → both full,
      // loaded [3] goes to the depot, a new loaded takes [2].
      for (const p of pfns) dom.freeFast(0, p, 1);
      expect(lab.snapshot().magazines).toMatchObject({ loadedPfns: 1, prevPfns: 1, depotPfns: 1 });
      // size 2 (class 1, empty) misses; the tree (nodes 2, 3, 4) is full → flush CPU 0's loaded and prev
      // (frees 2 and 4); the retry sees node 3 only: pad (4 + 1 − 2) & 1 = 1, 3 + 2 + 1 > 4 → limit 2;
      // bottom: 1 + 2 + pad((2 + 1 − 2) & 1 = 1) > 2 → fails again.
      expect(dom.allocFast(0, 2, 4, { flushRcache: false })).toBe(0n);
      const s = lab.snapshot();
      expect(s.magazines).toMatchObject({ loadedPfns: 0, prevPfns: 0, depot: 1, depotPfns: 1 });
      expect(s.domains[0]).toMatchObject({ liveIovas: 1, flushRetries: 1 });
      expect(dom.find(3)).toEqual({ pfnLo: 3n, pfnHi: 3n });
      lab.checkInvariants();
    });

    it('when loaded and prev are empty, the empty loaded is freed and the depot magazine replaces it', async () => {
      using lab = await lab47(['mag-size=1']);
      const dom = lab.createDomain();
      const pfns = [dom.alloc(1, 0x100), dom.alloc(1, 0x100), dom.alloc(1, 0x100)]; // 0x100, 0xff, 0xfe
      for (const p of pfns) dom.freeFast(0, p, 1); // loaded [0xfe], prev [0x100], depot [[0xff]]
      const mags = (): number => {
        const s = lab.snapshot();
        return active(s, s.magazineCache)!; // 1-PFN magazines: 16 bytes, kmalloc-16
      };
      const before = mags();
      expect(dom.allocFast(0, 1, LIMIT32)).toBe(0xfen); // loaded's top
      expect(dom.allocFast(0, 1, LIMIT32)).toBe(0x100n); // swap with prev
      expect(mags()).toBe(before);
      expect(dom.allocFast(0, 1, LIMIT32)).toBe(0xffn); // loaded freed, the depot's magazine loaded
      expect(mags()).toBe(before - 1);
      expect(lab.snapshot().classes[0]).toMatchObject({ depotPops: 1, hits: 3 });
      lab.checkInvariants();
    });
  });
});
