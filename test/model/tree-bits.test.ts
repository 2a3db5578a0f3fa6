// fls64 and orderBase2 (the size-class arithmetic of the TS model) against definitions computed
// from the binary string of the value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fls64, orderBase2 } from '../../src/model/tree.js';

const u64Arb = fc.oneof(
  fc.bigInt(0n, 1n << 12n),
  fc.bigInt(0n, (1n << 64n) - 1n),
  fc.integer({ min: 0, max: 63 }).map((k) => 1n << BigInt(k)),
  fc.integer({ min: 1, max: 64 }).map((k) => (1n << BigInt(k)) - 1n),
);

describe('fls64 / orderBase2', () => {
  it('fls64 is the length of the binary representation (0 for 0)', () => {
    fc.assert(
      fc.property(u64Arb, (x) => {
        expect(fls64(x)).toBe(x === 0n ? 0 : x.toString(2).length);
      }),
      { numRuns: 2000 },
    );
  });

  it('orderBase2 is the least k with 2^k >= n (0 for n <= 1)', () => {
    fc.assert(
      fc.property(u64Arb, (n) => {
        let k = 0;
        while (1n << BigInt(k) < n) k++;
        expect(orderBase2(n)).toBe(k);
      }),
      { numRuns: 2000 },
    );
  });
});
