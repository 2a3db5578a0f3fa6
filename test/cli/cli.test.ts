// Runs the real built binary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from '../support/cli.js';

const SEED_LINE = '244412 244239  99%    1.00K  61103        4    244412K iommu_iova_magazine';

interface JsonCache {
  name: string;
  activeObjs: number;
}

describe.each(['wasm', 'ts'])('simulate (%s engine)', (engine) => {
  it('159 domains on 128 CPUs: 244224 iommu_iova_magazine objects', () => {
    const r = run(['simulate', '--cpus', '128', '--domains', '159', '--json', '--engine', engine]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { caches: JsonCache[] };
    expect(doc.caches.find((c) => c.name === 'iommu_iova_magazine')?.activeObjs).toBe(244224);
  });
  it('unnamed mode puts the magazines in kmalloc-1k', () => {
    const r = run([
      'simulate',
      '--cpus',
      '128',
      '--domains',
      '159',
      '--magazines',
      'unnamed',
      '--json',
      '--engine',
      engine,
    ]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { caches: JsonCache[] };
    expect(doc.caches.find((c) => c.name === 'iommu_iova_magazine')).toBeUndefined();
    expect(doc.caches.find((c) => c.name === 'kmalloc-1k')!.activeObjs).toBeGreaterThanOrEqual(244224);
  });
});

describe('simulate text output', () => {
  it('prints the slabtop table and the magazine breakdown for the seed preset', () => {
    const r = run(['simulate', '--preset', 'seed']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('OBJS ACTIVE  USE OBJ SIZE');
    expect(r.stdout).toMatch(/244224 +100% +1\.00K +61056 +4 +244224K iommu_iova_magazine/);
    expect(r.stdout).toContain('magazines: 244224');
    expect(r.stdout).toContain('domains: 159');
  });
  it('runs churn deterministically from --seed', () => {
    const args = [
      'simulate',
      '--cpus',
      '4',
      '--domains',
      '2',
      '--workload',
      'churn',
      '--ops',
      '3000',
      '--duration-ms',
      '500',
      '--seed',
      '7',
      '--json',
    ];
    const a = run(args);
    expect(a.status).toBe(0);
    expect(run(args).stdout).toBe(a.stdout);
    const doc = JSON.parse(a.stdout) as { nowMs: string; workload: { pairs: number } };
    expect(doc.nowMs).toBe('500');
    expect(doc.workload.pairs).toBe(3000);
  });
  it('prints slabinfo with --format slabinfo', () => {
    const r = run(['simulate', '--cpus', '2', '--format', 'slabinfo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^slabinfo - version: 2\.1/);
  });
  it('rejects bad options with status 2', () => {
    for (const args of [
      ['simulate', '--cpus', 'x'],
      ['simulate', '--magazines', 'bogus'],
      ['simulate', '--cpus', '2', '--online', '3'],
      ['simulate', '--nope'],
    ]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  });
});

describe('explain', () => {
  it('explains the seed line given as an argument', () => {
    const r = run(['explain', SEED_LINE, '--cpus', '128']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('consistent with 159 domains (+15 magazines beyond the eager ones)');
  });
  it('reads stdin and prints JSON', () => {
    const r = run(
      ['explain', '--cpus', '128', '--json'],
      `  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME\n${SEED_LINE}\n`,
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ domains: 159, extraMagazines: 15, consistent: true });
  });
  it('exits 2 without --cpus or on an unreadable line', () => {
    expect(run(['explain', SEED_LINE]).status).toBe(2);
    expect(run(['explain', 'hello world', '--cpus', '4']).status).toBe(2);
  });
  describe('FILE argument', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iova-explain-'));
    it('reads a file holding just the seed line', () => {
      const file = join(dir, 'seed.txt');
      writeFileSync(file, SEED_LINE + '\n');
      const r = run(['explain', file, '--cpus', '128']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('iommu_iova_magazine: 244239 active of 244412 objects');
      expect(r.stdout).toContain('consistent with 159 domains (+15 magazines beyond the eager ones)');
    });
    it('picks the explainable lines of saved slabtop output, as on stdin', () => {
      const file = join(dir, 'slabtop.txt');
      writeFileSync(
        file,
        `  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME\n${SEED_LINE}\n` +
          ' 10240  10000  97%    0.06K    160       64       640K iommu_iova\n   512    500  97%    0.19K     24       21        96K dentry\n',
      );
      const r = run(['explain', file, '--cpus', '128', '--json']);
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout) as {
        lines: Array<{ name: string }>;
        domains: number;
        fullMagazinesBacked: number;
      };
      expect(doc.lines.map((d) => d.name)).toEqual(['iommu_iova_magazine', 'iommu_iova']);
      expect(doc.domains).toBe(159);
      expect(doc.fullMagazinesBacked).toBe(Math.floor(10000 / 127));
    });
    it('a path that is not a file is read as the line; a directory or an empty file is a usage error', () => {
      const missing = run(['explain', join(dir, 'no-such-file.txt'), '--cpus', '128']);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('no-such-file.txt'); // parsed as a (bad) line, named in the error
      expect(run(['explain', dir, '--cpus', '128']).stderr).toContain('is a directory');
      const empty = join(dir, 'empty.txt');
      writeFileSync(empty, '');
      const r = run(['explain', empty, '--cpus', '128']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('no line to explain');
    });
  });
});

describe('a reader that stops early', () => {
  it('`replay --json | head -1` ends quietly with status 0 when the pipe closes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iova-epipe-'));
    const trace = join(dir, 'long.trace');
    writeFileSync(trace, 'cpus 2\ndomain 0 4096 1\n' + 'alloc 0 0 1 0xfffff\n'.repeat(100_000));
    const cmd = `set -o pipefail; "${process.execPath}" "${BIN}" replay "${trace}" --json | head -1`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout).toBe('{"line":3,"op":"alloc","pfn":"1048575"}\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
