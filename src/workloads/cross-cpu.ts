// cross-cpu: the online CPUs split into M freeing CPUs (the upper half) and N allocating CPUs
// (the lower half; with one CPU it does both). Each round allocates a batch on an allocator and
// frees it on a freer, so full magazines go to the depot on the freers and come back out of it
// (depot pops) on the allocators. Sizes 1..4 keep the traffic in few rcache classes.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { allocThenFree, pick, runRounds, startRun, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runCrossCpu(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const run = startRun(target, options);
  const { engine, domainIds, limit, rand, clock } = run;
  const online = engine.config.onlineCpus;
  const nAlloc = Math.max(1, Math.ceil(online / 2));
  const allocators = Array.from({ length: nAlloc }, (_, i) => i);
  const freers = online > 1 ? Array.from({ length: online - nAlloc }, (_, i) => nAlloc + i) : [0];
  return runRounds(
    'cross-cpu',
    run,
    options,
    (remaining, win) => {
      const dom = pick(rand, domainIds);
      const a = pick(rand, allocators);
      const f = pick(rand, freers);
      const batch = Math.min(remaining, 128 + Math.floor(rand() * 384));
      return {
        ops: batch,
        failed: allocThenFree(win, dom, a, f, batch, () => BigInt(1 + Math.floor(rand() * 4)), limit),
      };
    },
    (done) => clock.spread(done, run.ops, run.durationMs),
  );
}
