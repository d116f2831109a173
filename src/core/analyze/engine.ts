// analyze's engine: packets from the file readers (one or several files), scanned at fixed
// offsets like sniff's, counted per interface x group x source, IGMP/MLD decoded into the
// per-interface control log. Pure and bounded: streams, events and reasons are capped, and what
// is over the cap is counted, never kept.
import type { FileInterface } from '../capture-file/parser.js';
import type { Family } from '../kernel/ip.js';
import { FrameScanner } from '../wire/frame.js';
import { isMalformed } from '../wire/igmp.js';
import { ControlLog, type ControlEvent, type ControlResult } from './control.js';
import { AnalyzedStream, type StreamResult } from './stream.js';
import { LastFlow } from '../sniff/last-flow.js';
import { zeroCounts, type PacketCounts } from '../sniff/events.js';

export const MAX_STREAMS = 4096;
export const MAX_EVENTS = 5000;
const MAX_REASONS = 64;

export interface IfaceSummary extends PacketCounts {
  /** The file it came from, and its name there. */
  file: string;
  nameInFile: string;
  firstUs: number | null;
  lastUs: number | null;
  /** What the capturing side counted, from pcapng interface-statistics blocks. */
  captureStats?: FileInterface['stats'];
}

export interface AnalysisResult {
  interfaces: IfaceSummary[];
  streams: StreamResult[];
  /** Streams past MAX_STREAMS: how many packets they carried (not counted anywhere else). */
  streamsNotTracked: { packets: number };
  control: ControlResult[];
  events: ControlEvent[];
  eventsNotKept: number;
  malformed: { reason: string; count: number }[];
  firstUs: number | null;
  lastUs: number | null;
}

interface IfaceState {
  summary: IfaceSummary;
  fileIface: FileInterface;
  flows: Map<string, AnalyzedStream>;
  last: LastFlow<AnalyzedStream>;
  control: ControlLog;
}

export class Analyzer {
  private readonly ifaces: IfaceState[] = [];
  private readonly scanner = new FrameScanner();
  private streams = 0;
  private untrackedPackets = 0;
  private readonly events: ControlEvent[] = [];
  private eventsDropped = 0;
  private readonly reasons = new Map<string, number>();
  private startUs: number | null = null;
  private endUs: number | null = null;

  /**
   * Starts a file. `label` prefixes its interface names when several files are analysed
   * together ("a.pcap:eth0"); empty for one file. Returns the parser's two callbacks.
   */
  file(path: string, label: string): {
    onInterface: (i: number, fi: FileInterface) => void;
    onPacket: (i: number, tsUs: number, data: Buffer, caplen: number, wireLen: number) => void;
  } {
    const local: IfaceState[] = [];
    const onEvent = (e: ControlEvent): void => {
      if (this.events.length < MAX_EVENTS) this.events.push(e);
      else this.eventsDropped++;
    };
    return {
      onInterface: (i, fi) => {
        // Classic pcap's one interface is named after its file already (the label).
        let name = label && fi.name !== label ? `${label}:${fi.name}` : label || fi.name;
        // Two blocks of one name (a new section, another link type): one interface if alike.
        const same = this.ifaces.find((s) => s.summary.iface === name);
        if (same && same.summary.linkType === fi.linkType && same.summary.file === path) { local[i] = same; return; }
        if (same) name = `${name}#${i}`;
        const st: IfaceState = {
          summary: {
            ...zeroCounts(name, fi.linkType),
            file: path,
            nameInFile: fi.name,
            firstUs: null,
            lastUs: null,
          },
          fileIface: fi, flows: new Map(), last: new LastFlow(),
          control: new ControlLog(name, onEvent),
        };
        this.ifaces.push(st);
        local[i] = st;
      },
      onPacket: (i, tsUs, data, caplen, wireLen) => {
        const st = local[i];
        if (st) this.packet(st, tsUs, data, caplen, wireLen);
      },
    };
  }

  private packet(st: IfaceState, tsUs: number, data: Buffer, caplen: number, wireLen: number): void {
    const c = st.summary;
    c.packets++;
    c.bytes += wireLen;
    if (c.firstUs === null) c.firstUs = tsUs;
    c.lastUs = tsUs;
    if (this.startUs === null || tsUs < this.startUs) this.startUs = tsUs;
    if (this.endUs === null || tsUs > this.endUs) this.endUs = tsUs;
    const s = this.scanner;
    if (!s.scan(data, caplen, c.linkType, wireLen)) {
      if (s.malformed !== undefined) this.malformed(st, s.malformed);
      else c.other++;
      return;
    }
    const ip = s.ip;
    const multicast = ip.family === 4 ? ((data[ip.dstOff] ?? 0) & 0xf0) === 0xe0 : data[ip.dstOff] === 0xff;
    if (s.udpOff >= 0) {
      if (multicast) this.data(st, wireLen, tsUs);
      else c.other++;
      return;
    }
    const m = s.control();
    if (m === undefined) { c.other++; return; }
    if (isMalformed(m)) { this.malformed(st, m.malformed); return; }
    // The kernel drops IGMP/MLD with a bad checksum (igmp_rcv, icmpv6_rcv): no query, no report.
    if (!m.checksumOk) { this.malformed(st, `${m.proto === 'igmp' ? 'IGMP' : 'MLD'}: bad checksum`); return; }
    if (m.proto === 'igmp') c.igmp++; else c.mld++;
    st.control.add(m, ip.family as Family, s.srcText(), ip.ttl, ip.routerAlert, tsUs);
  }

  private data(st: IfaceState, wireLen: number, tsUs: number): void {
    const s = this.scanner;
    const ip = s.ip;
    st.summary.data++;
    // The same run cache as sniff's session (last-flow.ts).
    const n = ip.family === 4 ? 8 : 32;
    const buf = s.buf;
    const at = ip.srcOff;
    let flow = st.last.hit(buf, at, n);
    if (flow === undefined) {
      const key = Buffer.prototype.latin1Slice.call(buf, at, at + n) as string;
      flow = st.flows.get(key);
      if (!flow) {
        if (this.streams >= MAX_STREAMS) { this.untrackedPackets++; return; }
        this.streams++;
        flow = new AnalyzedStream(st.summary.iface, s.dstText(), s.srcText(), ip.family as 4 | 6, s.srcMac() ?? null, this.startUs ?? tsUs);
        st.flows.set(key, flow);
      }
      st.last.remember(flow, buf, at, n);
    }
    flow.add(s, wireLen, tsUs);
  }

  private malformed(st: IfaceState, reason: string): void {
    st.summary.malformed++;
    const key = reason.replace(/\d+/g, 'N');
    if (this.reasons.has(key) || this.reasons.size < MAX_REASONS) this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  /** Control log of an interface (for the findings). */
  controlOf(iface: string): ControlLog | undefined {
    return this.ifaces.find((s) => s.summary.iface === iface)?.control;
  }

  result(): AnalysisResult {
    const end = this.endUs ?? 0;
    return {
      interfaces: this.ifaces.map((s) => ({ ...s.summary, ...(s.fileIface.stats ? { captureStats: { ...s.fileIface.stats } } : {}) })),
      streams: this.ifaces.flatMap((s) => [...s.flows.values()].map((f) => f.result())),
      streamsNotTracked: { packets: this.untrackedPackets },
      control: this.ifaces.filter((s) => s.summary.igmp + s.summary.mld > 0).map((s) => s.control.result(end)),
      events: [...this.events],
      eventsNotKept: this.eventsDropped,
      malformed: [...this.reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, 10),
      firstUs: this.startUs,
      lastUs: this.endUs,
    };
  }
}
