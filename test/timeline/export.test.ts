import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, TimelineError, timelineToCsv, timelineToJson, type Timeline } from '../../src/timeline/index.js';
import { sample, smallTimeline } from './fixtures.js';

describe('timelineToCsv', () => {
  it('writes the header and one row per series × sample, exactly', () => {
    expect(timelineToCsv(smallTimeline())).toBe(
      [
        'series,t_ms,depot_k0,depot_k1,depot_k2,depot_k3,depot_k4,depot_k5,depot_total,queued,magazines,magazine_bytes,' +
          'iova_objects,iova_bytes,hits,misses,hit_rate,cumulative_hit_rate',
        'v4.7,0,1,0,0,0,0,2,3,0,8,8192,100,6400,3,1,0.75,0.75',
        'v4.7,10,2,0,0,0,0,2,4,0,9,9216,150,9600,1,2,0.333333333,0.571428571',
        'v4.7,25,0,0,0,0,0,0,0,0,4,4096,120,7680,0,0,,0.571428571',
        'v6.8+lazy,0,0,0,0,0,0,0,0,0,2,2048,10,640,0,0,,',
        'v6.8+lazy,10,0,3,0,0,0,0,3,0,6,6144,20,1280,2,0,1,1',
        'v6.8+lazy,20,0,3,1,0,0,0,4,0,7,7168,30,1920,5,3,0.625,0.7',
        '',
      ].join('\n'),
    );
  });

  it('has as many cells in every row as header columns', () => {
    const rows = timelineToCsv(smallTimeline())
      .trimEnd()
      .split('\n')
      .map((r) => r.split(','));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
  });

  it('never writes exponent notation and quotes labels that need it', () => {
    const s = { ...sample(0.5, { mags: 2 ** 30 }), hitRate: 1e-7, cumulativeHitRate: 1 - 1e-12 };
    const csv = timelineToCsv({ intervalMs: 0.5, series: [{ label: 'a,"b"', samples: [s] }] });
    const row = csv.split('\n')[1];
    expect(row.startsWith('"a,""b""",0.5,')).toBe(true);
    expect(row).toContain(`,${2 ** 40},`);
    expect(row.endsWith(',0.0000001,1')).toBe(true);
    expect(csv).not.toMatch(/\de[+-]?\d/i);
  });

  it('writes only the header for a timeline without samples', () => {
    expect(timelineToCsv({ intervalMs: 10, series: [] })).toBe(CSV_COLUMNS.join(',') + '\n');
  });

  it('rejects duplicate labels, samples out of order, NaN and a short depot array', () => {
    const t = smallTimeline();
    expect(() => timelineToCsv({ ...t, series: [t.series[0], { ...t.series[1], label: 'v4.7' }] })).toThrow(
      TimelineError,
    );
    expect(() => timelineToCsv({ intervalMs: 10, series: [{ label: 'x', samples: [sample(10), sample(0)] }] })).toThrow(
      /in order/,
    );
    expect(() =>
      timelineToCsv({ intervalMs: 10, series: [{ label: 'x', samples: [{ ...sample(0), hitRate: Number.NaN }] }] }),
    ).toThrow(/hitRate/);
    expect(() =>
      timelineToCsv({ intervalMs: 10, series: [{ label: 'x', samples: [{ ...sample(0), iovaBytes: Number.NaN }] }] }),
    ).toThrow(/iovaBytes/);
    expect(() =>
      timelineToCsv({ intervalMs: 10, series: [{ label: 'x', samples: [{ ...sample(0), depotMagazines: [1, 2] }] }] }),
    ).toThrow(/depotMagazines/);
    expect(() => timelineToCsv({ intervalMs: 0, series: [] })).toThrow(/intervalMs/);
  });
});

describe('timelineToJson', () => {
  it('round-trips the samples, keeps nulls and names its format', () => {
    const t: Timeline = smallTimeline();
    const doc = JSON.parse(timelineToJson(t)) as {
      format: string;
      version: number;
      intervalMs: number;
      series: { label: string; samples: { hitRate: unknown }[] }[];
    };
    expect(doc.format).toBe('iova-lab-timeline');
    expect(doc.version).toBe(1);
    expect(doc.intervalMs).toBe(10);
    expect(doc.series.map((s) => s.label)).toEqual(['v4.7', 'v6.8+lazy']);
    expect(doc.series).toEqual(t.series);
    expect(doc.series[1].samples[0].hitRate).toBeNull();
  });

  it('is one line with indent 0 and ends with a newline', () => {
    const text = timelineToJson(smallTimeline(), { indent: 0 });
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
  });
});
