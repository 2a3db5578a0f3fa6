// `iova-lab simulate`: build a lab, run a workload, print slabtop/slabinfo + magazine breakdown.
import { Command } from 'commander';
import type { EngineName, MagazineMode, SlabGeometry } from '../engine.js';
import { IovaLab } from '../lab.js';
import { domainTotals, snapshotToJson } from '../report/json.js';
import { formatSlabinfo } from '../report/slabinfo.js';
import { formatSlabtop } from '../report/slabtop.js';
import type { Snapshot } from '../snapshot.js';
import { runWorkload, WORKLOAD_NAMES, type WorkloadName } from '../workloads/index.js';
import { choiceOption, intOption, UsageError } from './options.js';

interface SimulateOptions {
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
  format?: 'slabtop' | 'slabinfo';
  json?: boolean;
}

const PRESETS = { seed: { cpus: 128, domains: 159, slabGeometry: 'order0' as SlabGeometry } };

function breakdown(s: Snapshot): string {
  const m = s.magazines;
  const t = domainTotals(s);
  return [
    `magazines: ${m.total} (loaded ${m.loaded}, prev ${m.prev}, depot ${m.depot})`,
    `cached PFNs: ${m.loadedPfns + m.prevPfns + m.depotPfns} (loaded ${m.loadedPfns}, prev ${m.prevPfns}, depot ${m.depotPfns})`,
    `domains: ${t.domains}; live IOVAs ${t.liveIovas}, cached PFNs ${t.cachedPfns}, magazines ${t.magazines}, `
      + `depot magazines ${t.depotMags}, rcache hits ${t.hits}, misses ${t.misses}`,
    `clock: ${s.nowMs} ms; CPUs ${s.onlineCpus} online of ${s.possibleCpus} possible; magazines ${s.magazineMode}`,
  ].join('\n') + '\n';
}

export function simulateCommand(out: (text: string) => void): Command {
  return new Command('simulate')
    .description('simulate domains and a workload, then print slab and magazine counters')
    .option('--cpus <n>', 'possible CPUs (default 8; seed preset 128)', intOption('--cpus', 1, 4096))
    .option('--online <n>', 'online CPUs (default: all possible)', intOption('--online', 1, 4096))
    .option('--domains <n>', 'domains with rcaches (default 1; seed preset 159)', intOption('--domains', 0, 1_000_000))
    .option('--magazines <mode>', 'named (iommu_iova_magazine, 6.9+) or unnamed (kmalloc-1k)', choiceOption('--magazines', ['named', 'unnamed'] as const))
    .option('--slab-geometry <g>', 'slub or order0 (default slub; seed preset order0)', choiceOption('--slab-geometry', ['slub', 'order0'] as const))
    .option('--workload <w>', 'idle, churn, cross-cpu or burst (default idle)', choiceOption('--workload', WORKLOAD_NAMES))
    .option('--ops <n>', 'allocFast/freeFast pairs for churn (default 10000)', intOption('--ops', 0, 1e9))
    .option('--duration-ms <ms>', 'virtual time spread over the ops (default 1000)', intOption('--duration-ms', 0, 1e12))
    .option('--seed <n>', 'PRNG seed (default 1)', intOption('--seed', 0, 0xffffffff))
    .option('--engine <e>', 'wasm or ts (default wasm)', choiceOption('--engine', ['wasm', 'ts'] as const))
    .option('--preset <name>', 'seed: 128 CPUs, 159 domains, order0 slabs', choiceOption('--preset', ['seed'] as const))
    .option('--format <f>', 'slabtop or slabinfo (default slabtop)', choiceOption('--format', ['slabtop', 'slabinfo'] as const))
    .option('--json', 'print a JSON document instead')
    .action(async (o: SimulateOptions) => {
      const preset = o.preset ? PRESETS[o.preset] : undefined;
      const cpus = o.cpus ?? preset?.cpus ?? 8;
      const online = o.online ?? cpus;
      if (online > cpus) throw new UsageError(`--online (${online}) cannot exceed --cpus (${cpus}).`);
      const workload = o.workload ?? 'idle';
      using lab = await IovaLab.create({
        possibleCpus: cpus,
        onlineCpus: online,
        magazines: o.magazines ?? 'named',
        slabGeometry: o.slabGeometry ?? preset?.slabGeometry ?? 'slub',
        engine: o.engine ?? 'wasm',
      });
      const result = runWorkload(workload, lab, {
        domains: o.domains ?? preset?.domains ?? 1,
        ops: o.ops ?? 10_000,
        durationMs: o.durationMs ?? 1000,
        seed: o.seed ?? 1,
      });
      const snap = lab.snapshot();
      if (o.json) {
        const { domainIds: _ids, ...workloadSummary } = result;
        out(JSON.stringify({ engine: lab.engine.name, workload: workloadSummary, ...snapshotToJson(snap) }, null, 2) + '\n');
        return;
      }
      out((o.format === 'slabinfo' ? formatSlabinfo(snap) : formatSlabtop(snap)) + '\n' + breakdown(snap));
    });
}
