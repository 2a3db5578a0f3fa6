// The pure-TS Engine: validation (docs/design.md order and statuses), batches, snapshots and
// invariant checks over the tree, rcache, slab and clock models.
import { ArrayBatchWindow, resultsFor, type BatchRun, type BatchWindow } from '../batch-window.js';
import type { BatchResult, Engine, FailureKind, LabConfig } from '../engine.js';
import { OP_WORDS, OpCode } from '../engine.js';
import { describeArgs, errorForStatus, Status } from '../errors.js';
import type { CacheCounters, ClassCounters, DomainCounters, Snapshot } from '../snapshot.js';
import { CACHE_NAMES } from '../snapshot.js';
import { magazineBytes, policyOfConfig, type RcachePolicy } from '../policy.js';
import type { CacheName } from '../snapshot.js';
import { VirtualClock } from './clock.js';
import { newClassStats, RcacheDomain, type ClassStats } from './rcache.js';
import { kmallocCacheFor, namedMagazineObjSize, SlabSet, type SlabCache } from './slab.js';
import { IovaTree, orderBase2, U64_MAX } from './tree.js';
import { V4_7_WALK } from './tree-v4.js';

/** A domain or CPU word as a number; too large for one reads as -1, which validation rejects. */
const smallWord = (v: bigint): number => (v > 0x7fffffffn ? -1 : Number(v));

const fail = (status: number, args: Record<string, number | bigint | boolean | string>): never => {
  throw errorForStatus(status, describeArgs(args));
};

export class ModelEngine implements Engine {
  readonly name = 'ts' as const;
  private disposed = false;
  private readonly slabs: SlabSet;
  private readonly clock = new VirtualClock();
  private readonly online: boolean[];
  private readonly domains = new Map<number, RcacheDomain>();
  private nextId = 0;
  private readonly labStats: ClassStats[] = Array.from({ length: 6 }, newClassStats);
  private readonly pendingFail = { magazine: 0, iova: 0 };
  private readonly policy: RcachePolicy;
  /** Where magazines live: the named cache, or the kmalloc-N their size lands in. */
  private readonly magCacheName: CacheName;
  private readonly arrayCache: SlabCache | null;

  constructor(readonly config: LabConfig) {
    const { possibleCpus: p, onlineCpus: o } = config;
    if (!Number.isInteger(p) || !Number.isInteger(o) || p < 1 || p > 4096 || o < 1 || o > p) {
      fail(Status.LAB_CONFIG, { possibleCpus: p, onlineCpus: o });
    }
    this.policy = policyOfConfig(config);
    this.config = { ...config, policy: this.policy };
    const bytes = magazineBytes(this.policy);
    this.slabs = new SlabSet(config.slabGeometry, p, namedMagazineObjSize(bytes));
    this.magCacheName = config.magazines === 'named' ? 'iommu_iova_magazine' : kmallocCacheFor(bytes);
    const arrayBytes = this.policy.rcacheArrayBytes;
    this.arrayCache = arrayBytes > 0 ? this.slabs.get(kmallocCacheFor(arrayBytes)) : null;
    this.online = Array.from({ length: p }, (_, i) => i < o);
  }

  // ---- helpers ----
  private live(): void {
    if (this.disposed) fail(Status.NO_LAB, { lab: 'disposed' });
  }

  private dom(domain: number): RcacheDomain {
    this.live();
    const d = this.domains.get(domain);
    if (!d) return fail(Status.NO_DOMAIN, { domain });
    return d;
  }

  private cpuInRange(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.config.possibleCpus) fail(Status.CPU_RANGE, { cpu });
  }

  private cpuIsOnline(cpu: number): void {
    this.cpuInRange(cpu);
    if (!this.online[cpu]) fail(Status.CPU_OFFLINE, { cpu });
  }

  private checkSize(d: RcacheDomain, size: bigint): void {
    if (size < 1n || size > d.tree.maxPfn - d.tree.startPfn + 1n) fail(Status.SIZE, { domain: d.id, size });
  }

  private checkLimit(d: RcacheDomain, limitPfn: bigint): void {
    if (limitPfn < d.tree.startPfn || limitPfn > d.tree.maxPfn) fail(Status.LIMIT, { domain: d.id, limitPfn });
  }

  private onlineList(): number[] {
    const out: number[] = [];
    this.online.forEach((on, i) => on && out.push(i));
    return out;
  }

  private take(kind: 'magazine' | 'iova'): boolean {
    if (this.pendingFail[kind] === 0) return false;
    this.pendingFail[kind]--;
    return this.pendingFail[kind] === 0;
  }

  // ---- Engine ----
  createDomain(granule: number, startPfn: bigint): number {
    this.live();
    if (!Number.isInteger(granule) || granule < 1 || granule > 4096 || (granule & (granule - 1)) !== 0) {
      fail(Status.GRANULE, { granule });
    }
    const shift = Math.log2(granule);
    const maxPfn = U64_MAX >> BigInt(shift);
    if (startPfn < 1n || startPfn > maxPfn - 1n) fail(Status.START_PFN, { granule, startPfn });
    const iovaCache = this.slabs.get('iommu_iova');
    const oldWalk = this.policy.treeWalk === 'v4.7' ? V4_7_WALK : null;
    const tree = new IovaTree(shift, startPfn, iovaCache, () => this.take('iova'), this.policy, oldWalk);
    const d = RcacheDomain.create(this.nextId, tree, {
      policy: this.policy,
      magCache: this.slabs.get(this.magCacheName),
      arrayCache: this.arrayCache,
      failMagazine: () => this.take('magazine'),
      clock: this.clock,
      onlineCpuList: () => this.onlineList(),
      depotTrimThreshold: () => this.depotTrimThreshold(),
      labStats: this.labStats,
      labDepotMags: (k) => [...this.domains.values()].reduce((sum, dom) => sum + dom.rcaches[k].depot.length, 0),
    }, this.config.possibleCpus);
    if (!d) return fail(Status.ALLOC_FAILED, { granule, startPfn });
    this.domains.set(d.id, d);
    return this.nextId++;
  }

  putDomain(domain: number): void {
    const d = this.dom(domain);
    d.put();
    this.domains.delete(domain);
  }

  allocFast(domain: number, cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    const d = this.dom(domain);
    this.cpuIsOnline(cpu);
    this.checkSize(d, size);
    this.checkLimit(d, limitPfn);
    return d.allocFast(cpu, size, limitPfn, flushRcache);
  }

  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void {
    const d = this.dom(domain);
    this.cpuIsOnline(cpu);
    this.checkSize(d, size);
    const node = d.tree.findExact(pfn);
    if (!node) return fail(Status.NOT_ALLOCATED, { domain, pfn });
    if (node.cached) fail(Status.DOUBLE_FREE, { domain, pfn });
    if (orderBase2(size) !== orderBase2(node.pfnHi - node.pfnLo + 1n)) {
      fail(Status.SIZE_CLASS, { domain, pfn, size, nodeSize: node.pfnHi - node.pfnLo + 1n });
    }
    d.freeFast(cpu, pfn, size);
  }

  alloc(domain: number, size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint {
    const d = this.dom(domain);
    this.checkSize(d, size);
    this.checkLimit(d, limitPfn);
    return d.tree.allocIova(size, limitPfn, sizeAligned);
  }

  free(domain: number, pfn: bigint): void {
    const d = this.dom(domain);
    const node = d.tree.findContaining(pfn);
    if (!node || node === d.tree.anchor) return fail(Status.NOT_ALLOCATED, { domain, pfn });
    if (node.cached) fail(Status.DOUBLE_FREE, { domain, pfn });
    d.tree.removeNode(node);
  }

  find(domain: number, pfn: bigint): [bigint, bigint] | null {
    const d = this.dom(domain);
    const node = d.tree.findContaining(pfn);
    return node && node !== d.tree.anchor ? [node.pfnLo, node.pfnHi] : null;
  }

  reserve(domain: number, lo: bigint, hi: bigint): bigint {
    const d = this.dom(domain);
    if (lo < d.tree.startPfn || lo > hi || hi > d.tree.maxPfn) fail(Status.RANGE, { domain, lo, hi });
    // Extending a node whose pfn sits in a magazine would corrupt the rcache.
    if (d.tree.rangeHasCached(lo, hi)) fail(Status.RANGE, { domain, lo, hi, cached: 'a cached IOVA overlaps' });
    return d.tree.reserveIova(lo, hi);
  }

  advanceClock(ms: bigint): void {
    this.live();
    this.clock.advance(ms);
  }

  cpuOffline(cpu: number): void {
    this.live();
    this.cpuIsOnline(cpu);
    if (this.onlineList().length === 1) fail(Status.CPU_STATE, { cpu });
    for (const id of [...this.domains.keys()].sort((a, b) => a - b)) this.domains.get(id)!.flushCpu(cpu);
    this.online[cpu] = false;
  }

  cpuOnline(cpu: number): void {
    this.live();
    this.cpuInRange(cpu);
    if (this.online[cpu]) fail(Status.CPU_STATE, { cpu });
    this.online[cpu] = true;
  }

  flush(domain: number): void {
    const d = this.dom(domain);
    for (const c of this.onlineList()) d.flushCpu(c);
    d.flushDepot();
  }

  injectFailure(kind: FailureKind, nth: number): void {
    this.live();
    if (kind !== 'magazine' && kind !== 'iova') fail(Status.BAD_OP, { kind });
    if (!Number.isInteger(nth) || nth < 0) fail(Status.BAD_OP, { nth });
    this.pendingFail[kind] = nth;
  }

  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult {
    this.live();
    const n = Math.floor(ops.length / OP_WORDS);
    const results = resultsFor(n, out);
    return { results, ...this.runInto(ops, n, results) };
  }

  batchWindow(capacityOps: number): BatchWindow {
    this.live();
    return new ArrayBatchWindow(capacityOps, (ops, n, results) => this.runInto(ops, n, results));
  }

  /** The batch interpreter: op i through its Engine method, words read in place. */
  private runInto(ops: BigUint64Array, n: number, results: BigUint64Array): BatchRun {
    this.live();
    for (let i = 0; i < n; i++) {
      const at = i * OP_WORDS;
      const code = ops[at]!, a = ops[at + 3]!, b = ops[at + 4]!, c = ops[at + 5]!;
      const dom = smallWord(ops[at + 1]!);
      const cpu = smallWord(ops[at + 2]!);
      try {
        let r = 0n;
        switch (Number(code)) {
          case OpCode.AllocFast: r = this.allocFast(dom, cpu, a, b, c !== 0n); break;
          case OpCode.FreeFast: this.freeFast(dom, cpu, a, b); break;
          case OpCode.Alloc: r = this.alloc(dom, a, b, c !== 0n); break;
          case OpCode.Free: this.free(dom, a); break;
          case OpCode.Find: r = this.find(dom, a)?.[0] ?? 0n; break;
          case OpCode.Reserve: r = this.reserve(dom, a, b); break;
          case OpCode.Advance: this.advanceClock(a); break;
          case OpCode.CpuOffline: this.cpuOffline(cpu); break;
          case OpCode.CpuOnline: this.cpuOnline(cpu); break;
          case OpCode.Flush: this.flush(dom); break;
          case OpCode.DomainCreate: r = BigInt(this.createDomain(smallWord(a), b)); break;
          case OpCode.DomainPut: this.putDomain(dom); break;
          case OpCode.InjectFailure:
            if (a > 1n) fail(Status.BAD_OP, { op: i, kind: a });
            this.injectFailure(a === 0n ? 'magazine' : 'iova', smallWord(b));
            break;
          default:
            fail(Status.BAD_OP, { op: i, opcode: code });
        }
        results[i] = r;
      } catch (error) {
        return { completed: i, error: error as Error };
      }
    }
    return { completed: n };
  }

  snapshot(): Snapshot {
    this.live();
    const caches: CacheCounters[] = [];
    for (const name of CACHE_NAMES) {
      if (this.config.magazines === 'unnamed' && name === 'iommu_iova_magazine') continue;
      const c = this.slabs.get(name);
      caches.push({
        name, objSize: c.objSize, objPerSlab: c.objPerSlab, pagesPerSlab: c.pagesPerSlab,
        activeObjs: c.activeObjs, numObjs: c.numObjs, numSlabs: c.numSlabs, allocs: c.allocs, frees: c.frees,
      });
    }
    const mags = { loaded: 0, prev: 0, depot: 0, total: 0, loadedPfns: 0, prevPfns: 0, depotPfns: 0 };
    const classes: ClassCounters[] = this.labStats.map((st) => ({
      hits: st.hits, misses: st.misses, depotPushes: st.depotPushes, depotPops: st.depotPops,
      depotTrims: st.depotTrims, depotMags: 0, depotHighWater: st.depotHighWater, depotOverflows: st.depotOverflows,
      loaded: 0, prev: 0, loadedPfns: 0, prevPfns: 0, depotPfns: 0,
    }));
    const domains: DomainCounters[] = [];
    for (const id of [...this.domains.keys()].sort((x, y) => x - y)) {
      const d = this.domains.get(id)!;
      const dc: DomainCounters = {
        id, liveIovas: d.tree.liveCount, cachedPfns: 0, magazines: 0, depotMags: 0,
        hits: 0, misses: 0, depotPushes: 0, depotPops: 0, depotTrims: 0,
        flushRetries: d.flushRetries, slowAllocFailures: d.tree.slowAllocFailures,
      };
      d.rcaches.forEach((rc, k) => {
        const v = d.classCounts(k);
        const cls = classes[k];
        cls.loaded += v.loaded; cls.prev += v.prev; cls.depotMags += v.depot;
        cls.loadedPfns += v.loadedPfns; cls.prevPfns += v.prevPfns; cls.depotPfns += v.depotPfns;
        dc.cachedPfns += v.loadedPfns + v.prevPfns + v.depotPfns;
        dc.magazines += v.loaded + v.prev + v.depot;
        dc.depotMags += v.depot;
        dc.hits += rc.stats.hits; dc.misses += rc.stats.misses; dc.depotPushes += rc.stats.depotPushes;
        dc.depotPops += rc.stats.depotPops; dc.depotTrims += rc.stats.depotTrims;
      });
      domains.push(dc);
    }
    for (const c of classes) {
      mags.loaded += c.loaded; mags.prev += c.prev; mags.depot += c.depotMags;
      mags.loadedPfns += c.loadedPfns; mags.prevPfns += c.prevPfns; mags.depotPfns += c.depotPfns;
    }
    mags.total = mags.loaded + mags.prev + mags.depot;
    return {
      nowMs: Number(this.clock.now), possibleCpus: this.config.possibleCpus, onlineCpus: this.onlineList().length,
      magazineMode: this.config.magazines, magazineObjSize: this.slabs.get(this.magCacheName).objSize,
      magazineCache: this.magCacheName, caches, magazines: mags, classes, domains,
    };
  }

  /** iova_depot_work_func keeps num_online_cpus() magazines in each depot (or the policy's fixed count). */
  protected depotTrimThreshold(): number {
    const t = this.policy.trimThreshold;
    return t === 'online' ? this.onlineList().length : t;
  }

  checkInvariants(): void {
    this.live();
    const bad = (what: string): never => {
      throw errorForStatus(Status.INVARIANT, what);
    };
    let magsByCache = 0;
    let totalNodes = 0;
    for (const [id, d] of this.domains) {
      const { nodes, anchor } = d.tree;
      if (nodes[nodes.length - 1] !== anchor || anchor.pfnHi !== U64_MAX) bad(`domain ${id}: anchor is not last`);
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i];
        if (n.pfnLo > n.pfnHi) bad(`domain ${id}: node 0x${n.pfnLo.toString(16)} has pfnLo > pfnHi`);
        // The retry-start overflow (policy retry 'overflow') can hand out ranges below startPfn.
        const floor = this.policy.retry === 'overflow' ? 0n : d.tree.startPfn;
        if (n !== anchor && (n.pfnLo < floor || n.pfnHi >= U64_MAX)) {
          bad(`domain ${id}: node 0x${n.pfnLo.toString(16)} lies outside [startPfn, ~0)`);
        }
        if (i > 0 && nodes[i - 1].pfnHi >= n.pfnLo) bad(`domain ${id}: nodes overlap at 0x${n.pfnLo.toString(16)}`);
      }
      if (!nodes.includes(d.tree.cachedNode)) bad(`domain ${id}: cachedNode is not in the tree`);
      if (!nodes.includes(d.tree.cached32Node)) bad(`domain ${id}: cached32Node is not in the tree`);
      totalNodes += d.tree.liveCount;
      const seen = new Set<bigint>();
      const check = (pfn: bigint, k: number): void => {
        const node = d.tree.findExact(pfn);
        const at = `domain ${id}, class ${k}, pfn 0x${pfn.toString(16)}`;
        if (!node) return bad(`${at}: cached pfn is not the pfnLo of a live node`);
        if (!node.cached) bad(`${at}: node is not flagged cached`);
        if (orderBase2(node.pfnHi - node.pfnLo + 1n) !== k) bad(`${at}: node is in the wrong class`);
        if (seen.has(pfn)) bad(`${at}: pfn cached twice`);
        seen.add(pfn);
      };
      const { policy } = this;
      d.rcaches.forEach((rc, k) => {
        const at = `domain ${id}, class ${k}`;
        if (rc.magCap < 1 || rc.magCap > policy.magazineSize) bad(`${at}: magazine capacity ${rc.magCap} outside 1..${policy.magazineSize}`);
        if (policy.depotCap > 0 && rc.depot.length > policy.depotCap) bad(`${at}: depot ${rc.depot.length} above its cap ${policy.depotCap}`);
        for (let cpu = 0; cpu < rc.loaded.length; cpu++) {
          for (const m of [rc.loaded[cpu], rc.prev[cpu]]) {
            if (!m) {
              if (!policy.lazy) bad(`${at}: eager magazine missing`);
              continue;
            }
            if (m.pfns.length > rc.magCap) bad(`${at}: magazine overfull`);
            for (const pfn of m.pfns) check(pfn, k);
            magsByCache++;
          }
        }
        for (const m of rc.depot) {
          const full = policy.dynamicInitial > 0 ? m.pfns.length >= 1 && m.pfns.length <= rc.magCap : m.pfns.length === policy.magazineSize;
          if (!full) bad(`${at}: depot magazine holds ${m.pfns.length} pfns`);
          for (const pfn of m.pfns) check(pfn, k);
          magsByCache++;
        }
      });
      const flagged = nodes.filter((n) => n.cached).length;
      if (flagged !== seen.size) bad(`domain ${id}: ${flagged} nodes flagged cached but ${seen.size} pfns cached`);
    }
    // Every object in every cache is accounted for: nodes, magazines, rcache arrays.
    const expected = new Map<CacheName, number>([['iommu_iova', totalNodes]]);
    const add = (name: CacheName, n: number): void => void expected.set(name, (expected.get(name) ?? 0) + n);
    add(this.magCacheName, magsByCache);
    if (this.arrayCache) add(this.arrayCache.name, this.domains.size);
    for (const [name, cache] of this.slabs.caches) {
      const want = expected.get(name) ?? 0;
      if (cache.activeObjs !== want) bad(`${name} active ${cache.activeObjs} != model objects ${want}`);
    }
  }

  /** Idempotent; afterwards every other method throws DisposedError. */
  dispose(): void {
    this.disposed = true;
    this.domains.clear();
  }
}

export function createModelEngine(config: LabConfig): Engine {
  return new ModelEngine(config);
}
