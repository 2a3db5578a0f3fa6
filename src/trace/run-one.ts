// One trace op through the Engine method its batch op stands for, so that it throws exactly the error
// a per-op replay would: how a failed window run finds its error.
import type { Engine } from '../engine.js';
import { DMA_DEFAULT_APERTURE_BITS } from '../generated/abi.js';
import type { TraceOp } from './parse.js';

/** Trace ids to the engine's (every id the op names is live). */
export interface EngineIds {
  dom: (id: number) => number;
  dev: (id: number) => number;
}

/** The op through its Engine method; `a`: the PFN (address) a free (unmap) gives, its `@<line>` resolved. */
export function runOne(e: Engine, o: TraceOp, { dom, dev }: EngineIds, a: bigint): void {
  switch (o.op) {
    case 'domain':
      if (o.type) e.createDmaDomain(o.granule, o.startPfn, o.type, DMA_DEFAULT_APERTURE_BITS);
      else e.createDomain(o.granule, o.startPfn);
      break;
    case 'device':
      e.attachDevice(dom(o.id), { bus: o.bus, dmaMaskBits: o.maskBits, coherentMaskBits: o.maskBits, forceDac: false });
      break;
    case 'map':
      e.map(dev(o.dev), o.cpu, o.bytes, 0n, false);
      break;
    case 'map-sg':
      e.mapSg(dev(o.dev), o.cpu, o.segments);
      break;
    case 'unmap':
      e.unmap(dev(o.dev), o.cpu, a, o.bytes);
      break;
    case 'alloc':
      e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, true);
      break;
    case 'alloc-noflush':
      e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, false);
      break;
    case 'free':
      e.freeFast(dom(o.id), o.cpu, a, o.size);
      break;
    case 'slow-alloc':
      e.alloc(dom(o.id), o.size, o.limitPfn, o.aligned);
      break;
    case 'slow-free':
      e.free(dom(o.id), a);
      break;
    case 'reserve':
      e.reserve(dom(o.id), o.lo, o.hi);
      break;
    case 'tick':
      e.advanceClock(o.ms);
      break;
    case 'offline':
      e.cpuOffline(o.cpu);
      break;
    case 'online':
      e.cpuOnline(o.cpu);
      break;
    case 'flush':
      e.flush(dom(o.id));
      break;
    case 'put':
      e.putDomain(dom(o.id));
      break;
    case 'inject':
      e.injectFailure(o.kind, o.nth);
      break;
  }
}
