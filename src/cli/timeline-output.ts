// --timeline / --plot / --timeline-out for simulate and compare: where a run's timeline goes.
// The terminal gets sparklines; files get SVG (vega-lite), CSV or JSON by their extension.
// The timeline modules are loaded only when a run has a timeline: most runs have none.
import { Command } from 'commander';
import type { TimelineField } from '../timeline/fields.js';
import type { Timeline } from '../timeline/sample.js';
import { choiceOption, limitOption, UsageError } from './options.js';
import { checkOutputFile, writeOutputFile } from './output.js';

export interface TimelineOptions {
  timeline?: number;
  plot?: string;
  plotDepot?: 'total' | 'per-class';
  timelineOut?: string;
}

/** Sampling interval when only --plot or --timeline-out asks for a timeline. */
const DEFAULT_INTERVAL_MS = 100;

const ASCII_FIELDS: TimelineField[] = ['depotMagazinesTotal', 'magazineBytes', 'iovaBytes', 'hitRate'];

export function addTimelineOptions(cmd: Command): Command {
  return cmd
    .option(
      '--timeline <ms>',
      'sample the counters every <ms> of virtual time (sparklines on the terminal)',
      limitOption('--timeline'),
    )
    .option('--plot <file.svg>', 'write the timeline as an SVG chart (implies --timeline 100)')
    .option(
      '--plot-depot <how>',
      'depot panel of the chart: total (default) or per-class',
      choiceOption('--plot-depot', ['total', 'per-class'] as const),
    )
    .option('--timeline-out <file>', 'write the timeline as .csv or .json (implies --timeline 100)');
}

/** The sampling interval, or undefined when no timeline was asked for. */
export function timelineInterval(o: TimelineOptions): number | undefined {
  if (o.timelineOut !== undefined && !/\.(csv|json)$/i.test(o.timelineOut)) {
    throw new UsageError(`--timeline-out must name a .csv or .json file, got "${o.timelineOut}".`);
  }
  if (o.plot !== undefined && !/\.svg$/i.test(o.plot))
    throw new UsageError(`--plot must name an .svg file, got "${o.plot}".`);
  if (o.plot !== undefined) checkOutputFile('--plot', o.plot);
  if (o.timelineOut !== undefined) checkOutputFile('--timeline-out', o.timelineOut);
  return o.timeline ?? (o.plot !== undefined || o.timelineOut !== undefined ? DEFAULT_INTERVAL_MS : undefined);
}

/** The sparklines of the text report. */
export async function timelineSparklines(t: Timeline): Promise<string> {
  const [{ renderTimelineAscii }, { everQueued }] = await Promise.all([
    import('../timeline/ascii.js'),
    import('../timeline/fields.js'),
  ]);
  const fields: TimelineField[] = everQueued(t) ? [ASCII_FIELDS[0], 'queued', ...ASCII_FIELDS.slice(1)] : ASCII_FIELDS;
  return fields.map((f) => renderTimelineAscii(t, f).join('\n')).join('\n') + '\n';
}

/** Writes the requested files, after the report is out: a failed write then loses no results. */
export async function writeTimelineFiles(o: TimelineOptions, t: Timeline | undefined, title: string): Promise<void> {
  if (t === undefined) return;
  const kept = 'the report was printed on standard output';
  if (o.plot !== undefined) {
    // vega is loaded only when a chart is drawn: it is most of the CLI's start-up time otherwise
    const { renderTimelineSvg } = await import('../timeline/svg.js');
    const subtitle = `sampled every ${t.intervalMs} ms of virtual time`;
    const depot = o.plotDepot === 'per-class' ? 'perClass' : 'total';
    const svg = await renderTimelineSvg(t, { title, subtitle, depot });
    await writeOutputFile(o.plot, svg, kept);
  }
  if (o.timelineOut !== undefined) {
    const { timelineToCsv, timelineToJson } = await import('../timeline/export.js');
    const text = /\.csv$/i.test(o.timelineOut) ? timelineToCsv(t) : timelineToJson(t, { indent: 2 });
    await writeOutputFile(o.timelineOut, text, kept);
  }
}
