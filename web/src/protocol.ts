// Messages between the page and its worker.
import type { PlaygroundScenario } from '../../src/share/scenario-link.js';
import type { CaptureUpload } from './inspect-run.js';
import type { PlaygroundResult } from './run.js';

export type RunRequest =
  | { scenario: PlaygroundScenario }
  /** inspect: a capture (files stay in the tab), and the --profile override if any. */
  | { capture: CaptureUpload; profile?: string };

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number; unit: string; label: string }
  | { type: 'done'; result: PlaygroundResult }
  | { type: 'error'; message: string };
