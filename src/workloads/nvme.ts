// nvme: every CPU submits I/O, completions arrive on --irq-cpus CPUs (a controller with fewer
// interrupt vectors than CPUs). Each round one CPU submits a queue-depth's worth of requests of
// 4 KiB..128 KiB (one scatter-gather map each, in 1..4 physically contiguous segments), and their
// completions unmap them on that CPU's IRQ CPU. Rounds are spread evenly over durationMs.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { runRounds, type WorkloadOptions, type WorkloadResult } from './common.js';
import { mapThenUnmap, pickDevice, startDmaRun, type DmaRun } from './dma-run.js';

const PAGE = 4096n;
/** Request sizes in 4 KiB pages and their weights: mostly small I/O, some large. */
const IO_PAGES = [1, 2, 4, 8, 16, 32] as const;
const IO_WEIGHTS = [40, 15, 15, 10, 10, 10] as const;
const MAX_SEGMENTS = 4;

function pickWeighted(rand: () => number): number {
  let r = rand() * IO_WEIGHTS.reduce((a, b) => a + b, 0);
  for (let i = 0; i < IO_PAGES.length; i++) {
    r -= IO_WEIGHTS[i];
    if (r < 0) return IO_PAGES[i];
  }
  return IO_PAGES[IO_PAGES.length - 1];
}

/** One request: its pages split into 1..4 contiguous segments. */
function nextRequest(run: DmaRun): bigint[] {
  let pages = pickWeighted(run.rand);
  const n = Math.min(pages, 1 + Math.floor(run.rand() * MAX_SEGMENTS));
  const segs: bigint[] = [];
  for (let i = n; i > 1; i--) {
    const take = 1 + Math.floor(run.rand() * (pages - i + 1));
    segs.push(BigInt(take) * PAGE);
    pages -= take;
  }
  segs.push(BigInt(pages) * PAGE);
  return segs;
}

export function runNvme(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const run = startDmaRun(target, options);
  const result = runRounds(
    'nvme',
    run,
    options,
    (remaining) => {
      const cpu = Math.floor(run.rand() * run.onlineCpus);
      const depth = Math.min(remaining, 1 + Math.floor(run.rand() * 32));
      const failed = mapThenUnmap(run, pickDevice(run), cpu, run.irqCpuOf(cpu), depth, () => nextRequest(run));
      return { ops: depth, failed };
    },
    (done) => run.clock.spread(done, run.ops, run.durationMs),
  );
  return { ...result, deviceIds: run.deviceIds };
}
