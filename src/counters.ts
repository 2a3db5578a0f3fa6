// The counter records of a Snapshot, field by field. src/snapshot.ts decodes them in the order
// of its *_FIELDS lists and checks at compile time that those lists name exactly these fields.

/**
 * One slab cache as slabtop and /proc/slabinfo show it.
 * @example `cacheByName(lab.snapshot(), 'iommu_iova')?.activeObjs`
 */
export interface SlabCounters {
  /** Bytes per object. @example `1024` for iommu_iova_magazine */
  objSize: number;
  /** Objects per slab. @example `4` (order0 geometry, 1 KiB objects) */
  objPerSlab: number;
  /** Pages per slab. @example `1` */
  pagesPerSlab: number;
  /** Objects in use (slabtop's ACTIVE). @example `1536` */
  activeObjs: number;
  /** Objects in allocated slabs, used or not (slabtop's OBJS). @example `1536` */
  numObjs: number;
  /** Slabs allocated. @example `384` */
  numSlabs: number;
  /** Objects allocated since the lab was created. @example `1536` */
  allocs: number;
  /** Objects freed since the lab was created. @example `0` */
  frees: number;
}

/**
 * Magazines of every domain, by where they sit, and the PFNs cached in them.
 * @example `lab.snapshot().magazines.depot`
 */
export interface MagazineCounters {
  /** Per-CPU loaded magazines. @example `768` (128 CPUs × 6 classes) */
  loaded: number;
  /** Per-CPU prev magazines. @example `768` */
  prev: number;
  /** Full magazines in the depots. @example `0` */
  depot: number;
  /** loaded + prev + depot. @example `1536` */
  total: number;
  /** PFNs cached in loaded magazines. @example `1` */
  loadedPfns: number;
  /** PFNs cached in prev magazines. @example `0` */
  prevPfns: number;
  /** PFNs cached in depot magazines. @example `0` */
  depotPfns: number;
}

/**
 * One rcache size class k (IOVAs of up to 2^k pages), summed over every domain.
 * @example `lab.snapshot().classes[0].hits`
 */
export interface ClassCounters {
  /** Allocations served from a magazine. @example `10` */
  hits: number;
  /** Allocations that fell through to the rbtree. @example `2` */
  misses: number;
  /** Full magazines pushed to a depot. @example `1` */
  depotPushes: number;
  /** Full magazines taken from a depot. @example `1` */
  depotPops: number;
  /** Depot magazines freed by the delayed trim work. @example `0` */
  depotTrims: number;
  /** Full magazines in the depots now. @example `0` */
  depotMags: number;
  /** The most depot magazines this class held at once. @example `3` */
  depotHighWater: number;
  /** Full magazines freed because a fixed-size depot was full (v4.7, v6.0). @example `0` */
  depotOverflows: number;
  /** Per-CPU loaded magazines. @example `128` */
  loaded: number;
  /** Per-CPU prev magazines. @example `128` */
  prev: number;
  /** PFNs cached in loaded magazines. @example `1` */
  loadedPfns: number;
  /** PFNs cached in prev magazines. @example `0` */
  prevPfns: number;
  /** PFNs cached in depot magazines. @example `0` */
  depotPfns: number;
}

/**
 * One live domain.
 * @example `lab.snapshot().domains[0].liveIovas`
 */
export interface DomainCounters {
  /** The domain's id (IovaDomain.id). @example `0` */
  id: number;
  /** IOVAs allocated and not freed (in the tree, not counting cached ones). @example `1` */
  liveIovas: number;
  /** PFNs sitting in this domain's magazines. @example `1` */
  cachedPfns: number;
  /** Magazines this domain owns (per-CPU and depot). @example `1536` */
  magazines: number;
  /** Full magazines in this domain's depots. @example `0` */
  depotMags: number;
  /** Allocations served from a magazine. @example `10` */
  hits: number;
  /** Allocations that fell through to the rbtree. @example `2` */
  misses: number;
  /** Full magazines pushed to a depot. @example `1` */
  depotPushes: number;
  /** Full magazines taken from a depot. @example `1` */
  depotPops: number;
  /** Depot magazines freed by the delayed trim work. @example `0` */
  depotTrims: number;
  /** Failed fast allocations retried after flushing every CPU's rcache. @example `0` */
  flushRetries: number;
  /** rbtree allocations that found no room. @example `0` */
  slowAllocFailures: number;
  /** The DMA layer: 0 a plain domain, 1 strict, 2 lazy, 3 lazy-single. @example `2` */
  dmaType: number;
  /** Devices attached. @example `1` */
  devices: number;
  /** Successful maps (page, coherent and scatter-gather). @example `100` */
  maps: number;
  /** Unmaps (queued or freed at once). @example `99` */
  unmaps: number;
  /** Bytes asked for by successful maps, before alignment. @example `409600` */
  mappedBytes: number;
  /** Maps whose allocation failed. @example `0` */
  mapFailures: number;
  /** 32-bit (SAC) attempts of PCI devices. @example `100` */
  sacAttempts: number;
  /** 32-bit attempts that found an IOVA. @example `100` */
  sacSuccesses: number;
  /** Devices switched to the full range for good by a failed 32-bit attempt (v6.6+). @example `0` */
  sacSwitched: number;
  /** IOVAs waiting in flush queues now. @example `12` */
  queued: number;
  /** Flush queue rings: 0 strict or plain, one per possible CPU lazy, 1 lazy-single. @example `128` */
  fqRings: number;
  /** IOTLB flushes forced by a full ring. @example `3` */
  flushesFull: number;
  /** IOTLB flushes by the flush-queue timer. @example `5` */
  flushesTimer: number;
  /** Flush-queue timer expiries. @example `5` */
  timerExpiries: number;
  /** 1 while the flush-queue timer is pending. @example `1` */
  timerPending: number;
  /** IOVAs a queueing CPU freed from its own ring into its own magazines. @example `765` */
  queueFreed: number;
  /** IOVAs the timer freed, all on the CPU it ran on. @example `40` */
  timerFreed: number;
}

/**
 * One possible CPU: the PFNs in its loaded and prev magazines per size class, summed over domains.
 * @example `lab.snapshot().cpus[0].loadedPfns`
 */
export interface CpuCounters {
  /** PFNs in loaded magazines, index k = size class k. @example `[3, 0, 0, 0, 0, 0]` */
  loadedPfns: number[];
  /** PFNs in prev magazines, by size class. @example `[127, 0, 0, 0, 0, 0]` */
  prevPfns: number[];
}

/**
 * A lazy domain's flush queues.
 * @example `lab.snapshot().flushQueues[0]?.queued`
 */
export interface FlushQueueCounters {
  /** The domain's id. @example `0` */
  domain: number;
  /** Entries per ring: per possible CPU, or the one shared ring. @example `[0, 12, 0, 0]` */
  queued: number[];
  /** IOVAs its timer freed on each possible CPU. @example `[0, 40, 0, 0]` */
  timerFreedOn: number[];
}
