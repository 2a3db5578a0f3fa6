// Writes a recording of DMA map/unmap events as allocator ops, for the trace format that has no
// devices yet: one domain; each map becomes `alloc` of its length in granules (below the limit
// the DMA mask gives), each unmap a `free @<line>` of what that map's line allocated, on the
// unmapping CPU. Strict unmapping is what this writes: the free runs at once, on the unmapping CPU.
import type { Trace } from '../trace/parse.js';
import { complainer, type Recording } from './recording.js';
import { TraceBuilder } from './trace-builder.js';

export interface WriterOptions {
  /** Possible CPUs of the trace; default: the recording's, else the highest CPU seen + 1. */
  cpus?: number;
  granule: number;
  /** The devices' DMA mask width; the limit is also capped at the 48-bit aperture. */
  maskBits: number;
  lenient?: boolean;
}

export const APERTURE_BITS = 48;

/** The highest PFN a mask of `bits` bits reaches in a 48-bit aperture. */
export function limitPfnOf(maskBits: number, granule: number): bigint {
  return (1n << BigInt(Math.min(maskBits, APERTURE_BITS))) / BigInt(granule) - 1n;
}

/** How many CPUs a trace of the recording needs. */
export function cpusFor(r: Recording, cpus?: number): number {
  const highest = r.events.reduce((m, e) => Math.max(m, e.cpu), 0);
  return Math.max(cpus ?? r.cpus ?? 0, highest + 1);
}

export function writeAllocFree(r: Recording, o: WriterOptions): Trace {
  const b = new TraceBuilder(complainer(r.source, o.lenient ?? false, r.skipped));
  const granule = BigInt(o.granule);
  const pagesOf = (bytes: bigint): bigint => (bytes + granule - 1n) / granule;
  const limitPfn = limitPfnOf(o.maskBits, o.granule);
  b.domain(0, o.granule, 1n);
  for (const e of r.events) {
    b.at(e.ns);
    if (e.kind === 'map') {
      b.alloc(0, e.iova, e.line, { cpu: e.cpu, pages: pagesOf(e.bytes), limitPfn, flush: true, fast: true });
      continue;
    }
    b.free(0, e.iova, e.line, { cpu: e.cpu, pages: pagesOf(e.bytes), samePages: true, fast: true });
  }
  const cpus = cpusFor(r, o.cpus);
  return b.trace({ possibleCpus: cpus, onlineCpus: cpus, policy: [] });
}
