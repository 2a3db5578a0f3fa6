// cross-cpu: the online CPUs split into M freeing CPUs (the upper half) and N allocating CPUs
// (the lower half; with one CPU it does both). Each round allocates a batch on an allocator and
// frees it on a freer, so full magazines go to the depot on the freers and come back out of it
// (depot pops) on the allocators. Sizes 1..4 keep the traffic in few rcache classes.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { allocThenFree, opsDone, pick, startRun, type WorkloadOptions, type WorkloadResult } from './common.js';

export function runCrossCpu(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const { engine, domainIds, ops, durationMs, limit, rand, clock } = startRun(target, options);
  const online = engine.config.onlineCpus;
  const nAlloc = Math.max(1, Math.ceil(online / 2));
  const allocators = Array.from({ length: nAlloc }, (_, i) => i);
  const freers = online > 1 ? Array.from({ length: online - nAlloc }, (_, i) => nAlloc + i) : [0];
  let failedAllocs = 0;
  let done = 0;
  if (domainIds.length === 0) return { workload: 'cross-cpu', domainIds, pairs: 0, failedAllocs, elapsedMs: 0 };
  while (done < ops) {
    const dom = pick(rand, domainIds);
    const a = pick(rand, allocators);
    const f = pick(rand, freers);
    const batch = Math.min(ops - done, 128 + Math.floor(rand() * 384));
    failedAllocs += allocThenFree(engine, dom, a, f, batch, () => BigInt(1 + Math.floor(rand() * 4)), limit);
    done += batch;
    opsDone(options, done, ops);
    clock.spread(done, ops, durationMs);
  }
  clock.until(durationMs);
  return { workload: 'cross-cpu', domainIds, pairs: done, failedAllocs, elapsedMs: clock.elapsedMs };
}
