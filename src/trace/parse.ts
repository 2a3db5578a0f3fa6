// Trace format v1: a text file, one op per line, `#` comments, numbers decimal or 0x hex.
// parseTrace validates the whole file before anything runs and throws TraceSyntaxError naming
// the first bad line (1-based) and what was expected there.
import type { MagazineMode } from '../engine.js';
import { DEFAULT_PROFILE, PROFILE_NAMES, resolvePolicy, type ProfileName } from '../policy.js';

export class TraceSyntaxError extends Error {
  constructor(readonly line: number, readonly expected: string, readonly got: string) {
    super(`trace line ${line}: expected ${expected}${got ? `, got "${got}"` : ''}`);
    this.name = 'TraceSyntaxError';
  }
}

export interface TraceHeader {
  possibleCpus: number;
  onlineCpus: number;
  /** Default: the profile's (named for v6.8). */
  magazines?: MagazineMode;
  /** Default v6.8. */
  profile?: ProfileName;
  /** What-if policy specs applied on top of the profile, in order. */
  policy: string[];
}

type At = { line: number };
export type TraceOp = At & (
  | { op: 'domain'; id: number; granule: number; startPfn: bigint }
  | { op: 'alloc' | 'alloc-noflush'; id: number; cpu: number; size: bigint; limitPfn: bigint }
  | { op: 'free'; id: number; cpu: number; pfn: bigint; size: bigint }
  | { op: 'slow-alloc'; id: number; size: bigint; limitPfn: bigint; aligned: boolean }
  | { op: 'slow-free'; id: number; pfn: bigint }
  | { op: 'reserve'; id: number; lo: bigint; hi: bigint }
  | { op: 'tick'; ms: bigint }
  | { op: 'offline' | 'online'; cpu: number }
  | { op: 'flush' | 'put'; id: number }
);

export interface Trace {
  header: TraceHeader;
  ops: TraceOp[];
}

/** Ops that return a value (a PFN, 0 = failure). */
export const VALUE_OPS: ReadonlySet<TraceOp['op']> = new Set(['alloc', 'alloc-noflush', 'slow-alloc', 'reserve']);

const U64_MAX = (1n << 64n) - 1n;
const NUM = /^(0x[0-9a-f]+|[0-9]+)$/i;

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
};

function usage(op: string): string {
  return `"${op} ${USAGE[op]!.map((a) => `<${a}>`).join(' ')}"`;
}

export function parseTrace(text: string): Trace {
  const lines = text.split(/\r?\n/);
  let header: TraceHeader | undefined;
  let sawOp = false;
  const ops: TraceOp[] = [];
  const live = new Set<number>();
  const everCreated = new Set<number>();

  lines.forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.indexOf('#');
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (body === '') return;
    const tok = body.split(/\s+/);
    const fail = (expected: string): never => {
      throw new TraceSyntaxError(line, expected, body);
    };
    const num = (s: string | undefined, what: string): bigint => {
      if (s === undefined || !NUM.test(s)) fail(`${what} as a decimal or 0x hex number`);
      const v = BigInt(s!);
      if (v > U64_MAX) fail(`${what} below 2^64`);
      return v;
    };
    const small = (s: string | undefined, what: string): number => {
      const v = num(s, what);
      if (v > 0x7fffffffn) fail(`${what} below 2^31`);
      return Number(v);
    };

    if (!header) {
      if (tok[0] !== 'cpus') fail('"cpus <possible> [online <n>]" as the first line');
      if (tok.length !== 2 && !(tok.length === 4 && tok[2] === 'online')) fail('"cpus <possible> [online <n>]"');
      const possible = small(tok[1], 'possible CPU count');
      if (possible < 1) fail('possible CPU count of at least 1');
      const online = tok.length === 4 ? small(tok[3], 'online CPU count') : possible;
      if (online < 1 || online > possible) fail(`online CPU count in [1, ${possible}]`);
      header = { possibleCpus: possible, onlineCpus: online, policy: [] };
      return;
    }
    const op = tok[0]!;
    if (op === 'magazines' || op === 'profile' || op === 'policy') {
      if (sawOp) fail(`"${op}" before any op (right after the cpus line)`);
      if (tok.length !== 2) fail(`"${op} <value>"`);
      const value = tok[1]!;
      if (op === 'magazines') {
        if (value !== 'named' && value !== 'unnamed') fail('"magazines named|unnamed"');
        header.magazines = value as MagazineMode;
      } else if (op === 'profile') {
        if (!(PROFILE_NAMES as readonly string[]).includes(value)) fail(`"profile ${PROFILE_NAMES.join('|')}"`);
        if (header.profile || header.policy.length) fail('one "profile" line, before any "policy" line');
        header.profile = value as ProfileName;
      } else {
        try {
          resolvePolicy(header.profile ?? DEFAULT_PROFILE, [...header.policy, value]);
        } catch (e) {
          fail(`a policy spec (${(e as Error).message})`);
        }
        header.policy.push(value);
      }
      return;
    }
    if (op === 'cpus') fail('a single "cpus" line, at the top');
    const args = USAGE[op];
    if (!args) fail(`an op (${Object.keys(USAGE).join(', ')}, magazines, profile, policy)`);
    if (tok.length - 1 !== args!.length) fail(usage(op));
    sawOp = true;
    const a = tok.slice(1);
    const domainId = (mustLive: boolean): number => {
      const id = small(a[0], 'domain id');
      if (mustLive && !live.has(id)) fail(`domain id ${id} created by an earlier "domain" line and not yet put`);
      return id;
    };
    const cpuArg = (s: string | undefined): number => {
      const cpu = small(s, 'cpu');
      if (cpu >= header!.possibleCpus) fail(`cpu in [0, ${header!.possibleCpus - 1}]`);
      return cpu;
    };
    switch (op) {
      case 'domain': {
        const id = domainId(false);
        if (everCreated.has(id)) fail(`a domain id not used before (${id} already created)`);
        live.add(id);
        everCreated.add(id);
        ops.push({ line, op, id, granule: small(a[1], 'granule'), startPfn: num(a[2], 'start_pfn') });
        break;
      }
      case 'alloc':
      case 'alloc-noflush':
        ops.push({ line, op, id: domainId(true), cpu: cpuArg(a[1]), size: num(a[2], 'size'), limitPfn: num(a[3], 'limit_pfn') });
        break;
      case 'free':
        ops.push({ line, op, id: domainId(true), cpu: cpuArg(a[1]), pfn: num(a[2], 'pfn'), size: num(a[3], 'size') });
        break;
      case 'slow-alloc': {
        const id = domainId(true);
        const size = num(a[1], 'size');
        const limitPfn = num(a[2], 'limit_pfn');
        if (a[3] !== '0' && a[3] !== '1') fail('aligned as 0 or 1');
        ops.push({ line, op, id, size, limitPfn, aligned: a[3] === '1' });
        break;
      }
      case 'slow-free':
        ops.push({ line, op, id: domainId(true), pfn: num(a[1], 'pfn') });
        break;
      case 'reserve':
        ops.push({ line, op, id: domainId(true), lo: num(a[1], 'lo'), hi: num(a[2], 'hi') });
        break;
      case 'tick':
        ops.push({ line, op, ms: num(a[0], 'ms') });
        break;
      case 'offline':
      case 'online':
        ops.push({ line, op, cpu: cpuArg(a[0]) });
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
    }
  });
  if (!header) throw new TraceSyntaxError(1, '"cpus <possible> [online <n>]" as the first line (the trace has no ops)', '');
  return { header, ops };
}
