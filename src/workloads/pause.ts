// pause: steady traffic, then an idle gap past the flush-queue timeout. Each round (one per ms) every
// online CPU maps `perCpuPerMs` single pages (default 250) and unmaps them on itself, so under a
// lazy domain every CPU's ring keeps filling, flushing and draining into that CPU's own magazines.
// The timer still fires every timeout during the traffic and frees every queue on one CPU, but the
// next round's maps take those IOVAs back out of the depot. Then the traffic stops for gapMs
// (default twice the timeout: 20 ms, 2000 ms for lazy-single): the timer fires once more and what
// it pushes into the depot stays there. A strict domain has nothing queued, so the gap changes
// nothing. The lab then idles until durationMs.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { IOVA_DEFAULT_FQ_TIMEOUT, IOVA_SINGLE_FQ_TIMEOUT } from '../model/flush-queue.js';
import { runRounds, type WorkloadOptions, type WorkloadResult } from './common.js';
import { mapThenUnmap, startDmaRun } from './dma-run.js';

export interface PauseOptions extends WorkloadOptions {
  perCpuPerMs?: number;
  gapMs?: number;
}

const PAGE = 4096n;

export function runPause(target: Engine | IovaLab, options: PauseOptions): WorkloadResult {
  const run = startDmaRun(target, options);
  const perCpu = options.perCpuPerMs ?? 250;
  const timeout = options.domainType === 'lazy-single' ? IOVA_SINGLE_FQ_TIMEOUT : IOVA_DEFAULT_FQ_TIMEOUT;
  const gapMs = options.gapMs ?? 2 * timeout;
  let trafficEnd = 0;
  const result = runRounds(
    'pause',
    { ...run, durationMs: 0 },
    options,
    (remaining) => {
      let ops = 0;
      let failed = 0;
      for (const device of run.deviceIds) {
        for (let cpu = 0; cpu < run.onlineCpus && ops < remaining; cpu++) {
          const n = Math.min(perCpu, remaining - ops);
          failed += mapThenUnmap(run, device, cpu, cpu, n, () => [PAGE]);
          ops += n;
        }
      }
      return { ops, failed };
    },
    (done) => {
      // The next round one ms later; the gap starts right after the last round.
      if (done < run.ops) run.clock.idle(1);
      trafficEnd = run.clock.elapsedMs;
    },
  );
  run.clock.until(trafficEnd + gapMs);
  run.clock.until(run.durationMs);
  return { ...result, deviceIds: run.deviceIds, elapsedMs: run.clock.elapsedMs };
}
