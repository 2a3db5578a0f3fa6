// burst: bursts of 1000..7999 same-size allocations on one CPU, then their frees on that CPU
// (enough to push dozens of full magazines into the depot), each followed by an idle gap of
// 100..400 ms of virtual time so the depot's delayed trim work runs. If durationMs is longer than
// the bursts took, the lab then idles until durationMs: the depot drains (or, without trim work,
// does not).
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { allocThenFree, opsDone, pick, startRun, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runBurst(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const { engine, domainIds, ops, durationMs, limit, rand, clock } = startRun(target, options);
  const online = engine.config.onlineCpus;
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: 'burst', domainIds, pairs: 0, failedAllocs, elapsedMs: 0 };
  while (done < ops) {
    const dom = pick(rand, domainIds);
    const cpu = Math.floor(rand() * online);
    const size = BigInt(1 << Math.floor(rand() * 3)); // 1, 2 or 4: one rcache class per burst
    const burst = Math.min(ops - done, 1000 + Math.floor(rand() * 7000));
    failedAllocs += allocThenFree(engine, dom, cpu, cpu, burst, () => size, limit);
    done += burst;
    opsDone(options, done, ops);
    clock.idle(100 + Math.floor(rand() * 301));
  }
  clock.until(durationMs);
  return { workload: 'burst', domainIds, pairs: done, failedAllocs, elapsedMs: clock.elapsedMs };
}
