// An ordered set of items keyed by a bigint, for the TS model's IOVA tree: a treap (a binary search
// tree whose shape is a heap on per-entry priorities, so it stays balanced in expectation) whose
// entries are also threaded into a doubly linked list in key order. Search, insert and remove take
// O(log n) expected steps; stepping to an entry's neighbour is one pointer. Priorities come from a
// fixed-seed xorshift, so the shape (and the speed) of a tree is the same on every run; results
// never depend on the shape, only on the order.

/** One item in the tree; prev and next are its neighbours in key order (null at either end). */
export class TreeEntry<T> {
  /** @internal */ left: TreeEntry<T> | null = null;
  /** @internal */ right: TreeEntry<T> | null = null;
  prev: TreeEntry<T> | null = null;
  next: TreeEntry<T> | null = null;

  constructor(
    readonly item: T,
    /** @internal */ readonly priority: number,
  ) {}
}

type Link<T> = TreeEntry<T> | null;

const SEED = 0x2545f491;

export class OrderedTree<T> {
  private root: Link<T> = null;
  private head: Link<T> = null;
  private tail: Link<T> = null;
  private count = 0;
  private rng = SEED;

  /**
   * `keyOf` is read on every comparison, so an owner may change an item's key in place as long as
   * the change keeps the item between its neighbours.
   */
  constructor(private readonly keyOf: (item: T) => bigint) {}

  get size(): number {
    return this.count;
  }

  /** The entry with the lowest key, or null when empty. */
  first(): Link<T> {
    return this.head;
  }

  /** The entry with the highest key, or null when empty. */
  last(): Link<T> {
    return this.tail;
  }

  /** The entry with the greatest key <= key, or null. */
  floor(key: bigint): Link<T> {
    let best: Link<T> = null;
    for (let t = this.root; t;) {
      if (this.keyOf(t.item) <= key) {
        best = t;
        t = t.right;
      } else {
        t = t.left;
      }
    }
    return best;
  }

  /** The entry with the least key >= key, or null. */
  ceiling(key: bigint): Link<T> {
    let best: Link<T> = null;
    for (let t = this.root; t;) {
      if (this.keyOf(t.item) >= key) {
        best = t;
        t = t.left;
      } else {
        t = t.right;
      }
    }
    return best;
  }

  /** Adds item; its key must not be in the tree yet. */
  insert(item: T): TreeEntry<T> {
    const key = this.keyOf(item);
    const below = this.floor(key);
    if (below && this.keyOf(below.item) === key) throw new RangeError(`ordered tree: key ${key} is already present`);
    const e = new TreeEntry(item, this.nextPriority());
    this.root = this.insertUnder(this.root, e, key);
    e.prev = below;
    e.next = below ? below.next : this.head;
    if (e.prev) e.prev.next = e;
    else this.head = e;
    if (e.next) e.next.prev = e;
    else this.tail = e;
    this.count++;
    return e;
  }

  /** Removes an entry returned by insert (and not removed since). */
  remove(e: TreeEntry<T>): void {
    this.root = this.removeUnder(this.root, e, this.keyOf(e.item));
    if (e.prev) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.left = e.right = e.prev = e.next = null;
    this.count--;
  }

  clear(): void {
    this.root = this.head = this.tail = null;
    this.count = 0;
  }

  /** Items in ascending key order. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let e = this.head; e; e = e.next) yield e.item;
  }

  /** xorshift32: deterministic, well spread priorities. */
  private nextPriority(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  /** Puts e into subtree t: it becomes the subtree's root once its priority beats the node there. */
  private insertUnder(t: Link<T>, e: TreeEntry<T>, key: bigint): TreeEntry<T> {
    if (!t) return e;
    if (e.priority > t.priority) {
      this.splitInto(t, key, e);
      return e;
    }
    if (key < this.keyOf(t.item)) t.left = this.insertUnder(t.left, e, key);
    else t.right = this.insertUnder(t.right, e, key);
    return t;
  }

  /** Splits subtree t around key: keys below become e.left, the rest e.right. */
  private splitInto(t: Link<T>, key: bigint, e: TreeEntry<T>): void {
    // Walk down once, hanging each node on the growing left or right spine.
    let leftTail: TreeEntry<T> | null = null;
    let rightTail: TreeEntry<T> | null = null;
    e.left = e.right = null;
    while (t) {
      if (this.keyOf(t.item) < key) {
        if (leftTail) leftTail.right = t;
        else e.left = t;
        leftTail = t;
        t = t.right;
      } else {
        if (rightTail) rightTail.left = t;
        else e.right = t;
        rightTail = t;
        t = t.left;
      }
    }
    if (leftTail) leftTail.right = null;
    if (rightTail) rightTail.left = null;
  }

  private removeUnder(t: Link<T>, e: TreeEntry<T>, key: bigint): Link<T> {
    if (!t) throw new Error('ordered tree: entry is not in the tree');
    if (t === e) return this.join(t.left, t.right);
    if (key < this.keyOf(t.item)) t.left = this.removeUnder(t.left, e, key);
    else t.right = this.removeUnder(t.right, e, key);
    return t;
  }

  /** Joins two subtrees whose keys are all ordered a < b. */
  private join(a: Link<T>, b: Link<T>): Link<T> {
    if (!a) return b;
    if (!b) return a;
    if (a.priority > b.priority) {
      a.right = this.join(a.right, b);
      return a;
    }
    b.left = this.join(a, b.left);
    return b;
  }
}
