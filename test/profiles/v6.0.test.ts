// The v6.0 design as its code (spec §8): the retry-start overflow of v5.11-v6.1. When the search
// starts at the anchor, retry_pfn = anchor.pfn_hi + 1 wraps to 0 and the retry searches down to
// PFN 0, below start_pfn. Every PFN below is worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import type { IovaDomain } from '../../src/domain.js';
import type { EngineName } from '../../src/engine.js';
import type { IovaLab } from '../../src/lab.js';
import { NonTerminatingWalkError } from '../../src/errors.js';
import { ENGINES, newLab } from '../support/labs.js';

describe.each(ENGINES)('%s engine', (engine: EngineName) => {
  /** start_pfn 4 and the window [4, 7] reserved: reservations leave cached32_node on the anchor. */
  async function fullWindow(profile: string): Promise<{ lab: IovaLab; dom: IovaDomain }> {
    const lab = await newLab(engine, { possibleCpus: 1, profile });
    const dom = lab.createDomain({ startPfn: 4 });
    expect(dom.reserve(4, 7)).toBe(4n);
    return { lab, dom };
  }

  describe('v6.0 retry-start overflow', () => {
    it('a small full window is "filled" below start_pfn', async () => {
      const { lab, dom } = await fullWindow('v6.0');
      using _ = lab;
      // size 2 aligned, limit 7 (exclusive 8), from the anchor: high 8 → new 6, collides with [4,7];
      // high 4 → new 2 < low 4: fail. retry_pfn = ~0 + 1 = 0 < 8, so retry with low 0: the same walk
      // ends at new 2 ≥ 0 → [2, 3], below start_pfn 4.
      expect(dom.alloc(2, 7, { sizeAligned: true })).toBe(2n);
      expect(dom.find(2)).toEqual({ pfnLo: 2n, pfnHi: 3n });
      lab.checkInvariants();
    });

    it('where the kernel would retry forever, the model stops with NonTerminatingWalkError', async () => {
      const { lab, dom } = await fullWindow('v6.0');
      using _ = lab;
      expect(dom.alloc(2, 7, { sizeAligned: true })).toBe(2n); // as above; cached32_node = [2, 3]
      const before = lab.snapshot();
      // From cached32_node [2, 3]: high 2 → new 0 < low 4: fail. retry_pfn = 3 + 1 = 4 < 8: retry with
      // low 4 from the top: new 6 collides, new 2 < 4: fail, and low 4 is start_pfn again → the
      // kernel retries the same search forever.
      expect(() => dom.alloc(2, 7, { sizeAligned: true })).toThrow(NonTerminatingWalkError);
      expect(() => dom.alloc(2, 7, { sizeAligned: true })).toThrow(/never return.*retry-start overflow/);
      const after = lab.snapshot();
      expect(after.domains).toEqual(before.domains);
      expect(after.caches.find((c) => c.name === 'iommu_iova')!.activeObjs).toBe(
        before.caches.find((c) => c.name === 'iommu_iova')!.activeObjs,
      );
      lab.checkInvariants();
    });

    it('from v6.2 the retry starts above the cursor: the same window fails and nothing lands below start_pfn', async () => {
      for (const profile of ['v6.2', 'v6.9']) {
        const { lab, dom } = await fullWindow(profile);
        using _ = lab;
        // retry_pfn = ~0 is not below the limit 8: no retry, the allocation fails.
        expect(dom.alloc(2, 7, { sizeAligned: true })).toBe(0n);
        expect(dom.find(2)).toBeNull();
      }
    });

    it('v5.10 has no retry at all: a failed search from the cursor fails even with room above it', async () => {
      // start_pfn 1. Size 8 aligned at limit 0x1f stacks down: [0x18,0x1f], [0x10,0x17], [0x8,0xf]
      // (cached32_node). Then limit 0x3f (still 32-bit) starts at the cursor: high 0x8 → new 0 < 1: fail.
      // v5.11 retries from the top (retry_pfn 0xf + 1 = 0x10 < 0x40, low 0x10) and finds [0x38, 0x3f];
      // v5.10 has no retry and fails.
      const results: bigint[] = [];
      for (const profile of ['v5.10', 'v5.11']) {
        using lab = await newLab(engine, { possibleCpus: 1, profile });
        const dom = lab.createDomain({ startPfn: 1 });
        expect([0x18n, 0x10n, 0x8n]).toEqual([1, 2, 3].map(() => dom.alloc(8, 0x1f, { sizeAligned: true })));
        results.push(dom.alloc(8, 0x3f, { sizeAligned: true }));
      }
      expect(results).toEqual([0n, 0x38n]);
    });
  });
});
