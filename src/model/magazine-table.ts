// The struct iova_magazine objects of one domain, by handle. A magazine is a small integer that the
// rcache's loaded/prev arrays and depot hold; its PFNs and its slab object live in two arrays here.
// Why not an object per magazine: creating a domain makes 12 magazines per CPU, and their objects
// were most of the TS model's cost of creating a domain and of a big lab's memory.
import type { Slab } from './slab.js';

/** One magazine of a domain: a handle into the domain's MagazineTable. */
export type IovaMagazine = number;

/** The pfns of every empty magazine, shared (frozen: a push into it throws). A 1024-CPU lab holds
 * 12,288 magazines per domain, nearly all empty; one array each dominated a big lab's memory. */
const NO_PFNS = Object.freeze([]) as unknown as bigint[];

export class MagazineTable {
  private readonly pfnsOf: bigint[][];
  private readonly slabOf: (Slab | null)[];
  /** Handles below this one have been given out. */
  private used = 0;
  /** Handles of removed magazines, reused before the arrays grow. */
  private readonly unused: number[] = [];

  /** `expected`: the magazines the domain makes at once (init_rcaches), so its arrays are made at
   * their size rather than grown (growing copies them, garbage a domain create made 159 times). */
  constructor(expected: number) {
    this.pfnsOf = new Array<bigint[]>(expected).fill(NO_PFNS);
    this.slabOf = new Array<Slab | null>(expected).fill(null);
  }

  /** A new, empty magazine backed by the iommu_iova_magazine (or kmalloc) object in `slab`. */
  add(slab: Slab): IovaMagazine {
    const m = this.unused.pop() ?? this.used++;
    if (m < this.slabOf.length) this.slabOf[m] = slab;
    else {
      this.pfnsOf.push(NO_PFNS);
      this.slabOf.push(slab);
    }
    return m;
  }

  /** Forgets a magazine (its pfns too) and returns its slab, for the cache to free. */
  remove(m: IovaMagazine): Slab {
    const slab = this.slabOf[m]!;
    this.slabOf[m] = null;
    this.pfnsOf[m] = NO_PFNS;
    this.unused.push(m);
    return slab;
  }

  /** The PFNs m holds (its size is their count), bottom first. Changed in place by iova_magazine_pop. */
  pfns(m: IovaMagazine): bigint[] {
    return this.pfnsOf[m];
  }

  /** iova_magazine_push: the magazine gets an array of its own on its first push. */
  push(m: IovaMagazine, pfn: bigint): void {
    const pfns = this.pfnsOf[m];
    if (pfns === NO_PFNS) this.pfnsOf[m] = [pfn];
    else pfns.push(pfn);
  }

  /** Empties m; returns the PFNs it held. */
  takeAll(m: IovaMagazine): readonly bigint[] {
    const pfns = this.pfnsOf[m];
    this.pfnsOf[m] = NO_PFNS;
    return pfns;
  }
}
