// The tree walk of the first rcache kernels (v4.7 up to v4.14; docs/kernel-behaviour.md "Older
// kernels"): inclusive limits, no anchor, no cached_node, no max32_alloc_size, no retry; one
// cached32_node cursor that may be empty.
// The tree keeps its anchor node for storage, but this walk never uses it: a limit is always below
// it, so the walk steps past it, and the cursor resting on it means "empty".
import type { Slab } from './slab.js';
import { orderBase2, u64, type IovaNode, type IovaTree, type TreeWalk } from './tree.js';

/** The inclusive dma_32bit_pfn these kernels were given at init (0xfffff for a 4 KiB granule). */
const dma32Inclusive = (tree: IovaTree): bigint => tree.dma32BitPfn - 1n;

/** iova_get_pad_size: what aligns the range's top end down to the size's power of two. */
function padSize(size: bigint, limit: bigint): bigint {
  return u64(limit + 1n - size) & ((1n << BigInt(orderBase2(size))) - 1n);
}

/** __alloc_and_insert_iova_range of v4.7, with the cursor update of __cached_rbnode_insert_update. */
function allocRange(tree: IovaTree, size: bigint, limitPfn: bigint, sizeAligned: boolean, slab: Slab): IovaNode | null {
  const cursor = tree.cached32Node === tree.anchor ? null : tree.cached32Node;
  const useCursor = cursor !== null && limitPfn === dma32Inclusive(tree);
  // __get_cached_rbnode: below the cursor when the limit is exactly dma_32bit_pfn, else the top.
  let limit = useCursor ? u64(cursor.pfnLo - 1n) : limitPfn;
  let curr = useCursor ? tree.predecessor(cursor) : tree.highestNode();
  let pad = 0n;
  while (curr) {
    if (limit >= curr.pfnLo) {
      if (limit >= curr.pfnHi) {
        pad = sizeAligned ? padSize(size, limit) : 0n;
        // Exact sums: a sum past 2^64 does not fit (the kernel's would wrap and corrupt its tree).
        if (curr.pfnHi + size + pad <= limit) break; // the gap above curr fits
      }
      limit = curr.pfnLo === 0n ? 0n : curr.pfnLo - 1n;
    }
    curr = tree.predecessor(curr);
  }
  if (!curr) {
    pad = sizeAligned ? padSize(size, limit) : 0n;
    // Strictly above start_pfn + size + pad: start_pfn itself is never handed out.
    if (tree.startPfn + size + pad > limit) return null;
  }
  const pfnLo = u64(limit - (size + pad) + 1n);
  const node: IovaNode = { pfnLo, pfnHi: pfnLo + size - 1n, cached: false, slab };
  tree.insertNode(node);
  if (limitPfn === dma32Inclusive(tree)) tree.cached32Node = node;
  return node;
}

/** __cached_rbnode_delete_update of v4.7: a free at or above the cursor moves it up or empties it. */
function beforeRemove(tree: IovaTree, node: IovaNode): void {
  const cursor = tree.cached32Node;
  if (cursor === tree.anchor || node.pfnLo < cursor.pfnLo) return;
  const next = tree.successor(node);
  tree.cached32Node = next && next.pfnLo < dma32Inclusive(tree) ? next : tree.anchor;
}

/** The v4.7 walk, for trees whose policy has treeWalk 'v4.7'. */
export const V4_7_WALK: TreeWalk = { allocRange, beforeRemove };
