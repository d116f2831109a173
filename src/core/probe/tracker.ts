// Loss, duplicates, reorder and one-way delay from probe sequences, per stream
// (sender id, sender interface, group) as seen on one receiving interface.
// Memory is bounded: duplicates are detected in a sliding window of recent sequences.

const WINDOW = 1024;

export interface StreamStats {
  senderId: string;
  senderIface: string;
  group: string;
  received: number;
  /** Distinct sequences received. */
  unique: number;
  duplicates: number;
  reordered: number;
  /** Expected minus unique, over [first, highest] sequence seen. */
  lost: number;
  firstSeq: number;
  highestSeq: number;
  /** One-way delay in ms (receiver clock minus sender clock): min/avg/max. */
  delayMs: { min: number; avg: number; max: number } | null;
  lastTtl?: number;
  firstAtMs: number;
  lastAtMs: number;
}

export class StreamTracker {
  readonly stats: StreamStats;
  private readonly seen = new Uint32Array(WINDOW);
  private readonly seenValid = new Uint8Array(WINDOW);
  private delaySum = 0;
  private delayCount = 0;

  constructor(senderId: string, senderIface: string, group: string, nowMs: number) {
    this.stats = {
      senderId, senderIface, group,
      received: 0, unique: 0, duplicates: 0, reordered: 0, lost: 0,
      firstSeq: -1, highestSeq: -1, delayMs: null, firstAtMs: nowMs, lastAtMs: nowMs,
    };
  }

  /** Records one probe; `delayMs` may be NaN when clocks are not comparable. */
  add(seq: number, delayMs: number, nowMs: number, ttl?: number): void {
    const s = this.stats;
    s.received++;
    s.lastAtMs = nowMs;
    if (ttl !== undefined) s.lastTtl = ttl;
    const slot = seq % WINDOW;
    if (s.firstSeq < 0) {
      s.firstSeq = seq;
      s.highestSeq = seq;
    } else if (this.seenValid[slot] && this.seen[slot] === seq) {
      s.duplicates++;
      return;
    } else if (seq < s.highestSeq) {
      if (seq < s.firstSeq) s.firstSeq = seq;
      s.reordered++;
    } else {
      s.highestSeq = seq;
    }
    this.seen[slot] = seq;
    this.seenValid[slot] = 1;
    s.unique++;
    s.lost = Math.max(0, s.highestSeq - s.firstSeq + 1 - s.unique);
    if (Number.isFinite(delayMs)) {
      this.delaySum += delayMs;
      this.delayCount++;
      const d = s.delayMs ?? { min: delayMs, avg: delayMs, max: delayMs };
      d.min = Math.min(d.min, delayMs);
      d.max = Math.max(d.max, delayMs);
      d.avg = this.delaySum / this.delayCount;
      s.delayMs = d;
    }
  }
}
