// Serialises a Trace back to format v1 text (parseTrace(writeTrace(t)) deep-equals t, line numbers aside;
// a free's or unmap's `@<line>` is renumbered to where its allocation or map is written).
import type { Trace, TraceOp } from './parse.js';

/** A free's PFN (an unmap's address), or `@<line>` of the allocation (map) it frees. */
const pfnOrRef = (pfn: bigint, ref?: number): string => (ref === undefined ? `0x${pfn.toString(16)}` : `@${ref}`);

/**
 * One op as its trace line.
 * @example `formatOp(trace.ops[0]) // 'domain 0 4096 1'`
 */
export function formatOp(o: TraceOp): string {
  switch (o.op) {
    case 'domain':
      return `domain ${o.id} ${o.granule} ${o.startPfn}${o.type ? ` ${o.type}` : ''}`;
    case 'device':
      return `device ${o.dev} ${o.id} ${o.maskBits} ${o.bus}`;
    case 'map':
      return `map ${o.dev} ${o.cpu} ${o.bytes}`;
    case 'map-sg':
      return `map-sg ${o.dev} ${o.cpu} ${o.segments.join(' ')}`;
    case 'unmap':
      return `unmap ${o.dev} ${o.cpu} ${pfnOrRef(o.addr, o.ref)} ${o.bytes}`;
    case 'alloc':
    case 'alloc-noflush':
      return `${o.op} ${o.id} ${o.cpu} ${o.size} 0x${o.limitPfn.toString(16)}`;
    case 'free':
      return `free ${o.id} ${o.cpu} ${pfnOrRef(o.pfn, o.ref)} ${o.size}`;
    case 'slow-alloc':
      return `slow-alloc ${o.id} ${o.size} 0x${o.limitPfn.toString(16)} ${o.aligned ? 1 : 0}`;
    case 'slow-free':
      return `slow-free ${o.id} ${pfnOrRef(o.pfn, o.ref)}`;
    case 'reserve':
      return `reserve ${o.id} 0x${o.lo.toString(16)} 0x${o.hi.toString(16)}`;
    case 'tick':
      return `tick ${o.ms}`;
    case 'offline':
    case 'online':
      return `${o.op} ${o.cpu}`;
    case 'flush':
    case 'put':
      return `${o.op} ${o.id}`;
    case 'inject':
      return `inject ${o.kind} ${o.nth}`;
  }
}

/**
 * A trace as format v1 text; parseTrace(writeTrace(t)) gives t back (line numbers aside).
 * `comments` are written as `# ` lines right after the cpus line.
 * @example `await writeFile('run.trace', writeTrace(trace));`
 */
export function writeTrace(t: Trace, comments: readonly string[] = []): string {
  const h = t.header;
  const head = [
    h.onlineCpus === h.possibleCpus ? `cpus ${h.possibleCpus}` : `cpus ${h.possibleCpus} online ${h.onlineCpus}`,
    ...comments.map((c) => `# ${c}`),
    ...(h.profile ? [`profile ${h.profile}`] : []),
    ...(h.magazines ? [`magazines ${h.magazines}`] : []),
    ...h.policy.map((spec) => `policy ${spec}`),
  ];
  const written = new Map(t.ops.map((o, i) => [o.line, head.length + i + 1]));
  const renumbered = (o: TraceOp): TraceOp =>
    (o.op === 'free' || o.op === 'slow-free' || o.op === 'unmap') && o.ref !== undefined
      ? { ...o, ref: written.get(o.ref)! }
      : o;
  return [...head, ...t.ops.map((o) => formatOp(renumbered(o)))].join('\n') + '\n';
}
