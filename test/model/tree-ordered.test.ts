// The TS model's ordered structure against a plain sorted-array oracle: random inserts and removes,
// with every lookup (floor, ceiling, predecessor, successor, first, last) compared after each step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedTree, type TreeEntry } from '../../src/model/ordered-tree.js';

interface Item {
  key: bigint;
}

// A small key space makes hits, misses and duplicates common; the 64-bit edges are in it too.
const keyArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt(0n, 40n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, (1n << 64n) - 2n, (1n << 64n) - 1n) },
);
type Step = { k: 'insert'; key: bigint } | { k: 'remove'; key: bigint } | { k: 'look'; key: bigint };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: keyArb.map((key) => ({ k: 'insert' as const, key })) },
  { weight: 2, arbitrary: keyArb.map((key) => ({ k: 'remove' as const, key })) },
  { weight: 2, arbitrary: keyArb.map((key) => ({ k: 'look' as const, key })) },
);

const keyOf = (e: TreeEntry<Item> | null): bigint | null => (e ? e.item.key : null);

/** The oracle's answers: the last key <= k and the first key >= k in a sorted array. */
function oracleFloor(sorted: bigint[], k: bigint): bigint | null {
  const below = sorted.filter((x) => x <= k);
  return below.length ? below[below.length - 1] : null;
}
function oracleCeiling(sorted: bigint[], k: bigint): bigint | null {
  return sorted.find((x) => x >= k) ?? null;
}

function checkAgainst(tree: OrderedTree<Item>, sorted: bigint[], probe: bigint): void {
  expect(tree.size).toBe(sorted.length);
  expect([...tree].map((i) => i.key)).toEqual(sorted);
  expect(keyOf(tree.first())).toBe(sorted[0] ?? null);
  expect(keyOf(tree.last())).toBe(sorted[sorted.length - 1] ?? null);
  expect(keyOf(tree.floor(probe))).toBe(oracleFloor(sorted, probe));
  expect(keyOf(tree.ceiling(probe))).toBe(oracleCeiling(sorted, probe));
  // Predecessor and successor of the entry at the probe, through the neighbour links.
  const at = tree.floor(probe);
  if (at) {
    const i = sorted.indexOf(at.item.key);
    expect(keyOf(at.prev)).toBe(i > 0 ? sorted[i - 1] : null);
    expect(keyOf(at.next)).toBe(sorted[i + 1] ?? null);
  }
}

describe('OrderedTree (treap with neighbour links) vs a sorted array', () => {
  it('agrees on size, order and floor/ceiling/predecessor/successor after every insert and remove', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 300 }), (steps) => {
        const tree = new OrderedTree<Item>((i) => i.key);
        const entries = new Map<bigint, TreeEntry<Item>>();
        let sorted: bigint[] = [];
        for (const s of steps) {
          if (s.k === 'insert') {
            if (entries.has(s.key)) {
              expect(() => tree.insert({ key: s.key })).toThrow(RangeError);
            } else {
              entries.set(s.key, tree.insert({ key: s.key }));
              sorted = [...sorted, s.key].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            }
          } else if (s.k === 'remove') {
            const e = entries.get(s.key);
            if (e) {
              tree.remove(e);
              entries.delete(s.key);
              sorted = sorted.filter((x) => x !== s.key);
            }
          }
          checkAgainst(tree, sorted, s.key);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to remove an entry that is no longer in the tree and stays intact', () => {
    const tree = new OrderedTree<Item>((i) => i.key);
    const a = tree.insert({ key: 5n });
    tree.insert({ key: 9n });
    tree.remove(a);
    expect(() => tree.remove(a)).toThrow(/not in the tree/);
    expect([...tree].map((i) => i.key)).toEqual([9n]);
  });

  it('keeps working after an owner lowers a key in place without passing its predecessor', () => {
    const tree = new OrderedTree<Item>((i) => i.key);
    const items = [10n, 20n, 30n].map((key) => ({ key }));
    for (const i of items) tree.insert(i);
    items[2].key = 25n; // still above 20
    expect(keyOf(tree.floor(27n))).toBe(25n);
    expect(keyOf(tree.ceiling(21n))).toBe(25n);
    tree.insert({ key: 22n });
    expect([...tree].map((i) => i.key)).toEqual([10n, 20n, 22n, 25n]);
  });

  it('clear empties the tree and it can be refilled', () => {
    const tree = new OrderedTree<Item>((i) => i.key);
    for (const key of [3n, 1n, 2n]) tree.insert({ key });
    tree.clear();
    expect(tree.size).toBe(0);
    expect(tree.first()).toBeNull();
    expect(tree.floor(3n)).toBeNull();
    tree.insert({ key: 7n });
    expect([...tree].map((i) => i.key)).toEqual([7n]);
  });
});
