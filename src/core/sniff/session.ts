// sniff's engine: one capture per interface (the one CaptureSet, observation/capture-set.ts, with
// libpcap's callback as is: this is the hot path), every packet scanned at fixed offsets, counted
// per interface x group x source, written to the capture file, and IGMP/MLD decoded as their own
// events. The core never prints: it hands events to a callback.
import type { CaptureFactory, PacketHandler } from '../../platform/capture/types.js';
import { CaptureSet } from '../observation/capture-set.js';
import { FrameScanner } from '../wire/frame.js';
import { isMalformed } from '../wire/igmp.js';
import type { CaptureFileWriter } from './file-format.js';
import { Flow, type FlowStats } from './flows.js';
import { DistinctCounter, hashBytes } from '../join-all/distinct.js';
import { LastFlow } from './last-flow.js';

/**
 * Flows tracked per interface: a flood of spoofed sources (issue 17: 20 k flows took sniff to
 * 2.7 GB and a 21 s render) goes past it into counters of fixed size.
 */
export const MAX_FLOWS_PER_IFACE = 1024;
/** Flows in a snapshot (stats events, the summary): the busiest; the rest are counted. */
export const FLOWS_SHOWN = 256;
import { zeroCounts, type IfaceCounts, type PacketEvent, type SniffEvent, type SniffOptions, type SniffSummary,
  type StopReason } from './events.js';
import { systemClock } from '../clock.js';

export type { ControlEvent, IfaceCounts, MalformedEvent, PacketEvent, SniffEvent, SniffOptions, SniffSummary, SniffTarget,
  StopReason } from './events.js';

interface IfaceState {
  /** The interface's block in a pcapng file (a new one if it returns with another link type). */
  id: number;
  counts: IfaceCounts;
  flows: Map<string, Flow>;
  /** Every distinct flow key seen (tracked ones too): the storm's measure. */
  distinct: DistinctCounter;
  omitted: DistinctCounter;
  senders: DistinctCounter;
  /** The flow of the previous data packet and its address bytes (src then dst). */
  last: LastFlow<Flow>;
}

export class SniffSession {
  private readonly states: IfaceState[];
  private readonly captures: CaptureSet;
  private readonly scanner = new FrameScanner();
  private total = 0;
  private stopping = false;
  private stopReason: StopReason = 'signal';
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writer: CaptureFileWriter | undefined;
  private writeFailure: unknown = undefined;
  private resolveStop: ((r: StopReason) => void) | undefined;
  /** Resolves with the reason once a stop is asked for (count, duration, signal). */
  readonly stopped: Promise<StopReason>;

  constructor(
    private readonly factory: CaptureFactory,
    private readonly opts: SniffOptions,
    private readonly onEvent: (e: SniffEvent) => void,
  ) {
    this.states = opts.targets.map((t, id) => ({
      id, flows: new Map(), distinct: new DistinctCounter(), omitted: new DistinctCounter(), senders: new DistinctCounter(),
      last: new LastFlow(),
      counts: {
        ...zeroCounts(t.iface, -1),
        kernel: { received: 0, dropped: 0, ifDropped: 0 },
        flowsOmitted: { flows: 0, packets: 0, bytes: 0 },
        distinctFlows: 0,
        distinctSenders: 0,
      },
    }));
    this.stopped = new Promise((resolve) => { this.resolveStop = resolve; });
    const byName = new Map(this.states.map((st) => [st.counts.iface, st]));
    this.captures = new CaptureSet(factory, {
      filter: opts.filter,
      ...(opts.snaplen ? { snaplen: opts.snaplen } : {}),
      ...(opts.bufferBytes ? { bufferBytes: opts.bufferBytes } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    }, {
      raw: (iface): PacketHandler => {
        const st = byName.get(iface);
        if (!st) throw new Error(`sniff: no state for ${iface}`);
        return (buf, caplen, wireLen, sec, usec) => this.onPacket(st, buf, caplen, wireLen, sec, usec);
      },
    });
  }

  private stateOf(iface: string): IfaceState | undefined {
    return this.states.find((s) => s.counts.iface === iface);
  }

  /** Opens every capture; on a failure closes those already open and rethrows. */
  start(): { iface: string; linkType: number; snaplen: number }[] {
    this.captures.openAll(this.states.map((st) => st.counts.iface));
    for (const st of this.states) st.counts.linkType = this.captures.opened(st.counts.iface)?.linkType ?? -1;
    this.startedAt = (this.opts.clock ?? systemClock).now();
    if (this.opts.durationMs !== undefined) this.timer = setTimeout(() => this.requestStop('duration'), this.opts.durationMs);
    return this.states.map((s) => ({
      iface: s.counts.iface, linkType: s.counts.linkType, snaplen: this.captures.opened(s.counts.iface)?.snaplen ?? 0,
    }));
  }

  /**
   * The interface went down or away (interface churn): what the kernel already holds is read,
   * then the capture is closed (its counters carried on). libpcap's watcher does not survive a
   * down (./churn.ts).
   */
  suspend(iface: string): void {
    const st = this.stateOf(iface);
    if (!st || !this.captures.has(iface)) return;
    this.captures.close(iface);
    st.last.forget();
  }

  /**
   * It returned: a new capture on it (by name; a re-created interface has a new ifindex).
   * Same link type: the packets go on under its interface block; another one: a new block in
   * pcapng, and in classic pcap (one link type per file) the capture stays closed (false).
   * Throws what the factory throws (the caller reports it for this interface).
   */
  resume(iface: string): boolean {
    const st = this.stateOf(iface);
    if (!st || this.captures.has(iface) || this.stopping) return this.captures.has(iface);
    if (!this.captures.open(iface)) throw this.captures.errors.get(iface);
    const linkType = this.captures.opened(iface)?.linkType ?? -1;
    if (linkType !== st.counts.linkType) {
      if (this.writer && this.writer.format !== 'pcapng') { this.captures.discard(iface); return false; }
      st.counts.linkType = linkType;
      if (this.writer) st.id = this.writer.addInterface({ name: iface, linkType, snaplen: this.captures.opened(iface)?.snaplen ?? 0 });
    }
    return true;
  }

  /**
   * The file writer, attached after start() because its interface blocks need the link types
   * the captures report. No packet is delivered in between: delivery runs from the event loop.
   */
  attachWriter(w: CaptureFileWriter | undefined): void {
    this.writer = w;
  }

  /** Closes every capture without a summary (after an error elsewhere). */
  abort(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.captures.closeNow();
  }

  /** Asks for a stop; the caller then awaits finish(). */
  requestStop(reason: StopReason): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopReason = reason;
    this.resolveStop?.(reason);
  }

  /**
   * Current counters and the busiest FLOWS_SHOWN flows (for live output, stats events and the
   * summary); the others are in each interface's counts.
   */
  snapshot(): { interfaces: IfaceCounts[]; flows: FlowStats[] } {
    for (const st of this.states) {
      st.counts.kernel = this.captures.stats(st.counts.iface);
      st.counts.flowsOmitted.flows = st.omitted.count();
      st.counts.distinctFlows = st.distinct.count();
      st.counts.distinctSenders = st.senders.count();
    }
    const all = this.states.flatMap((s) => [...s.flows.values()]);
    // Top N by packets without sorting every flow when there are few.
    const shown = all.length <= FLOWS_SHOWN ? all : all.sort((a, b) => b.packets - a.packets).slice(0, FLOWS_SHOWN);
    return {
      interfaces: this.states.map((s) => ({ ...s.counts, kernel: { ...s.counts.kernel }, flowsOmitted: { ...s.counts.flowsOmitted } })),
      flows: shown.map((f) => f.snapshot()),
    };
  }

  /** Flows tracked in all (the snapshot shows FLOWS_SHOWN of them). */
  trackedFlows(): number {
    return this.states.reduce((a, s) => a + s.flows.size, 0);
  }

  /**
   * Waits until every packet the kernel already holds has reached us, reads them, closes the
   * captures and returns the summary. Packets past --count are not counted nor written.
   */
  async finish(): Promise<SniffSummary> {
    this.requestStop(this.stopReason);
    if (this.timer) clearTimeout(this.timer);
    // Waited even at 0 ms (fakes): a turn of the event loop lets pending deliveries land first.
    await new Promise((r) => setTimeout(r, this.captures.settleMs));
    this.stopping = false; // let the drain deliver what arrived before the stop
    const limitReached = this.opts.count !== undefined && this.total >= this.opts.count;
    if (!limitReached) this.captures.drain();
    this.stopping = true;
    // Closed before the snapshot: the kernel's counters are kept by the set.
    this.captures.closeNow();
    const snap = this.snapshot();
    const failure = this.writeFailure ?? this.captures.failure;
    if (failure !== undefined) throw failure;
    const durationMs = (this.opts.clock ?? systemClock).now() - this.startedAt;
    const summary: SniffSummary = { stoppedBy: this.stopReason, durationMs, ...snap };
    if (this.writer) {
      this.writer.flush();
      summary.written = { format: this.writer.format, packets: this.writer.packets };
    }
    return summary;
  }

  private onPacket(st: IfaceState, buf: Buffer, caplen: number, wireLen: number, sec: number, usec: number): void {
    if (this.stopping) return;
    const c = st.counts;
    c.packets++;
    c.bytes += wireLen;
    if (this.writer) {
      // A full disk stops the capture at once (finish() rethrows): counting on while nothing is
      // saved would present a short file as the whole capture.
      try { this.writer.write(st.id, sec, usec, buf, caplen, wireLen); } catch (e) {
        this.writeFailure ??= e;
        this.writer = undefined;
        this.requestStop('error');
        return;
      }
    }
    const tsUs = sec * 1e6 + usec;
    const s = this.scanner;
    if (!s.scan(buf, caplen, c.linkType, wireLen)) {
      if (s.malformed !== undefined) this.malformed(st, s.malformed, tsUs, wireLen);
      else c.other++;
    } else if (s.udpOff >= 0) {
      this.data(st, wireLen, tsUs);
    } else {
      const m = s.control();
      if (m === undefined) c.other++;
      else if (isMalformed(m)) this.malformed(st, m.malformed, tsUs, wireLen);
      // The kernel drops an IGMP/MLD message whose checksum fails (igmp_rcv, icmpv6_rcv): for
      // this host it is no query or report, so it is counted as malformed, not decoded.
      else if (!m.checksumOk) this.malformed(st, `${m.proto === 'igmp' ? 'IGMP' : 'MLD'}: bad checksum (${m.kind} from ${s.srcText()})`,
        tsUs, wireLen);
      else {
        if (m.proto === 'igmp') c.igmp++;
        else c.mld++;
        this.onEvent({
          type: m.proto, iface: c.iface, tsUs, src: s.srcText(), dst: s.dstText(), ttl: s.ip.ttl,
          routerAlert: s.ip.routerAlert, srcMac: s.srcMac() ?? null, message: m,
        });
      }
    }
    this.total++;
    if (this.opts.count !== undefined && this.total >= this.opts.count) this.requestStop('count');
  }

  private data(st: IfaceState, wireLen: number, tsUs: number): void {
    const s = this.scanner;
    const ip = s.ip;
    st.counts.data++;
    // src and dst sit next to each other in both headers (8 or 32 bytes): last-flow.ts.
    const n = ip.family === 4 ? 8 : 32;
    const buf = s.buf;
    const at = ip.srcOff;
    let flow = st.last.hit(buf, at, n);
    if (flow === undefined) {
      const key = Buffer.prototype.latin1Slice.call(buf, at, at + n) as string;
      flow = st.flows.get(key);
      if (!flow) {
        const h = hashBytes(buf, at, at + n);
        st.distinct.add(h);
        if (st.flows.size >= MAX_FLOWS_PER_IFACE) {
          st.omitted.add(h);
          const o = st.counts.flowsOmitted;
          o.packets++;
          o.bytes += wireLen;
          return;
        }
        flow = new Flow(st.counts.iface, s.dstText(), s.srcText(), ip.family as 4 | 6, s.srcMac() ?? null, st.senders);
        st.flows.set(key, flow);
      }
      st.last.remember(flow, buf, at, n);
    }
    const probe = flow.add(s, wireLen, tsUs);
    if (this.opts.packetEvents) {
      const e: PacketEvent = {
        type: 'packet', iface: st.counts.iface, tsUs, src: flow.source, dst: flow.group,
        sport: s.sport, dport: s.dport, ttl: ip.ttl, dscp: ip.dscp, len: wireLen,
      };
      if (probe) e.probe = probe;
      this.onEvent(e);
    }
  }

  private malformed(st: IfaceState, reason: string, tsUs: number, len: number): void {
    st.counts.malformed++;
    if (this.opts.malformedEvents) this.onEvent({ type: 'malformed', iface: st.counts.iface, tsUs, reason, len });
  }
}
