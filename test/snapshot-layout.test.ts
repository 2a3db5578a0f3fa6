// decodeSnapshot reads exactly the words the C engine wrote: a buffer cut short or running on
// (a C/TS layout mismatch) is a named SnapshotLayoutError, never a snapshot with NaN or stale counters.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CPU_CLASS_FIELDS,
  DOMAIN_FIELDS,
  IOVA_RANGE_CACHE_MAX_SIZE,
  SNAPSHOT_FIXED_WORDS,
  SNAPSHOT_HEADER_FIELDS,
} from '../src/generated/abi.js';
import { decodeSnapshot, SnapshotLayoutError } from '../src/snapshot.js';
import { loadIovaModule } from '../src/wasm/load.js';

const wasmBinary = readFileSync(new URL('../wasm/iova_model.wasm', import.meta.url));
const ROW = DOMAIN_FIELDS.length;
// two live (plain) domains, then one per-CPU row of each size class for each of the 4 CPUs
const FULL = SNAPSHOT_FIXED_WORDS + 2 * ROW + 4 * IOVA_RANGE_CACHE_MAX_SIZE * CPU_CLASS_FIELDS.length;

/** The words iova_snapshot writes for a 4-CPU lab with two domains, one of them holding a range. */
async function cWords(): Promise<BigUint64Array> {
  const mod = await loadIovaModule({ wasmBinary });
  const lab = mod._iova_lab_create_with_policy(4, 4, 0, 0, 0);
  expect(mod._iova_domain_create(lab, 4096, 1n)).toBe(0);
  expect(mod._iova_domain_create(lab, 4096, 1n)).toBe(1);
  const out = mod._malloc(16);
  expect(mod._iova_alloc(lab, 1, 4n, 0xfffffn, 1, out)).toBe(0);
  const cap = mod._iova_snapshot_words(lab);
  const buf = mod._malloc(cap * 8);
  const n = mod._iova_snapshot(lab, buf, cap);
  expect(n).toBe(cap);
  const words = new BigUint64Array(mod.HEAPU8.buffer, buf, n).slice();
  mod._iova_lab_destroy(lab);
  return words;
}

describe('decodeSnapshot', () => {
  it('decodes the exact words the C engine wrote', async () => {
    const words = await cWords();
    expect(words.length).toBe(FULL);
    const s = decodeSnapshot(words);
    expect(s.possibleCpus).toBe(4);
    expect(s.domains.map((d) => [d.id, d.liveIovas])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it.each([
    [
      'one word short',
      (w: BigUint64Array) => w.subarray(0, w.length - 1),
      `snapshot of ${FULL - 1} words, expected ${FULL} for 2 live domains`,
    ],
    ['one word extra', (w: BigUint64Array) => BigUint64Array.from([...w, 0n]), `snapshot of ${FULL + 1} words`],
    [
      'a whole domain row extra',
      (w: BigUint64Array) => BigUint64Array.from([...w, ...w.subarray(-ROW)]),
      `snapshot of ${FULL + ROW} words`,
    ],
    [
      'cut inside the fixed part',
      (w: BigUint64Array) => w.subarray(0, 100),
      `shorter than its ${SNAPSHOT_FIXED_WORDS}-word fixed part`,
    ],
  ])('throws SnapshotLayoutError for a buffer %s', async (_what, change, message) => {
    const words = change(await cWords());
    expect(() => decodeSnapshot(words)).toThrow(SnapshotLayoutError);
    expect(() => decodeSnapshot(words)).toThrow(message);
  });

  it('throws SnapshotLayoutError when the header names a cache that does not exist', async () => {
    const words = (await cWords()).slice();
    words[SNAPSHOT_HEADER_FIELDS.indexOf('magazineCache')] = 99n;
    expect(() => decodeSnapshot(words)).toThrow(/magazine cache index 99/);
  });
});
