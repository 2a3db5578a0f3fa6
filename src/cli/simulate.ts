// `iova-lab simulate`: build a lab, run a workload, print slabtop/slabinfo + magazine breakdown
// (totals, per size class, per-domain sums).
import { Command } from 'commander';
import { DMA_DOMAIN_TYPES, type DmaDomainType } from '../engine.js';
import type { EngineName, MagazineMode, SlabGeometry } from '../engine.js';
import { DEFAULT_PROFILE } from '../policy.js';
import { formatClassTable } from '../report/classes.js';
import { formatDma } from '../report/dma.js';
import { domainTotals, snapshotToJson } from '../report/json.js';
import { formatSlabinfo } from '../report/slabinfo.js';
import { formatSlabtop } from '../report/slabtop.js';
import type { Snapshot } from '../snapshot.js';
import { isDmaWorkload, WORKLOAD_NAMES, type WorkloadName } from '../workloads/index.js';
import { choiceOption, collectPolicy, intOption, profileOption, UsageError } from './options.js';
import { stderrProgress, type ProgressStream } from './progress.js';
import {
  checkPolicy, engineFor, makeVariant, runScenario, variantTitle, type Variant, type WorkloadScenario,
} from './scenario.js';
import { addTimelineOptions, emitTimeline, timelineInterval, type TimelineOptions } from './timeline-output.js';

export interface ScenarioOptions extends TimelineOptions {
  cpus?: number;
  online?: number;
  domains?: number;
  magazines?: MagazineMode;
  slabGeometry?: SlabGeometry;
  workload?: WorkloadName;
  ops?: number;
  durationMs?: number;
  seed?: number;
  engine?: EngineName;
  preset?: 'seed';
  profile?: string;
  policy?: string[];
  format?: 'slabtop' | 'slabinfo';
  json?: boolean;
  progress?: boolean;
  domainType?: DmaDomainType;
  irqCpus?: number;
}

export const PRESETS = { seed: { cpus: 128, domains: 159, slabGeometry: 'order0' as SlabGeometry } };

/** The workload scenario the shared options describe (preset values fill what is not given). */
export function workloadScenario(o: ScenarioOptions): WorkloadScenario {
  const preset = o.preset ? PRESETS[o.preset] : undefined;
  const cpus = o.cpus ?? preset?.cpus ?? 8;
  const online = o.online ?? cpus;
  if (online > cpus) throw new UsageError(`--online (${online}) cannot exceed --cpus (${cpus}).`);
  const workload = o.workload ?? 'idle';
  const dmaFlag = o.domainType !== undefined ? '--domain-type' : o.irqCpus !== undefined ? '--irq-cpus' : undefined;
  if (dmaFlag && !isDmaWorkload(workload)) {
    throw new UsageError(`${dmaFlag} goes with a DMA workload (nvme, nic, pause), not --workload ${workload}.`);
  }
  return {
    kind: 'workload',
    cpus,
    online,
    domains: o.domains ?? preset?.domains ?? 1,
    slabGeometry: o.slabGeometry ?? preset?.slabGeometry ?? 'slub',
    workload,
    ops: o.ops ?? 10_000,
    durationMs: o.durationMs ?? 1000,
    seed: o.seed ?? 1,
    engine: o.engine ?? 'wasm',
    ...(o.domainType === undefined ? {} : { domainType: o.domainType }),
    ...(o.irqCpus === undefined ? {} : { irqCpus: o.irqCpus }),
  };
}

/** The options simulate and compare share: scenario, engine, profile and policy, output. */
export function addScenarioOptions(cmd: Command, what: { magazinesHelp: string }): Command {
  cmd
    .option('--cpus <n>', 'possible CPUs (default 8; seed preset 128)', intOption('--cpus', 1, 4096))
    .option('--online <n>', 'online CPUs (default: all possible)', intOption('--online', 1, 4096))
    .option('--domains <n>', 'domains with rcaches (default 1; seed preset 159)', intOption('--domains', 0, 1_000_000));
  addTimelineOptions(cmd);
  return cmd
    .option('--magazines <mode>', what.magazinesHelp, choiceOption('--magazines', ['named', 'unnamed'] as const))
    .option('--slab-geometry <g>', 'slub or order0 (default slub; seed preset order0)', choiceOption('--slab-geometry', ['slub', 'order0'] as const))
    .option('--workload <w>', `${WORKLOAD_NAMES.join(', ')} (default idle; nvme, nic and pause map and unmap `
      + 'through the DMA layer)', choiceOption('--workload', WORKLOAD_NAMES))
    .option('--ops <n>', 'allocFast/freeFast (DMA workloads: map/unmap) pairs (default 10000)',
      intOption('--ops', 0, 1e9))
    .option('--domain-type <t>', 'DMA workloads: strict, lazy or lazy-single domains (default lazy)',
      choiceOption('--domain-type', DMA_DOMAIN_TYPES))
    .option('--irq-cpus <n>', 'DMA workloads: CPUs taking completion interrupts (default min(online, 16))',
      intOption('--irq-cpus', 1, 4096))
    .option('--duration-ms <ms>', 'virtual time spread over the ops (default 1000)', intOption('--duration-ms', 0, 1e12))
    .option('--seed <n>', 'PRNG seed (default 1)', intOption('--seed', 0, 0xffffffff))
    .option('--engine <e>', 'wasm or ts (default wasm; ts for profiles the C model does not run yet)',
      choiceOption('--engine', ['wasm', 'ts'] as const))
    .option('--preset <name>', 'seed: 128 CPUs, 159 domains, order0 slabs', choiceOption('--preset', ['seed'] as const))
    .option('--profile <version>', `kernel version from 4.7 on, e.g. 5.15, v6.6, 6.12.3 (default ${DEFAULT_PROFILE}; `
      + 'see iova-lab profiles)', profileOption('--profile'))
    .option('--policy <spec>', 'what-if change on top of the profile, repeatable or comma-separated: lazy, dynamic[=N], '
      + 'mag-size=N, depot-cap=N, trim-delay=MS, trim-threshold=N|online, rcache-array=BYTES, tree-walk=v4.7|v4.15, '
      + 'max32=on|off, retry=none|overflow|fixed, pop=top|scan, flush-arg=on|off, failure-flush=cpus|depot, '
      + 'fast-round=on|off', collectPolicy)
    .option('--format <f>', 'slabtop or slabinfo (default slabtop)', choiceOption('--format', ['slabtop', 'slabinfo'] as const))
    .option('--json', 'print a JSON document instead')
    .option('--no-progress', 'never draw the progress bar (it is drawn on stderr only when stderr is a terminal)');
}

export function slabView(s: Snapshot, format: ScenarioOptions['format']): string {
  return format === 'slabinfo' ? formatSlabinfo(s) : formatSlabtop(s);
}

function breakdown(s: Snapshot, v: Variant): string {
  const m = s.magazines;
  const t = domainTotals(s);
  return [
    `magazines: ${m.total} (loaded ${m.loaded}, prev ${m.prev}, depot ${m.depot}) in ${s.magazineCache}, `
      + `${BigInt(m.total) * BigInt(s.magazineObjSize)} bytes`,
    `cached PFNs: ${m.loadedPfns + m.prevPfns + m.depotPfns} (loaded ${m.loadedPfns}, prev ${m.prevPfns}, depot ${m.depotPfns})`,
    `domains: ${t.domains}; live IOVAs ${t.liveIovas}, cached PFNs ${t.cachedPfns}, magazines ${t.magazines}, `
      + `depot magazines ${t.depotMags}, rcache hits ${t.hits}, misses ${t.misses}`,
    `clock: ${s.nowMs} ms; CPUs ${s.onlineCpus} online of ${s.possibleCpus} possible; magazines ${s.magazineMode}; `
      + `profile ${variantTitle(v)}`,
  ].join('\n') + '\n' + formatDma(s);
}

export function simulateCommand(out: (text: string) => void, progressStream: ProgressStream = process.stderr): Command {
  return addScenarioOptions(
    new Command('simulate').description('simulate domains and a workload, then print slab and magazine counters'),
    { magazinesHelp: "named (iommu_iova_magazine, 6.9+) or unnamed (kmalloc-N); default: the profile's" },
  ).action(async (o: ScenarioOptions) => {
    const scenario = workloadScenario(o);
    const variant = makeVariant(o.profile, o.policy ?? [], o.magazines);
    scenario.engine = engineFor(o.engine, [variant], scenario);
    const interval = timelineInterval(o);
    const bar = stderrProgress(o.progress, { total: scenario.ops }, progressStream);
    let result;
    try {
      result = await runScenario(variant, scenario, (done, total, unit) => bar.update(done, total, unit), interval);
    } finally {
      bar.finish();
    }
    const snap = result.snapshot;
    const timeline = result.timeline && { intervalMs: interval!, series: [result.timeline] };
    const sparklines = timeline ? await emitTimeline(o, timeline, `iova-lab simulate: ${scenario.workload}, ${variant.label}`) : '';
    if (o.json) {
      out(JSON.stringify({
        engine: scenario.engine,
        variant: variant.label,
        profile: variant.profile,
        design: variant.design,
        policy: variant.policy,
        rcachePolicy: checkPolicy(variant.profile, variant.policy),
        workload: result.workload,
        ...snapshotToJson(snap),
        ...(timeline ? { timeline } : {}),
      }, null, 2) + '\n');
      return;
    }
    out(slabView(snap, o.format) + '\n' + formatClassTable(snap) + '\n' + breakdown(snap, variant)
      + (sparklines ? '\n' + sparklines : ''));
  });
}
