// sniff's output: NDJSON events (--json), one line per IGMP/MLD message (and per packet with
// --verbose), a live flow table redrawn on a TTY, and the summary with the findings.
import type { Finding } from '../core/findings/model.js';
import type { FlowStats } from '../core/sniff/flows.js';
import type { IfaceCounts, SniffEvent, SniffSummary } from '../core/sniff/session.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';
import type { ChurnEvent } from '../core/membership/churn.js';
import { churnLine } from './churn.js';
import { controlLine, malformedLine, packetLine } from './sniff-text.js';
import { termSafe as t$ } from './sanitize.js';

export interface StartInfo {
  interfaces: { iface: string; linkType: number; snaplen: number }[];
  filter: string;
  libpcap: string;
  joined: { iface: string; group: string; source?: string; status: string; message?: string }[];
  file?: { path: string; format: string };
}

export interface FileInfo { path: string; format: string; packets: number; bytes: number }

function flowJson(f: FlowStats): Record<string, unknown> {
  return { ...f };
}

export class SniffRenderer {
  private liveLines = 0;
  constructor(private readonly out: Output) {}

  /** Whether the engine should build per-packet events (JSON unless --quiet, or --verbose). */
  get wantsPackets(): boolean {
    return this.out.json ? !this.out.quiet : this.out.verbose;
  }

  get wantsMalformed(): boolean {
    return this.out.json || this.out.verbose;
  }

  get live(): boolean {
    return !this.out.json && !this.out.verbose && !this.out.quiet && this.out.stdoutIsTTY;
  }

  started(info: StartInfo): void {
    if (this.out.json) { this.out.event('start', { ...info }); return; }
    const joined = info.joined.filter((j) => j.status === 'joined');
    this.out.line(`capturing on ${info.interfaces.map((i) => t$(i.iface)).join(', ')} (filter: ${info.filter})`);
    if (joined.length) this.out.line(`joined ${[...new Set(joined.map((j) => j.source ? `${j.source},${j.group}` : j.group))].join(' ')} ` +
      `on ${[...new Set(joined.map((j) => t$(j.iface)))].join(', ')}`);
    for (const j of info.joined) if (j.status === 'failed') this.out.line(
      `join of ${j.group} on ${t$(j.iface)} failed: ${t$(j.message ?? '')}`, true);
    if (info.file) this.out.line(`writing ${info.file.format} to ${info.file.path}`);
  }

  event(e: SniffEvent): void {
    if (this.out.json) {
      const { type, tsUs, ...rest } = e;
      this.out.event(type, { ts: new Date(tsUs / 1000).toISOString(), tsUs, ...rest });
      return;
    }
    const text = e.type === 'packet' ? packetLine(e) : e.type === 'malformed' ? malformedLine(e) : controlLine(e);
    this.out.line(this.clearLive() + text);
  }

  churn(e: ChurnEvent): void {
    const { type, ...body } = e;
    if (this.out.json) { this.out.event(type, body); return; }
    this.out.line(this.clearLive() + churnLine(e, makeStyle(this.out.opts.color)));
  }

  stats(elapsedMs: number, snap: { interfaces: IfaceCounts[]; flows: FlowStats[] }): void {
    if (this.out.json) {
      this.out.event('stats', { elapsedMs, interfaces: snap.interfaces, flows: snap.flows.map(flowJson) });
      return;
    }
    if (!this.live) {
      // stdout redirected, stderr on a terminal: counters as a progress line there.
      if (!this.out.stdoutIsTTY) this.out.progress(`${ifaceLine(snap.interfaces)} (${Math.round(elapsedMs / 1000)}s, Ctrl-C to stop)`);
      return;
    }
    const text =
      `${flowTable(snap.flows, snap.interfaces, this.out.opts.color)}\n${ifaceLine(snap.interfaces)} ` +
      `(${Math.round(elapsedMs / 1000)}s, Ctrl-C to stop)`;
    this.out.line(this.clearLive() + text);
    this.liveLines = text.split('\n').length;
  }

  summary(sum: SniffSummary, findings: Finding[], libpcap: string, file?: FileInfo): void {
    this.out.endProgress();
    if (this.out.json) {
      this.out.event('summary', {
        stoppedBy: sum.stoppedBy, durationMs: sum.durationMs, libpcap, interfaces: sum.interfaces,
        flows: sum.flows.map(flowJson), ...(file ? { file } : {}), ...(sum.churn ? { churn: sum.churn } : {}), findings,
      });
      return;
    }
    const clear = this.clearLive();
    const s = makeStyle(this.out.opts.color);
    this.out.line(clear + s.bold(`stopped by ${sum.stoppedBy} after ${(sum.durationMs / 1000).toFixed(1)}s`));
    const t = makeTable(['interface', 'packets', 'data', 'igmp', 'mld', 'malformed', 'other', 'kernel drops'], this.out.opts.color);
    for (const i of sum.interfaces) {
      t.push([i.iface, String(i.packets), String(i.data), String(i.igmp), String(i.mld),
        i.malformed ? s.warn(String(i.malformed)) : '0', String(i.other), i.kernel.dropped ? s.bad(String(i.kernel.dropped)) : '0']);
    }
    this.out.line(t.toString());
    if (sum.flows.length) this.out.line(flowTable(sum.flows, sum.interfaces, this.out.opts.color));
    if (file) this.out.line(`wrote ${file.packets} packets (${file.bytes} bytes, ${file.format}) to ${file.path}`);
    this.out.line();
    renderFindings(findings, this.out);
  }

  /** The escape that moves up over the live table and clears it (to prefix the next write). */
  private clearLive(): string {
    if (this.liveLines === 0) return '';
    const esc = `\x1b[${this.liveLines}A\x1b[J`;
    this.liveLines = 0;
    return esc;
  }
}

function ifaceLine(ifs: IfaceCounts[]): string {
  return ifs.map((i) => `${t$(i.iface)}: ${i.packets} pkts${i.malformed ? `, ${i.malformed} malformed` : ''}` +
    `${i.kernel.dropped ? `, ${i.kernel.dropped} dropped` : ''}`).join('  ');
}

/** Flows in the human table: the busiest, then one line for the rest (a flood must not bury the screen). */
const TABLE_FLOWS = 20;
/** Probe streams shown per flow row. */
const ROW_PROBES = 4;

function flowTable(flows: FlowStats[], ifs: IfaceCounts[], color: boolean): string {
  const t =
    makeTable(['interface', 'group', 'source', 'packets', 'pkt/s', 'ttl', 'dscp', 'source MAC', 'probe loss/dup/reord', 'delay ms'], color);
  const top = flows.length <= TABLE_FLOWS ? flows : [...flows].sort((a, b) => b.packets - a.packets).slice(0, TABLE_FLOWS);
  for (const f of top) {
    const p = f.probes.slice(0, ROW_PROBES);
    const more = f.probes.length - p.length + f.probesOmitted;
    const lossy = p.length ? p.map((x) => `${x.lost}/${x.duplicates}/${x.reordered}`).join(' ') + (more ? ` +${more}` : '') : '-';
    const delay = p.length ? p.map((x) => (x.delayMs ? x.delayMs.avg.toFixed(2) : '-')).join(' ') : '-';
    // The host's own outgoing stream is marked: it is not something arriving there.
    t.push([f.outgoing ? `${f.iface} (out)` : f.iface, f.group, f.source, String(f.packets), String(f.packetsPerSec),
      f.ttlMin === f.ttlMax ? String(f.ttlMin) : `${f.ttlMin}-${f.ttlMax}`, f.dscp.join(','), f.srcMac ?? '-', lossy, delay]);
  }
  // Flows not in the table: those of the snapshot past the top, and those past the tracking cap.
  const shownPackets = top.reduce((a, f) => a + f.packets, 0);
  const hidden = ifs.reduce((a, i) => a + i.distinctFlows, 0) - top.length;
  const hiddenPackets = ifs.reduce((a, i) => a + i.data, 0) - shownPackets;
  return hidden > 0 ? `${t.toString()}\nand ${hidden} more flows (${hiddenPackets} packets)` : t.toString();
}
