// The lab-wide state of the TS model: what the facade (lab.ts) owns and the snapshot and
// invariant jobs read. One lab is one machine: its CPUs, its slab caches, its virtual clock and
// its iova_domains.
import type { LabConfig } from '../engine.js';
import type { RcachePolicy } from '../policy.js';
import type { CacheName } from '../snapshot.js';
import type { VirtualClock } from './clock.js';
import type { DmaRegistry } from './dma-registry.js';
import type { ClassStats, IovaDomain } from './rcache.js';
import type { SlabCache, SlabSet } from './slab.js';

export interface ModelLabState {
  readonly config: LabConfig;
  readonly policy: RcachePolicy;
  readonly slabs: SlabSet;
  readonly clock: VirtualClock;
  /** online[cpu]: cpu_online(cpu), for every possible CPU. */
  readonly online: boolean[];
  readonly domains: Map<number, IovaDomain>;
  /** Lab-wide cumulative counters per size class. */
  readonly labStats: ClassStats[];
  /** Where magazines live: the named cache, or the kmalloc-N their size lands in. */
  readonly magCacheName: CacheName;
  /** The kmalloc cache of the per-domain rcache array; null when the profile embeds it. */
  readonly arrayCache: SlabCache | null;
  /** The DMA layer's cookies, devices and flush queues. */
  readonly dma: DmaRegistry;
}

/** for_each_online_cpu, in CPU order. */
export function onlineCpuList(online: readonly boolean[]): number[] {
  const out: number[] = [];
  online.forEach((on, i) => on && out.push(i));
  return out;
}

/** The lab's domains in id order (every lab-wide walk goes in this order, as the C engine does). */
export function domainsById(domains: Map<number, IovaDomain>): IovaDomain[] {
  return [...domains.keys()].sort((a, b) => a - b).map((id) => domains.get(id)!);
}
