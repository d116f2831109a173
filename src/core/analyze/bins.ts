// Packets over time for the picture: a fixed number of bins whose width doubles (merging pairs)
// when the capture outgrows them, so a day-long file costs the same as a minute.
export const MAX_BINS = 512;

export interface RateSeries {
  /** Microseconds of the first bin's start, and the width of every bin. */
  startUs: number;
  widthUs: number;
  /** Packets per bin. */
  counts: number[];
}

export class RateBins {
  // Fine at first (10 ms), so that a capture of a few seconds still draws its shape.
  private widthUs = 10_000;
  private counts = new Uint32Array(MAX_BINS);
  private used = 0;

  constructor(private readonly startUs: number) {}

  add(tsUs: number): void {
    let i = Math.floor((tsUs - this.startUs) / this.widthUs);
    if (i < 0) i = 0; // out-of-order timestamps before the start: counted in the first bin
    while (i >= MAX_BINS) {
      this.merge();
      i = Math.floor((tsUs - this.startUs) / this.widthUs);
    }
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    if (i + 1 > this.used) this.used = i + 1;
  }

  private merge(): void {
    const c = this.counts;
    for (let i = 0; i < MAX_BINS / 2; i++) c[i] = (c[2 * i] ?? 0) + (c[2 * i + 1] ?? 0);
    c.fill(0, MAX_BINS / 2);
    this.used = Math.ceil(this.used / 2);
    this.widthUs *= 2;
  }

  series(): RateSeries {
    return { startUs: this.startUs, widthUs: this.widthUs, counts: Array.from(this.counts.subarray(0, this.used)) };
  }
}
