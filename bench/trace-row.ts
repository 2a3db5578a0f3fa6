// The benchmark's trace row: a deterministic trace v1 text of N ops (cross-CPU churn with idle
// ticks, PFNs taken from a live engine so every free is valid), timed through parse + replay on
// the WASM engine: replayTraceStream encodes each line straight into the engine's batch window.
import { createWasmEngine } from '../src/wasm-engine.js';
import { replayTraceStream } from '../src/trace/replay.js';
import { LIMIT32 } from '../test/support/constants.js';
import { seededRandom } from '../test/support/rng.js';

const CPUS = 8;
const BURST = 64; // allocations per burst, freed on the next CPU (magazines flow via the depot)
const TICK_EVERY = 100; // bursts between 100 ms ticks (trim work runs)

export async function generateTraceText(totalOps: number): Promise<string> {
  const e = await createWasmEngine({ possibleCpus: CPUS, onlineCpus: CPUS, magazines: 'named', slabGeometry: 'slub' });
  const rand = seededRandom(7);
  const chunks: string[] = [];
  let lines = [`cpus ${CPUS}`, 'magazines named', 'domain 0 4096 1'];
  const dom = e.createDomain(4096, 1n);
  let ops = 1;
  const flush = () => {
    chunks.push(lines.join('\n'));
    lines = [];
  };
  for (let burst = 0; ops < totalOps; burst++) {
    const cpu = burst % CPUS;
    const live: [bigint, number][] = [];
    for (let i = 0; i < BURST && ops < totalOps; i++, ops++) {
      const size = 1 + Math.floor(rand() * 32);
      live.push([e.allocFast(dom, cpu, BigInt(size), LIMIT32, true), size]);
      lines.push(`alloc 0 ${cpu} ${size} 0x${LIMIT32.toString(16)}`);
    }
    const to = (cpu + 1) % CPUS;
    for (const [pfn, size] of live) {
      if (ops >= totalOps) break;
      e.freeFast(dom, to, pfn, BigInt(size));
      lines.push(`free 0 ${to} 0x${pfn.toString(16)} ${size}`);
      ops++;
    }
    if (burst % TICK_EVERY === TICK_EVERY - 1 && ops < totalOps) {
      e.advanceClock(100n);
      lines.push('tick 100');
      ops++;
    }
    if (lines.length >= 100_000) flush();
  }
  flush();
  e.dispose();
  return chunks.join('\n') + '\n';
}

export interface TraceTiming {
  ops: number;
  chars: number;
  /** Parse + replay, streamed: wall and CPU (user + system) time. */
  wallMs: number;
  cpuMs: number;
  values: number;
}

/** The text in pieces of `size` characters, as a file would be read. */
function* pieces(text: string, size = 1 << 20): Generator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

/** Wall and CPU time of replayTraceStream (WASM engine) on `text`: each line parsed and encoded
 * straight into the batch window, no op held. */
export async function timeTraceReplay(text: string): Promise<TraceTiming> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await replayTraceStream(pieces(text), 'wasm');
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ops: result.ops, chars: text.length, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, values: result.values };
}
