// One iova_domain: its IOVA tree and its rcache (docs/kernel-behaviour.md "The rcache"): the
// IOVA_RANGE_CACHE_MAX_SIZE size classes, each with per-possible-CPU loaded/prev magazines and a
// depot of full magazines. The policy (src/policy.ts) picks the kernel's design: magazine size,
// fixed or unbounded depot, trim work, lazy magazines, dynamic magazine size.
import { DYNAMIC_CONTENTION, DYNAMIC_WINDOW_MS, IOVA_RANGE_CACHE_MAX_SIZE } from '../kernel.js';
import type { RcachePolicy } from '../policy.js';
import type { VirtualClock } from './clock.js';
import type { Slab, SlabCache } from './slab.js';
import { popMagazine } from './magazine-pop.js';
import { MagazineTable, type IovaMagazine } from './magazine-table.js';
import { orderBase2, type IovaTree } from './tree.js';

export interface ClassStats {
  hits: number;
  misses: number;
  depotPushes: number;
  depotPops: number;
  depotTrims: number;
  depotOverflows: number;
  depotHighWater: number;
}

export function newClassStats(): ClassStats {
  return { hits: 0, misses: 0, depotPushes: 0, depotPops: 0, depotTrims: 0, depotOverflows: 0, depotHighWater: 0 };
}

/** struct iova_rcache: one size class of a domain's rcache. */
export interface IovaRcache {
  /** The per-CPU struct iova_cpu_rcache as two arrays indexed by CPU (an object per CPU per class
   * doubled a big lab's memory). null: not allocated yet (the lazy policy). */
  loaded: (IovaMagazine | null)[];
  prev: (IovaMagazine | null)[];
  /** Full magazines; the head is the last element. */
  depot: IovaMagazine[];
  /** PFNs that make a magazine full (grows under the dynamic policy). */
  magCap: number;
  /** Dynamic policy: depot exchanges counted in the current window. */
  window: bigint;
  windowOps: number;
  stats: ClassStats;
}

/** What the rcache needs from the lab. */
export interface RcacheEnv {
  policy: RcachePolicy;
  magCache: SlabCache;
  /** The per-domain rcache array's kmalloc cache; null when the profile has none. */
  arrayCache: SlabCache | null;
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

/** Magazines of one size class by place, and the PFNs in them. */
export interface ClassCounts {
  loaded: number;
  prev: number;
  depot: number;
  loadedPfns: number;
  prevPfns: number;
  depotPfns: number;
}

/** 2^k as a bigint for the size classes below 32 pages (roundup_pow_of_two without making one per call). */
const POWERS_OF_TWO = [1n, 2n, 4n, 8n, 16n, 32n] as const;

/** struct iova_domain: the tree (rbroot, anchor, cached_node, cached32_node) and the rcaches. */
export class IovaDomain {
  readonly rcaches: IovaRcache[] = [];
  /** The magazines the rcaches hold, by handle. */
  readonly magazines: MagazineTable;
  flushRetries = 0;

  private constructor(
    readonly id: number,
    readonly tree: IovaTree,
    private readonly env: RcacheEnv,
    private readonly arraySlab: Slab | null,
    eagerMagazines: number,
  ) {
    this.magazines = new MagazineTable(eagerMagazines);
  }

  /** iova_domain_init_rcaches; null (with everything freed, in reverse) on an injected failure. */
  static initRcaches(id: number, tree: IovaTree, env: RcacheEnv, possibleCpus: number): IovaDomain | null {
    const { policy } = env;
    const arraySlab = env.arrayCache ? env.arrayCache.alloc() : null;
    const d = new IovaDomain(id, tree, env, arraySlab, policy.lazy ? 0 : 2 * IOVA_RANGE_CACHE_MAX_SIZE * possibleCpus);
    const magCap = policy.dynamicInitial || policy.magazineSize;
    // The per-CPU arrays are made at their size (null: no magazine), not grown by push.
    const noMagazines = (): (IovaMagazine | null)[] => new Array<IovaMagazine | null>(possibleCpus).fill(null);
    for (let k = 0; k < IOVA_RANGE_CACHE_MAX_SIZE; k++) {
      const rc: IovaRcache = {
        loaded: noMagazines(),
        prev: noMagazines(),
        depot: [],
        magCap,
        window: 0n,
        windowOps: 0,
        stats: newClassStats(),
      };
      d.rcaches.push(rc);
      if (policy.lazy) continue;
      for (let cpu = 0; cpu < possibleCpus; cpu++) {
        if ((rc.loaded[cpu] = d.iovaMagazineAlloc()) === null || (rc.prev[cpu] = d.iovaMagazineAlloc()) === null) {
          d.unwindInit();
          return null;
        }
      }
    }
    return d;
  }

  /** A failed init_rcaches: every magazine allocated so far freed in reverse order, then the array. */
  private unwindInit(): void {
    for (let k = this.rcaches.length - 1; k >= 0; k--) {
      const { loaded, prev } = this.rcaches[k];
      for (let cpu = loaded.length - 1; cpu >= 0; cpu--) {
        this.iovaMagazineFree(prev[cpu]);
        this.iovaMagazineFree(loaded[cpu]);
      }
    }
    if (this.arraySlab) this.env.arrayCache!.free(this.arraySlab);
  }

  /** The PFNs magazine m holds (0 for none). */
  count(m: IovaMagazine | null): number {
    return m === null ? 0 : this.magazines.pfns(m).length;
  }

  /** iova_magazine_alloc; null on an injected failure. */
  private iovaMagazineAlloc(): IovaMagazine | null {
    if (this.env.failMagazine()) return null;
    return this.magazines.add(this.env.magCache.alloc());
  }

  /** iova_magazine_free. */
  private iovaMagazineFree(mag: IovaMagazine | null): void {
    if (mag !== null) this.env.magCache.free(this.magazines.remove(mag));
  }

  /** Counts an rcache hit or miss of class k, per domain and lab-wide (no kernel counterpart). Its own
   * method, not bump: bump's field name, passed as an argument, makes each count a generic keyed
   * access, and this one runs on every fast-path allocation. */
  private countLookup(k: number, hit: boolean): void {
    const here = this.rcaches[k].stats,
      lab = this.env.labStats[k];
    if (hit) {
      here.hits++;
      lab.hits++;
    } else {
      here.misses++;
      lab.misses++;
    }
  }

  /** Counts an event in the domain's and the lab's statistics for class k (no kernel counterpart). */
  private bump(k: number, field: Exclude<keyof ClassStats, 'depotHighWater' | 'hits' | 'misses'>): void {
    this.rcaches[k].stats[field]++;
    this.env.labStats[k][field]++;
  }

  /** iova_magazine_free_pfns: every pfn back to the tree (missing ones skipped). */
  private iovaMagazineFreePfns(mag: IovaMagazine | null): void {
    if (mag === null) return;
    for (const pfn of this.magazines.takeAll(mag)) this.tree.freeIova(pfn);
  }

  /** Bonwick's dynamic magazine size: double on DYNAMIC_CONTENTION depot exchanges in one window. */
  private noteDepotExchange(k: number): void {
    const { policy, clock } = this.env;
    if (policy.dynamicInitial === 0) return;
    const rc = this.rcaches[k];
    const window = clock.now / BigInt(DYNAMIC_WINDOW_MS);
    if (window !== rc.window) {
      rc.window = window;
      rc.windowOps = 0;
    }
    if (++rc.windowOps < DYNAMIC_CONTENTION) return;
    rc.windowOps = 0;
    rc.magCap = Math.min(policy.magazineSize, rc.magCap * 2);
  }

  /** iova_depot_push, then schedule_delayed_work for the trim. */
  private iovaDepotPush(k: number, mag: IovaMagazine): void {
    const rc = this.rcaches[k];
    rc.depot.push(mag);
    this.bump(k, 'depotPushes');
    this.noteHighWater(k);
    this.noteDepotExchange(k);
    const delay = this.env.policy.trimDelayMs;
    if (delay > 0) this.env.clock.schedule(this.id, k, BigInt(delay), () => this.iovaDepotWorkFunc(k));
  }

  /** __iova_rcache_get: a pfn for (size, limitPfn) from this CPU's magazines or the depot, or 0n. */
  private iovaRcacheGet(k: number, cpu: number, size: bigint, limitPfn: bigint): bigint {
    const rc = this.rcaches[k];
    if (this.count(rc.loaded[cpu]) > 0) {
      // use loaded
    } else if (this.count(rc.prev[cpu]) > 0) {
      const loaded = rc.loaded[cpu];
      rc.loaded[cpu] = rc.prev[cpu];
      rc.prev[cpu] = loaded;
    } else if (rc.depot.length > 0) {
      this.iovaMagazineFree(rc.loaded[cpu]);
      rc.loaded[cpu] = rc.depot.pop()!;
      this.bump(k, 'depotPops');
      this.noteDepotExchange(k);
    } else {
      return 0n;
    }
    return popMagazine(this.env.policy.magazinePop, this.magazines.pfns(rc.loaded[cpu]!), size, limitPfn);
  }

  /** alloc_iova_fast. */
  allocIovaFast(cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    const { policy } = this.env;
    // roundup_pow_of_two leaves the size class as it was: k is computed once, the power read from a table.
    const k = orderBase2(size);
    if (policy.roundSizeInFastAlloc && size < 32n) size = POWERS_OF_TWO[k];
    // Before flush_rcache existed, a tree failure always flushed and retried.
    if (!policy.flushRcacheArg) flushRcache = true;
    if (k < IOVA_RANGE_CACHE_MAX_SIZE) {
      const pfn = this.iovaRcacheGet(k, cpu, size, limitPfn);
      if (pfn !== 0n) {
        this.countLookup(k, true);
        const node = this.tree.findExact(pfn);
        if (node) node.cached = false;
        return pfn;
      }
      this.countLookup(k, false);
    }
    for (;;) {
      // A node at PFN 0 (the retry-start overflow) is a success the caller reads as 0: no flush.
      const node = this.tree.allocIovaNode(size, limitPfn, true);
      if (node) return node.pfnLo;
      if (!flushRcache) return 0n;
      flushRcache = false;
      this.flushRetries++;
      for (const c of this.env.onlineCpuList()) this.freeCpuCachedIovas(c);
      if (policy.flushDepotOnFailure) this.freeGlobalCachedIovas();
    }
  }

  /** free_iova_fast with iova_rcache_insert; the caller has checked that a node starts at pfn and is not cached. */
  freeIovaFast(cpu: number, pfn: bigint, size: bigint): void {
    const k = orderBase2(size);
    if (k >= IOVA_RANGE_CACHE_MAX_SIZE) {
      this.tree.freeIova(pfn);
      return;
    }
    const rc = this.rcaches[k];
    let dropped: IovaMagazine | null = null;
    // A magazine that cannot be allocated sends the pfn straight back to the tree.
    let loaded = rc.loaded[cpu] ?? (rc.loaded[cpu] = this.iovaMagazineAlloc());
    if (loaded === null) return void this.tree.freeIova(pfn);
    if (this.count(loaded) >= rc.magCap) {
      const prev = rc.prev[cpu] ?? (rc.prev[cpu] = this.iovaMagazineAlloc());
      if (prev === null) return void this.tree.freeIova(pfn);
      if (this.count(prev) < rc.magCap) {
        rc.prev[cpu] = loaded;
        rc.loaded[cpu] = loaded = prev;
      } else {
        const mag = this.iovaMagazineAlloc();
        if (mag === null) return void this.tree.freeIova(pfn);
        const cap = this.env.policy.depotCap;
        if (cap > 0 && rc.depot.length >= cap) {
          // The fixed depot array is full: the displaced magazine is emptied and freed.
          dropped = loaded;
          this.bump(k, 'depotOverflows');
        } else {
          this.iovaDepotPush(k, loaded);
        }
        rc.loaded[cpu] = loaded = mag;
      }
    }
    this.magazines.push(loaded, pfn);
    const node = this.tree.findExact(pfn);
    if (node) node.cached = true;
    if (dropped !== null) {
      this.iovaMagazineFreePfns(dropped);
      this.iovaMagazineFree(dropped);
    }
  }

  /** The depot high-water marks, per domain and lab-wide (no kernel counterpart). */
  private noteHighWater(k: number): void {
    const n = this.rcaches[k].depot.length;
    if (n > this.rcaches[k].stats.depotHighWater) this.rcaches[k].stats.depotHighWater = n;
    const all = this.env.labDepotMags(k);
    if (all > this.env.labStats[k].depotHighWater) this.env.labStats[k].depotHighWater = all;
  }

  /** iova_depot_work_func. */
  private iovaDepotWorkFunc(k: number): void {
    const rc = this.rcaches[k];
    if (rc.depot.length <= this.env.depotTrimThreshold()) return;
    const mag = rc.depot.pop()!;
    this.bump(k, 'depotTrims');
    this.iovaMagazineFreePfns(mag);
    this.iovaMagazineFree(mag);
    this.env.clock.schedule(this.id, k, BigInt(this.env.policy.trimDelayMs), () => this.iovaDepotWorkFunc(k));
  }

  /** free_cpu_cached_iovas. */
  freeCpuCachedIovas(cpu: number): void {
    for (const rc of this.rcaches) {
      this.iovaMagazineFreePfns(rc.loaded[cpu]);
      this.iovaMagazineFreePfns(rc.prev[cpu]);
    }
  }

  /** free_global_cached_iovas. */
  freeGlobalCachedIovas(): void {
    for (const rc of this.rcaches) {
      while (rc.depot.length > 0) {
        const mag = rc.depot.pop()!;
        this.iovaMagazineFreePfns(mag);
        this.iovaMagazineFree(mag);
      }
    }
  }

  /** put_iova_domain: magazines (pfns not returned), trim cancelled, depot, array, then tree. */
  putIovaDomain(): void {
    for (let k = 0; k < this.rcaches.length; k++) {
      const rc = this.rcaches[k];
      for (const m of rc.loaded) this.iovaMagazineFree(m);
      for (const m of rc.prev) this.iovaMagazineFree(m);
      this.env.clock.cancel(this.id, k);
      while (rc.depot.length > 0) this.iovaMagazineFree(rc.depot.pop()!);
    }
    if (this.arraySlab) this.env.arrayCache!.free(this.arraySlab);
    this.tree.freeAll();
  }

  /** Class k's allocated magazines and the pfns in them (for snapshots; no kernel counterpart). */
  classCounts(k: number): ClassCounts {
    const rc = this.rcaches[k];
    const out = { loaded: 0, prev: 0, depot: rc.depot.length, loadedPfns: 0, prevPfns: 0, depotPfns: 0 };
    for (const m of rc.loaded) {
      if (m !== null) out.loaded++;
      out.loadedPfns += this.count(m);
    }
    for (const m of rc.prev) {
      if (m !== null) out.prev++;
      out.prevPfns += this.count(m);
    }
    for (const m of rc.depot) out.depotPfns += this.count(m);
    return out;
  }
}
