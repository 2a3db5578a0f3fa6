// Trace format v1: a text file, one op per line, `#` comments, numbers decimal or 0x hex.
// parseTrace validates the whole file before anything runs and throws TraceSyntaxError naming
// the first bad line (1-based) and what was expected there.
import type { FailureKind, MagazineMode } from '../engine.js';
import { DEFAULT_PROFILE, resolvePolicy } from '../policy.js';
import { parseKernelVersion, versionName } from '../profiles/versions.js';
import { TraceSyntaxError } from './errors.js';
import { LineReader } from './line-reader.js';

export { TraceSyntaxError } from './errors.js';

export interface TraceHeader {
  possibleCpus: number;
  onlineCpus: number;
  /** Default: the profile's (named from v6.9). */
  magazines?: MagazineMode;
  /** Default v6.9. A kernel version from v4.7 on, canonical ("v5.15"). */
  profile?: string;
  /** What-if policy specs applied on top of the profile, in order. */
  policy: string[];
}

type At = { line: number };
// free / slow-free `ref`: free the PFN the allocation on that trace line returned (written `@<line>`;
// pfn is then 0), so a trace recorded on a real machine can free what the lab handed out.
export type TraceOp = At & (
  | { op: 'domain'; id: number; granule: number; startPfn: bigint }
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

export interface Trace {
  header: TraceHeader;
  ops: TraceOp[];
}

/** Ops that return a value (a PFN, 0 = failure). */
export const VALUE_OPS: ReadonlySet<TraceOp['op']> = new Set(['alloc', 'alloc-noflush', 'slow-alloc', 'reserve']);

const USAGE: Record<string, string[]> = {
  domain: ['id', 'granule', 'start_pfn'],
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
const OP_WORDS = ['alloc', 'free', 'tick', 'alloc-noflush', 'slow-alloc', 'slow-free', 'domain', 'put', 'reserve',
  'flush', 'offline', 'online', 'inject', 'magazines', 'profile', 'policy', 'cpus'];

function usage(op: string): string {
  return `"${op} ${USAGE[op].map((a) => `<${a}>`).join(' ')}"`;
}

/**
 * Parses trace format v1 text, validating every line before anything runs.
 * @throws TraceSyntaxError naming the first bad line (1-based) and what was expected there.
 * @example `const trace = parseTrace('cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\n');`
 */
export function parseTrace(text: string): Trace {
  let header: TraceHeader | undefined;
  let sawOp = false;
  const ops: TraceOp[] = [];
  const live = new Set<number>();
  const everCreated = new Set<number>();
  /** Allocation lines a `free … @<line>` may still name: line → domain id. */
  const unfreedAllocs = new Map<number, number>();
  const r = new LineReader(text);

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
  const refArg = (i: number, id: number): number | undefined => {
    const at = r.tok(i)!;
    if (!at.startsWith('@')) return undefined;
    const ref = /^@\d{1,9}$/.test(at) ? Number(at.slice(1)) : -1;
    if (unfreedAllocs.get(ref) !== id) r.fail(`@<line> naming an earlier, not yet freed alloc line of domain ${id}`);
    unfreedAllocs.delete(ref);
    return ref;
  };

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
    if (r.count - 1 !== args.length) r.fail(usage(op));
    sawOp = true;
    switch (op) {
      case 'domain': {
        const id = domainId(false);
        if (everCreated.has(id)) r.fail(`a domain id not used before (${id} already created)`);
        live.add(id);
        everCreated.add(id);
        ops.push({ line, op, id, granule: r.small(2, 'granule'), startPfn: r.num(3, 'start_pfn') });
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
        ops.push(ref === undefined
          ? { line, op, id, cpu, pfn: r.num(3, 'pfn'), size }
          : { line, op, id, cpu, pfn: 0n, size, ref });
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

  // Lines as split(/\r?\n/) makes them; the next '#' is looked up once, not once per line.
  let hash = text.indexOf('#');
  for (let start = 0, line = 1; ; line++) {
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl;
    const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : stop;
    if (hash >= 0 && hash < start) hash = text.indexOf('#', start);
    r.read(line, start, end, hash);
    parseLine();
    if (nl < 0) break;
    start = nl + 1;
  }
  if (!header) throw new TraceSyntaxError(1, '"cpus <possible> [online <n>]" as the first line (the trace has no ops)', '');
  return { header, ops };
}
