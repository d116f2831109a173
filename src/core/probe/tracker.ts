// Loss, duplicates, reorder and one-way delay from probe sequences, per stream
// (sender id, sender interface, group) as seen on one receiving interface.
// Memory is bounded: duplicates are detected in a sliding window of recent sequences.
//
// The sequence is 32 bits from the wire, so anybody can send any value (issue 17: one forged
// probe with sequence 0xfffffffe made a healthy stream "lose" 4 294 967 294). Sequences are
// compared modulo 2^32 (RFC 1982 serial arithmetic), so a wrap is an ordinary step. A step
// forward of more than JUMP, or back before the segment's first probe, is not loss: it is held
// as a candidate; if the next probe that is not the current segment's follows it closely, the
// sender restarted (a new segment begins, the old one's loss is kept), otherwise it was a stray
// or a forgery (counted, then ignored).
// Loss is only ever the gaps inside the in-order ranges actually observed.

const WINDOW = 1024;
/** A step beyond this many sequences is a restart or a forgery, never a gap. */
export const JUMP = 65536;
const TWO32 = 4294967296;
/** How far before a segment's first probe a late probe may still extend it. */
const LATE_FIRST = 16;

export interface StreamStats {
  senderId: string;
  senderIface: string;
  group: string;
  received: number;
  /** Distinct sequences received (all segments). */
  unique: number;
  duplicates: number;
  reordered: number;
  /** Expected minus unique, over the in-order ranges observed. */
  lost: number;
  /** Probes the observed ranges span (all segments). */
  expected: number;
  /** First sequence of the current segment. */
  firstSeq: number;
  /** Highest sequence of the current segment, unwrapped (may pass 2^32 after a wrap). */
  highestSeq: number;
  /** The sender started over: a jump beyond JUMP that the next probe continued. */
  restarts: number;
  /** Jumps beyond JUMP that nothing continued: strays or forged probes (not counted as loss). */
  outliers: number;
  /** One-way delay in ms (receiver clock minus sender clock): min/avg/max. */
  delayMs: { min: number; avg: number; max: number } | null;
  lastTtl?: number;
  firstAtMs: number;
  lastAtMs: number;
}

/**
 * One probe's arrival, written in place by the caller: a call that passes fresh doubles (a time,
 * a delay) makes V8 box each one on the heap when it does not inline the call, so join-all's
 * receive path hands this object over instead (scripts/bench/join-all-recv-path.mjs).
 */
export interface Arrival {
  seq: number;
  /** One-way delay in ms; NaN when the clocks are not comparable. */
  delayMs: number;
  atMs: number;
  /** TTL the sender set; -1 when unknown. */
  ttl: number;
}

/** a - b modulo 2^32, as a signed distance in (-2^31, 2^31]. */
export function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

export class StreamTracker {
  readonly stats: StreamStats;
  private readonly seen = new Uint32Array(WINDOW);
  private readonly seenValid = new Uint8Array(WINDOW);
  private delaySum = 0;
  private delayCount = 0;
  /** Expected and unique of the closed segments. */
  private doneExpected = 0;
  private doneUnique = 0;
  private segUnique = 0;
  /** A jump waiting for its confirmation (-1: none). */
  private candidate = -1;
  private started = false;

  constructor(senderId: string, senderIface: string, group: string, nowMs: number) {
    this.stats = {
      senderId, senderIface, group,
      received: 0, unique: 0, duplicates: 0, reordered: 0, lost: 0, expected: 0,
      firstSeq: -1, highestSeq: -1, restarts: 0, outliers: 0, delayMs: null, firstAtMs: nowMs, lastAtMs: nowMs,
    };
  }

  private readonly scratch: Arrival = { seq: 0, delayMs: NaN, atMs: 0, ttl: -1 };

  /** Records one probe; `delayMs` may be NaN when clocks are not comparable. */
  add(seq: number, delayMs: number, nowMs: number, ttl?: number): void {
    const a = this.scratch;
    a.seq = seq;
    a.delayMs = delayMs;
    a.atMs = nowMs;
    a.ttl = ttl ?? -1;
    this.record(a);
  }

  /** add() with the probe's arrival in an object the caller reuses (nothing boxed per probe). */
  record(a: Arrival): void {
    const s = this.stats;
    const seq = a.seq >>> 0;
    s.received++;
    s.lastAtMs = a.atMs;
    if (a.ttl >= 0) s.lastTtl = a.ttl;
    if (!this.started) {
      this.started = true;
      this.begin(seq);
    } else {
      const d = seqDelta(seq, s.highestSeq % TWO32);
      const span = s.highestSeq - s.firstSeq;
      // Before the segment's first probe by `early`: a late first probe only when just before it
      // and not across the wrap (senders start at 0: "before 0" is a forgery or a restart).
      const early = d <= 0 ? -d - span : 0;
      const continues = (d > 0 && d <= JUMP) || (d <= 0 && early <= 0) || (early > 0 && early <= LATE_FIRST && s.firstSeq - early >= 0);
      if (!continues) {
        if (!this.jump(seq)) return;
      } else {
        this.candidate = -1;
        if (!this.step(seq, d)) return;
      }
    }
    this.account(a);
  }

  private begin(seq: number): void {
    const s = this.stats;
    s.firstSeq = seq;
    s.highestSeq = seq;
    this.segUnique = 0;
    this.seenValid.fill(0);
    this.mark(seq);
  }

  /** A probe far from the current segment; returns whether it counts as a new unique probe. */
  private jump(seq: number): boolean {
    const s = this.stats;
    const c = this.candidate;
    if (c >= 0) {
      const dc = seqDelta(seq, c);
      if (dc > 0 && dc <= LATE_FIRST) {
        // Confirmed: the sender started over at the candidate. Close the current segment.
        s.outliers--; // the candidate was counted as an outlier when it came
        s.restarts++;
        this.doneExpected += s.highestSeq - s.firstSeq + 1;
        this.doneUnique += this.segUnique;
        this.candidate = -1;
        this.begin(c);
        this.step(seq, dc);
        return true;
      }
    }
    this.candidate = seq;
    s.outliers++;
    return false;
  }

  /** A probe within JUMP of the head: in order, a gap, a reorder or a duplicate. */
  private step(seq: number, d: number): boolean {
    const s = this.stats;
    if (d > 0) {
      s.highestSeq += d;
    } else {
      if (-d < WINDOW && this.seenValid[seq % WINDOW] && this.seen[seq % WINDOW] === seq) {
        s.duplicates++;
        return false;
      }
      // Before the segment's first probe: the range grows backwards (a late first probe). The
      // first sequence is unwrapped too: it may go below 0 when the stream began near a wrap.
      const back = s.highestSeq - s.firstSeq + d;
      if (back < 0) s.firstSeq -= -back;
      s.reordered++;
    }
    this.mark(seq);
    return true;
  }

  private mark(seq: number): void {
    const slot = seq % WINDOW;
    this.seen[slot] = seq;
    this.seenValid[slot] = 1;
    this.segUnique++;
  }

  private account(a: Arrival): void {
    const s = this.stats;
    const delayMs = a.delayMs;
    s.unique = this.doneUnique + this.segUnique;
    s.expected = this.doneExpected + s.highestSeq - s.firstSeq + 1;
    s.lost = Math.max(0, s.expected - s.unique);
    if (Number.isFinite(delayMs)) {
      this.delaySum += delayMs;
      this.delayCount++;
      const dl = s.delayMs ?? { min: delayMs, avg: delayMs, max: delayMs };
      dl.min = Math.min(dl.min, delayMs);
      dl.max = Math.max(dl.max, delayMs);
      dl.avg = this.delaySum / this.delayCount;
      s.delayMs = dl;
    }
  }
}
