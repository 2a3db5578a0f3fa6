// The invariant checker of the TS model (the C engine checks the same): the tree is ordered and
// anchored, every cached PFN is the start of one live node flagged cached and of the right class,
// magazines respect the policy, and every slab object is accounted for by a node, a magazine or an
// rcache array. A violation throws InvariantError naming what broke; nothing is changed.
import { errorForStatus, Status } from '../errors.js';
import type { CacheName } from '../snapshot.js';
import type { IovaMagazine } from './magazine-table.js';
import type { IovaDomain } from './rcache.js';
import type { ModelLabState } from './state.js';
import { orderBase2, U64_MAX } from './tree.js';

const bad = (what: string): never => {
  throw errorForStatus(Status.INVARIANT, what);
};

const hex = (pfn: bigint): string => `0x${pfn.toString(16)}`;

/** The tree: ascending, non-overlapping, inside [startPfn, ~0), anchor last, cursors on nodes. */
function checkTree(lab: ModelLabState, d: IovaDomain): void {
  const { id } = d;
  // The retry-start overflow (policy retry 'overflow') can hand out ranges below startPfn.
  const floor = lab.policy.retry === 'overflow' ? 0n : d.tree.startPfn;
  const { nodes, anchor } = d.tree;
  if (nodes[nodes.length - 1] !== anchor || anchor.pfnHi !== U64_MAX) bad(`domain ${id}: anchor is not last`);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.pfnLo > n.pfnHi) bad(`domain ${id}: node ${hex(n.pfnLo)} has pfnLo > pfnHi`);
    if (n !== anchor && (n.pfnLo < floor || n.pfnHi >= U64_MAX)) {
      bad(`domain ${id}: node ${hex(n.pfnLo)} lies outside [startPfn, ~0)`);
    }
    if (i > 0 && nodes[i - 1].pfnHi >= n.pfnLo) bad(`domain ${id}: nodes overlap at ${hex(n.pfnLo)}`);
  }
  if (!nodes.includes(d.tree.cachedNode)) bad(`domain ${id}: cachedNode is not in the tree`);
  if (!nodes.includes(d.tree.cached32Node)) bad(`domain ${id}: cached32Node is not in the tree`);
}

/** The rcache of one domain; returns how many magazines it holds. */
function checkRcache(lab: ModelLabState, d: IovaDomain): number {
  const { id } = d;
  const { policy } = lab;
  const seen = new Set<bigint>();
  let magazines = 0;
  const checkPfn = (pfn: bigint, k: number): void => {
    const node = d.tree.findExact(pfn);
    const at = `domain ${id}, class ${k}, pfn ${hex(pfn)}`;
    if (!node) return bad(`${at}: cached pfn is not the pfnLo of a live node`);
    if (!node.cached) bad(`${at}: node is not flagged cached`);
    if (orderBase2(node.pfnHi - node.pfnLo + 1n) !== k) bad(`${at}: node is in the wrong class`);
    if (seen.has(pfn)) bad(`${at}: pfn cached twice`);
    seen.add(pfn);
  };
  const checkMagazine = (m: IovaMagazine, k: number): void => {
    for (const pfn of d.magazines.pfns(m)) checkPfn(pfn, k);
    magazines++;
  };
  d.rcaches.forEach((rc, k) => {
    const at = `domain ${id}, class ${k}`;
    if (rc.magCap < 1 || rc.magCap > policy.magazineSize) {
      bad(`${at}: magazine capacity ${rc.magCap} outside 1..${policy.magazineSize}`);
    }
    if (policy.depotCap > 0 && rc.depot.length > policy.depotCap) {
      bad(`${at}: depot ${rc.depot.length} above its cap ${policy.depotCap}`);
    }
    for (let cpu = 0; cpu < rc.loaded.length; cpu++) {
      for (const m of [rc.loaded[cpu], rc.prev[cpu]]) {
        if (m === null) {
          if (!policy.lazy) bad(`${at}: eager magazine missing`);
          continue;
        }
        if (d.count(m) > rc.magCap) bad(`${at}: magazine overfull`);
        checkMagazine(m, k);
      }
    }
    for (const m of rc.depot) {
      const n = d.count(m);
      const full = policy.dynamicInitial > 0 ? n >= 1 && n <= rc.magCap : n === policy.magazineSize;
      if (!full) bad(`${at}: depot magazine holds ${n} pfns`);
      checkMagazine(m, k);
    }
  });
  const flagged = d.tree.nodes.filter((n) => n.cached).length;
  if (flagged !== seen.size) bad(`domain ${id}: ${flagged} nodes flagged cached but ${seen.size} pfns cached`);
  return magazines;
}

export function checkLabInvariants(lab: ModelLabState): void {
  let magazines = 0;
  let nodes = 0;
  for (const d of lab.domains.values()) {
    checkTree(lab, d);
    nodes += d.tree.liveCount;
    magazines += checkRcache(lab, d);
  }
  // Every queued IOVA is in the tree, in no magazine, indexed once, and none was lost.
  const fqBroken = lab.dma.check();
  if (fqBroken) bad(fqBroken);
  // Every object in every cache is accounted for: nodes, magazines, rcache arrays.
  const expected = new Map<CacheName, number>([['iommu_iova', nodes]]);
  const add = (name: CacheName, n: number): void => void expected.set(name, (expected.get(name) ?? 0) + n);
  add(lab.magCacheName, magazines);
  if (lab.arrayCache) add(lab.arrayCache.name, lab.domains.size);
  for (const [name, cache] of lab.slabs.caches) {
    const want = expected.get(name) ?? 0;
    if (cache.activeObjs !== want) bad(`${name} active ${cache.activeObjs} != model objects ${want}`);
  }
}
