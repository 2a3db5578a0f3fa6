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

  /** A line of `owner` that may be named later; false (nothing held) when `limit` lines are held. */
  open(owner: number, line: number, limit: number): boolean {
    if (this.size >= limit) return false;
    let m = this.lines.get(owner);
    if (!m) this.lines.set(owner, (m = new Map()));
    m.set(line, PENDING);
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

  /** The line's batch ran and it returned `key`. */
  settle(owner: number, line: number, key: RefKey): void {
    const m = this.lines.get(owner);
    if (!m?.has(line)) return;
    m.set(line, key);
    if (key === 0) return; // a failed allocation: nothing to free by value
    let k = this.keys.get(owner);
    if (!k) this.keys.set(owner, (k = new Map()));
    k.set(key, line);
  }

  /** The line was named by `@<line>`: it cannot be named again. */
  close(owner: number, line: number): void {
    const m = this.lines.get(owner);
    const key = m?.get(line);
    if (key === undefined) return;
    m!.delete(line);
    this.size--;
    const k = this.keys.get(owner);
    if (k?.get(key) === line) k.delete(key);
  }

  /** A free by value gave back `key`: the line that returned it goes. */
  closeKey(owner: number, key: RefKey): void {
    const k = this.keys.get(owner);
    const line = k?.get(key);
    if (line === undefined) return;
    k!.delete(key);
    this.lines.get(owner)!.delete(line);
    this.size--;
  }

  /** The owner is gone (its domain was put): none of its lines can be named any more. */
  drop(owner: number): void {
    this.size -= this.lines.get(owner)?.size ?? 0;
    this.lines.delete(owner);
    this.keys.delete(owner);
  }
}
