import { describe, expect, it } from 'vitest';
import type { StreamOp } from './support/opstream.js';
import { traceOfStream } from './support/trace-of-stream.js';

describe('traceOfStream', () => {
  it('renders ops one per line and resolves live indices to concrete PFNs', async () => {
    const ops: StreamOp[] = [
      { k: 'allocFast', dom: 0, cpu: 1, size: 3, wide: false, flush: true },
      { k: 'allocFast', dom: 1, cpu: 0, size: 1, wide: true, flush: false },
      { k: 'freeFast', live: 2, cpu: 2 }, // 2 % 2 = the first live IOVA
      { k: 'tick', ms: 100 },
      { k: 'create', startPfn: 0x100 },
      { k: 'put', dom: 2 },
      { k: 'inject', kind: 'iova', nth: 2 },
    ];
    const lines = (await traceOfStream(ops)).trimEnd().split('\n');
    expect(lines.slice(1, 4)).toEqual(['cpus 4', 'domain 0 4096 0x1', 'domain 1 4096 0xfff00']);
    expect(lines[4]).toBe('alloc 0 1 3 0xfffff');
    expect(lines[5]).toBe('alloc-noflush 1 0 1 0xffffffffff');
    expect(lines[6]).toMatch(/^free 0 2 0x[0-9a-f]+ 4$/);
    expect(lines.slice(7)).toEqual(['tick 100', 'domain 2 4096 0x100', 'put 2', 'inject iova 2']);
    expect(lines).toHaveLength(1 + 3 + ops.length);
  });
});
