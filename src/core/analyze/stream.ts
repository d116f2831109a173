// One stream of a capture file (interface x group x source): sniff's flow counters and probe
// trackers, plus what a file can tell that a live count does not need: payload sizes, silences
// inside the stream, packets over time, and the RTP / MPEG-TS view of the payload.
import { Flow, type FlowStats } from '../sniff/flows.js';
import type { FrameScanner } from '../wire/frame.js';
import { RateBins, type RateSeries } from './bins.js';
import { TsTracker, type TsStats } from './mpegts.js';
import { RtpTracker, type RtpSourceStats } from './rtp.js';

/** A silence inside a stream counts as a gap when longer than this and 8 of its mean intervals. */
const GAP_MIN_US = 1_000_000;
const GAPS_KEPT = 8;

export interface Gap {
  /** Microseconds (capture clock) of the last packet before the silence. */
  afterUs: number;
  durationMs: number;
}

export interface StreamResult extends FlowStats {
  payloadMin: number;
  payloadMax: number;
  gaps: { count: number; longest: Gap[] };
  rtp?: RtpSourceStats[];
  mpegts?: TsStats;
  rate: RateSeries;
}

export class AnalyzedStream {
  readonly flow: Flow;
  private payloadMin = Infinity;
  private payloadMax = 0;
  private gapCount = 0;
  private readonly gaps: Gap[] = [];
  private readonly bins: RateBins;
  private rtp: RtpTracker | undefined = new RtpTracker();
  private ts: TsTracker | undefined = new TsTracker();
  private tsInRtp = false;

  constructor(iface: string, group: string, source: string, family: 4 | 6, srcMac: string | null, startUs: number) {
    this.flow = new Flow(iface, group, source, family, srcMac);
    this.bins = new RateBins(startUs);
  }

  add(s: FrameScanner, wireLen: number, tsUs: number): void {
    const f = this.flow;
    if (f.packets > 0) {
      const silence = tsUs - f.lastUs;
      const mean = f.packets > 1 ? (f.lastUs - f.firstUs) / (f.packets - 1) : 0;
      if (silence > GAP_MIN_US && silence > 8 * mean) this.gap(f.lastUs, silence);
    }
    f.add(s, wireLen, tsUs);
    this.bins.add(tsUs);
    const len = s.payloadLen;
    if (len < this.payloadMin) this.payloadMin = len;
    if (len > this.payloadMax) this.payloadMax = len;
    if (s.payloadOff < 0) return;
    this.payload(s.buf, s.payloadOff, len, tsUs);
  }

  private payload(buf: Uint8Array, off: number, len: number, tsUs: number): void {
    let tsOff = off;
    let tsLen = len;
    if (this.rtp) {
      const p = this.rtp.add(buf, off, len, tsUs);
      if (!this.rtp.plausible) this.rtp = undefined;
      else if (p >= 0) { tsOff = off + p; tsLen = len - p; this.tsInRtp = true; }
    }
    if (this.ts) {
      // TS rides either straight in UDP or inside RTP (RFC 2250, payload type 33): the view that
      // the first packet gives is kept.
      if (!this.ts.add(buf, tsOff, tsLen)) this.ts = undefined;
    }
  }

  private gap(afterUs: number, silenceUs: number): void {
    this.gapCount++;
    const g = { afterUs, durationMs: Math.round(silenceUs / 1000) };
    if (this.gaps.length < GAPS_KEPT) this.gaps.push(g);
    else {
      let min = 0;
      for (let i = 1; i < this.gaps.length; i++) if ((this.gaps[i]?.durationMs ?? 0) < (this.gaps[min]?.durationMs ?? 0)) min = i;
      if ((this.gaps[min]?.durationMs ?? 0) < g.durationMs) this.gaps[min] = g;
    }
  }

  result(): StreamResult {
    const out: StreamResult = {
      ...this.flow.snapshot(),
      payloadMin: this.payloadMin === Infinity ? 0 : this.payloadMin,
      payloadMax: this.payloadMax,
      gaps: { count: this.gapCount, longest: [...this.gaps].sort((a, b) => b.durationMs - a.durationMs) },
      rate: this.bins.series(),
    };
    const rtp = this.rtp?.result();
    if (rtp) out.rtp = rtp;
    const ts = this.ts?.result();
    if (ts && (this.tsInRtp || !rtp)) out.mpegts = ts;
    return out;
  }
}
