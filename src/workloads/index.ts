// Deterministic workloads that drive an Engine (or an IovaLab, through lab.engine); one file each.
// A workload's module is loaded when it runs, so a run imports only its own workload's code.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import type { WorkloadName, WorkloadOptions, WorkloadResult } from './common.js';

export { DMA_WORKLOAD_NAMES, isDmaWorkload, WORKLOAD_NAMES, seededRandom } from './common.js';
export type { DmaWorkloadName, WorkloadName, WorkloadOptions, WorkloadProgress, WorkloadResult } from './common.js';

type Runner = (target: Engine | IovaLab, options: WorkloadOptions) => WorkloadResult;

const RUNNERS: Record<WorkloadName, () => Promise<Runner>> = {
  idle: async () => (await import('./idle.js')).runIdle,
  churn: async () => (await import('./churn.js')).runChurn,
  'cross-cpu': async () => (await import('./cross-cpu.js')).runCrossCpu,
  burst: async () => (await import('./burst.js')).runBurst,
  nvme: async () => (await import('./nvme.js')).runNvme,
  nic: async () => (await import('./nic.js')).runNic,
  pause: async () => (await import('./pause.js')).runPause,
};

export async function runWorkload(
  name: WorkloadName,
  target: Engine | IovaLab,
  options: WorkloadOptions,
): Promise<WorkloadResult> {
  const run = await RUNNERS[name]();
  return run(target, options);
}
