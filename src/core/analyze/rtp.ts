// RTP (RFC 3550) on a stream: sequence loss, duplicates and reorder from the 16-bit sequence
// number extended over its wraps (A.1), and the interarrival jitter of A.8. A payload is taken
// as RTP while every packet has version 2 and one of at most MAX_SSRC synchronisation sources;
// random payloads fail that within a few packets (a quarter of them have version 2 by chance,
// and their SSRCs differ), the tool's probes start with "MCDP" (version 1).
import { StreamTracker } from '../probe/tracker.js';

const MAX_SSRC = 4;
/** A stream is called RTP only after this many packets that all looked like RTP. */
export const RTP_MIN_PACKETS = 4;

/** RTP clock rates of the static payload types (RFC 3551 tables 4 and 5). */
const STATIC_RATES: Record<number, number> = {
  0: 8000, 3: 8000, 4: 8000, 5: 8000, 6: 16000, 7: 8000, 8: 8000, 9: 8000, 10: 44100, 11: 44100,
  12: 8000, 13: 8000, 14: 90000, 15: 8000, 16: 11025, 17: 22050, 18: 8000,
  25: 90000, 26: 90000, 28: 90000, 31: 90000, 32: 90000, 33: 90000, 34: 90000,
};
/** Dynamic payload types (96-127) say nothing of their clock: video's 90 kHz is assumed, and said. */
const ASSUMED_RATE = 90000;

export interface RtpSourceStats {
  ssrc: string;
  payloadType: number;
  clockRate: number;
  clockRateAssumed: boolean;
  packets: number;
  /** Expected (extended highest - first + 1) minus distinct sequences received. */
  lost: number;
  expected: number;
  duplicates: number;
  reordered: number;
  /** RFC 3550 A.8 interarrival jitter at the end, and its largest value, in ms. */
  jitterMs: number;
  maxJitterMs: number;
}

class SourceState {
  readonly seq: StreamTracker;
  packets = 0;
  cycles = 0;
  maxSeq = -1;
  lastArrivalUs = 0;
  lastTs = 0;
  jitter = 0;
  maxJitter = 0;
  readonly clockRate: number;
  readonly assumed: boolean;

  constructor(readonly ssrc: number, readonly pt: number, nowMs: number) {
    this.seq = new StreamTracker(ssrcText(ssrc), '', '', nowMs);
    const known = STATIC_RATES[pt];
    this.clockRate = known ?? ASSUMED_RATE;
    this.assumed = known === undefined;
  }
}

export class RtpTracker {
  /** False once a packet could not be RTP; the stream is then not RTP at all. */
  plausible = true;
  private readonly sources: SourceState[] = [];
  private packets = 0;

  /**
   * One UDP payload at buf[off..off+len) arriving at tsUs. Returns the offset and length of the
   * RTP payload (for MPEG-TS inside), or -1 when this packet is not RTP.
   */
  add(buf: Uint8Array, off: number, len: number, tsUs: number): number {
    if (!this.plausible) return -1;
    const b0 = buf[off] ?? 0;
    if (len < 12 || b0 >> 6 !== 2) { this.plausible = false; return -1; }
    const pt = (buf[off + 1] ?? 0) & 0x7f;
    // 72-76 would be RTCP SR/RR/SDES/BYE/APP sharing the port (RFC 5761 section 4).
    if (pt >= 72 && pt <= 76) { this.plausible = false; return -1; }
    const seq = ((buf[off + 2] ?? 0) << 8) | (buf[off + 3] ?? 0);
    const ts = (((buf[off + 4] ?? 0) << 24) | ((buf[off + 5] ?? 0) << 16) | ((buf[off + 6] ?? 0) << 8) | (buf[off + 7] ?? 0)) >>> 0;
    const ssrc = (((buf[off + 8] ?? 0) << 24) | ((buf[off + 9] ?? 0) << 16) | ((buf[off + 10] ?? 0) << 8) | (buf[off + 11] ?? 0)) >>> 0;
    let s: SourceState | undefined;
    for (const x of this.sources) if (x.ssrc === ssrc) { s = x; break; }
    if (!s) {
      if (this.sources.length >= MAX_SSRC) { this.plausible = false; return -1; }
      s = new SourceState(ssrc, pt, tsUs / 1000);
      this.sources.push(s);
    }
    this.packets++;
    this.track(s, seq, ts, tsUs);
    // The payload: after the CSRC list and the header extension (RFC 3550 5.1, 5.3.1).
    let p = 12 + 4 * (b0 & 0x0f);
    if ((b0 & 0x10) !== 0) {
      if (p + 4 > len) return -1;
      p += 4 + 4 * (((buf[off + p + 2] ?? 0) << 8) | (buf[off + p + 3] ?? 0));
    }
    let end = len;
    if ((b0 & 0x20) !== 0) end -= buf[off + len - 1] ?? 0; // padding, its count in the last byte
    return p <= end ? p : -1;
  }

  private track(s: SourceState, seq: number, ts: number, tsUs: number): void {
    s.packets++;
    // Extended sequence (RFC 3550 A.1): a jump back by more than half the space is a wrap.
    if (s.maxSeq >= 0 && seq < s.maxSeq && s.maxSeq - seq > 0x8000) s.cycles += 0x10000;
    else if (s.maxSeq >= 0 && seq > s.maxSeq && seq - s.maxSeq > 0x8000) {
      // A late packet from before the last wrap: one cycle back.
      if (s.cycles > 0) s.seq.add(s.cycles - 0x10000 + seq, NaN, tsUs / 1000);
      return;
    }
    if (s.maxSeq < 0 || seq >= s.maxSeq || s.maxSeq - seq > 0x8000) s.maxSeq = seq;
    s.seq.add(s.cycles + seq, NaN, tsUs / 1000);
    // A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si) in timestamp units; J += (|D| - J) / 16.
    if (s.packets > 1) {
      const arrival = ((tsUs - s.lastArrivalUs) / 1e6) * s.clockRate;
      const d = arrival - ((ts - s.lastTs) | 0);
      s.jitter += (Math.abs(d) - s.jitter) / 16;
      if (s.jitter > s.maxJitter) s.maxJitter = s.jitter;
    }
    s.lastArrivalUs = tsUs;
    s.lastTs = ts;
  }

  /** The stream's RTP view, or undefined when it is not RTP. */
  result(): RtpSourceStats[] | undefined {
    if (!this.plausible || this.packets < RTP_MIN_PACKETS) return undefined;
    return this.sources.map((s) => {
      const st = s.seq.stats;
      const expected = st.highestSeq - st.firstSeq + 1;
      return {
        ssrc: ssrcText(s.ssrc), payloadType: s.pt, clockRate: s.clockRate, clockRateAssumed: s.assumed,
        packets: s.packets, lost: st.lost, expected, duplicates: st.duplicates, reordered: st.reordered,
        jitterMs: round3((s.jitter / s.clockRate) * 1000), maxJitterMs: round3((s.maxJitter / s.clockRate) * 1000),
      };
    });
  }
}

function ssrcText(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
