// The lab runs here, off the page's thread: progress goes out at most every 100 ms, and the page
// cancels a run by terminating this worker. A capture is read and inspected here too.
import { runInspect } from './inspect-run.js';
import { runPlayground } from './run.js';
import { wasmLoadOptions } from './lab-loader.js';
import type { RunRequest, WorkerMessage } from './protocol.js';

const post = (m: WorkerMessage): void => self.postMessage(m);

function run(request: RunRequest) {
  if ('capture' in request) return runInspect(request.capture, request.profile);
  let last = 0;
  return runPlayground(
    request.scenario,
    (done, total, unit, label) => {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      post({ type: 'progress', done, total, unit, label });
    },
    wasmLoadOptions(),
  );
}

self.onmessage = async (e: MessageEvent<RunRequest>) => {
  try {
    post({ type: 'done', result: await run(e.data) });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
