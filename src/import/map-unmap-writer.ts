// Writes a recording of DMA map/unmap events as DMA-layer ops: one domain of the chosen type with
// one device (its DMA mask and bus as given), since ftrace's events name neither. A map of one
// chunk becomes `map`, the merged chunks of a scatter-gather allocation one `map-sg`, and an unmap
// `unmap … @<line>` of what that line mapped, on the unmapping CPU.
import type { DmaBus, DmaDomainType } from '../engine.js';
import type { Trace } from '../trace/parse.js';
import { complainer, type Recording } from './recording.js';
import { TraceBuilder } from './trace-builder.js';

export interface MapUnmapOptions {
  /** Possible CPUs of the trace; default: the recording's, else the highest CPU seen + 1. */
  cpus?: number;
  granule: number;
  domainType: DmaDomainType;
  /** The device's DMA mask width. */
  maskBits: number;
  bus: DmaBus;
  lenient?: boolean;
}

/** How many CPUs a trace of the recording needs. */
export function cpusFor(r: Recording, cpus?: number): number {
  const highest = r.events.reduce((m, e) => Math.max(m, e.cpu), 0);
  return Math.max(cpus ?? r.cpus ?? 0, highest + 1);
}

const DOMAIN = 0;
const DEVICE = 0;

export function writeMapUnmap(r: Recording, o: MapUnmapOptions): Trace {
  const b = new TraceBuilder(complainer(r.source, o.lenient ?? false, r.skipped));
  const granule = BigInt(o.granule);
  const aligned = (bytes: bigint): bigint => ((bytes + granule - 1n) / granule) * granule;
  b.domain(DOMAIN, o.granule, 1n, o.domainType);
  b.device(DEVICE, DOMAIN, o.maskBits, o.bus);
  for (const e of r.events) {
    b.at(e.ns);
    if (e.kind === 'map') {
      // the lab unmaps a scatter-gather map by the sum of its granule-aligned segments
      const unmapBytes = e.chunks === 1 ? e.bytes : e.chunkBytes.reduce((n, c) => n + aligned(c), 0n);
      b.map(DEVICE, e.iova, e.line, { cpu: e.cpu, segments: e.chunkBytes, bytes: e.bytes, unmapBytes });
    } else {
      b.unmap(DEVICE, e.iova, e.line, { cpu: e.cpu, bytes: e.bytes });
    }
  }
  const cpus = cpusFor(r, o.cpus);
  return b.trace({ possibleCpus: cpus, onlineCpus: cpus, policy: [] });
}
