// The lab runs here, off the page's thread: progress goes out at most every 100 ms, and the page
// cancels a run by terminating this worker.
import { runPlayground } from './run.js';
import { wasmLoadOptions } from './lab-loader.js';
import type { RunRequest, WorkerMessage } from './protocol.js';

const post = (m: WorkerMessage): void => self.postMessage(m);

self.onmessage = async (e: MessageEvent<RunRequest>) => {
  let last = 0;
  try {
    const result = await runPlayground(
      e.data.scenario,
      (done, total, unit, label) => {
        const now = performance.now();
        if (now - last < 100 && done < total) return;
        last = now;
        post({ type: 'progress', done, total, unit, label });
      },
      wasmLoadOptions(),
    );
    post({ type: 'done', result });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
