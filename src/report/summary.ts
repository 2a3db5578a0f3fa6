// The summary `replay --json` prints after its per-op lines: the clock, caches, magazines and
// domains of the snapshot, in the same fields (and the same conventions) as `simulate --json`.
import type { Snapshot } from '../snapshot.js';
import { snapshotToJson, type JsonReport } from './json.js';

type SummaryFields = 'nowMs' | 'caches' | 'magazines' | 'domains' | 'dma' | 'flushQueues';

export function replaySummary(s: Snapshot): Pick<JsonReport, SummaryFields> {
  const { nowMs, caches, magazines, domains, dma, flushQueues } = snapshotToJson(s);
  return { nowMs, caches, magazines, domains, dma, flushQueues };
}

/** Two text blocks next to each other, each column padded to its widest line. */
export function sideBySide(left: string, right: string, gap = 4): string {
  const l = left.replace(/\n$/, '').split('\n');
  const r = right.replace(/\n$/, '').split('\n');
  const width = Math.max(...l.map((x) => x.length));
  const n = Math.max(l.length, r.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(((l[i] ?? '').padEnd(width + gap) + (r[i] ?? '')).trimEnd());
  return out.join('\n') + '\n';
}
