// analyze's output: one JSON document (source "file"), or tables: the files, the interfaces,
// the streams with their probe / RTP / MPEG-TS view, the IGMP/MLD queriers, then the findings.
import type { AnalyzeReport } from '../core/analyze/run.js';
import type { StreamResult } from '../core/analyze/stream.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';
import { termSafe } from './sanitize.js';
import { defined } from '../core/defined.js';

/** Streams listed in the human table (all of them are in the JSON). */
const HUMAN_STREAMS = 50;

export function renderAnalyze(r: AnalyzeReport, out: Output, html?: string): void {
  if (out.json) {
    const a = r.analysis;
    out.document('analyze', {
      source: r.source, files: r.files, firstUs: a.firstUs, lastUs: a.lastUs, interfaces: a.interfaces, streams: a.streams,
      streamsNotTracked: a.streamsNotTracked, igmpMld: a.control, timeline: { events: a.events, notKept: a.eventsNotKept },
      malformed: a.malformed, ...defined({ html }), findings: r.findings,
    });
    return;
  }
  const s = makeStyle(out.opts.color);
  for (const f of r.files) {
    const ifaces = `${f.interfaces.length} interface${f.interfaces.length === 1 ? '' : 's'}`;
    const what = f.format ? `${f.format}${f.compressed ? ' (gzip)' : ''}, ${ifaces}, ${f.packets} packets` : 'unreadable';
    out.line(`${s.bold(termSafe(f.file))}: ${what}${f.error ? s.bad(` - stopped: ${f.error}`) : ''}`);
  }
  const a = r.analysis;
  if (a.firstUs !== null && a.lastUs !== null) out.line(`from ${iso(a.firstUs)} to ${iso(a.lastUs)} ` +
    `(${((a.lastUs - a.firstUs) / 1e6).toFixed(1)} s)`);
  const ti = makeTable(['interface', 'link', 'packets', 'data', 'igmp', 'mld', 'malformed', 'other', 'capture drops'], out.opts.color);
  for (const i of a.interfaces) {
    const st = i.captureStats;
    const drops = st ? (st.ifDropped ?? 0) + (st.osDropped ?? 0) : undefined;
    ti.push([i.iface, String(i.linkType), String(i.packets), String(i.data), String(i.igmp), String(i.mld),
      i.malformed ? s.warn(String(i.malformed)) : '0', String(i.other), drops === undefined ? '-' : drops ? s.bad(String(drops)) : '0']);
  }
  out.line(ti.toString());
  if (a.streams.length) out.line(streamTable(a.streams, out.opts.color));
  if (a.streams.length > HUMAN_STREAMS) out.line(`... and ${a.streams.length - HUMAN_STREAMS} more streams (--json lists them all)`);
  if (a.streamsNotTracked.packets) out.line(s.warn(`${a.streamsNotTracked.packets} packets of further streams were not tracked (more ` +
    'than the stream table holds)'));
  for (const c of a.control) {
    const q = c.queriers.map((x) => `${x.address} v${x.versions.join('/')} (${x.generalQueries} ` +
      `general${x.intervalS !== undefined ? `, every ${x.intervalS} s` : ''}, ` +
      `${x.answered}/${x.due} answered)${x.address === c.elected[x.family] ? ' elected' : ''}`);
    out.line(`${s.bold(c.iface)} IGMP/MLD: ` +
      `${q.length ? `queriers ${q.join('; ')}` : 'no querier'}${c.queriersNotTracked ? ` and ${c.queriersNotTracked} more` : ''}; ` +
      `${c.reports} reports and ${c.leaves} leaves from ${c.reporters.length}${c.reportersNotTracked ? '+' : ''} ` +
      `hosts${c.membershipIntervalS !== undefined ? `; membership interval ${c.membershipIntervalS} s` : ''}`);
  }
  if (a.eventsNotKept) out.line(s.dim(`(${a.eventsNotKept} IGMP/MLD events beyond the first ${a.events.length} ` +
    'not kept for the timeline)'));
  if (a.malformed.length) out.line(s.warn(`malformed: ${a.malformed.map((m) => `${m.reason} x${m.count}`).join('; ')}`));
  if (html !== undefined) out.line(`wrote ${html}`);
  out.line();
  // Messages quote probe sender ids and interface names from the file: made safe for a terminal.
  renderFindings(r.findings.map((f) => ({ ...f, message: termSafe(f.message) })), out);
}

function streamTable(streams: readonly StreamResult[], color: boolean): string {
  const t = makeTable(['interface', 'group', 'source', 'packets', 'pkt/s', 'payload', 'ttl', 'gaps', 'probe lost/dup/reord',
    'rtp lost/jitter ms', 'ts cc err'], color);
  for (const f of streams.slice(0, HUMAN_STREAMS)) {
    const probe = f.probes.length ? f.probes.map((p) => `${p.lost}/${p.duplicates}/${p.reordered}`).join(' ') : '-';
    const rtp = f.rtp ? f.rtp.map((x) => `${x.lost}/${x.jitterMs}`).join(' ') : '-';
    t.push([f.iface, f.group, f.source, String(f.packets), String(f.packetsPerSec),
      f.payloadMin === f.payloadMax ? String(f.payloadMin) : `${f.payloadMin}-${f.payloadMax}`,
      f.ttlMin === f.ttlMax ? String(f.ttlMin) : `${f.ttlMin}-${f.ttlMax}`,
      f.gaps.count ? `${f.gaps.count} (max ${(f.gaps.longest[0]?.durationMs ?? 0) / 1000} s)` : '0', probe, rtp,
      f.mpegts ? String(f.mpegts.ccErrors) : '-']);
  }
  return t.toString();
}

function iso(us: number): string {
  const d = new Date(us / 1000);
  return Number.isNaN(d.getTime()) ? `${us} us` : d.toISOString();
}
