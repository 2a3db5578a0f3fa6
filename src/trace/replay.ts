// Runs a parsed trace on an engine, in batches of the engine's batch ops. An engine error stops
// the replay as TraceReplayError naming the trace line.
import { OP_WORDS, OpCode, type Engine, type EngineName } from '../engine.js';
import { DMA_DEFAULT_APERTURE_BITS, IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import { IovaLab } from '../lab.js';
import type { Snapshot } from '../snapshot.js';
import { formatOp } from './write.js';
import { ADDRESS_OPS, VALUE_OPS, type Trace, type TraceOp } from './parse.js';

export class TraceReplayError extends Error {
  constructor(readonly line: number, readonly op: string, readonly engineError: unknown) {
    super(`trace line ${line} (${op}): ${engineError instanceof Error ? `${engineError.name}: ${engineError.message}` : String(engineError)}`);
    this.name = 'TraceReplayError';
  }
}

/** What a value op returned: a PFN, or for map and map-sg the DMA address (0 = failure). */
export type ReplayValue =
  | { line: number; op: Exclude<TraceOp['op'], 'map' | 'map-sg'>; pfn: bigint }
  | { line: number; op: 'map' | 'map-sg'; addr: bigint };

export interface ReplayResult {
  values: ReplayValue[];
  snapshot: Snapshot;
}

/** Ops per runBatch call: large enough that the per-call cost vanishes, small enough to keep the
 * encoded chunk (48 bytes per op) in cache. */
const CHUNK_OPS = 4096;

// Small words as shared bigints: opcodes, CPU and domain ids would otherwise allocate per op.
const SMALL_WORDS = Array.from({ length: 256 }, (_, i) => BigInt(i));
const word = (n: number): bigint => (n < SMALL_WORDS.length ? SMALL_WORDS[n]! : BigInt(n));

/** Batch ops one trace op may take: a map-sg of the most segments, 5 per SG_SEGMENTS op, then MAP_SG. */
const MAX_OPS_PER_LINE = Math.ceil(IOVA_SG_MAX_SEGMENTS / 5) + 1;
const TYPE_WORDS = { strict: 0n, lazy: 1n, 'lazy-single': 2n } as const;

/** map-sg's batch ops: its segments five per SG_SEGMENTS op, then MAP_SG; the count written. */
function encodeMapSg(o: Extract<TraceOp, { op: 'map-sg' }>, out: BigUint64Array, at: number, dev: number): number {
  let n = 0;
  for (let i = 0; i < o.segments.length; i += 5, n++) {
    const w = at + n * OP_WORDS;
    out[w] = word(OpCode.SgSegments);
    for (let j = 0; j < 5; j++) out[w + 1 + j] = o.segments[i + j] ?? 0n;
  }
  const w = at + n * OP_WORDS;
  out[w] = word(OpCode.MapSg); out[w + 1] = word(dev); out[w + 2] = word(o.cpu);
  out[w + 3] = 0n; out[w + 4] = 0n; out[w + 5] = 0n;
  return n + 1;
}

/** The batch words of one op, and how many batch ops it took; `dom` and `dev` map trace ids to
 * the engine's (the parser has checked that every id is live). */
function encode(o: TraceOp, out: BigUint64Array, at: number, dom: (id: number) => number, dev: (id: number) => number,
): number {
  let code: OpCode, d = 0, cpu = 0, a = 0n, b = 0n, c = 0n;
  switch (o.op) {
    case 'domain':
      if (o.type) {
        code = OpCode.DmaDomainCreate; cpu = DMA_DEFAULT_APERTURE_BITS; a = BigInt(o.granule); b = o.startPfn;
        c = TYPE_WORDS[o.type];
      } else {
        code = OpCode.DomainCreate; a = BigInt(o.granule); b = o.startPfn;
      }
      break;
    case 'device':
      code = OpCode.DeviceAttach; d = dom(o.id); cpu = o.bus === 'pci' ? 0 : 1; a = BigInt(o.maskBits); b = a; break;
    case 'map': code = OpCode.Map; d = dev(o.dev); cpu = o.cpu; a = o.bytes; break;
    case 'map-sg': return encodeMapSg(o, out, at, dev(o.dev));
    case 'unmap': code = OpCode.Unmap; d = dev(o.dev); cpu = o.cpu; a = o.addr; b = o.bytes; break;
    case 'alloc':
    case 'alloc-noflush':
      code = OpCode.AllocFast; d = dom(o.id); cpu = o.cpu; a = o.size; b = o.limitPfn; c = o.op === 'alloc' ? 1n : 0n; break;
    case 'free': code = OpCode.FreeFast; d = dom(o.id); cpu = o.cpu; a = o.pfn; b = o.size; break;
    case 'slow-alloc': code = OpCode.Alloc; d = dom(o.id); a = o.size; b = o.limitPfn; c = o.aligned ? 1n : 0n; break;
    case 'slow-free': code = OpCode.Free; d = dom(o.id); a = o.pfn; break;
    case 'reserve': code = OpCode.Reserve; d = dom(o.id); a = o.lo; b = o.hi; break;
    case 'tick': code = OpCode.Advance; a = o.ms; break;
    case 'offline': code = OpCode.CpuOffline; cpu = o.cpu; break;
    case 'online': code = OpCode.CpuOnline; cpu = o.cpu; break;
    case 'flush': code = OpCode.Flush; d = dom(o.id); break;
    case 'put': code = OpCode.DomainPut; d = dom(o.id); break;
  }
  out[at] = word(code); out[at + 1] = word(d); out[at + 2] = word(cpu);
  out[at + 3] = a; out[at + 4] = b; out[at + 5] = c;
  return 1;
}

/** The op through the Engine method the batch op stands for, so it throws the same error. */
function runOne(e: Engine, o: TraceOp, dom: (id: number) => number, dev: (id: number) => number): void {
  switch (o.op) {
    case 'domain':
      if (o.type) e.createDmaDomain(o.granule, o.startPfn, o.type, DMA_DEFAULT_APERTURE_BITS);
      else e.createDomain(o.granule, o.startPfn);
      break;
    case 'device':
      e.attachDevice(dom(o.id), { bus: o.bus, dmaMaskBits: o.maskBits, coherentMaskBits: o.maskBits, forceDac: false });
      break;
    case 'map': e.map(dev(o.dev), o.cpu, o.bytes, 0n, false); break;
    case 'map-sg': e.mapSg(dev(o.dev), o.cpu, o.segments); break;
    case 'unmap': e.unmap(dev(o.dev), o.cpu, o.addr, o.bytes); break;
    case 'alloc': e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, true); break;
    case 'alloc-noflush': e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, false); break;
    case 'free': e.freeFast(dom(o.id), o.cpu, o.pfn, o.size); break;
    case 'slow-alloc': e.alloc(dom(o.id), o.size, o.limitPfn, o.aligned); break;
    case 'slow-free': e.free(dom(o.id), o.pfn); break;
    case 'reserve': e.reserve(dom(o.id), o.lo, o.hi); break;
    case 'tick': e.advanceClock(o.ms); break;
    case 'offline': e.cpuOffline(o.cpu); break;
    case 'online': e.cpuOnline(o.cpu); break;
    case 'flush': e.flush(dom(o.id)); break;
    case 'put': e.putDomain(dom(o.id)); break;
  }
}

/** A batch ends after a `domain` or `device` op: the engine's id for it is only known once it ran. A failing
 * op stops its batch and leaves the lab as it was before that op; it is then rerun through its
 * Engine method, which throws exactly the error a per-op replay would have thrown. */
export interface ReplayOptions {
  /** Called after every batch with the number of ops done so far. */
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
  const ids = new Map<number, number>();
  const devIds = new Map<number, number>();
  const values: ReplayValue[] = [];
  const dom = (id: number): number => ids.get(id)!;
  const dev = (id: number): number => devIds.get(id)!;
  const words = new BigUint64Array((CHUNK_OPS + MAX_OPS_PER_LINE) * OP_WORDS);
  /** ends[k]: the batch ops taken by the chunk's first k + 1 trace ops. */
  const ends = new Int32Array(CHUNK_OPS);
  const ops = trace.ops;
  for (let first = 0; first < ops.length;) {
    let n = 0;
    let batchOps = 0;
    while (first + n < ops.length && n < CHUNK_OPS && batchOps < CHUNK_OPS) {
      const o = ops[first + n]!;
      batchOps += encode(o, words, batchOps * OP_WORDS, dom, dev);
      ends[n++] = batchOps;
      if (o.op === 'domain' || o.op === 'device') break;
    }
    const batch = e.runBatch(words.subarray(0, batchOps * OP_WORDS));
    let k = 0;
    for (; k < n && ends[k]! <= batch.completed; k++) {
      const o = ops[first + k]!;
      const result = batch.results[ends[k]! - 1]!;
      if (o.op === 'domain') ids.set(o.id, Number(result));
      else if (o.op === 'device') devIds.set(o.dev, Number(result));
      else if (o.op === 'put') ids.delete(o.id);
      else if (VALUE_OPS.has(o.op)) {
        const v = (ADDRESS_OPS.has(o.op) ? { line: o.line, op: o.op, addr: result }
          : { line: o.line, op: o.op, pfn: result }) as ReplayValue;
        values.push(v);
        onValue?.(v);
      }
    }
    if (batch.completed < batchOps) {
      const o = ops[first + k]!;
      try {
        runOne(e, o, dom, dev);
      } catch (err) {
        throw new TraceReplayError(o.line, formatOp(o), err);
      }
      throw new TraceReplayError(o.line, formatOp(o), batch.error);
    }
    first += n;
    options.onProgress?.(first, ops.length);
  }
  return { values, snapshot: lab.snapshot() };
}
