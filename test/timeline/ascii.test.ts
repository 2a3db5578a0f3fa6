import { describe, expect, it } from 'vitest';
import { ASCII_GAP, TimelineError, renderTimelineAscii, type Timeline } from '../../src/timeline/index.js';
import { sample, smallTimeline } from './fixtures.js';

const BAR = /[▁▂▃▄▅▆▇█ ]/u;

/** The sparkline of a series line: what lies between the padded label and the stats. */
function spark(line: string, labelWidth: number): string {
  return line.slice(labelWidth + 2).split('  min')[0];
}

describe('renderTimelineAscii', () => {
  it('has a heading, then one line per series with its label, one character per sample and min/max', () => {
    const lines = renderTimelineAscii(smallTimeline(), 'iovaBytes');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('iommu_iova memory');
    expect(lines[0]).toContain('0–25 ms');
    expect(lines[0]).toContain('every 10 ms');
    expect(lines[1].startsWith('v4.7     ')).toBe(true);
    expect(lines[2].startsWith('v6.8+lazy')).toBe(true);
    for (const l of lines.slice(1)) {
      const s = spark(l, 'v6.8+lazy'.length);
      expect([...s]).toHaveLength(3);
      for (const ch of s) expect(ch).toMatch(BAR);
    }
    // iova bytes: v4.7 6400, 9600, 7680; v6.8+lazy 640, 1280, 1920
    expect(lines[1]).toContain('min 6.25 KiB  max 9.38 KiB  last 7.5 KiB');
    expect(lines[2]).toContain('min 640 B  max 1.88 KiB  last 1.88 KiB');
  });

  it('puts every series on one shared scale by default', () => {
    // magazines: v4.7 8, 9, 4; v6.8+lazy 2, 6, 7 → levels (v - 2) of 0..7
    const lines = renderTimelineAscii(smallTimeline(), 'magazines');
    expect(spark(lines[1], 9)).toBe('▇█▃');
    expect(spark(lines[2], 9)).toBe('▁▅▆');
    expect(lines[1]).toContain('min 4  max 9  last 4');
    expect(lines[2]).toContain('min 2  max 7  last 7');
  });

  it('scales each series to itself on request', () => {
    const lines = renderTimelineAscii(smallTimeline(), 'magazines', { scale: 'series' });
    expect(spark(lines[1], 9)).toBe('▇█▁');
    expect(spark(lines[2], 9)).toBe('▁▇█');
  });

  it('draws hit rates on 0..100% and leaves a gap where a window had no lookups', () => {
    const lines = renderTimelineAscii(smallTimeline(), 'hitRate');
    // v4.7: 0.75, 0.333…, null
    expect(spark(lines[1], 9)).toBe(`▆▃${ASCII_GAP}`);
    expect(lines[1]).toContain('min 33.3%  max 75%  last -');
    // v6.8+lazy: null, 1, 0.625
    expect(spark(lines[2], 9)).toBe(`${ASCII_GAP}█▅`);
  });

  it('per-class depot fields', () => {
    const lines = renderTimelineAscii(smallTimeline(), 'depotMagazines5');
    expect(lines[0]).toContain('depot_k5');
    expect(lines[1]).toContain('min 0  max 2  last 0');
  });

  it('cuts a long series into `width` buckets showing each bucket maximum', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => sample(i, { iova: i === 995 ? 5000 : i % 100 }));
    const t: Timeline = { intervalMs: 1, series: [{ label: 'long', samples }] };
    const s = spark(renderTimelineAscii(t, 'iovaObjects', { width: 50 })[1], 4);
    expect([...s]).toHaveLength(50);
    expect(s.endsWith('█')).toBe(true); // the spike in the last bucket survives
    expect([...spark(renderTimelineAscii(t, 'iovaObjects')[1], 4)]).toHaveLength(80);
  });

  it('handles a series without samples and rejects bad options and fields', () => {
    const t: Timeline = { intervalMs: 5, series: [{ label: 'empty', samples: [] }] };
    expect(renderTimelineAscii(t, 'magazines')).toEqual([
      'magazines (magazines), no samples, sampled every 5 ms',
      'empty  (no samples)',
    ]);
    const idle: Timeline = { intervalMs: 5, series: [{ label: 'idle', samples: [sample(0), sample(5)] }] };
    expect(renderTimelineAscii(idle, 'hitRate')[1]).toBe(`idle  ${ASCII_GAP}${ASCII_GAP}  min -  max -  last -`);
    expect(() => renderTimelineAscii(smallTimeline(), 'hitRate', { width: 0 })).toThrow(TimelineError);
    expect(() => renderTimelineAscii(smallTimeline(), 'nope' as 'hits')).toThrow(/unknown timeline field/);
  });
});
