// A set of IPv4 groups held as sorted, merged intervals: 239.0.0.0/8 is one entry, not 16.7 M.
// Values are unsigned 32-bit numbers.

export class GroupSet4 {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Number of distinct groups. */
  readonly size: number;

  /** `ranges` are [first, count] pairs, in any order, overlapping or not. */
  constructor(ranges: ReadonlyArray<readonly [number, number]>) {
    const sorted = ranges.filter(([, n]) => n > 0).map(([f, n]) => [f, f + n - 1] as const).sort((a, b) => a[0] - b[0]);
    let size = 0;
    for (const [s, e] of sorted) {
      const i = this.ends.length - 1;
      const lastEnd = this.ends[i];
      if (lastEnd !== undefined && s <= lastEnd + 1) {
        if (e > lastEnd) { size += e - lastEnd; this.ends[i] = e; }
      } else {
        this.starts.push(s);
        this.ends.push(e);
        size += e - s + 1;
      }
    }
    this.size = size;
  }

  /** The merged intervals as [first, last] pairs, ascending. */
  *intervals(): Generator<[number, number]> {
    for (let i = 0; i < this.starts.length; i++) yield [this.starts[i] ?? 0, this.ends[i] ?? 0];
  }

  get intervalCount(): number {
    return this.starts.length;
  }

  has(g: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] ?? 0) > g) hi = mid - 1;
      else if ((this.ends[mid] ?? 0) < g) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** How many groups of the set lie in [first, last]. */
  countIn(first: number, last: number): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const s = Math.max(first, this.starts[i] ?? 0);
      const e = Math.min(last, this.ends[i] ?? 0);
      if (e >= s) n += e - s + 1;
    }
    return n;
  }

  /** The set's groups in [first, last], ascending, at most `max` of them. */
  listIn(first: number, last: number, max: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.starts.length && out.length < max; i++) {
      const s = Math.max(first, this.starts[i] ?? 0);
      const e = Math.min(last, this.ends[i] ?? 0);
      for (let g = s; g <= e && out.length < max; g++) out.push(g);
    }
    return out;
  }
}
