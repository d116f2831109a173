// Has a stream that was arriving stopped? Shared by mesh and join-all: the input is what the
// probe tracker keeps per stream (src/core/probe/tracker.ts StreamStats), the output says when it
// stopped and how many probes the silence cost. A stream is stopped when nothing came for longer
// than both `graceMs` and four of its own intervals (so a 2/s stream is not "stopped" by one lost
// probe), and the silence began before the last `graceMs` of the run: peers started a few seconds
// apart also end a few seconds apart, and that is not a stall.
export interface StreamTimes {
  firstAtMs: number;
  lastAtMs: number;
  firstSeq: number;
  highestSeq: number;
  unique: number;
}

export interface StallOptions {
  /** Date.now() of the join: stop times are given relative to it. */
  joinedAtMs: number;
  /** The end of the observation (Date.now() when the run ended). */
  endMs: number;
  /** Silence shorter than this is never a stall, nor one that began this close to the end. */
  graceMs: number;
  /**
   * How long the sender runs, when known (mesh peers run the same --duration): a silence that
   * begins where the sender's own run ends is its end, however far apart the runs started.
   */
  senderDurationMs?: number;
}

export interface StallCheck {
  stopped: boolean;
  /** Milliseconds between probes, from the stream's own sequence numbers; null under 2 probes. */
  intervalMs: number | null;
  /** Silence at the end of the run. */
  gapMs: number;
  /** Last arrival, seconds after the join. */
  stoppedAtS: number;
  /** Probes the sender most likely sent during the silence (0 unless stopped). */
  missedTail: number;
}

/** The grace for a run of this length: 10 % of it, at least 3 s, at most 10 s. */
export function graceFor(durationMs: number): number {
  return Math.min(10_000, Math.max(3_000, durationMs * 0.1));
}

/** A stream must have been arriving this long before its silence can be a stop. */
const MIN_STREAM_MS = 1_000;

export function checkStall(s: StreamTimes, o: StallOptions): StallCheck {
  const span = s.highestSeq - s.firstSeq;
  const intervalMs = span > 0 && s.lastAtMs > s.firstAtMs ? (s.lastAtMs - s.firstAtMs) / span : null;
  const gapMs = Math.max(0, o.endMs - s.lastAtMs);
  const threshold = Math.max(o.graceMs, intervalMs === null ? 0 : 4 * intervalMs);
  // The sender's start on our clock: its first probe seen, less the probes before it.
  const senderEndMs = o.senderDurationMs !== undefined && intervalMs !== null
    ? s.firstAtMs - s.firstSeq * intervalMs + o.senderDurationMs : Infinity;
  const endedRun = s.lastAtMs >= senderEndMs - Math.max(2 * (intervalMs ?? 0), 1_000);
  // Three probes over a second at least: one or two could be a late stray, and a burst (send-all
  // --count 20 at 200/s, 0.1 s) is a sender that finished, not a stream that was arriving.
  const lasted = s.lastAtMs - s.firstAtMs >= MIN_STREAM_MS;
  const stopped = s.unique >= 3 && lasted && intervalMs !== null && gapMs > threshold && s.lastAtMs < o.endMs - o.graceMs && !endedRun;
  return {
    stopped,
    intervalMs,
    gapMs,
    stoppedAtS: Math.round(((s.lastAtMs - o.joinedAtMs) / 1000) * 10) / 10,
    missedTail: stopped && intervalMs ? Math.floor(gapMs / intervalMs) : 0,
  };
}

export interface Stopped<T> {
  item: T;
  check: StallCheck;
}

/**
 * Streams of one interface that stopped together (within `windowMs` of each other) are one event:
 * everything stopping at once on an interface points at the membership, one stream alone at its sender.
 */
export function clusterStops<T>(stops: readonly Stopped<T>[], windowMs = 2_000): Stopped<T>[][] {
  const sorted = [...stops].sort((a, b) => a.check.stoppedAtS - b.check.stoppedAtS);
  const out: Stopped<T>[][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    const prev = last?.[last.length - 1];
    if (last && prev && (s.check.stoppedAtS - prev.check.stoppedAtS) * 1000 <= windowMs) last.push(s);
    else out.push([s]);
  }
  return out;
}

/** Stops grouped per local interface, then by time (clusterStops): one event each. */
export function eventsPerIface<T>(stops: readonly Stopped<T>[], ifaceOf: (item: T) => string): Stopped<T>[][] {
  const perIface = new Map<string, Stopped<T>[]>();
  for (const s of stops) {
    const list = perIface.get(ifaceOf(s.item)) ?? [];
    list.push(s);
    perIface.set(ifaceOf(s.item), list);
  }
  return [...perIface.values()].flatMap((l) => clusterStops(l));
}
