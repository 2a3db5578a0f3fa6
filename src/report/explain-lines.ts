// The checks and the call behind `iova-lab explain`, shared by the CLI and the playground so both
// refuse the same input with the same message and explain the same text the same way.
import { UsageError } from '../share/usage-error.js';
import { explainSlab, type ExplainOptions, type Explanation } from './explain.js';

/** explain cannot guess the machine's CPU count. */
export function checkExplainCpus(cpus: number | undefined): number {
  if (cpus === undefined) {
    throw new UsageError('explain needs --cpus <n>: the possible CPU count of the machine the line came from.');
  }
  return cpus;
}

/** The whole text explained as one machine; blank text or more online than possible CPUs is a UsageError. */
export function explainText(text: string, options: ExplainOptions): Explanation {
  if (text.trim().length === 0) {
    throw new UsageError('no line to explain: pass it (or a file) as an argument, or on stdin.');
  }
  if (options.onlineCpus !== undefined && options.onlineCpus > options.possibleCpus) {
    throw new UsageError(`--online (${options.onlineCpus}) cannot exceed --cpus (${options.possibleCpus}).`);
  }
  return explainSlab(text, options);
}
