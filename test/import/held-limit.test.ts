// An import holds its recording (and the trace it writes) until the end, so each reader refuses a
// recording past a bound on what it holds, naming the line and the limit, lenient or not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpftraceReader } from '../../src/import/bpftrace.js';
import { FtraceReader } from '../../src/import/ftrace.js';
import { MAX_RECORDING_HELD, RecordingTooLargeError } from '../../src/import/recording.js';
import { MAX_TRACE_OPS } from '../../src/share/limits.js';
import { ROOT } from '../support/cli.js';

const lines = (file: string): string[] => readFileSync(join(ROOT, 'test', 'fixtures', file), 'utf8').split('\n');

/** The RecordingTooLargeError that feeding `all` to `line` throws, or undefined. */
function refusal(all: string[], line: (raw: string) => void): RecordingTooLargeError | undefined {
  try {
    for (const raw of all) line(raw);
  } catch (e) {
    if (e instanceof RecordingTooLargeError) return e;
    throw e;
  }
  return undefined;
}

describe('import: what a reader holds is bounded', () => {
  it('defaults to as many as a trace may have ops', () => {
    expect(MAX_RECORDING_HELD).toBe(MAX_TRACE_OPS);
  });

  it('ftrace: events past the bound are refused with the line and the limit', () => {
    const all = lines('ftrace/v5.17-trace.txt');
    const whole = new FtraceReader();
    all.forEach((raw) => whole.line(raw));
    const events = whole.rec.events.length;
    expect(events).toBeGreaterThan(3);
    const atBound = new FtraceReader({ maxHeld: events });
    expect(refusal(all, (raw) => atBound.line(raw))).toBeUndefined(); // exactly the bound is held
    const small = new FtraceReader({ maxHeld: 2 });
    const e = refusal(all, (raw) => small.line(raw));
    expect(e?.message).toMatch(/^ftrace line \d+: more than 2 events, skipped lines and warnings \(the limit/);
    expect(small.rec.events.length).toBe(3); // it stops at the first line past the bound
  });

  it('bpftrace: trace ops and skipped lines past the bound are refused, lenient too', () => {
    const all = lines('bpftrace/two-domains.txt');
    const whole = new BpftraceReader();
    all.forEach((raw) => whole.line(raw));
    const ops = whole.finish().trace.ops.length;
    expect(ops).toBeGreaterThan(3);
    const atBound = new BpftraceReader({ maxHeld: ops });
    expect(refusal(all, (raw) => atBound.line(raw))).toBeUndefined();
    const small = new BpftraceReader({ maxHeld: 2, lenient: true });
    expect(refusal(all, (raw) => small.line(raw))?.message).toMatch(/^bpftrace line \d+: more than 2 events/);
    const junk = Array.from({ length: 5 }, () => 'IOVA frobnicate cpu=0 ns=1 iovad=0x1');
    const lenient = new BpftraceReader({ maxHeld: 3, lenient: true });
    expect(refusal(junk, (raw) => lenient.line(raw))?.line).toBe(5); // four skipped lines pass 3
  });
});
