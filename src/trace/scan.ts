// The streaming core of trace format v1: text pushed in chunks (split anywhere), read line by line,
// each line validated against what came before and handed to a sink as reused fields, never as
// an object. parseTrace's sink builds TraceOp objects; replay's encodes straight into a batch window.
// What the scanner holds is bounded by the limits in share/limits.ts, never by the trace's length.
import { DMA_DOMAIN_TYPES, type DmaBus, type DmaDomainType, type FailureKind, type MagazineMode } from '../engine.js';
import { IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import { DEFAULT_PROFILE, resolvePolicy } from '../policy.js';
import { parseKernelVersion, versionName } from '../profiles/versions.js';
import { MAX_OPEN_REF_LINES, MAX_TRACE_IDS, MAX_TRACE_LINE_CHARS } from '../share/limits.js';
import { TraceSyntaxError } from './errors.js';
import { LineReader } from './line-reader.js';
import { OpenRefs } from './open-refs.js';
import type { TraceHeader, TraceOp } from './parse.js';

/** Each op's arguments, in the order trace lines give them (every op of TraceOp, checked). */
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
} satisfies Record<TraceOp['op'], string[]>;

/** Every op a trace line can hold, in USAGE's order. */
export const TRACE_OPS = Object.keys(USAGE) as ReadonlyArray<TraceOp['op']>;

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
const ARITY = new Map(Object.keys(USAGE).map((op) => [op, arity(op)]));

function usage(op: string): string {
  return `"${op} ${USAGE[op].map((a) => (a.startsWith('[') ? a : `<${a}>`)).join(' ')}"`;
}

/** What a free's (unmap's) `@<line>` must name, when it names something else. */
export function refExpected(op: TraceOp['op'], owner: number): string {
  const what = op === 'unmap' ? 'not yet unmapped map or map-sg line of device' : 'not yet freed alloc line of domain';
  return `@<line> naming an earlier, ${what} ${owner}`;
}

/**
 * The op the scanner just read, in fields reused for every line. Its 64-bit operands are in
 * `nums` in a fixed order per op (see {@link TraceScanner}), exact below 2^53, else NaN with the
 * value in `bigs` at the same index.
 */
export class OpFields {
  op: TraceOp['op'] = 'tick';
  line = 0;
  /** Domain id: of the op, or the domain a device attaches to. */
  id = 0;
  dev = 0;
  cpu = 0;
  /** domain: granule; device: mask bits; inject: nth. */
  small = 0;
  /** The line a free or unmap names with `@<line>`, else -1. */
  ref = -1;
  /** domain: its type ('' for a plain domain); device: its bus; inject: the failure kind. */
  word = '';
  aligned = false;
  /** 64-bit operands held in nums. */
  count = 0;
  readonly nums = new Float64Array(IOVA_SG_MAX_SEGMENTS + 1);
  readonly bigs: bigint[] = [];
}

/** Where the scanner hands each op (the fields are overwritten by the next line). */
export interface OpSink {
  op(f: OpFields): void;
}

/**
 * Validates trace text line by line as it is pushed. Operands (nums) per op: domain [start_pfn],
 * map [bytes], map-sg [segments…], unmap [dma_addr (0 with a ref), bytes], alloc and slow-alloc
 * [size, limit_pfn], free [pfn (0 with a ref), size], slow-free [pfn], reserve [lo, hi], tick [ms].
 * Without a sink it stops before the first op, so its owner can set one up from the header.
 */
export class TraceScanner {
  header?: TraceHeader;
  /** Op lines handed on so far. */
  ops = 0;
  sink?: OpSink;
  /** Allocation lines and map lines a later `@<line>` may name. */
  readonly allocRefs = new OpenRefs();
  readonly mapRefs = new OpenRefs();
  private sawOp = false;
  private readonly live = new Set<number>();
  private readonly everCreated = new Set<number>();
  /** DMA domains among the live ones; devices by trace id -> their domain, and each domain's devices. */
  private readonly dmaDomains = new Set<number>();
  private readonly devices = new Map<number, number>();
  private readonly devicesOf = new Map<number, number[]>();
  private readonly r = new LineReader('');
  private readonly f = new OpFields();
  private nextLine = 1;
  /** The text after the last line read: the start of a line still to come. */
  private carry = '';

  /** maxOps: past it an op line is an error naming the limit (a parser that holds every op). */
  constructor(private readonly maxOps = Infinity) {}

  /** Reads the whole lines of the text so far; the rest waits for the next chunk (or end). */
  push(chunk: string): void {
    this.carry = this.readLines(this.carry + chunk, false);
    if (this.carry.length > MAX_TRACE_LINE_CHARS && (this.sink || !this.startsOp(this.carry))) {
      const limit = `a line of at most ${MAX_TRACE_LINE_CHARS} characters (the limit)`;
      throw new TraceSyntaxError(this.nextLine, limit, this.carry);
    }
  }

  /** Reads what is left (a last line without a newline); the header, once the text has one. */
  end(): TraceHeader {
    this.carry = this.readLines(this.carry, true);
    if (!this.header) {
      throw new TraceSyntaxError(1, '"cpus <possible> [online <n>]" as the first line (the trace has no ops)', '');
    }
    return this.header;
  }

  /** True when the scanner stopped before an op line and waits for a sink. */
  get waiting(): boolean {
    return this.sink === undefined && this.carry.length > 0 && this.startsOp(this.carry);
  }

  /** Lines of `text` (all of it when `last`); returns what is left unread. */
  private readLines(text: string, last: boolean): string {
    const r = this.r;
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
      r.read(this.nextLine, start, end, hash);
      if (!this.sink && this.header && r.count > 0 && USAGE[r.word(0, OP_WORDS)!]) return text.slice(start);
      this.nextLine++;
      this.readLine();
      if (nl < 0) return '';
      start = nl + 1;
    }
  }

  /** Whether `text` begins with an op line (after the header): the scanner pauses there. */
  private startsOp(text: string): boolean {
    const word = /^\s*(\S+)/.exec(text)?.[1];
    return this.header !== undefined && word !== undefined && USAGE[word] !== undefined;
  }

  private deviceId(): number {
    const dev = this.r.small(1, 'device id');
    const dom = this.devices.get(dev);
    if (dom === undefined || !this.live.has(dom)) {
      this.r.fail(`device id ${dev} attached by an earlier "device" line to a live domain`);
    }
    return dev;
  }

  private keyword<T extends string>(i: number, words: readonly T[], fallback: T): T {
    const w = this.r.tok(i);
    if (w === undefined) return fallback;
    if (!(words as readonly string[]).includes(w)) this.r.fail(`${words.join('|')} as argument ${i}`);
    return w as T;
  }

  private domainId(mustLive: boolean): number {
    const id = this.r.small(1, 'domain id');
    if (mustLive && !this.live.has(id)) {
      this.r.fail(`domain id ${id} created by an earlier "domain" line and not yet put`);
    }
    return id;
  }

  private cpuArg(i: number): number {
    const cpu = this.r.small(i, 'cpu');
    if (cpu >= this.header!.possibleCpus) this.r.fail(`cpu in [0, ${this.header!.possibleCpus - 1}]`);
    return cpu;
  }

  /** Token i into operand slot `slot`. */
  private operand(slot: number, i: number, what: string): void {
    const v = this.r.u64(i, what);
    this.f.nums[slot] = v;
    if (Number.isNaN(v)) this.f.bigs[slot] = this.r.big; // past 2^53
  }

  /** `@<line>` as argument i: a line of `refs` that `owner` made, used up once the sink has it (-1: no ref). */
  private refIn(i: number, owner: number, refs: OpenRefs): number {
    const at = this.r.tok(i)!;
    if (at.charCodeAt(0) !== 0x40) return -1; // '@'
    const ref = /^@\d{1,9}$/.test(at) ? Number(at.slice(1)) : -1;
    if (!refs.has(owner, ref)) this.r.fail(refExpected(this.f.op, owner));
    return ref;
  }

  /** The text of the line being read (what an error about it quotes). */
  current(): string {
    return this.r.body();
  }

  /** An allocation or map line a later `@<line>` may name, within the limit. */
  private openRef(refs: OpenRefs, owner: number): void {
    if (!refs.open(owner, this.r.line, MAX_OPEN_REF_LINES)) {
      this.r.fail(
        `at most ${MAX_OPEN_REF_LINES} allocations and maps a later "@<line>" may still name ` +
          '(the limit: free some first)',
      );
    }
  }

  /** A new domain or device id, within the limit of ids one trace remembers. */
  private checkIds(): void {
    if (this.everCreated.size + this.devices.size >= MAX_TRACE_IDS) {
      this.r.fail(`at most ${MAX_TRACE_IDS} domain and device lines in one trace (the limit)`);
    }
  }

  /** magazines / profile / policy: before any op; a policy spec must apply to the profile so far. */
  private readHeaderLine(op: 'magazines' | 'profile' | 'policy', h: TraceHeader): void {
    const r = this.r;
    if (this.sawOp) r.fail(`"${op}" before any op (right after the cpus line)`);
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
  }

  private readCpus(): void {
    const r = this.r;
    if (r.tok(0) !== 'cpus') r.fail('"cpus <possible> [online <n>]" as the first line');
    if (r.count !== 2 && !(r.count === 4 && r.tok(2) === 'online')) r.fail('"cpus <possible> [online <n>]"');
    const possible = r.small(1, 'possible CPU count');
    if (possible < 1) r.fail('possible CPU count of at least 1');
    const online = r.count === 4 ? r.small(3, 'online CPU count') : possible;
    if (online < 1 || online > possible) r.fail(`online CPU count in [1, ${possible}]`);
    this.header = { possibleCpus: possible, onlineCpus: online, policy: [] };
  }

  private readLine(): void {
    const r = this.r;
    if (r.count === 0) return;
    if (!this.header) return this.readCpus();
    const op = r.word(0, OP_WORDS)!;
    if (op === 'magazines' || op === 'profile' || op === 'policy') return this.readHeaderLine(op, this.header);
    if (op === 'cpus') r.fail('a single "cpus" line, at the top');
    const bounds = ARITY.get(op);
    if (bounds === undefined) return r.fail(`an op (${Object.keys(USAGE).join(', ')}, magazines, profile, policy)`);
    if (r.count - 1 < bounds[0] || r.count - 1 > bounds[1]) r.fail(usage(op));
    if (this.ops === this.maxOps) r.fail(`at most ${this.maxOps} ops in one trace (the limit)`);
    this.sawOp = true;
    const f = this.f;
    f.op = op as TraceOp['op'];
    f.line = r.line;
    f.ref = -1;
    f.count = 0;
    this.readOp(f);
    this.ops++;
    this.sink!.op(f);
    // A named line is used up (after the sink, which may still need what it returned).
    if (f.ref >= 0) {
      if (f.op === 'unmap') this.mapRefs.close(f.dev, f.ref);
      else this.allocRefs.close(f.id, f.ref);
    }
  }

  /** The op's fields, checked in the order its arguments are written. */
  private readOp(f: OpFields): void {
    const r = this.r;
    switch (f.op) {
      case 'domain': {
        const id = this.domainId(false);
        if (this.everCreated.has(id)) r.fail(`a domain id not used before (${id} already created)`);
        f.id = id;
        f.small = r.small(2, 'granule');
        this.operand(0, 3, 'start_pfn');
        f.count = 1;
        f.word = r.count === 5 ? this.keyword<DmaDomainType>(4, DMA_DOMAIN_TYPES, 'strict') : '';
        this.checkIds();
        this.live.add(id);
        this.everCreated.add(id);
        if (f.word) {
          this.dmaDomains.add(id);
          this.devicesOf.set(id, []);
        }
        break;
      }
      case 'device': {
        const dev = r.small(1, 'device id');
        if (this.devices.has(dev)) r.fail(`a device id not used before (${dev} already attached)`);
        const id = r.small(2, 'domain id');
        if (!this.live.has(id) || !this.dmaDomains.has(id)) {
          r.fail(`domain id ${id} of a live DMA domain (a "domain" line with a type)`);
        }
        f.small = r.small(3, 'mask_bits');
        f.word = this.keyword<DmaBus>(4, ['pci', 'platform'], 'pci');
        this.checkIds();
        f.dev = dev;
        f.id = id;
        this.devices.set(dev, id);
        this.devicesOf.get(id)!.push(dev);
        break;
      }
      case 'map':
        f.dev = this.deviceId();
        f.cpu = this.cpuArg(2);
        this.operand(0, 3, 'bytes');
        f.count = 1;
        this.openRef(this.mapRefs, f.dev);
        break;
      case 'map-sg':
        f.dev = this.deviceId();
        f.cpu = this.cpuArg(2);
        f.count = r.count - 3;
        for (let i = 0; i < f.count; i++) this.operand(i, 3 + i, 'segment bytes');
        this.openRef(this.mapRefs, f.dev);
        break;
      case 'unmap':
        f.dev = this.deviceId();
        f.cpu = this.cpuArg(2);
        f.ref = this.refIn(3, f.dev, this.mapRefs);
        this.operand(1, 4, 'bytes');
        if (f.ref < 0) this.operand(0, 3, 'dma_addr');
        else f.nums[0] = 0;
        f.count = 2;
        break;
      case 'alloc':
      case 'alloc-noflush':
        f.id = this.domainId(true);
        f.cpu = this.cpuArg(2);
        this.operand(0, 3, 'size');
        this.operand(1, 4, 'limit_pfn');
        f.count = 2;
        this.openRef(this.allocRefs, f.id);
        break;
      case 'free':
        f.id = this.domainId(true);
        f.cpu = this.cpuArg(2);
        f.ref = this.refIn(3, f.id, this.allocRefs);
        this.operand(1, 4, 'size');
        if (f.ref < 0) this.operand(0, 3, 'pfn');
        else f.nums[0] = 0;
        f.count = 2;
        break;
      case 'slow-alloc': {
        f.id = this.domainId(true);
        this.operand(0, 2, 'size');
        this.operand(1, 3, 'limit_pfn');
        f.count = 2;
        const aligned = r.tok(4);
        if (aligned !== '0' && aligned !== '1') r.fail('aligned as 0 or 1');
        f.aligned = aligned === '1';
        this.openRef(this.allocRefs, f.id);
        break;
      }
      case 'slow-free':
        f.id = this.domainId(true);
        f.ref = this.refIn(2, f.id, this.allocRefs);
        if (f.ref < 0) this.operand(0, 2, 'pfn');
        else f.nums[0] = 0;
        f.count = 1;
        break;
      case 'reserve':
        f.id = this.domainId(true);
        this.operand(0, 2, 'lo');
        this.operand(1, 3, 'hi');
        f.count = 2;
        break;
      case 'tick':
        this.operand(0, 1, 'ms');
        f.count = 1;
        break;
      case 'offline':
      case 'online':
        f.cpu = this.cpuArg(1);
        break;
      case 'flush':
        f.id = this.domainId(true);
        break;
      case 'put':
        f.id = this.domainId(true);
        this.live.delete(f.id);
        this.dmaDomains.delete(f.id);
        // Its lines can never be named again (ids are not reused): forget them.
        this.allocRefs.drop(f.id);
        for (const dev of this.devicesOf.get(f.id) ?? []) this.mapRefs.drop(dev);
        this.devicesOf.delete(f.id);
        break;
      case 'inject':
        f.word = r.tok(1)!;
        if (!FAILURE_KINDS.includes(f.word as FailureKind)) r.fail(`a failure kind (${FAILURE_KINDS.join(' or ')})`);
        f.small = r.small(2, 'nth');
        break;
    }
  }
}
