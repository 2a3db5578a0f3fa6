// The allocation (map) lines a later `free … @<line>` (`unmap … @<line>`) may still name, per owner
// (trace domain or device id), each with the PFN (DMA address) it returned once its batch ran. A
// line leaves when it is named, when a free by value gives back what it returned, or when its
// owner goes: so what is held follows the live allocations, not the trace's length.

/** A returned value as a map key: a number below 2^53, else the bigint. */
export type RefKey = number | bigint;

/** The key of a line whose batch has not run yet. */
export const PENDING = -1;

export class OpenRefs {
  /** Lines held, over every owner. */
  size = 0;
  private readonly lines = new Map<number, Map<number, RefKey>>();
  private readonly keys = new Map<number, Map<RefKey, number>>();
  // The last owner's maps: a trace mostly works on one domain at a time.
  private owner = NaN;
  private ownLines = new Map<number, RefKey>();
  private ownKeys = new Map<RefKey, number>();

  /** Makes `owner` the current one (its maps created when missing). */
  private use(owner: number): void {
    if (owner === this.owner) return;
    let lines = this.lines.get(owner);
    if (!lines) this.lines.set(owner, (lines = new Map<number, RefKey>()));
    let keys = this.keys.get(owner);
    if (!keys) this.keys.set(owner, (keys = new Map<RefKey, number>()));
    this.owner = owner;
    this.ownLines = lines;
    this.ownKeys = keys;
  }

  /** A line of `owner` that may be named later; false (nothing held) when `limit` lines are held. */
  open(owner: number, line: number, limit: number): boolean {
    if (this.size >= limit) return false;
    this.use(owner);
    this.ownLines.set(line, PENDING);
    this.size++;
    return true;
  }

  has(owner: number, line: number): boolean {
    return this.lines.get(owner)?.has(line) === true;
  }

  /** What the line returned (PENDING before its batch ran, 0 when it failed). */
  key(owner: number, line: number): RefKey | undefined {
    return this.lines.get(owner)?.get(line);
  }

  /** The line's batch ran and it returned `key` (nothing when the line is not held). */
  settle(owner: number, line: number, key: RefKey): void {
    if (owner !== this.owner && !this.lines.has(owner)) return;
    this.use(owner);
    if (this.ownLines.get(line) !== PENDING) return;
    this.ownLines.set(line, key);
    if (key !== 0) this.ownKeys.set(key, line); // 0: a failed allocation, nothing to free by value
  }

  /** The line was named by `@<line>`: it cannot be named again. */
  close(owner: number, line: number): void {
    const key = this.key(owner, line);
    if (key === undefined) return;
    this.use(owner);
    this.ownLines.delete(line);
    this.size--;
    if (this.ownKeys.get(key) === line) this.ownKeys.delete(key);
  }

  /** A free by value gave back `key`: the line that returned it goes. */
  closeKey(owner: number, key: RefKey): void {
    if (owner !== this.owner && !this.keys.has(owner)) return;
    this.use(owner);
    const line = this.ownKeys.get(key);
    if (line === undefined) return;
    this.ownKeys.delete(key);
    this.ownLines.delete(line);
    this.size--;
  }

  /** The owner is gone (its domain was put): none of its lines can be named any more. */
  drop(owner: number): void {
    this.size -= this.lines.get(owner)?.size ?? 0;
    this.lines.delete(owner);
    this.keys.delete(owner);
    if (owner === this.owner) this.owner = NaN;
  }
}
