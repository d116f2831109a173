// Small containers with a size bound, for state keyed by what arrives on the wire.

/** Distinct items in arrival order, at most `cap` kept; the others are counted (up to a bound). */
export class BoundedList<T> {
  private readonly kept = new Set<T>();
  private readonly others = new Set<T>();

  constructor(private readonly cap: number, private readonly countCap = 1 << 16) {}

  add(item: T): void {
    if (this.kept.has(item)) return;
    if (this.kept.size < this.cap) this.kept.add(item);
    else if (this.others.size < this.countCap) this.others.add(item);
  }

  items(): T[] {
    return [...this.kept];
  }

  /** Distinct items heard but not kept (counted up to countCap). */
  get more(): number {
    return this.others.size;
  }
}

/** A FIFO queue with O(1) push and shift (an array and a head index, compacted now and then). */
export class Deque<T> implements Iterable<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(x: T): void {
    this.items.push(x);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
