// `iova-lab simulate`: build a lab, run a workload, print slabtop/slabinfo + magazine breakdown
// (totals, per size class, per-domain sums).
import { Command } from 'commander';
import { DMA_DOMAIN_TYPES, type MagazineMode } from '../engine.js';
import { DEFAULT_PROFILE } from '../policy.js';
import { snapshotToJson } from '../report/json.js';
import { formatSimulateReport, slabView } from '../report/simulate.js';
import { WORKLOAD_NAMES } from '../workloads/index.js';
import { checkUnusedOptions } from '../share/unused-options.js';
import { addLinkOptions, playgroundLink, type LinkOptions } from './link.js';
import { choiceOption, collectPolicy, limitOption, profileOption } from './options.js';
import { stderrProgress, type ProgressStream } from './progress.js';
import { checkPolicy, checkRunLimits, makeVariant, runScenario, variantTitle, workloadScenario } from './scenario.js';
import type { WorkloadFields } from '../share/scenario-link.js';
import {
  addTimelineOptions,
  timelineInterval,
  timelineSparklines,
  writeTimelineFiles,
  type TimelineOptions,
} from './timeline-output.js';

export interface ScenarioOptions extends TimelineOptions, WorkloadFields, LinkOptions {
  magazines?: MagazineMode;
  profile?: string;
  policy?: string[];
  format?: 'slabtop' | 'slabinfo';
  json?: boolean;
  progress?: boolean;
}

export { PRESETS, workloadScenario } from './scenario.js';

/** The options simulate and compare share: scenario, engine, profile and policy, output. */
export function addScenarioOptions(cmd: Command, what: { magazinesHelp: string }): Command {
  cmd
    .option('--cpus <n>', 'possible CPUs (default 8; seed preset 128)', limitOption('--cpus'))
    .option('--online <n>', 'online CPUs (default: all possible)', limitOption('--online'))
    .option('--domains <n>', 'domains with rcaches (default 1; seed preset 159)', limitOption('--domains'));
  addTimelineOptions(cmd);
  addLinkOptions(cmd);
  return cmd
    .option('--magazines <mode>', what.magazinesHelp, choiceOption('--magazines', ['named', 'unnamed'] as const))
    .option(
      '--slab-geometry <g>',
      'slub or order0 (default slub; seed preset order0)',
      choiceOption('--slab-geometry', ['slub', 'order0'] as const),
    )
    .option(
      '--workload <w>',
      `${WORKLOAD_NAMES.join(', ')} (default idle; nvme, nic and pause map and unmap ` + 'through the DMA layer)',
      choiceOption('--workload', WORKLOAD_NAMES),
    )
    .option('--ops <n>', 'allocFast/freeFast (DMA workloads: map/unmap) pairs (default 10000)', limitOption('--ops'))
    .option(
      '--domain-type <t>',
      'DMA workloads: strict, lazy or lazy-single domains (default lazy)',
      choiceOption('--domain-type', DMA_DOMAIN_TYPES),
    )
    .option(
      '--irq-cpus <n>',
      'DMA workloads: CPUs taking completion interrupts (default min(online, 16))',
      limitOption('--irq-cpus'),
    )
    .option('--duration-ms <ms>', 'virtual time spread over the ops (default 1000)', limitOption('--duration-ms'))
    .option('--seed <n>', 'PRNG seed (default 1)', limitOption('--seed'))
    .option('--engine <e>', 'wasm or ts (default wasm)', choiceOption('--engine', ['wasm', 'ts'] as const))
    .option('--preset <name>', 'seed: 128 CPUs, 159 domains, order0 slabs', choiceOption('--preset', ['seed'] as const))
    .option(
      '--profile <version>',
      `kernel version from 4.7 on, e.g. 5.15, v6.6, 6.12.3 (default ${DEFAULT_PROFILE}; ` + 'see iova-lab profiles)',
      profileOption('--profile'),
    )
    .option(
      '--policy <spec>',
      'what-if change on top of the profile, repeatable or comma-separated: lazy, dynamic[=N], ' +
        'mag-size=N, depot-cap=N, trim-delay=MS, trim-threshold=N|online, rcache-array=BYTES, tree-walk=v4.7|v4.15, ' +
        'max32=on|off, retry=none|overflow|fixed, pop=top|scan, flush-arg=on|off, failure-flush=cpus|depot, ' +
        'fast-round=on|off',
      collectPolicy,
    )
    .option(
      '--format <f>',
      'slabtop or slabinfo (default slabtop)',
      choiceOption('--format', ['slabtop', 'slabinfo'] as const),
    )
    .option('--json', 'print a JSON document instead')
    .option('--no-progress', 'never draw the progress bar (it is drawn on stderr only when stderr is a terminal)');
}

export { slabView };

export function simulateCommand(out: (text: string) => void, progressStream: ProgressStream = process.stderr): Command {
  return addScenarioOptions(
    new Command('simulate').description('simulate domains and a workload, then print slab and magazine counters'),
    { magazinesHelp: "named (iommu_iova_magazine, 6.9+) or unnamed (kmalloc-N); default: the profile's" },
  ).action(async (o: ScenarioOptions) => {
    checkUnusedOptions(o);
    const scenario = workloadScenario(o);
    const variant = makeVariant(o.profile, o.policy ?? [], o.magazines);
    const interval = timelineInterval(o);
    checkRunLimits(scenario, interval);
    const link = await playgroundLink('simulate', o);
    const bar = stderrProgress(o.progress, { total: scenario.ops }, progressStream);
    let result;
    try {
      result = await runScenario(variant, scenario, (done, total, unit) => bar.update(done, total, unit), interval);
    } finally {
      bar.finish();
    }
    const snap = result.snapshot;
    const timeline = result.timeline && { intervalMs: interval!, series: [result.timeline] };
    const sparklines = timeline ? await timelineSparklines(timeline) : '';
    const title = `iova-lab simulate: ${scenario.workload}, ${variant.label}`;
    if (o.json) {
      out(
        JSON.stringify(
          {
            engine: scenario.engine,
            variant: variant.label,
            profile: variant.profile,
            design: variant.design,
            policy: variant.policy,
            rcachePolicy: checkPolicy(variant.profile, variant.policy),
            workload: result.workload,
            ...snapshotToJson(snap),
            ...(timeline ? { timeline } : {}),
            ...(link ? { link } : {}),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      out(
        formatSimulateReport(snap, variantTitle(variant), o.format) +
          (sparklines ? '\n' + sparklines : '') +
          (link ? `\nplayground: ${link}\n` : ''),
      );
    }
    await writeTimelineFiles(o, timeline, title);
  });
}
