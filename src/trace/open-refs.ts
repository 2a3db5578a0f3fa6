// The allocation (map) lines a later `free … @<line>` (`unmap … @<line>`) may still name, per owner
// (trace domain or device id), each with the PFN (DMA address) it returned once its batch ran. A
// line leaves when it is named, when a free by value gives back what it returned, or when its
// owner goes: so what is held follows the live allocations, not the trace's length.
import { NumberTable } from './number-table.js';

/** A returned value as a key: a number below 2^53, else the bigint. */
export type RefKey = number | bigint;

/** The key of a line whose batch has not run yet. */
export const PENDING = -1;
/** In an owner's line table: the line returned a key past 2^53, held in bigLines. */
const BIG = -2;

/** One owner's lines → their keys, and keys → lines (keys past 2^53 in Maps). */
class Owner {
  readonly lines = new NumberTable();
  readonly keys = new NumberTable();
  readonly bigLines = new Map<number, bigint>();
  readonly bigKeys = new Map<bigint, number>();

  key(line: number): RefKey | undefined {
    const k = this.lines.get(line);
    return k === BIG ? this.bigLines.get(line) : k;
  }

  lineOf(key: RefKey): number | undefined {
    return typeof key === 'bigint' ? this.bigKeys.get(key) : this.keys.get(key);
  }

  /** Forgets the line and, when it still maps to this line, its key. */
  forget(line: number, key: RefKey): void {
    this.lines.delete(line);
    if (typeof key === 'bigint') {
      this.bigLines.delete(line);
      if (this.bigKeys.get(key) === line) this.bigKeys.delete(key);
    } else if (key > 0 && this.keys.get(key) === line) this.keys.delete(key);
  }
}

export class OpenRefs {
  /** Lines held, over every owner. */
  size = 0;
  private readonly owners = new Map<number, Owner>();
  // The last owner used: a trace mostly works on one domain at a time.
  private lastId = NaN;
  private last?: Owner;

  private owner(id: number, create: boolean): Owner | undefined {
    if (id === this.lastId) return this.last;
    let o = this.owners.get(id);
    if (!o && create) this.owners.set(id, (o = new Owner()));
    if (o) {
      this.lastId = id;
      this.last = o;
    }
    return o;
  }

  /** A line of `owner` that may be named later; false (nothing held) when `limit` lines are held. */
  open(owner: number, line: number, limit: number): boolean {
    if (this.size >= limit) return false;
    this.owner(owner, true)!.lines.set(line, PENDING);
    this.size++;
    return true;
  }

  has(owner: number, line: number): boolean {
    return this.owner(owner, false)?.lines.has(line) === true;
  }

  /** What the line returned (PENDING before its batch ran, 0 when it failed). */
  key(owner: number, line: number): RefKey | undefined {
    return this.owner(owner, false)?.key(line);
  }

  /** The line's batch ran and it returned `key` (nothing when the line is not held). */
  settle(owner: number, line: number, key: RefKey): void {
    const o = this.owner(owner, false);
    if (o?.lines.get(line) !== PENDING) return;
    if (typeof key === 'bigint') {
      o.lines.set(line, BIG);
      o.bigLines.set(line, key);
      o.bigKeys.set(key, line);
      return;
    }
    o.lines.set(line, key);
    if (key !== 0) o.keys.set(key, line); // 0: a failed allocation, nothing to free by value
  }

  /** The line was named by `@<line>`: it cannot be named again. */
  close(owner: number, line: number): void {
    const o = this.owner(owner, false);
    const key = o?.key(line);
    if (key === undefined) return;
    o!.forget(line, key);
    this.size--;
  }

  /** A free by value gave back `key`: the line that returned it goes. */
  closeKey(owner: number, key: RefKey): void {
    const o = this.owner(owner, false);
    const line = o?.lineOf(key);
    if (line === undefined) return;
    o!.forget(line, key);
    this.size--;
  }

  /** The owner is gone (its domain was put): none of its lines can be named any more. */
  drop(owner: number): void {
    this.size -= this.owners.get(owner)?.lines.size ?? 0;
    this.owners.delete(owner);
    if (owner === this.lastId) this.lastId = NaN;
  }
}
