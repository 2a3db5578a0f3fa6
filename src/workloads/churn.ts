// churn: the rcache hit path. Bursts of up to 256 allocFast calls (sizes 1..32) on one CPU of one
// domain, then their frees on the same CPU; durationMs of virtual time is spread evenly over the ops.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { allocThenFree, opsDone, pick, startRun, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runChurn(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const { engine, domainIds, ops, durationMs, limit, rand, clock } = startRun(target, options);
  const cpus = engine.config.onlineCpus; // CPUs 0..online-1 are the online ones
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: 'churn', domainIds, pairs: 0, failedAllocs, elapsedMs: 0 };
  while (done < ops) {
    const dom = pick(rand, domainIds);
    const cpu = Math.floor(rand() * cpus);
    const burst = Math.min(ops - done, 1 + Math.floor(rand() * 256));
    failedAllocs += allocThenFree(engine, dom, cpu, cpu, burst, () => BigInt(1 + Math.floor(rand() * 32)), limit);
    done += burst;
    opsDone(options, done, ops);
    clock.spread(done, ops, durationMs);
  }
  clock.until(durationMs);
  return { workload: 'churn', domainIds, pairs: done, failedAllocs, elapsedMs: clock.elapsedMs };
}
