// --timeline, --plot and --timeline-out through the real binary: the README's burst scenario, where
// v6.8's depot drains one magazine per 100 ms and v4.7's stays capped at 32 per class.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iova-timeline-'));
});

const BURST = [
  '--cpus',
  '4',
  '--domains',
  '1',
  '--workload',
  'burst',
  '--ops',
  '40000',
  '--duration-ms',
  '12000',
  '--seed',
  '3',
];

describe('timelines from the CLI', () => {
  it('compare --profiles v4.7,v6.8 on a burst: CSV shows the cap and the drain, SVG and sparklines are drawn', () => {
    const csvFile = join(dir, 'burst.csv');
    const svgFile = join(dir, 'burst.svg');
    const r = run([
      'compare',
      '--profiles',
      'v4.7,v6.8',
      ...BURST,
      '--timeline',
      '100',
      '--timeline-out',
      csvFile,
      '--plot',
      svgFile,
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^v4\.7 +[▁▂▃▄▅▆▇█]+ +min/m);
    expect(r.stdout).toMatch(/depot magazines .*sampled every 100 ms/);
    const [header, ...rows] = readFileSync(csvFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    const series = (label: string) => rows.filter((row) => row[0] === label);
    const depots = (row: string[]) => [0, 1, 2, 3, 4, 5].map((k) => Number(row[col(`depot_k${k}`)]));
    for (const label of ['v4.7', 'v6.8']) {
      expect(series(label).map((row) => Number(row[col('t_ms')]))).toEqual(
        Array.from({ length: 121 }, (_, i) => i * 100),
      );
    }
    // v4.7: a fixed depot of 32 per class, reached, never exceeded, never trimmed
    const old = series('v4.7').map(depots);
    expect(Math.max(...old.flat())).toBe(32);
    expect(old.at(-1)).toEqual(old.at(-40)); // idle at the end: nothing changes
    // v6.8: the depot went above 32, and in the idle tail every class above 4 (the online CPUs)
    // loses exactly one magazine per 100 ms sample
    const now = series('v6.8').map(depots);
    expect(Math.max(...now.flat())).toBeGreaterThan(32);
    const tail = now.slice(-60);
    for (let i = 1; i < tail.length; i++) {
      for (let k = 0; k < 6; k++) expect(tail[i][k]).toBe(tail[i - 1][k] > 4 ? tail[i - 1][k] - 1 : tail[i - 1][k]);
    }
    expect(now.at(-1)!.every((d) => d <= 4)).toBe(true);
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('v4.7');
    expect(svg).toContain('v6.8');
  });

  it('simulate --timeline --json embeds the samples; the last one matches the final counters', () => {
    const r = run(['simulate', ...BURST, '--timeline', '500', '--json']);
    expect(r.status).toBe(0);
    type Sample = { tMs: number; magazines: number; depotMagazines: number[] };
    const doc = JSON.parse(r.stdout) as {
      timeline: { intervalMs: number; series: { samples: Sample[] }[] };
      magazines: { total: number; depot: number };
    };
    const samples = doc.timeline.series[0].samples;
    expect(doc.timeline.intervalMs).toBe(500);
    expect(samples.map((s) => s.tMs)).toEqual(Array.from({ length: 25 }, (_, i) => i * 500));
    expect(samples.at(-1)!.magazines).toBe(doc.magazines.total);
    expect(samples.at(-1)!.depotMagazines.reduce((a, b) => a + b, 0)).toBe(doc.magazines.depot);
  });

  it('--plot alone implies a 100 ms timeline; bad file names exit 2 before running', () => {
    const svgFile = join(dir, 'only.svg');
    expect(run(['simulate', '--workload', 'churn', '--ops', '2000', '--plot', svgFile]).status).toBe(0);
    expect(readFileSync(svgFile, 'utf8')).toMatch(/^<svg/);
    const bad = run(['simulate', '--timeline-out', join(dir, 'x.txt')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\.csv or \.json.*x\.txt/);
    expect(run(['simulate', '--plot', join(dir, 'x.png')]).status).toBe(2);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });
});
