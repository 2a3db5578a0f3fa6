// nic: small fixed buffers. Each IRQ CPU owns an RX ring of 256 mapped 2 KiB buffers per device;
// a NAPI poll on that CPU unmaps up to 64 filled buffers and refills (maps) as many, all on the IRQ
// CPU. Between polls a random CPU transmits 1..32 frames of 1514 bytes, mapped there and unmapped
// at TX completion on its IRQ CPU. Rounds are spread evenly over durationMs; the RX buffers stay
// mapped at the end, as on a live NIC.
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { runRounds, type WorkloadOptions, type WorkloadResult } from './common.js';
import { mapThenUnmap, pickDevice, startDmaRun, type Mapping } from './dma-run.js';

const RX_BUFFER = 2048n;
const TX_FRAME = 1514n;
const RX_RING = 256;
const NAPI_BUDGET = 64;

export function runNic(target: Engine | IovaLab, options: WorkloadOptions): WorkloadResult {
  const run = startDmaRun(target, options);
  const { engine } = run;
  // rx[device][irq queue]: mapped buffers, oldest first.
  const rx = run.deviceIds.map(() => run.irqCpus.map(() => [] as Mapping[]));
  let failedFill = 0;
  const refill = (d: number, q: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      const addr = engine.map(run.deviceIds[d], run.irqCpus[q], RX_BUFFER, 0n, false);
      if (addr === 0n) failedFill++;
      else rx[d][q].push({ addr, bytes: RX_BUFFER });
    }
  };
  rx.forEach((queues, d) => queues.forEach((_, q) => refill(d, q, RX_RING)));
  const failedInitialFill = failedFill;
  const result = runRounds(
    'nic',
    run,
    options,
    (remaining) => {
      const d = Math.floor(run.rand() * run.deviceIds.length);
      const q = Math.floor(run.rand() * run.irqCpus.length);
      const ring = rx[d][q];
      const polled = Math.min(remaining, NAPI_BUDGET, ring.length);
      for (const m of ring.splice(0, polled)) engine.unmap(run.deviceIds[d], run.irqCpus[q], m.addr, m.bytes);
      const before = failedFill;
      refill(d, q, polled);
      const cpu = Math.floor(run.rand() * run.onlineCpus);
      const frames = Math.min(remaining - polled, 1 + Math.floor(run.rand() * 32));
      const failed = mapThenUnmap(run, pickDevice(run), cpu, run.irqCpuOf(cpu), frames, () => [TX_FRAME]);
      return { ops: polled + frames, failed: failed + failedFill - before }; // >= 1: frames >= 1 when polled is 0
    },
    (done) => run.clock.spread(done, run.ops, run.durationMs),
  );
  return { ...result, deviceIds: run.deviceIds, failedAllocs: result.failedAllocs + failedInitialFill };
}
