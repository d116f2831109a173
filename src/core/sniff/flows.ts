// Per interface x group x source counters, updated from the scanner's numbers (no allocation
// once the flow exists), and the probe trackers of the streams that flow carries.
import { decodeProbe, isProbe } from '../probe/format.js';
import { StreamTracker, type StreamStats } from '../probe/tracker.js';
import type { FrameScanner } from '../wire/frame.js';
import { hashString, type DistinctCounter } from '../join-all/distinct.js';

/** Probe streams tracked per flow; a flood of sender ids past it is counted, not tracked. */
export const MAX_PROBE_STREAMS_PER_FLOW = 64;

export interface ProbeSeen {
  seq: number;
  sender: string;
  senderIface: string;
  /** Capture time minus send time, ms (clocks of two hosts: meaningful only when synchronised). */
  delayMs: number;
}

export interface FlowStats {
  iface: string;
  group: string;
  source: string;
  family: 4 | 6;
  packets: number;
  bytes: number;
  /** Per second over first..last packet (0 with one packet). */
  packetsPerSec: number;
  bitsPerSec: number;
  ttlMin: number;
  ttlMax: number;
  /** DSCP values seen. */
  dscp: number[];
  srcMac: string | null;
  ports: { sport: number; dport: number };
  firstUs: number;
  lastUs: number;
  probes: StreamStats[];
  /** Probes of senders past MAX_PROBE_STREAMS_PER_FLOW. */
  probesOmitted: number;
  /**
   * Sent by this host out of the interface (its own stream, or one it forwards), not arriving:
   * libpcap sees both directions. Known for live captures (sniff); absent in analyze.
   */
  outgoing?: boolean;
}

export class Flow {
  packets = 0;
  bytes = 0;
  ttlMin = 255;
  ttlMax = 0;
  /** DSCP values seen, as two 32-bit masks (no BigInt on the hot path). */
  dscpLo = 0;
  dscpHi = 0;
  firstUs = 0;
  lastUs = 0;
  sport = 0;
  dport = 0;
  probesOmitted = 0;
  private readonly trackers = new Map<string, StreamTracker>();

  /** `senders`: the interface's count of distinct probe sender ids (shared by its flows). */
  constructor(
    readonly iface: string, readonly group: string, readonly source: string, readonly family: 4 | 6, readonly srcMac: string | null,
    private readonly senders?: DistinctCounter,
  ) {}

  /** Counts the packet the scanner holds; returns the probe fields when it carries a probe. */
  add(s: FrameScanner, wireLen: number, tsUs: number): ProbeSeen | undefined {
    this.packets++;
    this.bytes += wireLen;
    const ttl = s.ip.ttl;
    if (ttl < this.ttlMin) this.ttlMin = ttl;
    if (ttl > this.ttlMax) this.ttlMax = ttl;
    const d = s.ip.dscp;
    if (d < 32) this.dscpLo |= 1 << d;
    else this.dscpHi |= 1 << (d - 32);
    if (this.firstUs === 0) this.firstUs = tsUs;
    this.lastUs = tsUs;
    this.sport = s.sport;
    this.dport = s.dport;
    if (s.payloadOff < 0 || !isProbe(s.buf, s.payloadOff, s.payloadLen)) return undefined;
    const p = decodeProbe(s.buf, s.payloadOff, s.payloadLen);
    if (!p) return undefined;
    const key = `${p.senderId}\0${p.ifname}`;
    let t = this.trackers.get(key);
    const delayMs = (tsUs - p.sentUs) / 1000;
    if (!t) {
      this.senders?.add(hashString(key));
      if (this.trackers.size >= MAX_PROBE_STREAMS_PER_FLOW) {
        this.probesOmitted++;
        return { seq: p.seq, sender: p.senderId, senderIface: p.ifname, delayMs };
      }
      t = new StreamTracker(p.senderId, p.ifname, p.group, tsUs / 1000);
      this.trackers.set(key, t);
    }
    t.add(p.seq, delayMs, tsUs / 1000, ttl);
    return { seq: p.seq, sender: p.senderId, senderIface: p.ifname, delayMs };
  }

  snapshot(): FlowStats {
    const spanS = (this.lastUs - this.firstUs) / 1e6;
    const dscp: number[] = [];
    for (let i = 0; i < 64; i++) if (((i < 32 ? this.dscpLo >>> i : this.dscpHi >>> (i - 32)) & 1) === 1) dscp.push(i);
    return {
      iface: this.iface, group: this.group, source: this.source, family: this.family,
      packets: this.packets, bytes: this.bytes,
      packetsPerSec: spanS > 0 ? round((this.packets - 1) / spanS) : 0,
      bitsPerSec: spanS > 0 ? round((this.bytes * 8 * (this.packets - 1)) / this.packets / spanS) : 0,
      ttlMin: this.ttlMin, ttlMax: this.ttlMax, dscp, srcMac: this.srcMac,
      ports: { sport: this.sport, dport: this.dport },
      firstUs: this.firstUs, lastUs: this.lastUs,
      probes: [...this.trackers.values()].map((t) => ({ ...t.stats, delayMs: t.stats.delayMs ? { ...t.stats.delayMs } : null })),
      probesOmitted: this.probesOmitted,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
