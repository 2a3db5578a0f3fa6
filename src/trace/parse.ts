// Trace format v1: a text file, one op per line, `#` comments, numbers decimal or 0x hex.
// parseTrace validates the whole file into TraceOp objects (the scanner in scan.ts reads it) and
// throws TraceSyntaxError naming the first bad line (1-based) and what was expected there.
import type { DmaBus, DmaDomainType, FailureKind, MagazineMode } from '../engine.js';
import { MAX_TRACE_OPS } from '../share/limits.js';
import { TraceScanner, type OpFields } from './scan.js';

export { TraceSyntaxError } from './errors.js';

/**
 * A trace's header lines: the machine and the kernel profile it runs on.
 * @example `parseTrace('cpus 4 online 2\n').header.onlineCpus // 2`
 */
export interface TraceHeader {
  /** CPUs the machine could have (`cpus <possible>`). @example `4` */
  possibleCpus: number;
  /** CPUs online at start (`cpus <possible> online <n>`; default possibleCpus). @example `2` */
  onlineCpus: number;
  /** Default: the profile's (named from v6.9). @example `'named'` */
  magazines?: MagazineMode;
  /** Default v6.9. A kernel version from v4.7 on, canonical ("v5.15"). @example `'v5.15'` */
  profile?: string;
  /** What-if policy specs applied on top of the profile, in order. @example `['lazy']` */
  policy: string[];
}

type At = { line: number };
/**
 * One trace op, with the 1-based `line` it was read from.
 * @example `parseTrace('cpus 1\ntick 10\n').ops[0] // { line: 2, op: 'tick', ms: 10n }`
 */
// free / slow-free `ref`: free the PFN the allocation on that trace line returned (written `@<line>`;
// pfn is then 0), so a trace recorded on a real machine can free what the lab handed out.
export type TraceOp = At &
  (
    | { op: 'domain'; id: number; granule: number; startPfn: bigint; type?: DmaDomainType }
    | { op: 'device'; dev: number; id: number; maskBits: number; bus: DmaBus }
    | { op: 'map'; dev: number; cpu: number; bytes: bigint }
    | { op: 'map-sg'; dev: number; cpu: number; segments: bigint[] }
    | { op: 'unmap'; dev: number; cpu: number; addr: bigint; bytes: bigint; ref?: number }
    | { op: 'alloc' | 'alloc-noflush'; id: number; cpu: number; size: bigint; limitPfn: bigint }
    | { op: 'free'; id: number; cpu: number; pfn: bigint; size: bigint; ref?: number }
    | { op: 'slow-alloc'; id: number; size: bigint; limitPfn: bigint; aligned: boolean }
    | { op: 'slow-free'; id: number; pfn: bigint; ref?: number }
    | { op: 'reserve'; id: number; lo: bigint; hi: bigint }
    | { op: 'tick'; ms: bigint }
    | { op: 'offline' | 'online'; cpu: number }
    | { op: 'flush' | 'put'; id: number }
    | { op: 'inject'; kind: FailureKind; nth: number }
  );

/**
 * A parsed trace: its header and its ops in order.
 * @example `parseTrace('cpus 2\ndomain 0 4096 1\n').ops.length // 1`
 */
export interface Trace {
  /** The header lines. @example `trace.header.possibleCpus` */
  header: TraceHeader;
  /** The ops, in trace order. @example `trace.ops.length` */
  ops: TraceOp[];
}

/**
 * Ops that return a value (a PFN, or for map and map-sg a DMA address; 0 = failure).
 * @example `VALUE_OPS.has('alloc') // true`
 */
export const VALUE_OPS: ReadonlySet<TraceOp['op']> = new Set([
  'alloc',
  'alloc-noflush',
  'slow-alloc',
  'reserve',
  'map',
  'map-sg',
]);
/** Ops whose value is a DMA address rather than a PFN. */
export const ADDRESS_OPS: ReadonlySet<TraceOp['op']> = new Set(['map', 'map-sg']);

/** Small operands as shared bigints, direct-mapped by low bits: a long trace repeats its sizes and
 * limits, and sharing their bigints keeps a parsed trace smaller (less for the GC to copy). */
class BigintCache {
  private readonly keys = new Float64Array(256).fill(NaN);
  private readonly values: bigint[] = new Array<bigint>(256).fill(0n);

  /** Operand `slot` of `f` as a bigint. */
  of(f: OpFields, slot: number): bigint {
    const v = f.nums[slot];
    if (Number.isNaN(v)) return f.bigs[slot];
    const i = v & 255;
    if (this.keys[i] !== v) {
      this.keys[i] = v;
      this.values[i] = BigInt(v);
    }
    return this.values[i];
  }
}

/** The scanner's fields as a TraceOp object. */
export function traceOp(f: OpFields, big = new BigintCache()): TraceOp {
  const { line, op, id, dev, cpu } = f;
  const ref = f.ref >= 0 ? { ref: f.ref } : {};
  switch (op) {
    case 'domain': {
      const o = { line, op, id, granule: f.small, startPfn: big.of(f, 0) };
      return f.word ? { ...o, type: f.word as DmaDomainType } : o;
    }
    case 'device':
      return { line, op, dev, id, maskBits: f.small, bus: f.word as DmaBus };
    case 'map':
      return { line, op, dev, cpu, bytes: big.of(f, 0) };
    case 'map-sg':
      return { line, op, dev, cpu, segments: Array.from({ length: f.count }, (_, i) => big.of(f, i)) };
    case 'unmap':
      return { line, op, dev, cpu, addr: big.of(f, 0), bytes: big.of(f, 1), ...ref };
    case 'alloc':
    case 'alloc-noflush':
      return { line, op, id, cpu, size: big.of(f, 0), limitPfn: big.of(f, 1) };
    case 'free':
      return { line, op, id, cpu, pfn: big.of(f, 0), size: big.of(f, 1), ...ref };
    case 'slow-alloc':
      return { line, op, id, size: big.of(f, 0), limitPfn: big.of(f, 1), aligned: f.aligned };
    case 'slow-free':
      return { line, op, id, pfn: big.of(f, 0), ...ref };
    case 'reserve':
      return { line, op, id, lo: big.of(f, 0), hi: big.of(f, 1) };
    case 'tick':
      return { line, op, ms: big.of(f, 0) };
    case 'offline':
    case 'online':
      return { line, op, cpu };
    case 'flush':
    case 'put':
      return { line, op, id };
    case 'inject':
      return { line, op, kind: f.word as FailureKind, nth: f.small };
  }
}

/** A scanner whose ops are collected as objects (at most MAX_TRACE_OPS: each is held). */
function traceParser(): { push(chunk: string): void; end(): Trace } {
  const scanner = new TraceScanner(MAX_TRACE_OPS);
  const ops: TraceOp[] = [];
  const big = new BigintCache();
  scanner.sink = { op: (f) => ops.push(traceOp(f, big)) };
  return {
    push: (chunk) => scanner.push(chunk),
    end: () => ({ header: scanner.end(), ops }),
  };
}

/**
 * Parses trace format v1 text, validating every line before anything runs.
 * @throws TraceSyntaxError naming the first bad line (1-based) and what was expected there.
 * @example `const trace = parseTrace('cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\n');`
 */
export function parseTrace(text: string): Trace {
  const parser = traceParser();
  parser.push(text);
  return parser.end();
}

/**
 * Parses trace format v1 from a stream of text chunks (split anywhere, even inside a line), so a
 * large file is never one string; every line is still validated before the trace is returned.
 * @throws TraceSyntaxError as parseTrace, and for a line longer than MAX_TRACE_LINE_CHARS.
 * To run a trace without holding its ops, see replayTraceStream.
 * @example `const trace = await parseTraceStream(['cpus 2\ndom', 'ain 0 4096 1\n']);`
 */
export async function parseTraceStream(chunks: AsyncIterable<string> | Iterable<string>): Promise<Trace> {
  const parser = traceParser();
  for await (const chunk of chunks) parser.push(chunk);
  return parser.end();
}
