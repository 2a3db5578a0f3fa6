// The IOVA tree of one domain: ordered, non-overlapping nodes {pfnLo, pfnHi} plus the anchor,
// the cachedNode / cached32Node cursors and max32AllocSize (spec §1-§3). An ordered treap with
// linked neighbours stands in for the rbtree: results depend only on the order of nodes.
import { errorForStatus, Status, type IovaLabError } from '../errors.js';
import type { RcachePolicy } from '../policy.js';
import { OrderedTree, type TreeEntry } from './ordered-tree.js';
import type { Slab, SlabCache } from './slab.js';

export const U64_MAX = (1n << 64n) - 1n;
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** fls for 64-bit values (0 <= x < 2^64): index of the highest set bit, 1-based; fls(0) = 0.
 * Done on the two 32-bit halves with clz32: it runs on every fast-path call (orderBase2). */
export function fls64(x: bigint): number {
  if (x <= 0xffffffffn) return 32 - Math.clz32(Number(x));
  return 64 - Math.clz32(Number(x >> 32n));
}

/** order_base_2: ceil(log2(n)), 0 for n <= 1. */
export function orderBase2(n: bigint): number {
  // The rcache's size classes (up to 32 pages) by comparison alone: Number(n) costs more than these.
  if (n <= 1n) return 0;
  if (n <= 2n) return 1;
  if (n <= 4n) return 2;
  if (n <= 8n) return 3;
  if (n <= 16n) return 4;
  if (n <= 32n) return 5;
  if (n > 0xffffffffn) return fls64(n - 1n);
  return 32 - Math.clz32(Number(n) - 1); // no BigInt subtraction below 2^32
}

export interface IovaNode {
  pfnLo: bigint;
  pfnHi: bigint;
  /** Set while the node's pfn sits in a magazine (double-free detection). */
  cached: boolean;
  /** The iommu_iova object backing the node; null for the anchor. */
  slab: Slab | null;
}

/** Answers "should this allocation fail?" for injected iommu_iova failures. */
export type FailHook = () => boolean;

/** The anchor walk's release-dependent pieces (src/profiles/designs.ts). */
export type WalkFacets = Pick<RcachePolicy, 'max32AllocSize' | 'retry'>;
const TODAY: WalkFacets = { max32AllocSize: true, retry: 'fixed' };

/** An older release's own search and cursor rules, replacing the anchor walk (tree-v4.ts). */
export interface TreeWalk {
  /** Finds a free range of `size` at or below the inclusive limitPfn and inserts it: the new node, or null. */
  allocRange(tree: IovaTree, size: bigint, limitPfn: bigint, sizeAligned: boolean, slab: Slab): IovaNode | null;
  /** The cursor updates before `node` leaves the tree. */
  beforeRemove(tree: IovaTree, node: IovaNode): void;
}

export class IovaTree {
  readonly dma32BitPfn: bigint;
  readonly maxPfn: bigint;
  /** The largest size a range can have, maxPfn - startPfn + 1 (made once: the size check runs on every op). */
  readonly maxSize: bigint;
  max32AllocSize: bigint;
  readonly anchor: IovaNode = { pfnLo: U64_MAX, pfnHi: U64_MAX, cached: false, slab: null };
  /** Ordered by pfnLo; the anchor is always last. */
  private readonly order = new OrderedTree<IovaNode>((n) => n.pfnLo);
  cachedNode: IovaNode = this.anchor;
  cached32Node: IovaNode = this.anchor;
  /** Every allocIova that returned 0. */
  slowAllocFailures = 0;
  /** The node the last lookup found (null once it leaves the tree): free_iova_fast looks up the
   * pfn its argument check just found, and nodes are disjoint, so a hint containing pfn is the
   * answer without a descent. */
  private hint: IovaNode | null = null;

  constructor(
    readonly shift: number,
    readonly startPfn: bigint,
    private readonly iovaCache: SlabCache,
    private readonly failIova: FailHook,
    private readonly facets: WalkFacets = TODAY,
    private readonly oldWalk: TreeWalk | null = null,
  ) {
    this.dma32BitPfn = 1n << BigInt(32 - shift);
    this.max32AllocSize = this.dma32BitPfn;
    // Capped below ~0 so no limit, reserve or size can reach the anchor's PFN (granule 1).
    const byShift = U64_MAX >> BigInt(shift);
    this.maxPfn = byShift < U64_MAX ? byShift : U64_MAX - 1n;
    this.maxSize = this.maxPfn - startPfn + 1n;
    this.order.insert(this.anchor);
  }

  /** Nodes other than the anchor. */
  get liveCount(): number {
    return this.order.size - 1;
  }

  /** Every node ascending, the anchor last: a fresh array (O(n)), for whole-tree checks. */
  get nodes(): IovaNode[] {
    return [...this.order];
  }

  /** The tree entry holding node (its neighbours are entry.prev / entry.next). */
  private entryOf(node: IovaNode): TreeEntry<IovaNode> {
    const e = this.order.floor(node.pfnLo);
    if (!e || e.item !== node) throw new Error('model: node not in tree');
    return e;
  }

  /** find_iova: the node containing pfn (the anchor included), or null. */
  findContaining(pfn: bigint): IovaNode | null {
    const h = this.hint;
    if (h !== null && h.pfnLo <= pfn && pfn <= h.pfnHi) return h;
    const n = this.order.floor(pfn)?.item;
    if (!n || pfn > n.pfnHi) return null;
    this.hint = n;
    return n;
  }

  /** The non-anchor node whose pfnLo is exactly pfn, or null. */
  findExact(pfn: bigint): IovaNode | null {
    const n = this.findContaining(pfn);
    return n && n.pfnLo === pfn && n !== this.anchor ? n : null;
  }

  /** Whether any node overlapping [lo, hi] has its pfn sitting in a magazine. */
  rangeHasCached(lo: bigint, hi: bigint): boolean {
    for (let e = this.firstHiAtLeast(lo); e.item !== this.anchor && e.item.pfnLo <= hi; e = e.next!) {
      if (e.item.cached) return true;
    }
    return false;
  }

  /** The lowest node with pfnHi >= v (the anchor always qualifies). Nodes are disjoint, so every
   * node below the last one starting at or below v also ends below it. */
  private firstHiAtLeast(v: bigint): TreeEntry<IovaNode> {
    const e = this.order.floor(v);
    if (!e) return this.order.first()!;
    return e.item.pfnHi >= v ? e : e.next!;
  }

  /** iova_find_limit: the anchor above the 32-bit boundary, else the lowest node with pfnHi >= limit. */
  private findLimit(limit: bigint): TreeEntry<IovaNode> {
    return limit > this.dma32BitPfn ? this.order.last()! : this.firstHiAtLeast(limit);
  }

  /** alloc_iova's pfn_lo, or 0n (a node at PFN 0, from the retry-start overflow, reads as 0 too). */
  allocIova(size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint {
    return this.allocIovaNode(size, limitPfn, sizeAligned)?.pfnLo ?? 0n;
  }

  /** alloc_iova: the new node, or null. */
  allocIovaNode(size: bigint, limitPfn: bigint, sizeAligned: boolean): IovaNode | null {
    if (this.failIova()) {
      this.slowAllocFailures++;
      return null;
    }
    const slab = this.iovaCache.alloc();
    let node: IovaNode | null;
    try {
      node = this.oldWalk
        ? this.oldWalk.allocRange(this, size, limitPfn, sizeAligned, slab)
        : this.allocRange(size, u64(limitPfn + 1n), sizeAligned, slab);
    } catch (e) {
      this.iovaCache.free(slab);
      throw e;
    }
    if (!node) {
      this.iovaCache.free(slab);
      this.slowAllocFailures++;
    }
    return node;
  }

  /** __alloc_and_insert_iova_range with an exclusive limit. */
  private allocRange(size: bigint, limit: bigint, sizeAligned: boolean, slab: Slab): IovaNode | null {
    const alignMask = sizeAligned ? u64(U64_MAX << BigInt(fls64(size - 1n))) : U64_MAX;
    const masked = alignMask !== U64_MAX;
    // The candidate below `h`. Where size does not fit below h the kernel's unsigned subtraction
    // wraps; -1n stands for that here (no BigInt wrap per step): the walk stops at once and the
    // size check after it fails, as it does after a wrapped candidate.
    const candidate = (h: bigint): bigint => (h < size ? -1n : masked ? (h - size) & alignMask : h - size);
    const { max32AllocSize: max32, retry } = this.facets;
    if (max32 && limit <= this.dma32BitPfn && size >= this.max32AllocSize) return null;
    let e: TreeEntry<IovaNode> | null = this.entryOf(limit <= this.dma32BitPfn ? this.cached32Node : this.cachedNode);
    const retryPfn = e.item.pfnHi;
    let high = limit;
    let low = this.startPfn;
    let retried = false;
    let newPfn: bigint;
    for (;;) {
      // Walk down from the cursor while the candidate collides with the next node below.
      do {
        const lo = e.item.pfnLo;
        if (lo < high) high = lo;
        newPfn = candidate(high);
        e = e.prev;
      } while (e && newPfn <= e.item.pfnHi && newPfn >= low);
      if (high < size || newPfn < low) {
        // v5.11-v6.1 compared pfn_hi + 1, which wraps to 0 at the anchor: the retry then searches from PFN 0.
        const retryStart = retry === 'overflow' ? u64(retryPfn + 1n) : retryPfn;
        if (retry !== 'none' && low === this.startPfn && retryStart < limit) {
          if (retried) throw this.endlessRetry(size, limit);
          retried = true;
          high = limit;
          low = u64(retryPfn + 1n);
          e = this.findLimit(limit);
          continue;
        }
        if (max32) this.max32AllocSize = size;
        return null;
      }
      break;
    }
    const node: IovaNode = { pfnLo: newPfn, pfnHi: newPfn + size - 1n, cached: false, slab };
    this.order.insert(node);
    if (node.pfnHi < this.dma32BitPfn) this.cached32Node = node;
    else this.cachedNode = node;
    return node;
  }

  /** remove_iova + free_iova_mem, with the cursor updates of __cached_rbnode_delete_update. */
  removeNode(node: IovaNode): void {
    const e = this.entryOf(node);
    const next = e.next!.item;
    const c32 = this.cached32Node;
    if (this.oldWalk) {
      this.oldWalk.beforeRemove(this, node);
    } else {
      if (node === c32 || (node.pfnHi < this.dma32BitPfn && node.pfnLo >= c32.pfnLo)) this.cached32Node = next;
      if (node.pfnLo < this.dma32BitPfn) this.max32AllocSize = this.dma32BitPfn;
      if (node.pfnLo >= this.cachedNode.pfnLo) this.cachedNode = next;
    }
    this.order.remove(e);
    if (this.hint === node) this.hint = null;
    if (node.slab) this.iovaCache.free(node.slab);
  }

  /** free_iova: silently nothing when no node holds pfn. Returns whether a node was freed. */
  freeIova(pfn: bigint): boolean {
    const node = this.findContaining(pfn);
    if (!node || node === this.anchor) return false;
    this.removeNode(node);
    return true;
  }

  /** reserve_iova: pfnLo of the node covering [lo, hi], or 0n. Range checked by the caller. */
  reserveIova(lo: bigint, hi: bigint): bigint {
    let overlap = false;
    // Nodes below the first one ending at or above lo cannot overlap [lo, hi].
    for (let e: TreeEntry<IovaNode> | null = this.firstHiAtLeast(lo); e; e = e.next) {
      const node = e.item;
      if (lo <= node.pfnHi && hi >= node.pfnLo) {
        if (lo < node.pfnLo) node.pfnLo = lo;
        if (hi > node.pfnHi) lo = node.pfnHi + 1n;
        if (lo >= node.pfnLo && hi <= node.pfnHi) return node.pfnLo;
        overlap = true;
      } else if (overlap) {
        break;
      }
    }
    if (this.failIova()) return 0n;
    this.order.insert({ pfnLo: lo, pfnHi: hi, cached: false, slab: this.iovaCache.alloc() });
    return lo;
  }

  /** Put: every node but the anchor back to iommu_iova, ascending. */
  freeAll(): void {
    for (const node of this.order) if (node.slab) this.iovaCache.free(node.slab);
    this.order.clear();
    this.hint = null;
    this.order.insert(this.anchor);
    this.cachedNode = this.anchor;
    this.cached32Node = this.anchor;
  }

  // ---- the ordered-neighbour interface for the older walks (tree-v4.ts) ----

  /** The highest node other than the anchor, or null. */
  highestNode(): IovaNode | null {
    return this.order.last()!.prev?.item ?? null;
  }

  /** The node just below `node`, or null. */
  predecessor(node: IovaNode): IovaNode | null {
    return this.entryOf(node).prev?.item ?? null;
  }

  /** The node just above `node` (the anchor above the highest), or null above the anchor. */
  successor(node: IovaNode): IovaNode | null {
    return this.entryOf(node).next?.item ?? null;
  }

  /** Adds a node that overlaps none in the tree. */
  insertNode(node: IovaNode): void {
    this.order.insert(node);
  }

  /** The kernel retries the same failed search forever: stop with a named error instead. */
  private endlessRetry(size: bigint, limit: bigint): IovaLabError {
    const at = (v: bigint): string => `0x${v.toString(16)}`;
    return errorForStatus(
      Status.NON_TERMINATING,
      `the retry from ${at(this.startPfn)} (start_pfn) for size ` +
        `${at(size)} below limit ${at(limit - 1n)} fails and is retried again`,
    );
  }
}
