// The DMA layer through the built CLI: replay --json addresses and summary counters, the DMA
// workloads with --domain-type and --irq-cpus, compare --domain-types, and bad values (exit 2).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

const TRACE = `cpus 4
domain 0 4096 1 lazy
device 5 0 32
map 5 0 4096
map-sg 5 1 4096 8192
unmap 5 3 0xfffff000 4096
`;

describe('iova-lab and the DMA layer', () => {
  it('replay --json prints each map with its DMA address as a decimal string, then the DMA counters', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'iova-dma-')), 'dma.trace');
    writeFileSync(file, TRACE);
    const r = run(['replay', file, '--json']);
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // the top page, then 3 pages rounded to 4, size-aligned below it: (0xfffff − 4) & ~3 = 0xffff8
    expect(lines.slice(0, 2)).toEqual([
      { line: 4, op: 'map', addr: String(0xfffff000) },
      { line: 5, op: 'map-sg', addr: String(0xffff8000) },
    ]);
    const { summary } = lines[2] as {
      summary: { dma: Record<string, unknown>; flushQueues: Array<{ queued: number[] }> };
    };
    expect(summary.dma).toMatchObject({ maps: 2, unmaps: 1, queued: 1, mappedBytes: String(4096 + 4096 + 8192) });
    expect(summary.flushQueues[0].queued).toEqual([0, 0, 0, 1]);
  });

  it('simulate runs nvme on IRQ CPUs and reports where the timer freed', () => {
    const r = run(['simulate', '--workload', 'nvme', '--cpus', '8', '--irq-cpus', '2', '--ops', '2000', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { dma: { maps: number; timerFreedOn: number[]; domains: object } };
    expect(doc.dma).toMatchObject({ maps: 2000, domains: { strict: 0, lazy: 1, lazySingle: 0 } });
    // 2 IRQ CPUs on 8: completions, and so the timers, run on CPUs 0 and 4 only
    expect(doc.dma.timerFreedOn.every((n, cpu) => n === 0 || cpu === 0 || cpu === 4)).toBe(true);
    expect(doc.dma.timerFreedOn.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('compare --domain-types prints one row per type', () => {
    const r = run(['compare', '--workload', 'pause', '--cpus', '4', '--ops', '20000', '--domain-types', 'strict,lazy']);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^v[\d.]+ (strict|lazy)\s/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[1])).toEqual(['strict', 'lazy', 'strict', 'lazy']); // both tables
    expect(r.stdout).toContain('ring-full flushes');
  });

  it.each([
    [['simulate', '--workload', 'churn', '--domain-type', 'lazy'], /--domain-type goes with a DMA workload/],
    [
      ['simulate', '--workload', 'nvme', '--domain-type', 'eager'],
      /--domain-type must be one of strict, lazy, lazy-single, got "eager"/,
    ],
    [['simulate', '--workload', 'nic', '--irq-cpus', '0'], /--irq-cpus must be at least 1, got 0/],
    [['compare', '--workload', 'nvme', '--domain-types', 'lazy,lazy'], /--domain-types lists "lazy" twice/],
  ])('%j exits 2 naming the value', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
