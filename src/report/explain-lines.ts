// Which lines of pasted slabtop / slabinfo text `explain` looks at, and their explanations as
// text: shared by `iova-lab explain` and the playground.
import { UsageError } from '../share/usage-error.js';
import { explainSlabLine, type ExplainOptions, type Explanation } from './explain.js';

const CACHES = '(iommu_iova_magazine|kmalloc-1k|iommu_iova)';
/** The cache name ends the line (slabtop) or starts it (slabinfo). */
const EXPLAINABLE = new RegExp(`\\b${CACHES}\\s*$|^\\s*${CACHES}\\s`);

/** The lines to explain: every explainable line of the text, else its first non-blank line. */
export function pickLines(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const wanted = lines.filter((l) => EXPLAINABLE.test(l));
  return wanted.length > 0 ? wanted : lines.slice(0, 1);
}

/** explain cannot guess the machine's CPU count. */
export function checkExplainCpus(cpus: number | undefined): number {
  if (cpus === undefined) {
    throw new UsageError('explain needs --cpus <n>: the possible CPU count of the machine the line came from.');
  }
  return cpus;
}

/** The explanation of every picked line; no line at all is a UsageError. */
export function explainText(text: string, options: ExplainOptions): Explanation[] {
  const lines = pickLines(text);
  if (lines.length === 0) throw new UsageError('no line to explain: pass it (or a file) as an argument, or on stdin.');
  return lines.map((l) => explainSlabLine(l, options));
}
