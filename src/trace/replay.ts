// Runs a trace on an engine through the window replayer: streamed from text chunks
// (replayTraceStream: nothing held but the window and what is live), or a parsed Trace
// (replayTrace). An engine error stops the replay as TraceReplayError naming the trace line.
import type { Engine, EngineName } from '../engine.js';
import { IovaLab } from '../lab.js';
import { snapshotToJson, type JsonReport } from '../report/json.js';
import type { WasmLoadOptions } from '../wasm/options.js';
import type { Snapshot } from '../snapshot.js';
import { OpenRefs } from './open-refs.js';
import { VALUE_OPS, type Trace, type TraceHeader, type TraceOp } from './parse.js';
import type { ReplayValue } from './replay-error.js';
import { OpFields, TraceScanner } from './scan.js';
import { WindowReplayer, type OpSource, type ReplayHooks } from './window-replayer.js';
import { formatOp } from './write.js';

export { TraceReplayError, type ReplayValue } from './replay-error.js';

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

/** A fresh lab built from the header, with the engine the replay drives. */
async function openLab(
  h: TraceHeader,
  engineName: EngineName,
  options: ReplayOptions,
): Promise<{ lab: IovaLab; engine: Engine }> {
  const lab = await IovaLab.create({
    possibleCpus: h.possibleCpus,
    onlineCpus: h.onlineCpus,
    magazines: h.magazines,
    profile: h.profile,
    policy: h.policy,
    engine: engineName,
    ...(options.wasm !== undefined ? { wasm: options.wasm } : {}),
  });
  return { lab, engine: options.wrapEngine ? options.wrapEngine(lab.engine) : lab.engine };
}

/** A parsed op into the replayer's fields (the inverse of what the scanner hands parseTrace). */
function fieldsOf(o: TraceOp, f: OpFields): void {
  f.op = o.op;
  f.line = o.line;
  f.ref = -1;
  f.count = 0;
  const set = (...values: bigint[]): void => {
    values.forEach((v, i) => {
      f.nums[i] = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : NaN;
      f.bigs[i] = v;
    });
    f.count = values.length;
  };
  if ('id' in o) f.id = o.id;
  if ('dev' in o) f.dev = o.dev;
  if ('cpu' in o) f.cpu = o.cpu;
  if ('ref' in o && o.ref !== undefined) f.ref = o.ref;
  switch (o.op) {
    case 'domain':
      f.small = o.granule;
      f.word = o.type ?? '';
      return set(o.startPfn);
    case 'device':
      f.small = o.maskBits;
      f.word = o.bus;
      return;
    case 'map':
      return set(o.bytes);
    case 'map-sg':
      return set(...o.segments);
    case 'unmap':
      return set(o.addr, o.bytes);
    case 'alloc':
    case 'alloc-noflush':
      return set(o.size, o.limitPfn);
    case 'free':
      return set(o.pfn, o.size);
    case 'slow-alloc':
      f.aligned = o.aligned;
      return set(o.size, o.limitPfn);
    case 'slow-free':
      return set(o.pfn);
    case 'reserve':
      return set(o.lo, o.hi);
    case 'tick':
      return set(o.ms);
    case 'inject':
      f.small = o.nth;
      f.word = o.kind;
      return;
  }
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
  const { lab, engine } = await openLab(trace.header, engineName, options);
  using _lab = lab;
  const values: ReplayValue[] = [];
  const ops = trace.ops;
  let current: TraceOp | undefined;
  const source: OpSource = { allocRefs: new OpenRefs(), mapRefs: new OpenRefs(), current: () => formatOp(current!) };
  const replayer = new WindowReplayer(engine, source, {
    onValue: (v) => {
      values.push(v);
      onValue?.(v);
    },
    onBatch: (done) => options.onProgress?.(done, ops.length),
  });
  using _replayer = replayer;
  const f = new OpFields();
  for (const o of ops) {
    current = o;
    fieldsOf(o, f);
    // The parser checked every `@<line>`: each allocation or map may be named once.
    if (VALUE_OPS.has(o.op) && o.op !== 'reserve') {
      const map = o.op === 'map' || o.op === 'map-sg';
      (map ? source.mapRefs : source.allocRefs).open(map ? f.dev : f.id, o.line, Infinity);
    }
    replayer.op(f);
    if (f.ref >= 0) {
      if (o.op === 'unmap') source.mapRefs.close(f.dev, f.ref);
      else source.allocRefs.close(f.id, f.ref);
    }
  }
  replayer.flush();
  return { values, snapshot: lab.snapshot() };
}

/**
 * Options of {@link replayTraceStream}: those of replayTrace, and a change to the header before the
 * lab is built from it.
 * @example `{ header: (h) => ({ ...h, policy: [...h.policy, 'lazy'] }) }`
 */
export interface StreamReplayOptions extends Omit<ReplayOptions, 'onProgress'> {
  /**
   * Called after every window run with the ops done so far (the total is not known ahead).
   * @example `{ onProgress: (done) => console.log(done) }`
   */
  onProgress?: (done: number) => void;
  /**
   * The header the lab is built from, given the trace's (e.g. a profile or policy replaced).
   * @example `{ header: (h) => ({ ...h, profile: 'v5.15' }) }`
   */
  header?: (h: TraceHeader) => TraceHeader;
}

/**
 * What {@link replayTraceStream} returns: counts instead of the values (they went to onValue).
 * @example `const { ops, values, snapshot } = await replayTraceStream(chunks, 'wasm');`
 */
export interface StreamReplayResult {
  /** The header the lab was built from. @example `r.header.possibleCpus` */
  header: TraceHeader;
  /** Trace ops run. @example `r.ops` */
  ops: number;
  /** Values returned (the ops of VALUE_OPS that ran). @example `r.values` */
  values: number;
  /** The lab's counters after the last op. @example `r.snapshot.magazines.total` */
  snapshot: Snapshot;
}

/**
 * Parses and runs trace text as it arrives (chunks split anywhere), holding no parsed op: each
 * line is validated and encoded straight into the engine's batch window, which runs whenever it
 * is full. Memory stays bounded whatever the trace's length (README "Limits"). Unlike parseTrace
 * followed by replayTrace, the ops before a malformed line have run when its error is thrown.
 * @throws TraceSyntaxError naming a malformed line; TraceReplayError naming the line the engine
 *   rejected; LabConfigError for a bad header; WasmLoadError when the WASM engine cannot load.
 * @example `const r = await replayTraceStream(createReadStream('run.trace', 'utf8'), 'wasm', (v) => log(v));`
 */
export async function replayTraceStream(
  chunks: AsyncIterable<string> | Iterable<string>,
  engineName: EngineName = 'wasm',
  onValue?: (v: ReplayValue) => void,
  options: StreamReplayOptions = {},
): Promise<StreamReplayResult> {
  const scanner = new TraceScanner();
  let opened: { lab: IovaLab; engine: Engine; replayer: WindowReplayer; header: TraceHeader } | undefined;
  const open = async (): Promise<void> => {
    const header = options.header ? options.header(scanner.header!) : scanner.header!;
    const { lab, engine } = await openLab(header, engineName, options);
    const hooks: ReplayHooks = { onValue, onBatch: options.onProgress };
    opened = { lab, engine, header, replayer: new WindowReplayer(engine, scanner, hooks) };
    scanner.sink = opened.replayer;
  };
  try {
    for await (const chunk of chunks) {
      scanner.push(chunk);
      if (scanner.waiting) {
        await open();
        scanner.push('');
      }
    }
    scanner.end();
    if (!opened) {
      await open();
      scanner.end();
    }
    const { replayer, lab, header } = opened!;
    replayer.flush();
    return { header, ops: replayer.done, values: replayer.values, snapshot: lab.snapshot() };
  } finally {
    opened?.replayer.dispose();
    opened?.lab.dispose();
  }
}
