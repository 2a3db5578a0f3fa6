// Options that would do nothing in the run asked for are refused (exit 2), never silently
// ignored: a user who passed one expected it to change something.
import { UsageError } from './usage-error.js';

export interface ScenarioChoices {
  workload?: string;
  ops?: number;
  durationMs?: number;
  seed?: number;
  trace?: unknown;
  plot?: string;
  plotDepot?: string;
  format?: string;
  json?: boolean;
}

/** Workload options the idle workload (only domain creation) has no use for. */
const IDLE_UNUSED: Array<[keyof ScenarioChoices, string]> = [
  ['ops', '--ops'],
  ['durationMs', '--duration-ms'],
  ['seed', '--seed'],
];

export function checkUnusedOptions(o: ScenarioChoices): void {
  if (o.plotDepot !== undefined && o.plot === undefined) {
    throw new UsageError('--plot-depot shapes the --plot chart; it does nothing without --plot.');
  }
  if (o.format !== undefined && o.json) {
    throw new UsageError('--format picks a text layout; it does nothing with --json.');
  }
  if (o.trace === undefined && (o.workload ?? 'idle') === 'idle') {
    const unused = IDLE_UNUSED.find(([k]) => o[k] !== undefined);
    if (unused) {
      throw new UsageError(
        `${unused[1]} does nothing for the idle workload (it only creates the domains); ` +
          'pick a workload with --workload.',
      );
    }
  }
}
