// The C/WASM engine and the TS model run the same random streams; after every op the outcome,
// the full counter snapshot and both invariant checkers must agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Engine, LabConfig } from '../src/engine.js';
import { createEngine } from '../src/lab.js';
import { applyOp, stream, type Live, type StreamOp } from './support/opstream.js';

const CONFIG: LabConfig = { possibleCpus: 4, onlineCpus: 4, magazines: 'named', slabGeometry: 'slub' };

interface Side { engine: Engine; live: Live[]; domains: number[] }

async function side(name: 'wasm' | 'ts', config: LabConfig): Promise<Side> {
  const engine = await createEngine(name, config);
  const domains = [engine.createDomain(4096, 1n), engine.createDomain(4096, 0xfff00n)];
  return { engine, live: [], domains };
}

/** Runs the stream; returns the first divergence as text, or null. Counts ops run. */
export async function divergence(ops: StreamOp[], config: LabConfig = CONFIG): Promise<string | null> {
  const wasm = await side('wasm', config);
  const ts = await side('ts', config);
  try {
    for (const [i, op] of ops.entries()) {
      const a = applyOp(wasm.engine, op, wasm.live, wasm.domains);
      const b = applyOp(ts.engine, op, ts.live, ts.domains);
      if (op.k === 'badFree') {
        // A stray free may hit a live range: keep only what both engines still find.
        for (const s of [wasm, ts]) s.live = s.live.filter((l) => s.engine.find(l.dom, l.pfn)?.[0] === l.pfn);
      }
      const where = `op ${i} ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
      if (JSON.stringify(a) !== JSON.stringify(b)) return `${where}: wasm ${JSON.stringify(a)} ts ${JSON.stringify(b)}`;
      const sa = JSON.stringify(wasm.engine.snapshot());
      const sb = JSON.stringify(ts.engine.snapshot());
      if (sa !== sb) return `${where}: snapshots differ\nwasm ${sa}\nts   ${sb}`;
      for (const s of [wasm, ts]) {
        try {
          s.engine.checkInvariants();
        } catch (e) {
          return `${where}: ${s.engine.name} invariant: ${(e as Error).message}`;
        }
      }
    }
    return null;
  } finally {
    wasm.engine.dispose();
    ts.engine.dispose();
  }
}

describe('differential: wasm engine vs TS model', () => {
  it('agree on every op of random streams (≥ 10^5 ops in all)', async () => {
    let ops = 0;
    await fc.assert(
      fc.asyncProperty(stream(250), async (s) => {
        ops += s.length;
        const diff = await divergence(s);
        expect(diff).toBeNull();
      }),
      { numRuns: 1000, seed: 20261124 },
    );
    expect(ops).toBeGreaterThanOrEqual(100_000);
  }, 600_000);

  it('agree in unnamed mode with order-0 slabs and fewer online CPUs', async () => {
    const config: LabConfig = { possibleCpus: 4, onlineCpus: 2, magazines: 'unnamed', slabGeometry: 'order0' };
    await fc.assert(
      fc.asyncProperty(stream(200), async (s) => {
        expect(await divergence(s, config)).toBeNull();
      }),
      { numRuns: 100, seed: 7 },
    );
  }, 600_000);
});
