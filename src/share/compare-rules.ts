// Which compare options go together, checked the same way for `iova-lab compare` and the
// playground: --profile vs --profiles, --magazines only with --profiles, --trace without workload options.
import { UsageError } from './usage-error.js';

export interface CompareChoices {
  profile?: string;
  profiles?: readonly string[];
  magazines?: string;
  trace?: unknown;
  cpus?: number;
  online?: number;
  domains?: number;
  slabGeometry?: string;
  workload?: string;
  ops?: number;
  durationMs?: number;
  seed?: number;
  preset?: string;
  domainType?: string;
  domainTypes?: readonly string[];
  irqCpus?: number;
}

/** Options that describe a workload and so cannot go with --trace. */
const WORKLOAD_FLAGS: Array<[keyof CompareChoices, string]> = [
  ['cpus', '--cpus'],
  ['online', '--online'],
  ['domains', '--domains'],
  ['slabGeometry', '--slab-geometry'],
  ['workload', '--workload'],
  ['ops', '--ops'],
  ['durationMs', '--duration-ms'],
  ['seed', '--seed'],
  ['preset', '--preset'],
  ['domainType', '--domain-type'],
  ['domainTypes', '--domain-types'],
  ['irqCpus', '--irq-cpus'],
];

const DMA_WORKLOADS = ['nvme', 'nic', 'pause'];

export function checkCompareOptions(o: CompareChoices): void {
  if (o.profiles !== undefined) {
    if (o.profile !== undefined) {
      throw new UsageError('--profile picks one profile; with --profiles list them all there.');
    }
  } else if (o.magazines !== undefined) {
    throw new UsageError('--magazines goes with --profiles; without it compare runs both modes.');
  }
  if (o.domainTypes !== undefined) {
    if (o.domainType !== undefined) {
      throw new UsageError('--domain-type picks one type; with --domain-types list them all there.');
    }
    if (o.workload !== undefined && !DMA_WORKLOADS.includes(o.workload)) {
      throw new UsageError(`--domain-types goes with a DMA workload (nvme, nic, pause), not --workload ${o.workload}.`);
    }
  }
  if (o.trace === undefined) return;
  const clash = WORKLOAD_FLAGS.find(([k]) => o[k] !== undefined);
  if (clash) throw new UsageError(`--trace runs the trace's own scenario; it cannot be combined with ${clash[1]}.`);
}
