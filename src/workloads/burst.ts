// burst: bursts of 1000..7999 same-size allocations on one CPU, then their frees on that CPU
// (enough to push dozens of full magazines into the depot), each followed by an idle gap of
// 100..400 ms of virtual time so the depot's delayed trim work runs. If durationMs is longer than
// the bursts took, the lab then idles until durationMs: the depot drains (or, without trim work,
// does not).
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { allocThenFree, pick, runRounds, startRun, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runBurst(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const run = startRun(target, options);
  const { engine, domainIds, limit, rand, clock } = run;
  const online = engine.config.onlineCpus;
  return runRounds(
    'burst',
    run,
    options,
    (remaining, win) => {
      const dom = pick(rand, domainIds);
      const cpu = Math.floor(rand() * online);
      const size = BigInt(1 << Math.floor(rand() * 3)); // 1, 2 or 4: one rcache class per burst
      const burst = Math.min(remaining, 1000 + Math.floor(rand() * 7000));
      return { ops: burst, failed: allocThenFree(win, dom, cpu, cpu, burst, () => size, limit) };
    },
    () => clock.idle(100 + Math.floor(rand() * 301)),
  );
}
