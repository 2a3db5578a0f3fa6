// The Vega-free SVG line chart the playground draws its timelines with.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { TimelineError } from '../../src/timeline/sample.js';
import { renderTimelineLineChart } from '../../src/timeline/line-chart.js';
import { sample, smallTimeline } from '../timeline/fixtures.js';

const parse = (svg: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg).svg;
const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe('renderTimelineLineChart', () => {
  it("draws one line per series and field, with a legend entry each, on a 0..max axis in the field's unit", () => {
    const svg = renderTimelineLineChart(smallTimeline(), ['magazineBytes', 'iovaBytes'], { title: 'memory' });
    const doc = parse(svg);
    expect(list(doc.polyline)).toHaveLength(4);
    const texts = list(doc.text).map((t: { '#text': string | number }) => String(t['#text']));
    expect(texts).toEqual(
      expect.arrayContaining(['memory', 'v4.7 magazine memory', 'v6.8+lazy iommu_iova memory', '9.38 KiB', '0 B']),
    );
    expect(texts).toContain('virtual time (ms)');
    // The top of the axis is the largest value: 150 iommu_iova objects x 64 B = 9600 B.
    // Same timeline, same text.
    expect(renderTimelineLineChart(smallTimeline(), ['magazineBytes', 'iovaBytes'], { title: 'memory' })).toBe(svg);
  });

  it('breaks a line where a window has no value and names the fields of a single series by fieldLabel', () => {
    const t = {
      intervalMs: 10,
      series: [
        {
          label: 'only',
          samples: [
            sample(0, { hits: 1, misses: 1 }),
            sample(10),
            sample(20, { hits: 1 }),
            sample(30, { hits: 3, misses: 1 }),
          ],
        },
      ],
    };
    const doc = parse(renderTimelineLineChart(t, ['hitRate'], {}));
    // 0 ms stands alone (a dot), 20-30 ms is a line; 10 ms has no lookups.
    expect(list(doc.circle)).toHaveLength(1);
    expect(list(doc.polyline)).toHaveLength(1);
    const perClass = parse(
      renderTimelineLineChart(t, ['depotMagazines0', 'depotMagazines1'], { fieldLabel: (f) => `k${f.slice(-1)}` }),
    );
    const labels = list(perClass.text).map((x: { '#text': string | number }) => String(x['#text']));
    expect(labels).toEqual(expect.arrayContaining(['k0', 'k1']));
  });

  it('escapes labels and refuses charts it cannot draw', () => {
    const t = smallTimeline();
    t.series[0].label = '<a&b>';
    expect(renderTimelineLineChart(t, ['magazines'])).toContain('&lt;a&amp;b&gt;');
    expect(() => renderTimelineLineChart(t, [])).toThrow(TimelineError);
    expect(() => renderTimelineLineChart(t, ['magazines', 'hitRate'])).toThrow(
      new TimelineError('the fields of one chart must share a unit'),
    );
  });
});
