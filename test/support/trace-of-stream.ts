// Renders a StreamOp[] as a replayable trace (close to trace format v1), one op per line.
// Live-index ops ("free the i-th live IOVA") are resolved to concrete PFNs by replaying the
// stream on the TS engine, exactly as the differential runner does.
import type { LabConfig } from '../../src/engine.js';
import { createEngine } from '../../src/lab.js';
import { policySpecs } from '../../src/policy.js';
import { GRANULE, LIMIT32, limitPfn, STREAM_DOMAIN_STARTS } from './constants.js';
import { CONFIG } from './differential.js';
import type { Engine } from '../../src/engine.js';
import { resync } from './differential.js';
import { applyOp, newState, type DmaStreamOp, type StreamOp, type StreamState } from './opstream.js';

const hex = (n: bigint | number) => `0x${BigInt(n).toString(16)}`;

export async function traceOfStream(ops: StreamOp[], config: LabConfig = CONFIG): Promise<string> {
  const engine = await createEngine('ts', config);
  const lines: string[] = [`# trace v1 (from a differential stream of ${ops.length} ops)`];
  lines.push(
    config.onlineCpus === config.possibleCpus
      ? `cpus ${config.possibleCpus}`
      : `cpus ${config.possibleCpus} online ${config.onlineCpus}`,
  );
  lines.push(`magazines ${config.magazines}`);
  if (config.policy) lines.push(...policySpecs(config.policy).map((spec) => `policy ${spec}`));
  try {
    const state = newState(STREAM_DOMAIN_STARTS.map((start) => engine.createDomain(GRANULE, start)));
    const { domains } = state;
    domains.forEach((id, i) => lines.push(`domain ${id} ${GRANULE} ${hex(STREAM_DOMAIN_STARTS[i])}`));
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
          const { live } = state;
          if (live.length === 0) {
            line = `# ${op.k}: nothing live`;
            break;
          }
          const it = live[op.live % live.length];
          line =
            op.k === 'freeFast'
              ? `free ${it.dom} ${op.cpu} ${hex(it.pfn)} ${it.size}`
              : `slow-free ${it.dom} ${hex(it.pfn)}`;
          break;
        }
        case 'badFree':
          line = `slow-free ${domId(op.dom)} ${hex(op.pfn)}`;
          break;
        case 'reserve':
          line = `reserve ${domId(op.dom)} ${hex(op.lo)} ${hex(op.lo + op.len - 1)}`;
          break;
        case 'tick':
          line = `tick ${op.ms}`;
          break;
        case 'offline':
          line = `offline ${op.cpu}`;
          break;
        case 'online':
          line = `online ${op.cpu}`;
          break;
        case 'flush':
          line = `flush ${domId(op.dom)}`;
          break;
        case 'freeCpuCached':
          // The trace format has no line for it (a replay skips it): kept as a comment.
          line = `# free-cpu-cached ${domId(op.dom)} ${op.cpu}`;
          break;
        case 'inject':
          line = `inject ${op.kind} ${op.nth}`;
          break;
        case 'put':
          line = `put ${domId(op.dom)}`;
          break;
        case 'create':
          line = null;
          break;
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
        case 'dmaBurst':
          lines.push(...dmaBurstLines(engine, op, state));
          continue;
        default:
          line = dmaLine(op, state);
      }
      const out = applyOp(engine, op, state);
      resync(engine, op, state);
      if (op.k === 'create') {
        line = 'value' in out ? `domain ${out.value} ${GRANULE} ${hex(op.startPfn)}` : `# create failed: ${out.error}`;
      }
      if (op.k === 'createDma' || op.k === 'attach')
        line = 'value' in out ? line!.replace('?', out.value) : `# ${op.k} failed`;
      const note = 'error' in out ? `  # -> ${out.error} (${out.status})` : '';
      lines.push(`${line}${note}`);
    }
  } finally {
    engine.dispose();
  }
  return lines.join('\n') + '\n';
}

/** The trace line of a DMA op (device and domain ids as the engine hands them out; `?`: the new id).
 *  What the format has no field for (aperture, offset, coherent, forcedac) follows as a comment. */
function dmaLine(op: Exclude<DmaStreamOp, { k: 'dmaBurst' }>, state: StreamState): string {
  const dev = (i: number) => state.devices[i % Math.max(state.devices.length, 1)]?.id ?? 9999;
  switch (op.k) {
    case 'createDma':
      return `domain ? 4096 ${hex(op.startPfn)} ${op.type}${op.aperture === 48 ? '' : `  # aperture ${op.aperture} bits`}`;
    case 'attach': {
      const dom = state.domains[op.dom % Math.max(state.domains.length, 1)] ?? 99;
      const extra =
        op.coherentMask !== op.mask || op.forceDac ? `  # coherent ${op.coherentMask}, forcedac ${op.forceDac}` : '';
      return `device ? ${dom} ${op.mask} ${op.bus}${extra}`;
    }
    case 'map': {
      const extra = op.offset || op.coherent ? `  # offset ${op.offset}, coherent ${op.coherent}` : '';
      return `map ${dev(op.dev)} ${op.cpu} ${op.bytes}${extra}`;
    }
    case 'mapSg':
      return `map-sg ${dev(op.dev)} ${op.cpu} ${op.segs.join(' ')}`;
    case 'unmap': {
      if (state.mapped.length === 0) return '# unmap: nothing mapped';
      const m = state.mapped[op.mapped % state.mapped.length];
      return `unmap ${m.dev} ${op.cpu} ${hex(m.addr)} ${m.bytes}`;
    }
    case 'badUnmap':
      return `unmap ${dev(op.dev)} ${op.cpu} ${hex(op.addr)} ${op.bytes}`;
  }
}

/** A dmaBurst expanded into the map and unmap lines it stands for, with the addresses this replay gets. */
function dmaBurstLines(engine: Engine, op: Extract<DmaStreamOp, { k: 'dmaBurst' }>, state: StreamState): string[] {
  const d = state.devices[op.dev % Math.max(state.devices.length, 1)]?.id ?? 9999;
  const lines: string[] = [];
  const got: bigint[] = [];
  try {
    for (let i = 0; i < op.count; i++) {
      lines.push(`map ${d} ${op.from} 4096`);
      const addr = engine.map(d, op.from, 4096n, 0n, false);
      if (addr !== 0n) got.push(addr);
    }
    for (const addr of got) {
      lines.push(`unmap ${d} ${op.to} ${hex(addr)} 4096`);
      engine.unmap(d, op.to, addr, 4096n);
    }
  } catch (e) {
    lines.push(`# -> ${(e as Error).constructor.name}`);
  }
  return lines;
}
