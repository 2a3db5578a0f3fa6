// Trace format v1: a text file, one op per line, `#` comments, numbers decimal or 0x hex.
// parseTrace validates the whole file before anything runs and throws TraceSyntaxError naming
// the first bad line (1-based) and what was expected there.
import { DMA_DOMAIN_TYPES, type DmaBus, type DmaDomainType, type FailureKind, type MagazineMode } from '../engine.js';
import { IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import { DEFAULT_PROFILE, resolvePolicy } from '../policy.js';
import { parseKernelVersion, versionName } from '../profiles/versions.js';
import { TraceSyntaxError } from './errors.js';
import { LineReader } from './line-reader.js';
import { MAX_TRACE_LINE_CHARS, MAX_TRACE_OPS } from '../share/limits.js';

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

const USAGE: Record<string, string[]> = {
  domain: ['id', 'granule', 'start_pfn', '[strict|lazy|lazy-single]'],
  device: ['dev', 'domain', 'mask_bits', '[pci|platform]'],
  map: ['dev', 'cpu', 'bytes'],
  'map-sg': ['dev', 'cpu', 'bytes', 'bytes…'],
  unmap: ['dev', 'cpu', 'dma_addr', 'bytes'],
  alloc: ['id', 'cpu', 'size', 'limit_pfn'],
  'alloc-noflush': ['id', 'cpu', 'size', 'limit_pfn'],
  free: ['id', 'cpu', 'pfn', 'size'],
  'slow-alloc': ['id', 'size', 'limit_pfn', 'aligned'],
  'slow-free': ['id', 'pfn'],
  reserve: ['id', 'lo', 'hi'],
  tick: ['ms'],
  offline: ['cpu'],
  online: ['cpu'],
  flush: ['id'],
  put: ['id'],
  inject: ['kind', 'nth'],
};

/** The allocations fault injection can fail (the library's FailureKind). */
const FAILURE_KINDS: readonly FailureKind[] = ['magazine', 'iova'];

/** Every word that can start a line after the header, most frequent first. */
const OP_WORDS = [
  'alloc',
  'free',
  'map',
  'unmap',
  'map-sg',
  'tick',
  'alloc-noflush',
  'slow-alloc',
  'slow-free',
  'domain',
  'device',
  'put',
  'reserve',
  'flush',
  'offline',
  'online',
  'inject',
  'magazines',
  'profile',
  'policy',
  'cpus',
];

/** Argument counts an op's line may have (its USAGE minus optional [..] and repeated … ones, up to all). */
function arity(op: string): [number, number] {
  const args = USAGE[op];
  const required = args.filter((a) => !a.startsWith('[') && !a.endsWith('…')).length;
  const max = args.some((a) => a.endsWith('…')) ? IOVA_SG_MAX_SEGMENTS + required - 1 : args.length;
  return [required, max];
}

function usage(op: string): string {
  return `"${op} ${USAGE[op].map((a) => (a.startsWith('[') ? a : `<${a}>`)).join(' ')}"`;
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
 * @example `const trace = await parseTraceStream(['cpus 2\ndom', 'ain 0 4096 1\n']);`
 */
export async function parseTraceStream(chunks: AsyncIterable<string> | Iterable<string>): Promise<Trace> {
  const parser = traceParser();
  for await (const chunk of chunks) parser.push(chunk);
  return parser.end();
}

/** The line-by-line parser behind parseTrace and parseTraceStream: push text, then end. */
function traceParser(): { push(chunk: string): void; end(): Trace } {
  let header: TraceHeader | undefined;
  let sawOp = false;
  const ops: TraceOp[] = [];
  const live = new Set<number>();
  const everCreated = new Set<number>();
  /** DMA domains among the live ones; devices by trace id -> their domain. */
  const dmaDomains = new Set<number>();
  const devices = new Map<number, number>();
  /** Allocation lines a `free … @<line>` may still name: line → domain id. */
  const unfreedAllocs = new Map<number, number>();
  /** map / map-sg lines an `unmap … @<line>` may still name: line → device id. */
  const unmappedMaps = new Map<number, number>();
  const r = new LineReader('');
  let nextLine = 1;
  /** The text after the last newline pushed so far: the start of a line still to come. */
  let carry = '';

  const deviceId = (): number => {
    const dev = r.small(1, 'device id');
    const dom = devices.get(dev);
    if (dom === undefined || !live.has(dom)) {
      r.fail(`device id ${dev} attached by an earlier "device" line to a live domain`);
    }
    return dev;
  };
  const keyword = <T extends string>(i: number, words: readonly T[], fallback: T): T => {
    const w = r.tok(i);
    if (w === undefined) return fallback;
    if (!(words as readonly string[]).includes(w)) r.fail(`${words.join('|')} as argument ${i}`);
    return w as T;
  };
  const domainId = (mustLive: boolean): number => {
    const id = r.small(1, 'domain id');
    if (mustLive && !live.has(id)) r.fail(`domain id ${id} created by an earlier "domain" line and not yet put`);
    return id;
  };
  const cpuArg = (i: number): number => {
    const cpu = r.small(i, 'cpu');
    if (cpu >= header!.possibleCpus) r.fail(`cpu in [0, ${header!.possibleCpus - 1}]`);
    return cpu;
  };

  /** `@<line>` in place of a PFN: an earlier allocation line of the domain, freed once. */
  /** `@<line>` as argument i: a line of `open` (line → owner) that `owner` made; it is then used up. */
  const refIn = (i: number, owner: number, open: Map<number, number>, what: string): number | undefined => {
    const at = r.tok(i)!;
    if (!at.startsWith('@')) return undefined;
    const ref = /^@\d{1,9}$/.test(at) ? Number(at.slice(1)) : -1;
    if (open.get(ref) !== owner) r.fail(`@<line> naming an earlier, ${what} ${owner}`);
    open.delete(ref);
    return ref;
  };
  const refArg = (i: number, id: number): number | undefined =>
    refIn(i, id, unfreedAllocs, 'not yet freed alloc line of domain');

  /** magazines / profile / policy: before any op; a policy spec must apply to the profile so far. */
  const parseHeaderLine = (op: 'magazines' | 'profile' | 'policy', h: TraceHeader): void => {
    if (sawOp) r.fail(`"${op}" before any op (right after the cpus line)`);
    const value = r.tok(1);
    if (r.count !== 2 || value === undefined) r.fail(`"${op} <value>"`);
    if (op === 'magazines') {
      if (value !== 'named' && value !== 'unnamed') r.fail('"magazines named|unnamed"');
      h.magazines = value as MagazineMode;
    } else if (op === 'profile') {
      if (h.profile || h.policy.length) r.fail('one "profile" line, before any "policy" line');
      try {
        h.profile = versionName(parseKernelVersion(value!));
      } catch (e) {
        r.fail(`"profile <kernel version>" (${(e as Error).message})`);
      }
    } else {
      try {
        resolvePolicy(h.profile ?? DEFAULT_PROFILE, [...h.policy, value!]);
      } catch (e) {
        r.fail(`a policy spec (${(e as Error).message})`);
      }
      h.policy.push(value!);
    }
  };

  const parseLine = (): void => {
    if (r.count === 0) return;
    const line = r.line;
    if (!header) {
      if (r.tok(0) !== 'cpus') r.fail('"cpus <possible> [online <n>]" as the first line');
      if (r.count !== 2 && !(r.count === 4 && r.tok(2) === 'online')) r.fail('"cpus <possible> [online <n>]"');
      const possible = r.small(1, 'possible CPU count');
      if (possible < 1) r.fail('possible CPU count of at least 1');
      const online = r.count === 4 ? r.small(3, 'online CPU count') : possible;
      if (online < 1 || online > possible) r.fail(`online CPU count in [1, ${possible}]`);
      header = { possibleCpus: possible, onlineCpus: online, policy: [] };
      return;
    }
    const op = r.word(0, OP_WORDS)!;
    if (op === 'magazines' || op === 'profile' || op === 'policy') {
      parseHeaderLine(op, header);
      return;
    }
    if (op === 'cpus') r.fail('a single "cpus" line, at the top');
    const args = USAGE[op];
    if (!args) r.fail(`an op (${Object.keys(USAGE).join(', ')}, magazines, profile, policy)`);
    const [min, max] = arity(op);
    if (r.count - 1 < min || r.count - 1 > max) r.fail(usage(op));
    if (ops.length === MAX_TRACE_OPS) r.fail(`at most ${MAX_TRACE_OPS} ops in one trace (the limit)`);
    sawOp = true;
    switch (op) {
      case 'domain': {
        const id = domainId(false);
        if (everCreated.has(id)) r.fail(`a domain id not used before (${id} already created)`);
        const granule = r.small(2, 'granule');
        const startPfn = r.num(3, 'start_pfn');
        const type = r.count === 5 ? keyword<DmaDomainType>(4, DMA_DOMAIN_TYPES, 'strict') : undefined;
        live.add(id);
        everCreated.add(id);
        if (type) dmaDomains.add(id);
        ops.push(type ? { line, op, id, granule, startPfn, type } : { line, op, id, granule, startPfn });
        break;
      }
      case 'device': {
        const dev = r.small(1, 'device id');
        if (devices.has(dev)) r.fail(`a device id not used before (${dev} already attached)`);
        const id = r.small(2, 'domain id');
        if (!live.has(id) || !dmaDomains.has(id)) {
          r.fail(`domain id ${id} of a live DMA domain (a "domain" line with a type)`);
        }
        const maskBits = r.small(3, 'mask_bits');
        devices.set(dev, id);
        ops.push({ line, op, dev, id, maskBits, bus: keyword<DmaBus>(4, ['pci', 'platform'], 'pci') });
        break;
      }
      case 'map': {
        const dev = deviceId();
        ops.push({ line, op, dev, cpu: cpuArg(2), bytes: r.num(3, 'bytes') });
        unmappedMaps.set(line, dev);
        break;
      }
      case 'map-sg': {
        const dev = deviceId();
        const cpu = cpuArg(2);
        const segments = Array.from({ length: r.count - 3 }, (_, i) => r.num(3 + i, 'segment bytes'));
        ops.push({ line, op, dev, cpu, segments });
        unmappedMaps.set(line, dev);
        break;
      }
      case 'unmap': {
        const dev = deviceId();
        const cpu = cpuArg(2);
        const ref = refIn(3, dev, unmappedMaps, 'not yet unmapped map or map-sg line of device');
        const bytes = r.num(4, 'bytes');
        ops.push(
          ref === undefined
            ? { line, op, dev, cpu, addr: r.num(3, 'dma_addr'), bytes }
            : { line, op, dev, cpu, addr: 0n, bytes, ref },
        );
        break;
      }
      case 'alloc':
      case 'alloc-noflush': {
        const id = domainId(true);
        ops.push({ line, op, id, cpu: cpuArg(2), size: r.num(3, 'size'), limitPfn: r.num(4, 'limit_pfn') });
        unfreedAllocs.set(line, id);
        break;
      }
      case 'free': {
        const id = domainId(true);
        const cpu = cpuArg(2);
        const ref = refArg(3, id);
        const size = r.num(4, 'size');
        ops.push(
          ref === undefined
            ? { line, op, id, cpu, pfn: r.num(3, 'pfn'), size }
            : { line, op, id, cpu, pfn: 0n, size, ref },
        );
        break;
      }
      case 'slow-alloc': {
        const id = domainId(true);
        const size = r.num(2, 'size');
        const limitPfn = r.num(3, 'limit_pfn');
        const aligned = r.tok(4);
        if (aligned !== '0' && aligned !== '1') r.fail('aligned as 0 or 1');
        ops.push({ line, op, id, size, limitPfn, aligned: aligned === '1' });
        unfreedAllocs.set(line, id);
        break;
      }
      case 'slow-free': {
        const id = domainId(true);
        const ref = refArg(2, id);
        ops.push(ref === undefined ? { line, op, id, pfn: r.num(2, 'pfn') } : { line, op, id, pfn: 0n, ref });
        break;
      }
      case 'reserve':
        ops.push({ line, op, id: domainId(true), lo: r.num(2, 'lo'), hi: r.num(3, 'hi') });
        break;
      case 'tick':
        ops.push({ line, op, ms: r.num(1, 'ms') });
        break;
      case 'offline':
      case 'online':
        ops.push({ line, op, cpu: cpuArg(1) });
        break;
      case 'flush':
        ops.push({ line, op, id: domainId(true) });
        break;
      case 'put': {
        const id = domainId(true);
        live.delete(id);
        dmaDomains.delete(id);
        ops.push({ line, op, id });
        break;
      }
      case 'inject': {
        const kind = r.tok(1) as FailureKind;
        if (!FAILURE_KINDS.includes(kind)) r.fail(`a failure kind (${FAILURE_KINDS.join(' or ')})`);
        ops.push({ line, op, kind, nth: r.small(2, 'nth') });
        break;
      }
    }
  };

  /** Parses the whole lines of `text` (all of it when `last`); returns what follows the last newline. */
  const parseLines = (text: string, last: boolean): string => {
    r.reset(text);
    // Lines as split(/\r?\n/) makes them; the next '#' is looked up once, not once per line.
    let hash = text.indexOf('#');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0 && !last) return text.slice(start);
      const stop = nl < 0 ? text.length : nl;
      const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : stop;
      if (hash >= 0 && hash < start) hash = text.indexOf('#', start);
      r.read(nextLine++, start, end, hash);
      parseLine();
      if (nl < 0) return '';
      start = nl + 1;
    }
  };

  return {
    push(chunk: string): void {
      carry = parseLines(carry + chunk, false);
      if (carry.length > MAX_TRACE_LINE_CHARS) {
        throw new TraceSyntaxError(nextLine, `a line of at most ${MAX_TRACE_LINE_CHARS} characters (the limit)`, carry);
      }
    },
    end(): Trace {
      parseLines(carry, true);
      carry = '';
      if (!header) {
        throw new TraceSyntaxError(1, '"cpus <possible> [online <n>]" as the first line (the trace has no ops)', '');
      }
      return { header, ops };
    },
  };
}
