// NumberTable against a Map: the same answers for any sequence of sets, gets and deletes, keys
// colliding or not, through growth and shrinking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumberTable } from '../../src/trace/number-table.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.nat(64), value: fc.integer({ min: -2, max: 1e6 }) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.nat(64) }),
  fc.record({ kind: fc.constant('get' as const), key: fc.nat(64) }),
);

describe('NumberTable', () => {
  it('answers as a Map does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(1, 2 ** 32, 2 ** 52), (ops, scale) => {
        const t = new NumberTable();
        const m = new Map<number, number>();
        for (const o of ops) {
          const key = o.key * scale;
          if (o.kind === 'set') {
            t.set(key, o.value);
            m.set(key, o.value);
          } else if (o.kind === 'delete') expect(t.delete(key)).toBe(m.delete(key));
          else expect(t.get(key)).toBe(m.get(key));
          expect(t.size).toBe(m.size);
        }
        for (const [k, v] of m) expect(t.get(k)).toBe(v);
      }),
    );
  });

  it('stays right as it grows past many keys and shrinks as they go', () => {
    const t = new NumberTable();
    for (let k = 0; k < 100_000; k++) t.set(k * 7919, k);
    for (let k = 0; k < 100_000; k++) expect(t.get(k * 7919)).toBe(k);
    for (let k = 0; k < 99_990; k++) expect(t.delete(k * 7919)).toBe(true);
    expect(t.size).toBe(10);
    for (let k = 99_990; k < 100_000; k++) expect(t.get(k * 7919)).toBe(k);
    expect(t.get(0)).toBeUndefined();
  });
});
