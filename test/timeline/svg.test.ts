import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  TIME_AXIS_TITLE,
  TimelineError,
  renderTimelineSvg,
  timelineChartSpec,
  type Timeline,
} from '../../src/timeline/index.js';
import { sample, smallTimeline } from './fixtures.js';

interface El {
  tag: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** Parses SVG text into a small element tree (fails the test if it is not well-formed XML). */
function parseSvg(svg: string): El {
  const valid = XMLValidator.validate(svg);
  expect(valid).toBe(true);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    trimValues: false,
  });
  type Node = Record<string, unknown> & { ':@'?: Record<string, string> };
  const convert = (n: Node): El | null => {
    const tag = Object.keys(n).find((k) => k !== ':@')!;
    if (tag === '#text') return null;
    const kids = (n[tag] as Node[]).map(convert).filter((e): e is El => e !== null);
    const text = (n[tag] as Node[])
      .filter((k) => '#text' in k)
      .map((k) => String(k['#text']))
      .join('');
    return { tag, attrs: n[':@'] ?? {}, children: kids, text };
  };
  const roots = (parser.parse(svg) as Node[]).map(convert).filter((e): e is El => e !== null);
  expect(roots).toHaveLength(1);
  return roots[0];
}

function all(el: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

const hasClass =
  (name: string) =>
  (e: El): boolean =>
    e.tag === 'g' && (e.attrs.class ?? '').split(' ').includes(name);

/** For each panel (top to bottom), the line paths drawn in it and the series each one names. */
function linePaths(root: El): { series: string; d: string }[][] {
  const panels = all(root, (e) => e.tag === 'g' && /(^| )concat_\d+_group( |$)/.test(e.attrs.class ?? ''));
  return panels.map((panel) =>
    all(panel, hasClass('mark-line'))
      .flatMap((g) => g.children.filter((c) => c.tag === 'path'))
      .map((p) => ({
        series: /series: (.*?)(?:; |$)/.exec(p.attrs['aria-label'] ?? '')?.[1] ?? '?',
        d: p.attrs.d ?? '',
      })),
  );
}

function texts(root: El): string[] {
  return all(root, (e) => e.tag === 'text').map((e) => e.text);
}

describe('renderTimelineSvg', () => {
  it('is one well-formed <svg> document with a size', async () => {
    const svg = await renderTimelineSvg(smallTimeline(), { title: 'small' });
    expect(svg.startsWith('<svg')).toBe(true);
    const root = parseSvg(svg);
    expect(root.tag).toBe('svg');
    expect(Number(root.attrs.width)).toBeGreaterThan(600);
    expect(Number(root.attrs.height)).toBeGreaterThan(4 * 140);
  });

  it('draws four panels, each with exactly one line path per series, in series order', async () => {
    const panels = linePaths(parseSvg(await renderTimelineSvg(smallTimeline())));
    expect(panels).toHaveLength(4);
    for (const paths of panels) expect(paths.map((p) => p.series)).toEqual(['v4.7', 'v6.8+lazy']);
  });

  it('labels the series, the time axis, and the value axes with units', async () => {
    const t = texts(parseSvg(await renderTimelineSvg(smallTimeline(), { title: 'My scenario', subtitle: '4 CPUs' })));
    expect(t).toContain('My scenario');
    expect(t).toContain('4 CPUs');
    expect(t).toContain('v4.7');
    expect(t).toContain('v6.8+lazy');
    expect(t.filter((x) => x === TIME_AXIS_TITLE)).toHaveLength(4);
    expect(t).toContain('depot magazines (count)');
    expect(t).toContain('magazine memory (KiB)'); // largest value 9216 B
    expect(t).toContain('iommu_iova memory (KiB)'); // largest value 9600 B
    expect(t).toContain('rcache hit rate per interval (%)');
    expect(t).toContain('100%');
  });

  it('picks MiB when the values reach a mebibyte', async () => {
    const tl: Timeline = {
      intervalMs: 10,
      series: [{ label: 'big', samples: [sample(0, { mags: 4096 }), sample(10, { mags: 2048 })] }],
    };
    const t = texts(parseSvg(await renderTimelineSvg(tl)));
    expect(t).toContain('magazine memory (MiB)');
    expect(t).toContain('4'); // the axis reaches 4 MiB
    expect(t).toContain('iommu_iova memory (B)');
  });

  it('gives an all-zero panel a 0..1 axis, and whole ms / counts whole-number ticks', async () => {
    const tl: Timeline = {
      intervalMs: 10,
      series: [{ label: 'idle', samples: [sample(0, { mags: 1 }), sample(10, { mags: 2 })] }],
    };
    const root = parseSvg(await renderTimelineSvg(tl, { panels: ['depotMagazines'] }));
    const axes = all(root, hasClass('role-axis')).map((g) => g.attrs['aria-label'] ?? '');
    expect(axes).toContain("Y-axis titled 'depot magazines (count)' for a linear scale with values from 0 to 1");
    expect(axes).toContain(`X-axis titled '${TIME_AXIS_TITLE}' for a linear scale with values from 0 to 10`);
    const t = texts(root);
    expect(t.filter((x) => /^\d+\.\d+$/.test(x))).toEqual([]); // no 0.5, 0.000000, …
  });

  it('is deterministic: the same input gives the same text, whatever was rendered in between', async () => {
    const a = await renderTimelineSvg(smallTimeline(), { title: 't' });
    await renderTimelineSvg(
      { intervalMs: 1, series: [{ label: 'other', samples: [sample(0), sample(1, { mags: 3 })] }] },
      { depot: 'perClass' },
    );
    const b = await renderTimelineSvg(smallTimeline(), { title: 't' });
    expect(b).toBe(a);
    expect(a).not.toBe(await renderTimelineSvg(smallTimeline(), { title: 'u' }));
  });

  it('escapes labels so the SVG stays well-formed', async () => {
    const label = 'v6.8 <lazy> & "flush"';
    const tl: Timeline = { intervalMs: 10, series: [{ label, samples: [sample(0), sample(10, { mags: 1 })] }] };
    const root = parseSvg(await renderTimelineSvg(tl, { title: 'a < b & c' }));
    expect(texts(root)).toContain(label);
    expect(texts(root)).toContain('a < b & c');
    expect(linePaths(root)[0].map((p) => p.series)).toEqual([label]);
  });

  it('breaks the hit-rate line where a window had no lookups instead of drawing zero', async () => {
    const samples = [
      sample(0, { hits: 1 }),
      sample(10, { hits: 1 }),
      sample(20),
      sample(30, { hits: 1 }),
      sample(40, { hits: 1 }),
    ];
    const panels = linePaths(
      parseSvg(await renderTimelineSvg({ intervalMs: 10, series: [{ label: 'gap', samples }] })),
    );
    const hit = panels[3];
    expect(hit).toHaveLength(1);
    expect(hit[0].d.match(/M/g)).toHaveLength(2); // two pieces
    expect(panels[0][0].d.match(/M/g)).toHaveLength(1); // the depot line is whole
  });

  it('per-class depots: one path per series × size class in the first panel', async () => {
    const panels = linePaths(parseSvg(await renderTimelineSvg(smallTimeline(), { depot: 'perClass' })));
    expect(panels[0]).toHaveLength(12);
    expect(panels[1]).toHaveLength(2);
  });

  it('draws only the panels asked for', async () => {
    const root = parseSvg(await renderTimelineSvg(smallTimeline(), { panels: ['hitRate', 'iovaBytes'] }));
    expect(linePaths(root)).toHaveLength(2);
    const t = texts(root);
    expect(t.indexOf('rcache hit rate per interval (%)')).toBeLessThan(t.indexOf('iommu_iova memory (KiB)'));
    expect(t).not.toContain('depot magazines (count)');
  });

  it('shows points when a series has one sample, and renders an empty timeline', async () => {
    const one: Timeline = { intervalMs: 10, series: [{ label: 'one', samples: [sample(0, { mags: 1 })] }] };
    const root = parseSvg(await renderTimelineSvg(one));
    expect(all(root, hasClass('mark-symbol')).length).toBeGreaterThan(0);
    const empty = parseSvg(await renderTimelineSvg({ intervalMs: 10, series: [] }));
    expect(linePaths(empty).flat()).toHaveLength(0);
  });

  it('rejects duplicate labels and bad options', async () => {
    const t = smallTimeline();
    await expect(renderTimelineSvg({ ...t, series: [t.series[0], t.series[0]] })).rejects.toThrow(TimelineError);
    expect(() => timelineChartSpec(t, { width: -1 })).toThrow(TimelineError);
    expect(() => timelineChartSpec(t, { panels: [] })).toThrow(TimelineError);
    expect(() => timelineChartSpec(t, { panels: ['nope' as 'hitRate'] })).toThrow(/unknown panel/);
  });
});
