// A hash table from non-negative integers below 2^53 to numbers, in two typed arrays: open
// addressing with linear probing, and deletion by shifting the entries after it back (no
// tombstones), so a table that sees millions of inserts and deletes of a few live keys (a trace's
// allocations and frees) stays small and fast, and allocates nothing per entry, unlike a Map.

const EMPTY = -1;
/** Tables at or below this capacity never shrink. */
const MIN_SHRINK = 4096;

export class NumberTable {
  size = 0;
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;

  constructor(capacity = 16) {
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.values = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** Home slot of k: its 32-bit halves mixed (multiplicative hashing). */
  private home(k: number): number {
    const h = Math.imul((k >>> 0) ^ Math.imul((k / 4294967296) >>> 0, 0x85ebca6b), 0x9e3779b1);
    return (h ^ (h >>> 15)) & this.mask;
  }

  /** The slot holding k, or -1. */
  private find(k: number): number {
    for (let i = this.home(k); ; i = (i + 1) & this.mask) {
      const at = this.keys[i];
      if (at === k) return i;
      if (at === EMPTY) return -1;
    }
  }

  has(k: number): boolean {
    return this.find(k) >= 0;
  }

  get(k: number): number | undefined {
    const i = this.find(k);
    return i < 0 ? undefined : this.values[i];
  }

  set(k: number, v: number): void {
    let i = this.home(k);
    for (; ; i = (i + 1) & this.mask) {
      const at = this.keys[i];
      if (at === k) {
        this.values[i] = v;
        return;
      }
      if (at === EMPTY) break;
    }
    this.keys[i] = k;
    this.values[i] = v;
    if (++this.size * 2 > this.mask + 1) this.grow();
  }

  delete(k: number): boolean {
    let i = this.find(k);
    if (i < 0) return false;
    // Move back every later entry of the run whose home is not in (i, j]: no probe chain breaks.
    for (let j = (i + 1) & this.mask; this.keys[j] !== EMPTY; j = (j + 1) & this.mask) {
      const h = this.home(this.keys[j]);
      const stays = i < j ? h > i && h <= j : h > i || h <= j;
      if (!stays) {
        this.keys[i] = this.keys[j];
        this.values[i] = this.values[j];
        i = j;
      }
    }
    this.keys[i] = EMPTY;
    this.size--;
    // A table that held many keys gives the room back once most are gone (a small one keeps its
    // room: a trace's live allocations come and go in bursts).
    if (this.size * 8 < this.mask + 1 && this.mask + 1 > MIN_SHRINK) this.resize((this.mask + 1) / 2);
    return true;
  }

  private grow(): void {
    this.resize((this.mask + 1) * 2);
  }

  private resize(capacity: number): void {
    const { keys, values } = this;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.values = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i], values[i]);
  }
}
