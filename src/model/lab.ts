// The pure-TS Engine: a facade over the model's jobs, mirroring the C engine file by file.
//   validate.ts    argument checks, in docs/design.md's order, each throwing its typed error
//   rcache.ts      the iova_domain and its rcache (tree.ts: the IOVA tree, slab.ts: the slab caches)
//   batch.ts       the batch interpreter      snapshot.ts  counters      invariants.ts  the checker
//   dma.ts, flush-queue.ts, dma-registry.ts  the DMA layer (cookies, devices, flush queues)
// Conventions:
// - Each Engine method first runs every check for its operation, then changes the model. A check
//   only reads, so a call that fails (with an IovaLabError subclass naming the bad value) leaves
//   the lab exactly as it was; statuses are the C engine's, mapped to errors by src/errors.ts.
// - Model functions are named after the kernel function they follow (allocIovaFast,
//   freeCpuCachedIovas, iovaDepotWorkFunc…) and say so in a comment.
// - Lab-wide walks (offline, snapshot) visit domains in id order, as the C engine does.
import { ArrayBatchWindow, resultsFor, type BatchWindow } from '../batch-window.js';
import type { BatchResult, DeviceConfig, DmaDomainType, Engine, FailureKind, LabConfig } from '../engine.js';
import { DMA_FACETS_V6_8, OP_WORDS } from '../engine.js';
import { Status } from '../errors.js';
import { DMA_DEFAULT_HZ } from '../generated/abi.js';
import { isIntIn } from '../numbers.js';
import { magazineBytes, policyOfConfig, type RcachePolicy } from '../policy.js';
import type { CacheName, Snapshot } from '../snapshot.js';
import { IOVA_RANGE_CACHE_MAX_SIZE } from '../kernel.js';
import { runOps } from './batch.js';
import { domainGrowth, estimatedBytes, OP_GROWTH, TS_MEMORY_BUDGET, type BudgetUse } from './budget.js';
import { VirtualClock } from './clock.js';
import { IommuDmaCookie } from './dma.js';
import { DmaRegistry } from './dma-registry.js';
import { checkLabInvariants } from './invariants.js';
import { IovaDomain, newClassStats, type ClassStats } from './rcache.js';
import { kmallocCacheFor, namedMagazineObjSize, SlabSet, type SlabCache } from './slab.js';
import { snapshotOf } from './snapshot.js';
import { domainsById, onlineCpuList, type ModelLabState } from './state.js';
import { IovaTree } from './tree.js';
import { V4_7_WALK } from './tree-v4.js';
import {
  checkClockAdvance,
  checkCpuInRange,
  checkCpuOnline,
  checkDomain,
  checkDomainRoom,
  checkFastFree,
  checkFree,
  checkGranule,
  checkHotplug,
  checkInjection,
  checkLabConfig,
  checkLimit,
  checkReserve,
  checkSize,
  checkStartPfn,
  fail,
} from './validate.js';

export class ModelEngine implements Engine, ModelLabState {
  readonly name = 'ts' as const;
  private disposed = false;
  readonly config: LabConfig;
  readonly policy: RcachePolicy;
  readonly slabs: SlabSet;
  readonly clock = new VirtualClock();
  readonly online: boolean[];
  readonly domains = new Map<number, IovaDomain>();
  readonly labStats: ClassStats[] = Array.from({ length: IOVA_RANGE_CACHE_MAX_SIZE }, newClassStats);
  readonly magCacheName: CacheName;
  readonly arrayCache: SlabCache | null;
  /** The caches of magazines (named or kmalloc-N) and of iommu_iova objects, looked up once. */
  private readonly magazineCache: SlabCache;
  private readonly iovaCache: SlabCache;
  private nextId = 0;
  /** Injected failures still to come: the nth allocation of that kind fails (0: none armed). */
  private readonly pendingFail = { magazine: 0, iova: 0 };
  /** The DMA layer: cookies of DMA domains, devices, the batch's pending scatter list. */
  readonly dma: DmaRegistry;

  constructor(config: LabConfig) {
    const { possibleCpus: p, onlineCpus: o } = config;
    checkLabConfig(p, o);
    this.policy = policyOfConfig(config);
    this.config = { ...config, policy: this.policy };
    const bytes = magazineBytes(this.policy);
    this.slabs = new SlabSet(config.slabGeometry, p, namedMagazineObjSize(bytes));
    this.magCacheName = config.magazines === 'named' ? 'iommu_iova_magazine' : kmallocCacheFor(bytes);
    const arrayBytes = this.policy.rcacheArrayBytes;
    this.arrayCache = arrayBytes > 0 ? this.slabs.get(kmallocCacheFor(arrayBytes)) : null;
    this.magazineCache = this.slabs.get(this.magCacheName);
    this.iovaCache = this.slabs.get('iommu_iova');
    this.online = Array.from({ length: p }, (_, i) => i < o);
    const { hz = DMA_DEFAULT_HZ, dmaFacets = DMA_FACETS_V6_8 } = config;
    const facetsOk = Object.values(dmaFacets).every((v) => typeof v === 'boolean');
    if (!isIntIn(hz, 1, 1000) || !facetsOk) fail(Status.DMA_CONFIG, { hz, facets: JSON.stringify(dmaFacets) });
    const onlineCpus = (): number[] => onlineCpuList(this.online);
    this.dma = new DmaRegistry({
      clock: this.clock,
      onlineCpuList: onlineCpus,
      possibleCpus: p,
      hz,
      facets: { ...dmaFacets },
    });
  }

  private live(): void {
    if (this.disposed) fail(Status.NO_LAB, { lab: 'disposed' });
  }

  private domain(id: number): IovaDomain {
    this.live();
    return checkDomain(this.domains, id);
  }

  /** Estimated bytes this engine may hold (budget.ts); protected so a test can shrink it. */
  protected readonly memoryBudget: number = TS_MEMORY_BUDGET;

  /** Whether `growth` could take the lab past its budget; checked before any change. */
  private overBudget(growth: BudgetUse): boolean {
    const held = estimatedBytes({
      domains: this.domains.size,
      possibleCpus: this.config.possibleCpus,
      magazines: this.magazineCache.activeObjs,
      nodes: this.iovaCache.activeObjs,
    });
    return held + estimatedBytes(growth) > this.memoryBudget;
  }

  /** The OutOfMemoryError of an op refused by overBudget, naming its args (built only then). */
  private outOfBudget(args: Record<string, number | bigint>): never {
    return fail(Status.NOMEM, { ...args, budgetBytes: this.memoryBudget });
  }

  /** Counts down an armed injected failure; true when this allocation is the one that fails. */
  private take(kind: FailureKind): boolean {
    if (this.pendingFail[kind] === 0) return false;
    this.pendingFail[kind]--;
    return this.pendingFail[kind] === 0;
  }

  /** iova_depot_work_func keeps num_online_cpus() magazines in each depot (or the policy's fixed count). */
  protected depotTrimThreshold(): number {
    const t = this.policy.trimThreshold;
    return t === 'online' ? onlineCpuList(this.online).length : t;
  }

  /** init_iova_domain, then iova_domain_init_rcaches. */
  createDomain(granule: number, startPfn: bigint): number {
    this.live();
    const shift = checkGranule(granule);
    checkStartPfn(granule, shift, startPfn);
    checkDomainRoom(this.domains.size, this.config.possibleCpus);
    if (this.overBudget(domainGrowth(this.config.possibleCpus, this.policy.lazy)))
      this.outOfBudget({ granule, startPfn });
    const oldWalk = this.policy.treeWalk === 'v4.7' ? V4_7_WALK : null;
    const tree = new IovaTree(shift, startPfn, this.iovaCache, () => this.take('iova'), this.policy, oldWalk);
    const d = IovaDomain.initRcaches(
      this.nextId,
      tree,
      {
        policy: this.policy,
        magCache: this.magazineCache,
        arrayCache: this.arrayCache,
        failMagazine: () => this.take('magazine'),
        clock: this.clock,
        onlineCpuList: () => onlineCpuList(this.online),
        depotTrimThreshold: () => this.depotTrimThreshold(),
        labStats: this.labStats,
        labDepotMags: (k) => [...this.domains.values()].reduce((sum, dom) => sum + dom.rcaches[k].depot.length, 0),
      },
      this.config.possibleCpus,
    );
    if (!d) return fail(Status.ALLOC_FAILED, { granule, startPfn });
    this.domains.set(d.id, d);
    return this.nextId++;
  }

  /** iommu_put_dma_cookie (DMA domains), then put_iova_domain. */
  putDomain(domain: number): void {
    const d = this.domain(domain);
    this.dma.putDomain(domain);
    d.putIovaDomain();
    this.domains.delete(domain);
  }

  /** alloc_iova_fast. */
  allocFast(domain: number, cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint {
    const d = this.domain(domain);
    checkCpuOnline(this.online, cpu);
    checkSize(d, size);
    checkLimit(d, limitPfn);
    if (this.overBudget(OP_GROWTH)) this.outOfBudget({ domain, cpu, size, limitPfn });
    return d.allocIovaFast(cpu, size, limitPfn, flushRcache);
  }

  /** free_iova_fast. */
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void {
    const d = this.domain(domain);
    checkCpuOnline(this.online, cpu);
    checkSize(d, size);
    checkFastFree(d, pfn, size);
    if (this.dma.queuedOverlaps(domain, pfn, pfn)) fail(Status.QUEUED, { domain, pfn });
    if (this.overBudget(OP_GROWTH)) this.outOfBudget({ domain, cpu, pfn, size });
    d.freeIovaFast(cpu, pfn, size);
  }

  /** alloc_iova. */
  alloc(domain: number, size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint {
    const d = this.domain(domain);
    checkSize(d, size);
    checkLimit(d, limitPfn);
    if (this.overBudget(OP_GROWTH)) this.outOfBudget({ domain, size, limitPfn });
    return d.tree.allocIova(size, limitPfn, sizeAligned);
  }

  /** free_iova (find_iova, then remove_iova and the node's free). */
  free(domain: number, pfn: bigint): void {
    const d = this.domain(domain);
    const node = checkFree(d, pfn);
    if (this.dma.queuedOverlaps(domain, node.pfnLo, node.pfnLo)) fail(Status.QUEUED, { domain, pfn });
    d.tree.removeNode(node);
  }

  /** find_iova. */
  find(domain: number, pfn: bigint): [bigint, bigint] | null {
    const d = this.domain(domain);
    const node = d.tree.findContaining(pfn);
    return node && node !== d.tree.anchor ? [node.pfnLo, node.pfnHi] : null;
  }

  /** reserve_iova. */
  reserve(domain: number, lo: bigint, hi: bigint): bigint {
    const d = this.domain(domain);
    checkReserve(d, lo, hi);
    if (this.dma.queuedOverlaps(domain, lo, hi)) {
      fail(Status.RANGE, { domain, lo, hi, queued: 'a queued IOVA overlaps' });
    }
    if (this.overBudget(OP_GROWTH)) this.outOfBudget({ domain, lo, hi });
    return d.tree.reserveIova(lo, hi);
  }

  /** Time passes: delayed works (the depot trim) run when they fall due. */
  advanceClock(ms: bigint): void {
    this.live();
    checkClockAdvance(this.clock, ms);
    this.clock.advance(ms);
  }

  /** iova_cpuhp_dead: the CPU's magazines go back to the tree in every domain (in id order). */
  cpuOffline(cpu: number): void {
    this.live();
    checkHotplug(this.online, cpu, false);
    for (const d of domainsById(this.domains)) d.freeCpuCachedIovas(cpu);
    this.online[cpu] = false;
    this.dma.cpuDead(cpu);
  }

  cpuOnline(cpu: number): void {
    this.live();
    checkHotplug(this.online, cpu, true);
    this.online[cpu] = true;
  }

  /** free_cpu_cached_iovas on every online CPU, then free_global_cached_iovas. */
  flush(domain: number): void {
    const d = this.domain(domain);
    for (const c of onlineCpuList(this.online)) d.freeCpuCachedIovas(c);
    d.freeGlobalCachedIovas();
  }

  /** free_cpu_cached_iovas for one domain; any possible CPU, as the kernel's hotplug dead callback runs it. */
  freeCpuCachedIovas(domain: number, cpu: number): void {
    const d = this.domain(domain);
    checkCpuInRange(this.config.possibleCpus, cpu);
    d.freeCpuCachedIovas(cpu);
  }

  injectFailure(kind: FailureKind, nth: number): void {
    this.live();
    checkInjection(kind, nth);
    this.pendingFail[kind] = nth;
  }

  /** A domain with its iommu_dma_cookie: init checks first, so a bad type or aperture makes no domain. */
  createDmaDomain(granule: number, startPfn: bigint, type: DmaDomainType, apertureBits: number): number {
    this.live();
    const shift = checkGranule(granule);
    checkStartPfn(granule, shift, startPfn);
    IommuDmaCookie.check(type, apertureBits, shift, startPfn, this.dma.facets);
    const id = this.createDomain(granule, startPfn);
    this.dma.addCookie(this.domains.get(id)!, type, apertureBits);
    return id;
  }

  /** iommu_probe_device into a DMA domain. */
  attachDevice(domain: number, device: DeviceConfig): number {
    this.domain(domain);
    return this.dma.attach(domain, device);
  }

  /** iommu_dma_map_page. */
  map(device: number, cpu: number, bytes: bigint, offset: bigint, coherent: boolean): bigint {
    this.live();
    const dev = this.dma.device(device);
    checkCpuOnline(this.online, cpu);
    return dev.map(cpu, bytes, { offset, coherent });
  }

  /** iommu_dma_map_sg. */
  mapSg(device: number, cpu: number, segmentBytes: readonly bigint[]): bigint {
    this.live();
    const dev = this.dma.device(device);
    checkCpuOnline(this.online, cpu);
    return dev.mapSg(cpu, segmentBytes);
  }

  /** __iommu_dma_unmap. */
  unmap(device: number, cpu: number, dmaAddr: bigint, bytes: bigint): void {
    this.live();
    const dev = this.dma.device(device);
    checkCpuOnline(this.online, cpu);
    dev.unmap(cpu, dmaAddr, bytes);
  }

  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult {
    this.live();
    const n = Math.floor(ops.length / OP_WORDS);
    const results = resultsFor(n, out);
    return { results, ...runOps(this, this.dma, ops, n, results) };
  }

  batchWindow(capacityOps: number): BatchWindow {
    this.live();
    return new ArrayBatchWindow(capacityOps, (ops, n, results) => {
      this.live();
      return runOps(this, this.dma, ops, n, results);
    });
  }

  snapshot(): Snapshot {
    this.live();
    return snapshotOf(this);
  }

  checkInvariants(): void {
    this.live();
    checkLabInvariants(this);
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
