// Runs a parsed trace on an engine, in batches of the engine's batch ops. An engine error stops
// the replay as TraceReplayError naming the trace line.
import { encodeOps } from '../batch.js';
import { OP_WORDS, OpCode, type Engine, type EngineName } from '../engine.js';
import { IovaLabError } from '../errors.js';
import { DMA_DEFAULT_APERTURE_BITS, IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import { IovaLab } from '../lab.js';
import { snapshotToJson, type JsonReport } from '../report/json.js';
import type { WasmLoadOptions } from '../wasm/options.js';
import type { Snapshot } from '../snapshot.js';
import { formatOp } from './write.js';
import { ADDRESS_OPS, VALUE_OPS, type Trace, type TraceOp } from './parse.js';

/**
 * The engine rejected a trace op: `line` and `op` say which; the engine's error is the `cause`
 * (also `engineError`), and `status` is its status.
 * @example `catch (e) { if (e instanceof TraceReplayError) console.log(e.line, e.cause); }`
 */
export class TraceReplayError extends IovaLabError {
  override name = 'TraceReplayError';
  constructor(
    readonly line: number,
    readonly op: string,
    readonly engineError: unknown,
  ) {
    const why = engineError instanceof Error ? `${engineError.name}: ${engineError.message}` : String(engineError);
    const status = engineError instanceof IovaLabError ? engineError.status : 0;
    super(`trace line ${line} (${op}): ${why}`, status, engineError);
  }
}

/**
 * A PFN a trace op returned; map and map-sg also give their DMA address.
 * @example `await replayTrace(trace, 'ts', (v) => console.log(v.line, v.pfn));`
 */
export interface ReplayValue {
  /** The trace line (1-based). @example `12` */
  line: number;
  /** The op on that line. @example `'alloc'` */
  op: TraceOp['op'];
  /** The PFN it returned (a map: its IOVA's first PFN), 0n for a failed allocation. @example `0xfffffn` */
  pfn: bigint;
  /** map and map-sg: the DMA address, 0n for a failed map. @example `0xfffff000n` */
  addr?: bigint;
}

/**
 * What {@link replayTrace} returns.
 * @example `const { values, snapshot } = await replayTrace(trace, 'ts');`
 */
export interface ReplayResult {
  /** Every value-returning op's PFN, in trace order. @example `result.values[0]?.pfn` */
  values: ReplayValue[];
  /** The lab's counters after the last op. @example `result.snapshot.magazines.total` */
  snapshot: Snapshot;
}

/**
 * The JSON form of a ReplayResult: PFNs as decimal strings, the snapshot as the CLI's --json.
 * @example `replayResultToJson(result).values[0] // { line: 3, op: 'alloc', pfn: '1048575' }`
 */
export interface ReplayResultJson {
  /** `{ line, op, pfn }` (maps: `addr`) per value as a decimal string (the lines `replay --json` prints). */
  values: Array<{ line: number; op: TraceOp['op']; pfn: string } | { line: number; op: TraceOp['op']; addr: string }>;
  /** The snapshot as `simulate --json` prints it. */
  snapshot: JsonReport;
}

/**
 * A replay result as plain JSON-safe data.
 * @example `JSON.stringify(replayResultToJson(await replayTrace(trace)))`
 */
export function replayResultToJson(r: ReplayResult): ReplayResultJson {
  return {
    values: r.values.map(replayValueToJson),
    snapshot: snapshotToJson(r.snapshot),
  };
}

/** A value as `replay --json` prints it: the PFN, or a map's DMA address, as a decimal string. */
export function replayValueToJson(v: ReplayValue): ReplayResultJson['values'][number] {
  return v.addr !== undefined
    ? { line: v.line, op: v.op, addr: v.addr.toString() }
    : { line: v.line, op: v.op, pfn: v.pfn.toString() };
}

/** Ops per batch window run: large enough that the per-call cost vanishes, small enough to keep the
 * encoded chunk (48 bytes per op) in cache. */
const CHUNK_OPS = 4096;

// Small words as shared bigints: opcodes, CPU and domain ids would otherwise allocate per op.
const SMALL_WORDS = Array.from({ length: 256 }, (_, i) => BigInt(i));
const word = (n: number): bigint => (n < SMALL_WORDS.length ? SMALL_WORDS[n] : BigInt(n));

/** The allocation (map) line a free (unmap) names with `@<line>`, if it does. */
const refOf = (o: TraceOp): number | undefined =>
  o.op === 'free' || o.op === 'slow-free' || o.op === 'unmap' ? o.ref : undefined;

/** Batch ops one trace op may take: a map-sg of the most segments, 5 per SG_SEGMENTS op, then MAP_SG. */
const MAX_OPS_PER_LINE = Math.ceil(IOVA_SG_MAX_SEGMENTS / 5) + 1;
const TYPE_WORDS = { strict: 0n, lazy: 1n, 'lazy-single': 2n } as const;

/** Trace ids to the engine's: domains and devices (the parser has checked that every id is live),
 *  and a free's `@<line>` to the PFN that line returned. */
interface Ids {
  dom: (id: number) => number;
  dev: (id: number) => number;
  pfnOf: (o: TraceOp) => bigint;
}

/** map-sg's batch ops: its segments five per SG_SEGMENTS op, then MAP_SG; the count written. */
function encodeMapSg(o: Extract<TraceOp, { op: 'map-sg' }>, out: BigUint64Array, at: number, dev: number): number {
  let n = 0;
  for (let i = 0; i < o.segments.length; i += 5, n++) {
    const w = at + n * OP_WORDS;
    out[w] = word(OpCode.SgSegments);
    for (let j = 0; j < 5; j++) out[w + 1 + j] = o.segments[i + j] ?? 0n;
  }
  const w = at + n * OP_WORDS;
  out[w] = word(OpCode.MapSg);
  out[w + 1] = word(dev);
  out[w + 2] = word(o.cpu);
  out[w + 3] = 0n;
  out[w + 4] = 0n;
  out[w + 5] = 0n;
  return n + 1;
}

/** The batch words of one op, and how many batch ops it took. */
function encode(o: TraceOp, out: BigUint64Array, at: number, { dom, dev, pfnOf }: Ids): number {
  let code: OpCode,
    d = 0,
    cpu = 0,
    a = 0n,
    b = 0n,
    c = 0n;
  switch (o.op) {
    case 'domain':
      if (o.type) {
        code = OpCode.DmaDomainCreate;
        cpu = DMA_DEFAULT_APERTURE_BITS;
        a = BigInt(o.granule);
        b = o.startPfn;
        c = TYPE_WORDS[o.type];
      } else {
        code = OpCode.DomainCreate;
        a = BigInt(o.granule);
        b = o.startPfn;
      }
      break;
    case 'device':
      code = OpCode.DeviceAttach;
      d = dom(o.id);
      cpu = o.bus === 'pci' ? 0 : 1;
      a = BigInt(o.maskBits);
      b = a;
      break;
    case 'map':
      code = OpCode.Map;
      d = dev(o.dev);
      cpu = o.cpu;
      a = o.bytes;
      break;
    case 'map-sg':
      return encodeMapSg(o, out, at, dev(o.dev));
    case 'unmap':
      code = OpCode.Unmap;
      d = dev(o.dev);
      cpu = o.cpu;
      a = pfnOf(o);
      b = o.bytes;
      break;
    case 'alloc':
    case 'alloc-noflush':
      code = OpCode.AllocFast;
      d = dom(o.id);
      cpu = o.cpu;
      a = o.size;
      b = o.limitPfn;
      c = o.op === 'alloc' ? 1n : 0n;
      break;
    case 'free':
      code = OpCode.FreeFast;
      d = dom(o.id);
      cpu = o.cpu;
      a = pfnOf(o);
      b = o.size;
      break;
    case 'slow-alloc':
      code = OpCode.Alloc;
      d = dom(o.id);
      a = o.size;
      b = o.limitPfn;
      c = o.aligned ? 1n : 0n;
      break;
    case 'slow-free':
      code = OpCode.Free;
      d = dom(o.id);
      a = pfnOf(o);
      break;
    case 'reserve':
      code = OpCode.Reserve;
      d = dom(o.id);
      a = o.lo;
      b = o.hi;
      break;
    case 'tick':
      code = OpCode.Advance;
      a = o.ms;
      break;
    case 'offline':
      code = OpCode.CpuOffline;
      cpu = o.cpu;
      break;
    case 'online':
      code = OpCode.CpuOnline;
      cpu = o.cpu;
      break;
    case 'flush':
      code = OpCode.Flush;
      d = dom(o.id);
      break;
    case 'put':
      code = OpCode.DomainPut;
      d = dom(o.id);
      break;
    case 'inject':
      // Rare: the library's own encoder keeps the failure-kind word in one place.
      out.set(encodeOps([{ op: 'injectFailure', kind: o.kind, nth: o.nth }]), at);
      return 1;
  }
  out[at] = word(code);
  out[at + 1] = word(d);
  out[at + 2] = word(cpu);
  out[at + 3] = a;
  out[at + 4] = b;
  out[at + 5] = c;
  return 1;
}

/** The op through the Engine method the batch op stands for, so it throws the same error. */
function runOne(e: Engine, o: TraceOp, { dom, dev, pfnOf }: Ids): void {
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
      e.unmap(dev(o.dev), o.cpu, pfnOf(o), o.bytes);
      break;
    case 'alloc':
      e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, true);
      break;
    case 'alloc-noflush':
      e.allocFast(dom(o.id), o.cpu, o.size, o.limitPfn, false);
      break;
    case 'free':
      e.freeFast(dom(o.id), o.cpu, pfnOf(o), o.size);
      break;
    case 'slow-alloc':
      e.alloc(dom(o.id), o.size, o.limitPfn, o.aligned);
      break;
    case 'slow-free':
      e.free(dom(o.id), pfnOf(o));
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

/**
 * Options of {@link replayTrace}.
 * @example `await replayTrace(trace, 'ts', undefined, { onProgress: (d, t) => console.log(d, t) })`
 */
// A batch ends after a `domain` or `device` op: the engine's id for it is only known once it ran. A failing
// op stops its batch and leaves the lab as it was before that op; it is then rerun through its
// Engine method, which throws exactly the error a per-op replay would have thrown.
export interface ReplayOptions {
  /**
   * Called after every batch with the number of ops done so far.
   * @example `{ onProgress: (done, total) => console.log(`${done}/${total}`) }`
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Where the WASM engine comes from, as for IovaLab.create.
   * @example `{ wasm: { wasmUrl: '/assets/iova_model.wasm' } }`
   */
  wasm?: WasmLoadOptions;
  /** @internal Wraps the lab's engine before the replay starts (e.g. a SampledEngine for timelines). */
  wrapEngine?: (engine: Engine) => Engine;
}

/**
 * Runs a parsed trace on a fresh lab built from its header.
 * @throws TraceReplayError naming the line when the engine rejects an op (the engine's error is
 *   the cause); LabConfigError for a bad header; WasmLoadError when the WASM engine cannot load.
 * @example
 * ```ts
 * const result = await replayTrace(parseTrace('cpus 4\ndomain 0\nalloc 0 0 1 0xfffff\n'), 'ts');
 * ```
 */
export async function replayTrace(
  trace: Trace,
  engineName: EngineName = 'wasm',
  onValue?: (v: ReplayValue) => void,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  using lab = await IovaLab.create({
    possibleCpus: trace.header.possibleCpus,
    onlineCpus: trace.header.onlineCpus,
    magazines: trace.header.magazines,
    profile: trace.header.profile,
    policy: trace.header.policy,
    engine: engineName,
    ...(options.wasm !== undefined ? { wasm: options.wasm } : {}),
  });
  const e = options.wrapEngine ? options.wrapEngine(lab.engine) : lab.engine;
  const ids = new Map<number, number>();
  const devIds = new Map<number, number>();
  const values: ReplayValue[] = [];
  const dom = (id: number): number => ids.get(id)!;
  const dev = (id: number): number => devIds.get(id)!;
  // A map's PFN is its address over the granule of the device's domain.
  const granuleShift = new Map<number, bigint>();
  const devShift = new Map<number, bigint>();
  // `free … @<line>`: the PFN each allocation line returned, kept for the frees that name it.
  const refs = new Set(trace.ops.flatMap((o) => refOf(o) ?? []));
  const returned = new Map<number, bigint>();
  const pfnOf = (o: TraceOp): bigint => {
    const ref = refOf(o);
    if (ref !== undefined) return returned.get(ref)!;
    return o.op === 'unmap' ? o.addr : (o as { pfn: bigint }).pfn;
  };
  const map: Ids = { dom, dev, pfnOf };
  // Ops are encoded straight into the engine's batch window and results read from it in place.
  using win = e.batchWindow(CHUNK_OPS + MAX_OPS_PER_LINE);
  /** ends[k]: the batch ops taken by the chunk's first k + 1 trace ops. */
  const ends = new Int32Array(CHUNK_OPS);
  const ops = trace.ops;
  for (let first = 0; first < ops.length;) {
    let n = 0;
    let batchOps = 0;
    const words = win.ops; // re-fetched per run: a heap that grew detaches the old view
    while (first + n < ops.length && n < CHUNK_OPS && batchOps < CHUNK_OPS) {
      const o = ops[first + n];
      // A free naming an allocation of the batch being built waits for that batch to run.
      const ref = refOf(o);
      if (ref !== undefined && !returned.has(ref)) break;
      if (ref !== undefined && returned.get(ref) === 0n) {
        const why = new Error(`the allocation on trace line ${ref} failed (pfn 0): nothing to free`);
        throw new TraceReplayError(o.line, formatOp(o), why);
      }
      batchOps += encode(o, words, batchOps * OP_WORDS, map);
      ends[n++] = batchOps;
      if (o.op === 'domain' || o.op === 'device') break;
    }
    const batch = win.run(batchOps);
    const results = win.results;
    let k = 0;
    for (; k < n && ends[k] <= batch.completed; k++) {
      const o = ops[first + k];
      const result = results[ends[k] - 1];
      if (o.op === 'domain') {
        ids.set(o.id, Number(result));
        granuleShift.set(o.id, BigInt(Math.log2(o.granule)));
      } else if (o.op === 'device') {
        devIds.set(o.dev, Number(result));
        devShift.set(o.dev, granuleShift.get(o.id)!);
      } else if (o.op === 'put') ids.delete(o.id);
      else if (VALUE_OPS.has(o.op)) {
        const v: ReplayValue = ADDRESS_OPS.has(o.op)
          ? { line: o.line, op: o.op, pfn: result >> devShift.get((o as { dev: number }).dev)!, addr: result }
          : { line: o.line, op: o.op, pfn: result };
        if (refs.has(o.line)) returned.set(o.line, result);
        values.push(v);
        onValue?.(v);
      }
    }
    if (batch.completed < batchOps) {
      const o = ops[first + k];
      try {
        runOne(e, o, map);
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
