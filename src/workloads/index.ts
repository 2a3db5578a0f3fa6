// Deterministic workloads that drive an Engine (or an IovaLab, through lab.engine); one file each.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { runBurst } from './burst.js';
import { runChurn } from './churn.js';
import type { WorkloadName, WorkloadOptions, WorkloadResult } from './common.js';
import { runCrossCpu } from './cross-cpu.js';
import { runIdle } from './idle.js';
import { runNic } from './nic.js';
import { runNvme } from './nvme.js';
import { runPause } from './pause.js';

export { DMA_WORKLOAD_NAMES, isDmaWorkload, WORKLOAD_NAMES, seededRandom } from './common.js';
export type { DmaWorkloadName, WorkloadName, WorkloadOptions, WorkloadProgress, WorkloadResult } from './common.js';
export { runBurst, runChurn, runCrossCpu, runIdle, runNic, runNvme, runPause };

export function runWorkload(name: WorkloadName, target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  switch (name) {
    case 'idle':
      return runIdle(target, options);
    case 'churn':
      return runChurn(target, options);
    case 'cross-cpu':
      return runCrossCpu(target, options);
    case 'burst':
      return runBurst(target, options);
    case 'nvme':
      return runNvme(target, options);
    case 'nic':
      return runNic(target, options);
    case 'pause':
      return runPause(target, options);
  }
}
