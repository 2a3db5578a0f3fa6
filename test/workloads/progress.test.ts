// The workloads' optional progress callback: domains, then ops, monotonic, ending at the total,
// and the run itself is the same with or without it.
import { describe, expect, it } from 'vitest';
import { IovaLab } from '../../src/lab.js';
import { runWorkload, WORKLOAD_NAMES, type WorkloadProgress } from '../../src/workloads/index.js';

async function run(name: (typeof WORKLOAD_NAMES)[number], withProgress: boolean) {
  using lab = await IovaLab.create({ possibleCpus: 4, engine: 'ts' });
  const seen: WorkloadProgress[] = [];
  const result = await runWorkload(name, lab, {
    domains: 3,
    ops: 7000,
    durationMs: 500,
    seed: 5,
    onProgress: withProgress ? (p) => seen.push({ ...p }) : undefined,
  });
  return { result, seen, snapshot: lab.snapshot() };
}

describe.each(WORKLOAD_NAMES)('%s progress', (name) => {
  it('reports every domain, then ops rising to the total, without changing the run', async () => {
    const plain = await run(name, false);
    const watched = await run(name, true);
    expect(watched.snapshot).toEqual(plain.snapshot);
    expect(watched.result).toEqual(plain.result);

    const domains = watched.seen.filter((p) => p.unit === 'domains');
    expect(domains.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(domains.every((p) => p.total === 3)).toBe(true);
    const ops = watched.seen.filter((p) => p.unit === 'ops');
    // domain creation comes first
    expect(watched.seen.findIndex((p) => p.unit === 'ops')).toBe(name === 'idle' ? -1 : 3);
    if (name === 'idle') {
      expect(ops).toEqual([]);
      return;
    }
    expect(ops.length).toBeGreaterThan(1); // after every burst, not only at the end
    for (let i = 1; i < ops.length; i++) expect(ops[i].done).toBeGreaterThan(ops[i - 1].done);
    expect(ops.every((p) => p.total === 7000 && p.done <= 7000)).toBe(true);
    expect(ops.at(-1)).toEqual({ unit: 'ops', done: 7000, total: 7000 });
    expect(watched.result.pairs).toBe(7000);
  });
});
