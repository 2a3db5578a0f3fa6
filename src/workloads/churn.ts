// churn: the rcache hit path. Bursts of up to 256 allocFast calls (sizes 1..32) on one CPU of one
// domain, then their frees on the same CPU; durationMs of virtual time is spread evenly over the ops.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { allocThenFree, pick, runRounds, startRun, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runChurn(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const run = startRun(target, options);
  const { engine, domainIds, limit, rand, clock } = run;
  const cpus = engine.config.onlineCpus; // CPUs 0..online-1 are the online ones
  return runRounds(
    'churn',
    run,
    options,
    (remaining, win) => {
      const dom = pick(rand, domainIds);
      const cpu = Math.floor(rand() * cpus);
      const burst = Math.min(remaining, 1 + Math.floor(rand() * 256));
      return {
        ops: burst,
        failed: allocThenFree(win, dom, cpu, cpu, burst, () => BigInt(1 + Math.floor(rand() * 32)), limit),
      };
    },
    (done) => clock.spread(done, run.ops, run.durationMs),
  );
}
