// idle: only create the domains, so what shows is the eager magazines of domain init.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { createDomains, engineOf, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runIdle(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const domainIds = createDomains(engineOf(target), options);
  return { workload: 'idle', domainIds, pairs: 0, failedAllocs: 0, elapsedMs: 0 };
}
