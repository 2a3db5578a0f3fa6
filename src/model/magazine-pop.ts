// iova_magazine_pop in its two forms (docs/kernel-behaviour.md "The rcache" and "Older kernels").
// Both take a PFN out of a non-empty magazine for alloc_iova_fast(size, limitPfn), or return 0n and
// leave it as it was.
import type { MagazinePop } from '../policy.js';
import { u64 } from './tree.js';

/** The first rcache: only the top PFN, and only if it lies strictly below the inclusive limit. */
function popTop(pfns: bigint[], limitPfn: bigint): bigint {
  const top = pfns[pfns.length - 1];
  if (top >= limitPfn) return 0n;
  pfns.pop();
  return top;
}

/** "Try harder": the highest-index PFN whose range fits below the limit; the last PFN fills its slot. */
function popScan(pfns: bigint[], limitPfn: bigint, size: bigint): bigint {
  const limit = u64(limitPfn + 1n - size);
  for (let i = pfns.length - 1; i >= 0; i--) {
    if (pfns[i] <= limit) {
      const pfn = pfns[i];
      pfns[i] = pfns[pfns.length - 1];
      pfns.pop();
      return pfn;
    }
  }
  return 0n;
}

export function popMagazine(mode: MagazinePop, pfns: bigint[], size: bigint, limitPfn: bigint): bigint {
  return mode === 'top' ? popTop(pfns, limitPfn) : popScan(pfns, limitPfn, size);
}
