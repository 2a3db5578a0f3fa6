// Serialises a Trace back to format v1 text (parseTrace(writeTrace(t)) deep-equals t, line numbers aside).
import type { Trace, TraceOp } from './parse.js';

export function formatOp(o: TraceOp): string {
  switch (o.op) {
    case 'domain': return `domain ${o.id} ${o.granule} ${o.startPfn}${o.type ? ` ${o.type}` : ''}`;
    case 'device': return `device ${o.dev} ${o.id} ${o.maskBits} ${o.bus}`;
    case 'map': return `map ${o.dev} ${o.cpu} ${o.bytes}`;
    case 'map-sg': return `map-sg ${o.dev} ${o.cpu} ${o.segments.join(' ')}`;
    case 'unmap': return `unmap ${o.dev} ${o.cpu} 0x${o.addr.toString(16)} ${o.bytes}`;
    case 'alloc':
    case 'alloc-noflush': return `${o.op} ${o.id} ${o.cpu} ${o.size} 0x${o.limitPfn.toString(16)}`;
    case 'free': return `free ${o.id} ${o.cpu} 0x${o.pfn.toString(16)} ${o.size}`;
    case 'slow-alloc': return `slow-alloc ${o.id} ${o.size} 0x${o.limitPfn.toString(16)} ${o.aligned ? 1 : 0}`;
    case 'slow-free': return `slow-free ${o.id} 0x${o.pfn.toString(16)}`;
    case 'reserve': return `reserve ${o.id} 0x${o.lo.toString(16)} 0x${o.hi.toString(16)}`;
    case 'tick': return `tick ${o.ms}`;
    case 'offline':
    case 'online': return `${o.op} ${o.cpu}`;
    case 'flush':
    case 'put': return `${o.op} ${o.id}`;
  }
}

export function writeTrace(t: Trace): string {
  const h = t.header;
  const lines = [
    h.onlineCpus === h.possibleCpus ? `cpus ${h.possibleCpus}` : `cpus ${h.possibleCpus} online ${h.onlineCpus}`,
    ...(h.profile ? [`profile ${h.profile}`] : []),
    ...(h.magazines ? [`magazines ${h.magazines}`] : []),
    ...h.policy.map((spec) => `policy ${spec}`),
    ...t.ops.map(formatOp),
  ];
  return lines.join('\n') + '\n';
}
