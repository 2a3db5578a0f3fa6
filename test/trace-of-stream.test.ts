import { describe, expect, it } from 'vitest';
import type { StreamOp } from './support/opstream.js';
import { resolvePolicy } from '../src/policy.js';
import { CONFIG } from './support/differential.js';
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
    expect(lines.slice(1, 5)).toEqual(['cpus 4', 'magazines named', 'domain 0 4096 0x1', 'domain 1 4096 0xfff00']);
    expect(lines[5]).toBe('alloc 0 1 3 0xfffff');
    expect(lines[6]).toBe('alloc-noflush 1 0 1 0xffffffffff');
    expect(lines[7]).toMatch(/^free 0 2 0x[0-9a-f]+ 4$/);
    expect(lines.slice(8)).toEqual(['tick 100', 'domain 2 4096 0x100', 'put 2', 'inject iova 2']);
    expect(lines).toHaveLength(1 + 4 + ops.length);
  });

  it('writes the policy as spec lines relative to the default v6.9', async () => {
    const policy = { ...resolvePolicy('v4.7'), lazy: true };
    const text = await traceOfStream([{ k: 'tick', ms: 1 }], { ...CONFIG, magazines: 'unnamed', policy });
    const specs = [
      'mag-size=128',
      'depot-cap=32',
      'trim-delay=0',
      'lazy',
      'rcache-array=0',
      'tree-walk=v4.7',
      'max32=off',
      'retry=none',
      'pop=top',
      'flush-arg=off',
      'failure-flush=cpus',
      'fast-round=off',
    ];
    expect(text.split('\n').filter((l) => l.startsWith('policy '))).toEqual(specs.map((s) => `policy ${s}`));
    expect(resolvePolicy('v6.9', specs)).toEqual(policy);
  });
});
