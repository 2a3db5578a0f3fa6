// A shrunk differential counterexample is a replayable trace: fast-check finds a stream on which a
// mutant ignoring injected iommu_iova failures diverges from the WASM engine; traceOfStream writes
// it (with its `inject` lines), the trace format reads it back unchanged, and the real
// `iova-lab replay` binary reproduces the true engines' counters, not the mutant's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replaySummary } from '../../src/report/summary.js';
import { parseTrace } from '../../src/trace/parse.js';
import { writeTrace } from '../../src/trace/write.js';
import { run } from '../support/cli.js';
import { CONFIG, divergence, streamSnapshot, tsFactory, wasmFactory } from '../support/differential.js';
import { DeafToIovaFaultsEngine } from '../support/mutants.js';
import { stream } from '../support/opstream.js';
import { traceOfStream } from '../support/trace-of-stream.js';

const mutant = (c: typeof CONFIG) => new DeafToIovaFaultsEngine(c);
const withoutLines = (ops: ReturnType<typeof parseTrace>['ops']) => ops.map(({ line: _line, ...op }) => op);

describe('a shrunk counterexample with fault injection', () => {
  it('writes as a trace with inject lines and replays through the CLI on both engines', async () => {
    const result = await fc.check(
      fc.asyncProperty(stream(120), async (s) => (await divergence(s, CONFIG, wasmFactory, mutant)) === null),
      { numRuns: 300, seed: 20261201 },
    );
    expect(result.failed).toBe(true);
    const shrunk = result.counterexample![0];
    expect(shrunk.some((op) => op.k === 'inject' && op.kind === 'iova')).toBe(true);

    const text = await traceOfStream(shrunk);
    expect(text).toMatch(/^inject iova \d+$/m);
    const trace = parseTrace(text);
    expect(trace.ops.some((o) => o.op === 'inject')).toBe(true);
    expect(withoutLines(parseTrace(writeTrace(trace)).ops)).toEqual(withoutLines(trace.ops));

    const file = join(mkdtempSync(join(tmpdir(), 'iova-counterexample-')), 'shrunk.trace');
    writeFileSync(file, text);
    const truth = replaySummary(await streamSnapshot(shrunk, CONFIG, tsFactory));
    const broken = replaySummary(await streamSnapshot(shrunk, CONFIG, mutant));
    expect(broken).not.toEqual(truth);
    const outputs = ['wasm', 'ts'].map((engine) => {
      const r = run(['replay', file, '--json', '--engine', engine]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      // The summary line also names the profile and design; the counters are what must match.
      const { summary } = JSON.parse(lines.at(-1)!) as { summary: Record<string, unknown> };
      const { nowMs, caches, magazines, domains, dma, flushQueues } = summary;
      expect({ nowMs, caches, magazines, domains, dma, flushQueues }).toEqual(truth);
      return r.stdout;
    });
    expect(outputs[0]).toBe(outputs[1]);
  }, 300_000);
});
