// The compact summary `replay --json` prints after its per-op lines.
import type { Snapshot } from '../snapshot.js';
import { reportedCaches } from './caches.js';
import { dmaTotals } from './dma.js';

export function replaySummary(s: Snapshot) {
  return {
    caches: reportedCaches(s).map((c) => ({
      name: c.name,
      activeObjs: c.activeObjs,
      numObjs: c.numObjs,
      objSize: c.objSize,
      objPerSlab: c.objPerSlab,
      pagesPerSlab: c.pagesPerSlab,
      numSlabs: c.numSlabs,
    })),
    magazines: s.magazines,
    domains: s.domains,
    dma: dmaTotals(s),
    flushQueues: s.flushQueues,
  };
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
