// Renders a StreamOp[] as a replayable trace (close to trace format v1), one op per line.
// Live-index ops ("free the i-th live IOVA") are resolved to concrete PFNs by replaying the
// stream on the TS engine, exactly as the differential runner does.
import type { LabConfig } from '../../src/engine.js';
import { createEngine } from '../../src/lab.js';
import { policySpecs } from '../../src/policy.js';
import { GRANULE, LIMIT32, limitPfn, STREAM_DOMAIN_STARTS } from './constants.js';
import { CONFIG } from './differential.js';
import { applyOp, type Live, type StreamOp } from './opstream.js';

const hex = (n: bigint | number) => `0x${BigInt(n).toString(16)}`;

export async function traceOfStream(ops: StreamOp[], config: LabConfig = CONFIG): Promise<string> {
  const engine = await createEngine('ts', config);
  const lines: string[] = [`# trace v1 (from a differential stream of ${ops.length} ops)`];
  lines.push(config.onlineCpus === config.possibleCpus ? `cpus ${config.possibleCpus}` : `cpus ${config.possibleCpus} online ${config.onlineCpus}`);
  lines.push(`magazines ${config.magazines}`);
  if (config.policy) lines.push(...policySpecs(config.policy).map((spec) => `policy ${spec}`));
  try {
    const domains = STREAM_DOMAIN_STARTS.map((start) => engine.createDomain(GRANULE, start));
    domains.forEach((id, i) => lines.push(`domain ${id} ${GRANULE} ${hex(STREAM_DOMAIN_STARTS[i])}`));
    let live: Live[] = [];
    const domId = (i: number) => domains[i % Math.max(domains.length, 1)] ?? 99;
    for (const op of ops) {
      let line: string | null;
      switch (op.k) {
        case 'allocFast':
          line = `${op.flush ? 'alloc' : 'alloc-noflush'} ${domId(op.dom)} ${op.cpu} ${op.size} ${hex(limitPfn(op.wide))}`;
          break;
        case 'alloc':
          line = `slow-alloc ${domId(op.dom)} ${op.size} ${hex(limitPfn(op.wide))} ${op.aligned ? 1 : 0}`;
          break;
        case 'freeFast':
        case 'free': {
          if (live.length === 0) { line = `# ${op.k}: nothing live`; break; }
          const it = live[op.live % live.length];
          line = op.k === 'freeFast' ? `free ${it.dom} ${op.cpu} ${hex(it.pfn)} ${it.size}` : `slow-free ${it.dom} ${hex(it.pfn)}`;
          break;
        }
        case 'badFree': line = `slow-free ${domId(op.dom)} ${hex(op.pfn)}`; break;
        case 'reserve': line = `reserve ${domId(op.dom)} ${hex(op.lo)} ${hex(op.lo + op.len - 1)}`; break;
        case 'tick': line = `tick ${op.ms}`; break;
        case 'offline': line = `offline ${op.cpu}`; break;
        case 'online': line = `online ${op.cpu}`; break;
        case 'flush': line = `flush ${domId(op.dom)}`; break;
        case 'inject': line = `inject ${op.kind} ${op.nth}`; break;
        case 'put': line = `put ${domId(op.dom)}`; break;
        case 'create': line = null; break;
        case 'burst': {
          // Expanded into the primitive lines it stands for, with the PFNs this replay hands out.
          const d = domId(op.dom);
          const got: bigint[] = [];
          try {
            for (let i = 0; i < op.count; i++) {
              lines.push(`alloc ${d} ${op.from} ${op.size} ${hex(LIMIT32)}`);
              const pfn = engine.allocFast(d, op.from, BigInt(op.size), LIMIT32, true);
              if (pfn !== 0n) got.push(pfn);
            }
            for (const pfn of got) {
              lines.push(`free ${d} ${op.to} ${hex(pfn)} ${op.size}`);
              engine.freeFast(d, op.to, pfn, BigInt(op.size));
            }
          } catch (e) {
            lines.push(`# -> ${(e as Error).constructor.name}`);
          }
          continue;
        }
      }
      const out = applyOp(engine, op, live, domains);
      if (op.k === 'badFree') live = live.filter((l) => engine.find(l.dom, l.pfn)?.[0] === l.pfn);
      if (op.k === 'create') line = 'value' in out ? `domain ${out.value} ${GRANULE} ${hex(op.startPfn)}` : `# create failed: ${out.error}`;
      const note = 'error' in out ? `  # -> ${out.error} (${out.status})` : '';
      lines.push(`${line}${note}`);
    }
  } finally {
    engine.dispose();
  }
  return lines.join('\n') + '\n';
}
