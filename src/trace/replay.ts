// Runs a parsed trace on an engine. An engine error stops the replay as TraceReplayError naming
// the trace line.
import type { Engine, EngineName } from '../engine.js';
import { IovaLab } from '../lab.js';
import type { Snapshot } from '../snapshot.js';
import { formatOp } from './write.js';
import type { Trace, TraceOp } from './parse.js';

export class TraceReplayError extends Error {
  constructor(readonly line: number, readonly op: string, readonly engineError: unknown) {
    super(`trace line ${line} (${op}): ${engineError instanceof Error ? `${engineError.name}: ${engineError.message}` : String(engineError)}`);
    this.name = 'TraceReplayError';
  }
}

export interface ReplayValue {
  line: number;
  op: TraceOp['op'];
  pfn: bigint;
}

export interface ReplayResult {
  values: ReplayValue[];
  snapshot: Snapshot;
}

export interface ReplayOptions {
  /** Called after every op with the number of ops done. */
  onProgress?: (done: number, total: number) => void;
  /** Wraps the lab's engine before the replay starts (e.g. a SampledEngine for timelines). */
  wrapEngine?: (engine: Engine) => Engine;
}

export async function replayTrace(
  trace: Trace, engineName: EngineName = 'wasm', onValue?: (v: ReplayValue) => void, options: ReplayOptions = {},
): Promise<ReplayResult> {
  using lab = await IovaLab.create({
    possibleCpus: trace.header.possibleCpus,
    onlineCpus: trace.header.onlineCpus,
    magazines: trace.header.magazines,
    profile: trace.header.profile,
    policy: trace.header.policy,
    engine: engineName,
  });
  const e = options.wrapEngine ? options.wrapEngine(lab.engine) : lab.engine;
  const total = trace.ops.length;
  let done = 0;
  const ids = new Map<number, number>();
  const values: ReplayValue[] = [];
  const dom = (id: number): number => ids.get(id)!;
  for (const o of trace.ops) {
    let pfn: bigint | undefined;
    try {
      switch (o.op) {
        case 'domain': ids.set(o.id, e.createDomain(o.granule, o.startPfn)); break;
        case 'alloc': pfn = e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, true); break;
        case 'alloc-noflush': pfn = e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, false); break;
        case 'free': e.freeFast(dom(o.id), o.cpu, o.pfn, o.size); break;
        case 'slow-alloc': pfn = e.alloc(dom(o.id), o.size, o.limitPfn, o.aligned); break;
        case 'slow-free': e.free(dom(o.id), o.pfn); break;
        case 'reserve': pfn = e.reserve(dom(o.id), o.lo, o.hi); break;
        case 'tick': e.advanceClock(o.ms); break;
        case 'offline': e.cpuOffline(o.cpu); break;
        case 'online': e.cpuOnline(o.cpu); break;
        case 'flush': e.flush(dom(o.id)); break;
        case 'put': e.putDomain(dom(o.id)); ids.delete(o.id); break;
      }
    } catch (err) {
      throw new TraceReplayError(o.line, formatOp(o), err);
    }
    if (pfn !== undefined) {
      const v = { line: o.line, op: o.op, pfn };
      values.push(v);
      onValue?.(v);
    }
    options.onProgress?.(++done, total);
  }
  return { values, snapshot: lab.snapshot() };
}
