// A lab with one DMA domain on either engine, through the library, and the counters the DMA tests
// read from its snapshot: PFNs in each CPU's loaded/prev magazines, depot magazines, queued entries.
import type { DmaDomainType, DmaLayerFacets, EngineName } from '../../src/engine.js';
import type { IovaDomain } from '../../src/domain.js';
import type { IovaLab } from '../../src/lab.js';
import type { DomainCounters, FlushQueueCounters } from '../../src/snapshot.js';
import { newLab } from '../support/labs.js';

export const PAGE = 4096n;

export interface FixtureOptions {
  type: DmaDomainType;
  startPfn?: bigint;
  facets?: DmaLayerFacets;
  hz?: number;
  cpus?: number;
}

export interface DmaFixture {
  lab: IovaLab;
  domain: IovaDomain;
  /** PFNs in a CPU's loaded / prev magazine of class k. */
  loaded: (k: number, cpu: number) => number;
  prev: (k: number, cpu: number) => number;
  /** Full magazines in the depot of class k. */
  depot: (k: number) => number;
  /** Entries queued in a CPU's ring (or, for lazy-single, the shared ring: cpu 0). */
  queued: (cpu: number) => number;
  /** The domain's snapshot row (DMA counters included) and its flush queues. */
  row: () => DomainCounters;
  fq: () => FlushQueueCounters | undefined;
  advance: (ms: number) => void;
}

export async function dmaFixture(engine: EngineName, options: FixtureOptions): Promise<DmaFixture> {
  const lab = await newLab(engine, { possibleCpus: options.cpus ?? 4, hz: options.hz, dmaFacets: options.facets });
  const domain = lab.createDomain({ type: options.type, startPfn: options.startPfn ?? 1n });
  const snap = () => lab.snapshot();
  const fq = () => snap().flushQueues.find((q) => q.domain === domain.id);
  return {
    lab,
    domain,
    fq,
    loaded: (k, cpu) => snap().cpus[cpu].loadedPfns[k],
    prev: (k, cpu) => snap().cpus[cpu].prevPfns[k],
    depot: (k) => snap().classes[k].depotMags,
    queued: (cpu) => fq()!.queued[cpu],
    row: () => snap().domains.find((d) => d.id === domain.id)!,
    advance: (ms) => lab.advanceClock(ms),
  };
}
