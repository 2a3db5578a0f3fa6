// `iova-lab compare`: the same scenario in named and unnamed magazine mode, slab views side by side.
import { Command } from 'commander';
import type { EngineName, MagazineMode, SlabGeometry } from '../engine.js';
import { IovaLab } from '../lab.js';
import { snapshotToJson } from '../report/json.js';
import { formatSlabtop } from '../report/slabtop.js';
import { sideBySide } from '../report/summary.js';
import type { Snapshot } from '../snapshot.js';
import { runWorkload, WORKLOAD_NAMES, type WorkloadName } from '../workloads/index.js';
import { choiceOption, intOption, UsageError } from './options.js';

interface CompareOptions {
  cpus?: number;
  online?: number;
  domains?: number;
  slabGeometry?: SlabGeometry;
  workload?: WorkloadName;
  ops?: number;
  durationMs?: number;
  seed?: number;
  engine?: EngineName;
  json?: boolean;
}

async function runMode(mode: MagazineMode, o: CompareOptions): Promise<Snapshot> {
  const cpus = o.cpus ?? 8;
  using lab = await IovaLab.create({
    possibleCpus: cpus,
    onlineCpus: o.online ?? cpus,
    magazines: mode,
    slabGeometry: o.slabGeometry ?? 'slub',
    engine: o.engine ?? 'wasm',
  });
  runWorkload(o.workload ?? 'idle', lab, {
    domains: o.domains ?? 1,
    ops: o.ops ?? 10_000,
    durationMs: o.durationMs ?? 1000,
    seed: o.seed ?? 1,
  });
  return lab.snapshot();
}

export function compareCommand(out: (text: string) => void): Command {
  return new Command('compare')
    .description('run one scenario with named and unnamed magazines and show both slab views side by side')
    .option('--cpus <n>', 'possible CPUs (default 8)', intOption('--cpus', 1, 4096))
    .option('--online <n>', 'online CPUs (default: all possible)', intOption('--online', 1, 4096))
    .option('--domains <n>', 'domains with rcaches (default 1)', intOption('--domains', 0, 1_000_000))
    .option('--slab-geometry <g>', 'slub or order0 (default slub)', choiceOption('--slab-geometry', ['slub', 'order0'] as const))
    .option('--workload <w>', 'idle, churn, cross-cpu or burst (default idle)', choiceOption('--workload', WORKLOAD_NAMES))
    .option('--ops <n>', 'operations for the workload (default 10000)', intOption('--ops', 0, 1e9))
    .option('--duration-ms <ms>', 'virtual time spread over the ops (default 1000)', intOption('--duration-ms', 0, 1e12))
    .option('--seed <n>', 'PRNG seed (default 1)', intOption('--seed', 0, 0xffffffff))
    .option('--engine <e>', 'wasm or ts (default wasm)', choiceOption('--engine', ['wasm', 'ts'] as const))
    .option('--json', 'print {"named": …, "unnamed": …} JSON reports')
    .action(async (o: CompareOptions) => {
      const cpus = o.cpus ?? 8;
      if ((o.online ?? cpus) > cpus) throw new UsageError(`--online (${o.online}) cannot exceed --cpus (${cpus}).`);
      const named = await runMode('named', o);
      const unnamed = await runMode('unnamed', o);
      if (o.json) {
        out(JSON.stringify({ engine: o.engine ?? 'wasm', workload: o.workload ?? 'idle', named: snapshotToJson(named), unnamed: snapshotToJson(unnamed) }, null, 2) + '\n');
        return;
      }
      const block = (title: string, s: Snapshot) =>
        `${title}\n${formatSlabtop(s)}magazines: ${s.magazines.total} (depot ${s.magazines.depot})\n`;
      out(sideBySide(block('== named (iommu_iova_magazine) ==', named), block('== unnamed (kmalloc-1k) ==', unnamed)));
    });
}
