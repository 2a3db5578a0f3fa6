// The differential runner shared by the tests and the soak: two engines run the same stream;
// after every op the outcome, the full counter snapshot and both invariant checkers must agree.
import fc from 'fast-check';
import type { Engine, LabConfig } from '../../src/engine.js';
import type { Snapshot } from '../../src/snapshot.js';
import { createEngine } from '../../src/lab.js';
import { GRANULE, STREAM_DOMAIN_STARTS } from './constants.js';
import { applyOp, newState, stream, type Outcome, type StreamOp, type StreamState } from './opstream.js';
import { traceOfStream } from './trace-of-stream.js';

/** A JSON.stringify replacer for values holding bigints (ops, snapshots' nowMs). */
export const bigintsAsText = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

export const CONFIG: LabConfig = { possibleCpus: 4, onlineCpus: 4, magazines: 'named', slabGeometry: 'slub' };

export type EngineFactory = (config: LabConfig) => Engine | Promise<Engine>;
export const wasmFactory: EngineFactory = (c) => createEngine('wasm', c);
export const tsFactory: EngineFactory = (c) => createEngine('ts', c);

export interface Side {
  engine: Engine;
  state: StreamState;
}

export async function side(factory: EngineFactory, config: LabConfig): Promise<Side> {
  const engine = await factory(config);
  return { engine, state: newState(STREAM_DOMAIN_STARTS.map((start) => engine.createDomain(GRANULE, start))) };
}

/** After an op that may free something the runner still tracks, keep only what the engine still has. */
export function resync(engine: Engine, op: StreamOp, state: StreamState): void {
  if (op.k === 'badFree') state.live = state.live.filter((l) => engine.find(l.dom, l.pfn)?.[0] === l.pfn);
  if (op.k === 'badFree' || op.k === 'badUnmap') {
    state.mapped = state.mapped.filter((m) => engine.find(m.dom, m.addr >> 12n)?.[0] === m.addr >> 12n);
  }
}

/** Runs the stream on one engine (as divergence does on each side); returns its final snapshot. */
export async function streamSnapshot(ops: StreamOp[], config: LabConfig, factory: EngineFactory): Promise<Snapshot> {
  const s = await side(factory, config);
  try {
    for (const op of ops) {
      applyOp(s.engine, op, s.state);
      resync(s.engine, op, s.state);
    }
    return s.engine.snapshot();
  } finally {
    s.engine.dispose();
  }
}

/** Optional per-op observer (the soak uses it for coverage counts). */
export type Observer = (op: StreamOp, a: Outcome, b: Outcome, snapshot: Snapshot) => void;

/** Runs the stream; returns the first divergence as text, or null. */
export async function divergence(
  ops: StreamOp[],
  config: LabConfig = CONFIG,
  left: EngineFactory = wasmFactory,
  right: EngineFactory = tsFactory,
  observe?: Observer,
): Promise<string | null> {
  const wasm = await side(left, config);
  const ts = await side(right, config);
  try {
    for (const [i, op] of ops.entries()) {
      const a = applyOp(wasm.engine, op, wasm.state);
      const b = applyOp(ts.engine, op, ts.state);
      // A stray free or unmap may hit a live range: keep only what both engines still find.
      for (const s of [wasm, ts]) resync(s.engine, op, s.state);
      const where = `op ${i} ${JSON.stringify(op, bigintsAsText)}`;
      if (JSON.stringify(a) !== JSON.stringify(b)) return `${where}: wasm ${JSON.stringify(a)} ts ${JSON.stringify(b)}`;
      const snapA = wasm.engine.snapshot();
      const sa = JSON.stringify(snapA, bigintsAsText);
      const sb = JSON.stringify(ts.engine.snapshot(), bigintsAsText);
      if (sa !== sb) return `${where}: snapshots differ\nwasm ${sa}\nts   ${sb}`;
      for (const s of [wasm, ts]) {
        try {
          s.engine.checkInvariants();
        } catch (e) {
          return `${where}: ${s.engine.name} invariant: ${(e as Error).message}`;
        }
      }
      observe?.(op, a, b, snapA);
    }
    return null;
  } finally {
    wasm.engine.dispose();
    ts.engine.dispose();
  }
}

/**
 * Runs the property over lab configs and streams; returns the ops generated, or throws with the
 * shrunk stream as a replayable trace (its header carries the config and policy).
 */
export async function expectAgreement(
  configs: fc.Arbitrary<LabConfig>,
  maxLength: number,
  numRuns: number,
  seed: number,
  observe?: Observer,
  streams: (maxLength: number) => fc.Arbitrary<StreamOp[]> = stream,
): Promise<number> {
  let ops = 0;
  const result = await fc.check(
    fc.asyncProperty(configs, streams(maxLength), async (config, s) => {
      ops += s.length;
      return (await divergence(s, config, wasmFactory, tsFactory, observe)) === null;
    }),
    { numRuns, seed },
  );
  if (result.failed) {
    const [config, shrunk] = result.counterexample as [LabConfig, StreamOp[]];
    const why = await divergence(shrunk, config);
    throw new Error(
      `engines diverge (seed ${seed}, ${result.numShrinks} shrinks): ${why}\n` +
        `--- replayable trace ---\n${await traceOfStream(shrunk, config)}`,
    );
  }
  return ops;
}
