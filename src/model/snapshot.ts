// Snapshots of the TS model: the counters slabtop, /proc/slabinfo and the rcache would show, in
// the layout both engines share (src/snapshot.ts). Every magazine is walked once, filling the
// per-domain rows and the per-class totals in the same pass.
import type { CacheCounters, ClassCounters, CpuCounters, DomainCounters, Snapshot } from '../snapshot.js';
import { CACHE_NAMES, DOMAIN_FIELDS, RCACHE_CLASSES } from '../snapshot.js';
import { domainsById, onlineCpuList, type ModelLabState } from './state.js';

function cacheRows(lab: ModelLabState): CacheCounters[] {
  const caches: CacheCounters[] = [];
  for (const name of CACHE_NAMES) {
    if (lab.config.magazines === 'unnamed' && name === 'iommu_iova_magazine') continue;
    const c = lab.slabs.get(name);
    caches.push({
      name,
      objSize: c.objSize,
      objPerSlab: c.objPerSlab,
      pagesPerSlab: c.pagesPerSlab,
      activeObjs: c.activeObjs,
      numObjs: c.numObjs,
      numSlabs: c.numSlabs,
      allocs: c.allocs,
      frees: c.frees,
    });
  }
  return caches;
}

export function snapshotOf(lab: ModelLabState): Snapshot {
  const mags = { loaded: 0, prev: 0, depot: 0, total: 0, loadedPfns: 0, prevPfns: 0, depotPfns: 0 };
  const classes: ClassCounters[] = lab.labStats.map((st) => ({
    hits: st.hits,
    misses: st.misses,
    depotPushes: st.depotPushes,
    depotPops: st.depotPops,
    depotTrims: st.depotTrims,
    depotMags: 0,
    depotHighWater: st.depotHighWater,
    depotOverflows: st.depotOverflows,
    loaded: 0,
    prev: 0,
    loadedPfns: 0,
    prevPfns: 0,
    depotPfns: 0,
  }));
  const domains: DomainCounters[] = [];
  const cpus: CpuCounters[] = Array.from({ length: lab.config.possibleCpus }, () => ({
    loadedPfns: new Array<number>(RCACHE_CLASSES).fill(0),
    prevPfns: new Array<number>(RCACHE_CLASSES).fill(0),
  }));
  for (const d of domainsById(lab.domains)) {
    // Every counter 0 first (the DMA ones stay 0 for a plain domain), then this domain's.
    const dc = Object.fromEntries(DOMAIN_FIELDS.map((f) => [f, 0])) as unknown as DomainCounters;
    Object.assign(dc, {
      id: d.id,
      liveIovas: d.tree.liveCount,
      flushRetries: d.flushRetries,
      slowAllocFailures: d.tree.slowAllocFailures,
    });
    lab.dma.fillCounters(dc);
    d.rcaches.forEach((rc, k) => {
      for (let cpu = 0; cpu < rc.loaded.length; cpu++) {
        cpus[cpu].loadedPfns[k] += d.count(rc.loaded[cpu]);
        cpus[cpu].prevPfns[k] += d.count(rc.prev[cpu]);
      }
      const v = d.classCounts(k);
      const cls = classes[k];
      cls.loaded += v.loaded;
      cls.prev += v.prev;
      cls.depotMags += v.depot;
      cls.loadedPfns += v.loadedPfns;
      cls.prevPfns += v.prevPfns;
      cls.depotPfns += v.depotPfns;
      dc.cachedPfns += v.loadedPfns + v.prevPfns + v.depotPfns;
      dc.magazines += v.loaded + v.prev + v.depot;
      dc.depotMags += v.depot;
      dc.hits += rc.stats.hits;
      dc.misses += rc.stats.misses;
      dc.depotPushes += rc.stats.depotPushes;
      dc.depotPops += rc.stats.depotPops;
      dc.depotTrims += rc.stats.depotTrims;
    });
    domains.push(dc);
  }
  for (const c of classes) {
    mags.loaded += c.loaded;
    mags.prev += c.prev;
    mags.depot += c.depotMags;
    mags.loadedPfns += c.loadedPfns;
    mags.prevPfns += c.prevPfns;
    mags.depotPfns += c.depotPfns;
  }
  mags.total = mags.loaded + mags.prev + mags.depot;
  return {
    nowMs: lab.clock.now,
    possibleCpus: lab.config.possibleCpus,
    onlineCpus: onlineCpuList(lab.online).length,
    magazineMode: lab.config.magazines,
    magazineObjSize: lab.slabs.get(lab.magCacheName).objSize,
    magazineCache: lab.magCacheName,
    caches: cacheRows(lab),
    magazines: mags,
    classes,
    domains,
    cpus,
    flushQueues: lab.dma.flushQueues(),
  };
}
