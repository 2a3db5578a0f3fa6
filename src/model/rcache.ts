// One domain's IOVA rcache (spec §4): 6 size classes, each with per-possible-CPU loaded/prev
// magazines and a LIFO depot of full magazines trimmed by delayed work every 100 ms.
import type { VirtualClock } from './clock.js';
import type { Slab, SlabCache } from './slab.js';
import { orderBase2, u64, type IovaTree } from './tree.js';

export const IOVA_MAG_SIZE = 127;
export const IOVA_RANGE_CACHE_MAX_SIZE = 6;
export const IOVA_DEPOT_DELAY = 100n;

export interface Magazine {
  pfns: bigint[];
  slab: Slab;
}

export interface CpuRcache {
  loaded: Magazine;
  prev: Magazine;
}

export interface ClassStats {
  hits: number;
  misses: number;
  depotPushes: number;
  depotPops: number;
  depotTrims: number;
  depotHighWater: number;
}

export function newClassStats(): ClassStats {
  return { hits: 0, misses: 0, depotPushes: 0, depotPops: 0, depotTrims: 0, depotHighWater: 0 };
}

export interface Rcache {
  cpus: CpuRcache[];
  /** Full magazines; the head is the last element. */
  depot: Magazine[];
  stats: ClassStats;
}

/** What the rcache needs from the lab. */
export interface RcacheEnv {
  magCache: SlabCache;
  /** kmalloc-1k: the per-domain rcache array (kmalloc(720)). */
  arrayCache: SlabCache;
  /** True when an injected magazine allocation failure fires. */
  failMagazine: () => boolean;
  clock: VirtualClock;
  onlineCpuList: () => number[];
  /** Trim pops while the depot holds more than this (the kernel: the online CPU count, read when the work runs). */
  depotTrimThreshold: () => number;
  /** Lab-wide cumulative counters per class. */
  labStats: ClassStats[];
  /** Full magazines in class k's depots across every domain (the lab-wide high-water mark). */
  labDepotMags: (k: number) => number;
}

export class RcacheDomain {
  readonly rcaches: Rcache[] = [];
  flushRetries = 0;

  private constructor(
    readonly id: number,
    readonly tree: IovaTree,
    private readonly env: RcacheEnv,
    private readonly arraySlab: Slab,
  ) {}

  /** iova_domain_init_rcaches; null (with everything freed, in reverse) on an injected failure. */
  static create(id: number, tree: IovaTree, env: RcacheEnv, possibleCpus: number): RcacheDomain | null {
    const arraySlab = env.arrayCache.alloc();
    const got: Slab[] = [];
    const allocMag = (): Magazine | null => {
      if (env.failMagazine()) return null;
      const slab = env.magCache.alloc();
      got.push(slab);
      return { pfns: [], slab };
    };
    const d = new RcacheDomain(id, tree, env, arraySlab);
    for (let k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
      const rc: Rcache = { cpus: [], depot: [], stats: newClassStats() };
      for (let cpu = 0; cpu < possibleCpus; cpu++) {
        const loaded = allocMag();
        const prev = loaded && allocMag();
        if (!loaded || !prev) {
          for (let i = got.length - 1; i >= 0; i--) env.magCache.free(got[i]);
          env.arrayCache.free(arraySlab);
          return null;
        }
        rc.cpus.push({ loaded, prev });
      }
      d.rcaches.push(rc);
    }
    return d;
  }

  private allocMagazine(): Magazine | null {
    if (this.env.failMagazine()) return null;
    return { pfns: [], slab: this.env.magCache.alloc() };
  }

  private freeMagazine(mag: Magazine): void {
    this.env.magCache.free(mag.slab);
  }

  private bump(k: number, field: Exclude<keyof ClassStats, 'depotHighWater'>): void {
    this.rcaches[k].stats[field]++;
    this.env.labStats[k][field]++;
  }

  /** iova_magazine_free_pfns: every pfn back to the tree (missing ones skipped). */
  private freePfns(mag: Magazine): void {
    for (const pfn of mag.pfns) this.tree.freeIova(pfn);
    mag.pfns = [];
  }

  /** __iova_rcache_get: a pfn <= limit from this CPU's magazines or the depot, or 0n. */
  private rcacheGet(k: number, cpu: number, limit: bigint): bigint {
    const rc = this.rcaches[k];
    const c = rc.cpus[cpu];
    if (c.loaded.pfns.length > 0) {
      // use loaded
    } else if (c.prev.pfns.length > 0) {
      [c.loaded, c.prev] = [c.prev, c.loaded];
    } else if (rc.depot.length > 0) {
      this.freeMagazine(c.loaded);
      c.loaded = rc.depot.pop()!;
      this.bump(k, 'depotPops');
    } else {
      return 0n;
    }
    const pfns = c.loaded.pfns;
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

  /** alloc_iova_fast. */
  allocFast(cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    if (size < 32n) size = 1n << BigInt(orderBase2(size));
    const k = orderBase2(size);
    if (k < IOVA_RANGE_CACHE_MAX_SIZE) {
      const pfn = this.rcacheGet(k, cpu, u64(limitPfn + 1n - size));
      if (pfn !== 0n) {
        this.bump(k, 'hits');
        const node = this.tree.findExact(pfn);
        if (node) node.cached = false;
        return pfn;
      }
      this.bump(k, 'misses');
    }
    for (;;) {
      const pfn = this.tree.allocIova(size, limitPfn, true);
      if (pfn !== 0n || !flushRcache) return pfn;
      flushRcache = false;
      this.flushRetries++;
      for (const c of this.env.onlineCpuList()) this.flushCpu(c);
      this.flushDepot();
    }
  }

  /** free_iova_fast; the caller has checked that a node starts at pfn and is not cached. */
  freeFast(cpu: number, pfn: bigint, size: bigint): void {
    const k = orderBase2(size);
    if (k >= IOVA_RANGE_CACHE_MAX_SIZE) {
      this.tree.freeIova(pfn);
      return;
    }
    const rc = this.rcaches[k];
    const c = rc.cpus[cpu];
    if (c.loaded.pfns.length < IOVA_MAG_SIZE) {
      // push into loaded
    } else if (c.prev.pfns.length < IOVA_MAG_SIZE) {
      [c.loaded, c.prev] = [c.prev, c.loaded];
    } else {
      const mag = this.allocMagazine();
      if (!mag) {
        this.tree.freeIova(pfn);
        return;
      }
      rc.depot.push(c.loaded);
      this.bump(k, 'depotPushes');
      this.noteHighWater(k);
      this.env.clock.schedule(this.id, k, IOVA_DEPOT_DELAY, () => this.trim(k));
      c.loaded = mag;
    }
    c.loaded.pfns.push(pfn);
    const node = this.tree.findExact(pfn);
    if (node) node.cached = true;
  }

  private noteHighWater(k: number): void {
    const n = this.rcaches[k].depot.length;
    if (n > this.rcaches[k].stats.depotHighWater) this.rcaches[k].stats.depotHighWater = n;
    const all = this.env.labDepotMags(k);
    if (all > this.env.labStats[k].depotHighWater) this.env.labStats[k].depotHighWater = all;
  }

  /** iova_depot_work_func. */
  private trim(k: number): void {
    const rc = this.rcaches[k];
    if (rc.depot.length <= this.env.depotTrimThreshold()) return;
    const mag = rc.depot.pop()!;
    this.bump(k, 'depotTrims');
    this.freePfns(mag);
    this.freeMagazine(mag);
    this.env.clock.schedule(this.id, k, IOVA_DEPOT_DELAY, () => this.trim(k));
  }

  /** free_cpu_cached_iovas. */
  flushCpu(cpu: number): void {
    for (const rc of this.rcaches) {
      const c = rc.cpus[cpu];
      this.freePfns(c.loaded);
      this.freePfns(c.prev);
    }
  }

  /** free_global_cached_iovas. */
  flushDepot(): void {
    for (const rc of this.rcaches) {
      while (rc.depot.length > 0) {
        const mag = rc.depot.pop()!;
        this.freePfns(mag);
        this.freeMagazine(mag);
      }
    }
  }

  /** put_iova_domain: magazines (pfns not returned), trim cancelled, depot, array, then tree. */
  put(): void {
    for (let k = 0; k < this.rcaches.length; k++) {
      const rc = this.rcaches[k];
      for (const c of rc.cpus) {
        this.freeMagazine(c.loaded);
        this.freeMagazine(c.prev);
      }
      this.env.clock.cancel(this.id, k);
      while (rc.depot.length > 0) this.freeMagazine(rc.depot.pop()!);
    }
    this.env.arrayCache.free(this.arraySlab);
    this.tree.freeAll();
  }

  /** Magazine and pfn counts: [loaded, prev, depot, loadedPfns, prevPfns, depotPfns]. */
  counts(): [number, number, number, number, number, number] {
    let loaded = 0, prev = 0, depot = 0, lp = 0, pp = 0, dp = 0;
    for (const rc of this.rcaches) {
      for (const c of rc.cpus) {
        loaded++;
        prev++;
        lp += c.loaded.pfns.length;
        pp += c.prev.pfns.length;
      }
      depot += rc.depot.length;
      for (const m of rc.depot) dp += m.pfns.length;
    }
    return [loaded, prev, depot, lp, pp, dp];
  }
}
