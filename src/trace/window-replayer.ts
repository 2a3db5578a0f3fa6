// The replay sink: each op the scanner reads is encoded straight into the engine's batch window
// (32-bit halves of its words, no bigint or object per op) and run a window at a time; results are
// read in place. What it holds is the window and the ids and refs of what is live, never the trace.
import type { BatchWindow } from '../batch-window.js';
import { encodeOps } from '../batch.js';
import {
  DMA_DOMAIN_TYPES,
  OP_WORDS,
  OpCode,
  type DmaBus,
  type DmaDomainType,
  type Engine,
  type FailureKind,
} from '../engine.js';
import { DMA_DEFAULT_APERTURE_BITS, IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import { TraceSyntaxError } from './errors.js';
import { PENDING, type OpenRefs, type RefKey } from './open-refs.js';
import { traceOp, VALUE_OPS, type TraceOp } from './parse.js';
import { refExpected, TRACE_OPS, type OpFields, type OpSink } from './scan.js';
import { runOne } from './run-one.js';
import { formatOp } from './write.js';
import { TraceReplayError, type ReplayValue } from './replay-error.js';

/** Batch ops per window run: large enough that the per-call cost vanishes, small enough to keep the
 * encoded words (48 bytes per op) in cache. */
const CHUNK_OPS = 4096;
/** Batch ops one trace op may take: a map-sg of the most segments, 5 per SG_SEGMENTS op, then MAP_SG. */
const MAX_OPS_PER_LINE = Math.ceil(IOVA_SG_MAX_SEGMENTS / 5) + 1;
const TWO_32 = 4294967296;
const TWO_21 = 2097152;

/** Op names by the index the window's side arrays keep (0: an SG_SEGMENTS op of the map-sg after it). */
const KINDS: ReadonlyArray<TraceOp['op'] | ''> = ['', ...TRACE_OPS];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));
/** domain types, device buses and failure kinds, as the side arrays keep them. */
const WORDS: ReadonlyArray<DmaDomainType | DmaBus | FailureKind | ''> = [
  '',
  'strict',
  'lazy',
  'lazy-single',
  'pci',
  'platform',
  'magazine',
  'iova',
];
const WORD_INDEX = new Map(WORDS.map((w, i) => [w, i]));
/** By kind index: 1 for the ops that return a value. */
const VALUE_KIND = Uint8Array.from(KINDS, (k) => (k !== '' && VALUE_OPS.has(k) ? 1 : 0));

/** What the replayer needs from whoever reads the ops: the refs it keeps, and the text of the op
 * being read (for an error about it). */
export interface OpSource {
  readonly allocRefs: OpenRefs;
  readonly mapRefs: OpenRefs;
  current(): string;
}

export interface ReplayHooks {
  onValue?: (v: ReplayValue) => void;
  /** After every window run, with the trace ops done so far. */
  onBatch?: (done: number) => void;
}

export class WindowReplayer implements OpSink {
  /** Trace ops run, and values returned. */
  done = 0;
  values = 0;
  private readonly win: BatchWindow;
  private words!: BigUint64Array;
  private w32!: Uint32Array;
  /** Batch ops encoded, and the trace ops among them. */
  private n = 0;
  private pendingOps = 0;
  // Per batch op: what the fields were, to act on its result and to rebuild it after a failure.
  private readonly kind = new Uint8Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  private readonly line = new Float64Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  private readonly id = new Int32Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  private readonly dev = new Int32Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  /** domain granule, device mask bits, inject nth, map-sg segment count. */
  private readonly small = new Int32Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  private readonly ref = new Int32Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  private readonly word = new Uint8Array(CHUNK_OPS + MAX_OPS_PER_LINE);
  /** Trace ids to the engine's, and each domain's (device's) granule shift. */
  private readonly domIds = new Map<number, number>();
  private readonly devIds = new Map<number, number>();
  private readonly domShift = new Map<number, bigint>();
  private readonly devShift = new Map<number, bigint>();

  constructor(
    private readonly engine: Engine,
    private readonly source: OpSource,
    private readonly hooks: ReplayHooks = {},
  ) {
    this.win = engine.batchWindow(CHUNK_OPS + MAX_OPS_PER_LINE);
    this.views();
  }

  /** The window's views, fetched again after every run (a grown WASM heap detaches the old ones). */
  private views(): void {
    this.words = this.win.ops;
    this.w32 = new Uint32Array(this.words.buffer, this.words.byteOffset, this.words.length * 2);
  }

  dispose(): void {
    this.win.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Word `w` of the window set to v (an integer below 2^53). */
  private put(w: number, v: number): void {
    this.w32[2 * w] = v >>> 0;
    this.w32[2 * w + 1] = (v / TWO_32) >>> 0;
  }

  private operand(w: number, f: OpFields, slot: number): void {
    const v = f.nums[slot];
    if (Number.isNaN(v)) this.words[w] = f.bigs[slot];
    else this.put(w, v);
  }

  /** Word w as a ref key: a number below 2^53, else the bigint. */
  private keyOf(view32: Uint32Array, view64: BigUint64Array, w: number): RefKey {
    const hi = view32[2 * w + 1];
    return hi < TWO_21 ? hi * TWO_32 + view32[2 * w] : view64[w];
  }

  op(f: OpFields): void {
    // A `@<line>` first: naming an op of this batch runs the batch so far.
    const refKey = f.ref >= 0 ? this.refKey(f) : 0;
    if (this.n >= CHUNK_OPS) this.flush(); // the window has room for one more trace op past CHUNK_OPS
    if (f.op === 'map-sg') this.segments(f);
    const i = this.n;
    const w = i * OP_WORDS;
    // Words: opcode, domain (device), cpu, a, b, c; the operands go to a and b.
    let code: OpCode;
    let d = 0;
    let cpu = 0;
    let c = 0;
    let operands = 0;
    let word = 0;
    switch (f.op) {
      case 'domain':
        code = f.word ? OpCode.DmaDomainCreate : OpCode.DomainCreate;
        cpu = f.word ? DMA_DEFAULT_APERTURE_BITS : 0;
        c = f.word ? DMA_DOMAIN_TYPES.indexOf(f.word as DmaDomainType) : 0;
        word = WORD_INDEX.get(f.word as DmaDomainType)!;
        this.put(w + 3, f.small);
        this.operand(w + 4, f, 0);
        break;
      case 'device':
        code = OpCode.DeviceAttach;
        d = this.domIds.get(f.id)!;
        cpu = f.word === 'pci' ? 0 : 1;
        word = WORD_INDEX.get(f.word as DmaBus)!;
        this.put(w + 3, f.small);
        this.put(w + 4, f.small);
        break;
      case 'map':
        code = OpCode.Map;
        d = this.devIds.get(f.dev)!;
        cpu = f.cpu;
        operands = 1;
        break;
      case 'map-sg':
        code = OpCode.MapSg;
        d = this.devIds.get(f.dev)!;
        cpu = f.cpu;
        break;
      case 'unmap':
        code = OpCode.Unmap;
        d = this.devIds.get(f.dev)!;
        cpu = f.cpu;
        operands = 2;
        break;
      case 'alloc':
      case 'alloc-noflush':
        code = OpCode.AllocFast;
        d = this.domIds.get(f.id)!;
        cpu = f.cpu;
        c = f.op === 'alloc' ? 1 : 0;
        operands = 2;
        break;
      case 'free':
        code = OpCode.FreeFast;
        d = this.domIds.get(f.id)!;
        cpu = f.cpu;
        operands = 2;
        break;
      case 'slow-alloc':
        code = OpCode.Alloc;
        d = this.domIds.get(f.id)!;
        c = f.aligned ? 1 : 0;
        operands = 2;
        break;
      case 'slow-free':
        code = OpCode.Free;
        d = this.domIds.get(f.id)!;
        operands = 1;
        break;
      case 'reserve':
        code = OpCode.Reserve;
        d = this.domIds.get(f.id)!;
        operands = 2;
        break;
      case 'tick':
        code = OpCode.Advance;
        operands = 1;
        break;
      case 'offline':
      case 'online':
        code = f.op === 'offline' ? OpCode.CpuOffline : OpCode.CpuOnline;
        cpu = f.cpu;
        break;
      case 'flush':
      case 'put':
        code = f.op === 'flush' ? OpCode.Flush : OpCode.DomainPut;
        d = this.domIds.get(f.id)!;
        break;
      case 'inject':
        code = OpCode.InjectFailure;
        word = WORD_INDEX.get(f.word as FailureKind)!;
        break;
    }
    this.put(w, code);
    this.put(w + 1, d);
    this.put(w + 2, cpu);
    if (operands === 0 && f.op !== 'domain' && f.op !== 'device') {
      this.put(w + 3, 0);
      this.put(w + 4, 0);
    }
    if (operands > 0) this.operand(w + 3, f, 0);
    if (operands > 1) this.operand(w + 4, f, 1);
    else if (operands === 1) this.put(w + 4, 0);
    this.put(w + 5, c);
    // Rare: the library's own encoder keeps the failure-kind word in one place.
    if (code === OpCode.InjectFailure) {
      this.words.set(encodeOps([{ op: 'injectFailure', kind: f.word as FailureKind, nth: f.small }]), w);
    }
    this.kind[i] = KIND_INDEX.get(f.op)!;
    this.line[i] = f.line;
    this.id[i] = f.id;
    this.dev[i] = f.dev;
    this.small[i] = f.op === 'map-sg' ? f.count : f.small;
    this.ref[i] = f.ref;
    this.word[i] = word;
    if (f.ref >= 0) {
      if (typeof refKey === 'bigint') this.words[w + 3] = refKey;
      else this.put(w + 3, refKey);
    } else if (code === OpCode.FreeFast || code === OpCode.Free) {
      this.source.allocRefs.closeKey(f.id, this.keyOf(this.w32, this.words, w + 3));
    } else if (code === OpCode.Unmap) this.source.mapRefs.closeKey(f.dev, this.keyOf(this.w32, this.words, w + 3));
    this.n++;
    this.pendingOps++;
    // The engine's id of a new domain or device is known once it ran.
    if (code === OpCode.DomainCreate || code === OpCode.DmaDomainCreate || code === OpCode.DeviceAttach) this.flush();
  }

  /** map-sg's segments, five per SG_SEGMENTS op before it. */
  private segments(f: OpFields): void {
    for (let s = 0; s < f.count; s += 5) {
      const w = this.n * OP_WORDS;
      this.put(w, OpCode.SgSegments);
      for (let j = 0; j < 5; j++) {
        if (s + j < f.count) this.operand(w + 1 + j, f, s + j);
        else this.put(w + 1 + j, 0);
      }
      this.kind[this.n] = 0;
      this.line[this.n++] = f.line;
    }
  }

  /** What the line a free's (unmap's) `@<line>` names returned: the PFN (DMA address) to give back. */
  private refKey(f: OpFields): RefKey {
    const refs = f.op === 'unmap' ? this.source.mapRefs : this.source.allocRefs;
    const owner = f.op === 'unmap' ? f.dev : f.id;
    if (refs.key(owner, f.ref) === PENDING) this.flush();
    const key = refs.key(owner, f.ref);
    // Gone once the batch ran: a free by value in it gave the allocation back.
    if (key === undefined) throw new TraceSyntaxError(f.line, refExpected(f.op, owner), this.source.current());
    if (key === 0) {
      const why = new Error(`the allocation on trace line ${f.ref} failed (pfn 0): nothing to free`);
      throw new TraceReplayError(f.line, formatOp(traceOp(f)), why);
    }
    return key;
  }

  /** Runs the encoded ops; acts on their results in order; a failed op throws as its Engine method would. */
  flush(): void {
    if (this.n === 0) return;
    const batch = this.win.run(this.n);
    const results = this.win.results;
    const r32 = new Uint32Array(results.buffer, results.byteOffset, results.length * 2);
    this.views();
    for (let i = 0; i < batch.completed; i++) this.ran(i, results, r32);
    if (batch.completed < this.n) this.failed(batch.completed, batch.error);
    this.done += this.pendingOps;
    this.n = 0;
    this.pendingOps = 0;
    this.hooks.onBatch?.(this.done);
  }

  private ran(i: number, results: BigUint64Array, r32: Uint32Array): void {
    const k = this.kind[i];
    const op = KINDS[k];
    if (VALUE_KIND[k] === 1) {
      const map = op === 'map' || op === 'map-sg';
      const owner = map ? this.dev[i] : this.id[i];
      (map ? this.source.mapRefs : this.source.allocRefs).settle(owner, this.line[i], this.keyOf(r32, results, i));
      this.values++;
      if (this.hooks.onValue) {
        const result = results[i];
        const line = this.line[i];
        const kind = op as TraceOp['op'];
        this.hooks.onValue(
          map
            ? { line, op: kind, pfn: result >> this.devShift.get(owner)!, addr: result }
            : { line, op: kind, pfn: result },
        );
      }
      return;
    }
    if (op === 'free' || op === 'slow-free') {
      if (this.ref[i] < 0)
        this.source.allocRefs.closeKey(this.id[i], this.keyOf(this.w32, this.words, i * OP_WORDS + 3));
    } else if (op === 'unmap') {
      if (this.ref[i] < 0)
        this.source.mapRefs.closeKey(this.dev[i], this.keyOf(this.w32, this.words, i * OP_WORDS + 3));
    } else if (op === 'domain') {
      this.domIds.set(this.id[i], Number(results[i]));
      this.domShift.set(this.id[i], BigInt(Math.log2(this.small[i])));
    } else if (op === 'device') {
      this.devIds.set(this.dev[i], Number(results[i]));
      this.devShift.set(this.dev[i], this.domShift.get(this.id[i])!);
    } else if (op === 'put') this.domIds.delete(this.id[i]);
  }

  /** Batch op i failed: its trace op is rerun through its Engine method for the exact error. */
  private failed(i: number, error: unknown): never {
    while (this.kind[i] === 0) i++; // an SG_SEGMENTS op: its map-sg is the trace op
    const o = this.opAt(i);
    const ids = { dom: (id: number) => this.domIds.get(id)!, dev: (dev: number) => this.devIds.get(dev)! };
    try {
      runOne(this.engine, o, ids, this.words[i * OP_WORDS + 3]);
    } catch (err) {
      throw new TraceReplayError(o.line, formatOp(o), err);
    }
    throw new TraceReplayError(o.line, formatOp(o), error);
  }

  /** The trace op batch op i was encoded from. */
  private opAt(i: number): TraceOp {
    const line = this.line[i];
    const op = KINDS[this.kind[i]] as TraceOp['op'];
    const id = this.id[i];
    const dev = this.dev[i];
    const w = i * OP_WORDS;
    const x = this.words;
    const cpu = Number(x[w + 2]);
    const word = WORDS[this.word[i]];
    const ref = this.ref[i] >= 0 ? { ref: this.ref[i] } : {};
    const at = (j: number): bigint => (this.ref[i] >= 0 ? 0n : x[w + j]);
    switch (op) {
      case 'domain': {
        const o = { line, op, id, granule: this.small[i], startPfn: x[w + 4] };
        return word ? { ...o, type: word as DmaDomainType } : o;
      }
      case 'device':
        return { line, op, dev, id, maskBits: this.small[i], bus: word as DmaBus };
      case 'map':
        return { line, op, dev, cpu, bytes: x[w + 3] };
      case 'map-sg': {
        const count = this.small[i];
        const first = i - Math.ceil(count / 5);
        const segments = Array.from(
          { length: count },
          (_, s) => x[(first + Math.floor(s / 5)) * OP_WORDS + 1 + (s % 5)],
        );
        return { line, op, dev, cpu, segments };
      }
      case 'unmap':
        return { line, op, dev, cpu, addr: at(3), bytes: x[w + 4], ...ref };
      case 'alloc':
      case 'alloc-noflush':
        return { line, op, id, cpu, size: x[w + 3], limitPfn: x[w + 4] };
      case 'free':
        return { line, op, id, cpu, pfn: at(3), size: x[w + 4], ...ref };
      case 'slow-alloc':
        return { line, op, id, size: x[w + 3], limitPfn: x[w + 4], aligned: x[w + 5] === 1n };
      case 'slow-free':
        return { line, op, id, pfn: at(3), ...ref };
      case 'reserve':
        return { line, op, id, lo: x[w + 3], hi: x[w + 4] };
      case 'tick':
        return { line, op, ms: x[w + 3] };
      case 'offline':
      case 'online':
        return { line, op, cpu };
      case 'flush':
      case 'put':
        return { line, op, id };
      case 'inject':
        return { line, op, kind: word as FailureKind, nth: this.small[i] };
    }
  }
}
