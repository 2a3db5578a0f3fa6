// The built package: plain Node (no Vite) imports dist/timeline and the chart library as ESM.
// dist/ is built by test/global-setup.ts before any test file runs.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('dist/timeline', () => {
  it('imports and renders SVG, text and CSV from the compiled build under plain Node', () => {
    const script = `
      const m = await import('./dist/timeline/index.js');
      const s = (t, mags, hits) => ({ tMs: t, depotMagazines: [0, 1, 0, 0, 0, 0], depotMagazinesTotal: 1, magazines: mags,
        magazineBytes: mags * 1024, iovaObjects: 1, iovaBytes: 64, hits, misses: 1, hitRate: hits / (hits + 1), cumulativeHitRate: 0.5 });
      const t = { intervalMs: 10, series: [{ label: 'v6.8', samples: [s(0, 1, 1), s(10, 3, 3)] }] };
      const svg = await m.renderTimelineSvg(t, { title: 'from dist' });
      console.log(JSON.stringify({ keys: Object.keys(m).sort(), svgStart: svg.slice(0, 4), hasTitle: svg.includes('from dist'),
        ascii: m.renderTimelineAscii(t, 'magazines'), csvRows: m.timelineToCsv(t).trimEnd().split('\\n').length }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    const r = JSON.parse(out) as {
      keys: string[];
      svgStart: string;
      hasTitle: boolean;
      ascii: string[];
      csvRows: number;
    };
    expect(r.keys).toEqual(
      expect.arrayContaining([
        'TimelineRecorder',
        'sampleSnapshot',
        'renderTimelineSvg',
        'renderTimelineAscii',
        'timelineToCsv',
        'timelineToJson',
      ]),
    );
    expect(r.svgStart).toBe('<svg');
    expect(r.hasTitle).toBe(true);
    expect(r.ascii[1]).toBe('v6.8  ▁█  min 1  max 3  last 3');
    expect(r.csvRows).toBe(3);
  });
});
