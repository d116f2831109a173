// One-line texts for sniff's events (human output): IGMP/MLD messages, packets, malformed frames.
import type { ControlEvent, MalformedEvent, PacketEvent } from '../core/sniff/session.js';
import type { IgmpMessage, MldMessage } from '../core/wire/index.js';
import { termSafe as t$ } from './sanitize.js';

export function clock(tsUs: number): string {
  return new Date(tsUs / 1000).toISOString().slice(11, 23);
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function describeControl(m: IgmpMessage | MldMessage): string {
  const name = m.proto === 'igmp' ? `IGMPv${m.version}` : `MLDv${m.version}`;
  const bad = m.checksumOk ? '' : ' (bad checksum)';
  if (m.kind === 'query') {
    const what = m.general ? 'general query' : `query for ${m.group}`;
    const v3 = m.qrv !== undefined ? `, QRV ${m.qrv}, QQI ${m.qqiSec}s${m.suppress ? ', S' : ''}` : '';
    const src = m.sources.length ? `, sources ${m.sources.join(' ')}` : '';
    return `${name} ${what}, max resp ${secs(m.maxRespMs)}${v3}${src}${bad}`;
  }
  if ('records' in m) {
    const recs = m.records.map((r) => `${r.recordName} ${r.group}${r.sources.length ? ` [${r.sources.join(' ')}]` : ''}`);
    return `${name} report: ${recs.join(', ') || 'no records'}${bad}`;
  }
  return `${name} ${m.kind} ${m.group}${bad}`;
}

export function controlLine(e: ControlEvent): string {
  const ra = e.routerAlert ? '' : ' (no Router Alert)';
  return `${clock(e.tsUs)} ${t$(e.iface)} ${e.src} > ${e.dst} ttl ${e.ttl}${ra}: ${describeControl(e.message)}`;
}

export function packetLine(e: PacketEvent): string {
  // The sender id and interface are the probe's payload: whatever the sender wrote.
  const pr =
    e.probe ? ` probe seq ${e.probe.seq} from ${t$(e.probe.sender)}/${t$(e.probe.senderIface)} delay ${e.probe.delayMs.toFixed(2)}ms` : '';
  return `${clock(e.tsUs)} ${t$(e.iface)} ${e.src}:${e.sport} > ${e.dst}:${e.dport} ttl ${e.ttl} dscp ${e.dscp} len ${e.len}${pr}`;
}

export function malformedLine(e: MalformedEvent): string {
  return `${clock(e.tsUs)} ${t$(e.iface)} MALFORMED len ${e.len}: ${t$(e.reason)}`;
}
