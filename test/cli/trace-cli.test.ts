// replay / compare / new workloads, through the real built binary.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iova-trace-'));
}, 180_000);

function traceFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const SMALL = `cpus 2
# one domain, a few ops
domain 3 4096 1
alloc 3 0 1 0xfffff
alloc-noflush 3 1 2 0xfffff
slow-alloc 3 4 0xfffff 1
reserve 3 0x100 0x1ff
free 3 0 0xfffff 1
tick 200
`;

interface Summary {
  summary: {
    caches: Array<Record<string, unknown>>;
    magazines: Record<string, number>;
    domains: Array<Record<string, number>>;
  };
}

describe.each(['wasm', 'ts'])('replay (%s engine)', (engine) => {
  it('prints one JSON line per value op, then a summary', () => {
    const r = run(['replay', traceFile(`small-${engine}.trace`, SMALL), '--json', '--engine', engine]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).map((l) => [l.line, l.op])).toEqual([
      [4, 'alloc'],
      [5, 'alloc-noflush'],
      [6, 'slow-alloc'],
      [7, 'reserve'],
    ]);
    expect(lines[0].pfn).toBe(String(0xfffff));
    expect(lines[3].pfn).toBe(String(0x100));
    for (const l of lines.slice(0, 4)) expect(l.pfn).toMatch(/^[1-9]\d*$/);
    const s = (lines[4] as unknown as Summary).summary;
    const iova = s.caches.find((c) => c.name === 'iommu_iova')!;
    // the same cache fields as simulate --json, byte totals as decimal strings
    expect(Object.keys(iova).sort()).toEqual([
      'activeBytes',
      'activeObjs',
      'allocs',
      'cacheSizeBytes',
      'frees',
      'name',
      'numObjs',
      'numSlabs',
      'objPerSlab',
      'objSize',
      'pagesPerSlab',
      'usePercent',
    ]);
    expect(iova.activeBytes).toMatch(/^\d+$/);
    expect(iova.cacheSizeBytes).toMatch(/^\d+$/);
    expect(s.caches.find((c) => c.name === 'iommu_iova_magazine')).toBeDefined();
    expect(s.domains).toHaveLength(1);
    expect(s.magazines.total).toBeGreaterThan(0);
  });
});

describe('replay errors and text output', () => {
  it('reads stdin with - and prints the slabtop view', () => {
    const r = run(['replay', '-'], SMALL);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('OBJS ACTIVE  USE OBJ SIZE');
    expect(r.stdout).toContain('iommu_iova_magazine');
  });
  it('a malformed trace exits 2 naming the line, no value printed when none came before it', () => {
    const r = run(['replay', traceFile('bad.trace', 'cpus 2\ndomain 0 4096 1\nalloc 0 0 1\n'), '--json']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('line 3');
    expect(r.stderr).toContain('alloc <id> <cpu> <size> <limit_pfn>');
  });
  it('an engine error exits 1 naming the trace line', () => {
    const r = run([
      'replay',
      traceFile('enginefail.trace', 'cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nslow-free 0 0x1234\n'),
      '--json',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('line 4');
    expect(r.stderr).toMatch(/NotAllocatedError/);
    expect(r.stdout).toContain('"line":3');
  });
  it('a missing file is a usage error', () => {
    expect(run(['replay', join(dir, 'nope.trace')]).status).toBe(2);
  });
});

describe('compare', () => {
  it('prints named and unnamed slab views side by side', () => {
    const r = run(['compare', '--cpus', '4', '--domains', '2', '--workload', 'churn', '--ops', '1000']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('named (iommu_iova_magazine)');
    expect(r.stdout).toContain('unnamed (kmalloc-1k)');
    const header = r.stdout.split('\n')[1];
    expect(header.match(/OBJS ACTIVE/g)).toHaveLength(2);
  });
  it('--json has both modes', () => {
    const r = run(['compare', '--cpus', '4', '--domains', '1', '--json', '--engine', 'ts']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      named: { magazineMode: string; caches: Array<{ name: string }> };
      unnamed: { magazineMode: string; caches: Array<{ name: string }> };
    };
    expect(doc.named.magazineMode).toBe('named');
    expect(doc.unnamed.magazineMode).toBe('unnamed');
    expect(doc.named.caches.some((c) => c.name === 'iommu_iova_magazine')).toBe(true);
    expect(doc.unnamed.caches.some((c) => c.name === 'iommu_iova_magazine')).toBe(false);
  });
});

describe('compare --preset / --format', () => {
  it('--preset seed runs 128 CPUs x 159 domains in both modes', () => {
    const r = run(['compare', '--preset', 'seed']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/244224 +100% +1\.00K +61056 +4 +244224K iommu_iova_magazine/);
    // unnamed: the magazines and the 159 rcache arrays share kmalloc-1k
    expect(r.stdout).toMatch(/244384 +244383 +99% +1\.00K +61096 +4 +244384K kmalloc-1k/);
    const j = JSON.parse(run(['compare', '--preset', 'seed', '--json']).stdout) as {
      scenario: { cpus: number; domains: number; slabGeometry: string };
      named: { possibleCpus: number; domains: unknown[]; magazines: { total: number } };
      unnamed: { domains: unknown[]; magazines: { total: number } };
    };
    expect(j.scenario).toMatchObject({ cpus: 128, domains: 159, slabGeometry: 'order0' });
    expect(j.named.possibleCpus).toBe(128);
    expect(j.named.domains).toHaveLength(159);
    expect(j.unnamed.domains).toHaveLength(159);
    expect(j.named.magazines.total).toBe(244224);
    expect(j.unnamed.magazines.total).toBe(244224);
  });
  it('--format slabinfo prints both modes as /proc/slabinfo, one after the other', () => {
    const r = run(['compare', '--preset', 'seed', '--format', 'slabinfo']);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^slabinfo - version: 2\.1$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^== named \(iommu_iova_magazine\) ==$/m);
    expect(r.stdout).toMatch(/^== unnamed \(kmalloc-1k\) ==$/m);
    expect(r.stdout).toMatch(/^iommu_iova_magazine +244224 +244224 +1024 +4 +1 :/m);
    expect(r.stdout).toMatch(/^kmalloc-1k +244383 +244384 +1024 +4 +1 :/m);
    expect(r.stdout).not.toContain('OBJS ACTIVE');
  });
  it('--format slabtop is the side-by-side view', () => {
    const r = run(['compare', '--cpus', '4', '--format', 'slabtop']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[1].match(/OBJS ACTIVE/g)).toHaveLength(2);
    expect(run(['compare', '--format', 'csv']).status).toBe(2);
  });
});

describe('new workloads', () => {
  interface Doc {
    totals: unknown;
    domains: Array<{ depotTrims: number; depotPops: number; depotPushes: number }>;
    classes: Array<{ depotTrims: number; depotPops: number }>;
  }
  const sum = (d: Doc, k: 'depotTrims' | 'depotPops') => d.domains.reduce((a, x) => a + x[k], 0);
  it('burst shows depot trims', () => {
    const args = ['simulate', '--cpus', '4', '--workload', 'burst', '--ops', '6000', '--seed', '3', '--json'];
    const r = run(args);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(sum(doc, 'depotTrims')).toBeGreaterThan(0);
    expect(doc.classes.reduce((a, c) => a + c.depotTrims, 0)).toBeGreaterThan(0);
    expect(run(args).stdout).toBe(r.stdout);
  });
  it('cross-cpu shows depot pops', () => {
    const r = run(['simulate', '--cpus', '4', '--workload', 'cross-cpu', '--ops', '5000', '--json', '--engine', 'ts']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(sum(doc, 'depotPops')).toBeGreaterThan(0);
    expect(doc.classes.reduce((a, c) => a + c.depotPops, 0)).toBeGreaterThan(0);
  });
});
