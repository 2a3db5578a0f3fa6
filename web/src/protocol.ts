// Messages between the page and its worker.
import type { PlaygroundScenario } from '../../src/share/scenario-link.js';
import type { PlaygroundResult } from './run.js';

export interface RunRequest {
  scenario: PlaygroundScenario;
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number; unit: string; label: string }
  | { type: 'done'; result: PlaygroundResult }
  | { type: 'error'; message: string };
