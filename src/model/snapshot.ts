// Snapshots of the TS model: the counters slabtop, /proc/slabinfo and the rcache would show, in
// the layout both engines share (src/snapshot.ts). Every magazine is walked once, filling the
// per-domain rows and the per-class totals in the same pass.
import type { CacheCounters, ClassCounters, DomainCounters, Snapshot } from '../snapshot.js';
import { CACHE_NAMES } from '../snapshot.js';
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
  for (const d of domainsById(lab.domains)) {
    const dc: DomainCounters = {
      id: d.id,
      liveIovas: d.tree.liveCount,
      cachedPfns: 0,
      magazines: 0,
      depotMags: 0,
      hits: 0,
      misses: 0,
      depotPushes: 0,
      depotPops: 0,
      depotTrims: 0,
      flushRetries: d.flushRetries,
      slowAllocFailures: d.tree.slowAllocFailures,
    };
    d.rcaches.forEach((rc, k) => {
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
    nowMs: Number(lab.clock.now),
    possibleCpus: lab.config.possibleCpus,
    onlineCpus: onlineCpuList(lab.online).length,
    magazineMode: lab.config.magazines,
    magazineObjSize: lab.slabs.get(lab.magCacheName).objSize,
    magazineCache: lab.magCacheName,
    caches: cacheRows(lab),
    magazines: mags,
    classes,
    domains,
  };
}
