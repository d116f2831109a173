// analyze --html: one self-contained page (inline CSS and SVG, no script, nothing fetched). Per
// interface, each stream's packet rate over time on one time axis with the IGMP/MLD events of
// that interface (queries, reports, leaves) in a lane above, and the findings marked where they
// happened: "works for five minutes, then stops" in one picture. Everything from the file is
// escaped; elements carry data-* attributes so tests (and scripts) can read the page back.
import type { ControlEvent } from '../core/analyze/control.js';
import type { AnalyzeReport } from '../core/analyze/run.js';
import type { StreamResult } from '../core/analyze/stream.js';
import type { Finding } from '../core/findings/model.js';
import { htmlEscape } from './sanitize.js';

const esc = htmlEscape;

const ROWS_PER_IFACE = 12;
const W = 900;
const LEFT = 230;
const ROW_H = 46;
const LANE_H = 40;
const COLORS = { query: 'rgb(37, 99, 235)', report: 'rgb(22, 163, 74)', leave: 'rgb(234, 88, 12)', rate: 'rgb(71, 85, 105)',
  finding: 'rgb(220, 38, 38)' };

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #555; } svg { display: block; margin: 8px 0; } svg text { font-size: 11px; fill: #333; }
table { border-collapse: collapse; } th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
.sev-error { color: ${COLORS.finding}; font-weight: 700; } \
.sev-warning { color: rgb(170, 110, 0); font-weight: 700; } .sev-info { color: #2a6f97; }
.legend span { margin-right: 16px; }
`;

export function renderAnalyzeHtml(r: AnalyzeReport): string {
  const a = r.analysis;
  const t0 = a.firstUs ?? 0;
  const t1 = Math.max(a.lastUs ?? t0, t0 + 1);
  const x = (t: number): number => LEFT + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * W;
  const sections = a.interfaces.map((i) => ifaceSection(
    i.iface,
    a.streams.filter((s) => s.iface === i.iface),
    a.events.filter((e) => e.iface === i.iface),
    r.findings.filter((f) => f.iface === i.iface),
    x,
    t0,
    t1,
  ));
  const verdict = r.findings.some((f) => f.severity === 'error') ? 'problems found' : r.findings.length ? 'warnings' : 'no problems found';
  const files = r.files.map((f) => `${esc(f.file)}: ${esc(f.format ?? 'unreadable')}, ${f.packets} packets` +
    `${f.error ? `, stopped: ${esc(f.error)}` : ''}`);
  const span = a.firstUs !== null ? `${esc(iso(t0))} to ${esc(iso(t1))} (${((t1 - t0) / 1e6).toFixed(1)} s)` : 'no packets';
  // A backslash at the end of a line inside the template continues it: the HTML stays as it was.
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mcast-doctor analyze: ${esc(r.files.map((f) => f.file).join(', '))}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>${CSS}</style></head><body>
<h1>mcast-doctor analyze</h1>
<p class="meta">${files.join('<br>')}</p>
<p class="meta">${span}; <span data-verdict="${esc(verdict)}">${esc(verdict)}</span></p>
<p class="legend"><span style="color:${COLORS.query}">&#9650; query</span><span style="color:${COLORS.report}">&#9679; report</span>\
<span style="color:${COLORS.leave}">&#9660; leave</span><span style="color:${COLORS.finding}">| finding</span></p>
${sections.join('\n')}
<h2>Findings</h2>
${findingsTable(r.findings)}
</body></html>
`;
}

function ifaceSection(
  iface: string,
  streams: StreamResult[],
  events: ControlEvent[],
  findings: Finding[],
  x: (t: number) => number,
  t0: number,
  t1: number,
): string {
  const shown = [...streams].sort((p, q) => q.packets - p.packets).slice(0, ROWS_PER_IFACE);
  const h = LANE_H + shown.length * ROW_H + 24;
  const parts: string[] = [];
  parts.push(`<text x="4" y="${LANE_H / 2 + 4}">IGMP/MLD (${events.length})</text>`);
  for (const e of events) {
    const cx = x(e.tUs).toFixed(1);
    const title = `${e.kind} v${e.version} from ${e.src}${e.group ? ` (${e.group})` : ''} at ${iso(e.tUs)}`;
    const shape = e.kind === 'query' ? `<path d="M${cx},8 l-5,9 h10 z" fill="${COLORS.query}"/>`
      : e.kind === 'report' ? `<circle cx="${cx}" cy="24" r="4" fill="${COLORS.report}"/>`
        : `<path d="M${cx},38 l-5,-9 h10 z" fill="${COLORS.leave}"/>`;
    parts.push(`<g class="ev" data-kind="${e.kind}" data-t="${e.tUs}"><title>${esc(title)}</title>${shape}</g>`);
  }
  shown.forEach((
    s,
    row,
  ) => parts.push(streamRow(
    s,
    row,
    x,
    findings.filter((f) => f.group === s.group && f.source === s.source && findingTime(f) === undefined),
  )));
  for (const f of findings) {
    const t = findingTime(f);
    if (t === undefined) continue;
    const fx = x(t).toFixed(1);
    parts.push(`<g class="finding" data-finding="${esc(f.id)}" data-t="${t}"><title>${esc(`${f.id}: ${f.message}`)}</title>` +
      `<line x1="${fx}" x2="${fx}" y1="0" y2="${h - 20}" stroke="${COLORS.finding}" stroke-width="2" stroke-dasharray="4 3"/>` +
      `<text x="${fx}" y="${h - 6}" text-anchor="middle" style="fill:${COLORS.finding}">${esc(f.id)}</text></g>`);
  }
  parts.push(`<text x="${LEFT}" y="${h - 6}">${esc(iso(t0).slice(11, 19))}</text>` +
    `<text x="${LEFT + W}" y="${h - 6}" text-anchor="end">${esc(iso(t1).slice(11, 19))}</text>`);
  const more = streams.length > shown.length ? `<p class="meta">and ${streams.length - shown.length} more streams (in --json)</p>` : '';
  const label = esc(`packet rate and IGMP/MLD events on ${iface}`);
  return `<h2 data-iface="${esc(iface)}">${esc(iface)}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT + W + 20}" height="${h}" data-iface="${esc(iface)}" role="img" aria-label="${label}">\
${parts.join('')}</svg>${more}`;
}

function streamRow(s: StreamResult, row: number, x: (t: number) => number, marks: readonly Finding[]): string {
  const top = LANE_H + row * ROW_H;
  const base = top + ROW_H - 8;
  const widthS = s.rate.widthUs / 1e6;
  const rates = s.rate.counts.map((c) => c / widthS);
  const max = Math.max(1, ...rates);
  const pts = rates.map((v, i) => {
    const xa = x(s.rate.startUs + i * s.rate.widthUs).toFixed(1);
    const xb = x(s.rate.startUs + (i + 1) * s.rate.widthUs).toFixed(1);
    const y = (base - (v / max) * (ROW_H - 14)).toFixed(1);
    return `${xa},${y} ${xb},${y}`;
  });
  const first = x(s.rate.startUs).toFixed(1);
  const last = x(s.rate.startUs + rates.length * s.rate.widthUs).toFixed(1);
  const area = rates.length
    ? `<polygon points="${first},${base} ${pts.join(' ')} ${last},${base}" fill="rgba(71, 85, 105, 0.25)" stroke="${COLORS.rate}" ` +
      'stroke-width="1"/>'
    : '';
  const label = `${s.group} from ${s.source}`;
  return `<g class="stream" data-group="${esc(s.group)}" data-source="${esc(s.source)}" `
    + `data-packets="${s.packets}" data-last="${s.lastUs}">`
    + `<title>${esc(`${label}: ${s.packets} packets, up to ${Math.round(max)}/s`)}</title>`
    + `<line x1="${LEFT}" x2="${LEFT + 900}" y1="${base}" y2="${base}" stroke="#ccc"/>`
    + `<text x="4" y="${base - 14}">${esc(label.length > 36 ? `${label.slice(0, 35)}...` : label)}</text>`
    + `<text x="4" y="${base}">${esc(`max ${Math.round(max)}/s, ${s.packets} pkts`)}</text>${area}`
    // Findings without a moment (TTL_ONE, RTP_LOSS...) are marked at the end of their stream's row.
    + marks.map((f, i) => `<g class="finding" data-finding="${esc(f.id)}"><title>${esc(`${f.id}: ${f.message}`)}</title>`
      + `<text x="${LEFT + 900}" y="${top + 12 + i * 12}" text-anchor="end" style="fill:${COLORS.finding}">${esc(f.id)}</text></g>`)
      .join('')
    + '</g>';
}

/** When a finding happened, where its evidence says. */
function findingTime(f: Finding): number | undefined {
  const t = f.evidence.stoppedUs;
  return typeof t === 'number' ? t : undefined;
}

function findingsTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p>No problems found.</p>';
  const rows = findings.map((f) => `<tr data-finding="${esc(f.id)}"><td class="sev-${esc(f.severity)}">${esc(f.severity)}</td>`
    + `<td>${esc(f.id)}</td><td>${esc([f.iface, f.group, f.source].filter(Boolean).join(' '))}</td>`
    + `<td>${esc(f.message)}<br><small>fix: ${esc(f.fix)}</small></td></tr>`);
  return `<table><thead><tr><th>severity</th><th>id</th><th>where</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function iso(us: number): string {
  const d = new Date(us / 1000);
  return Number.isNaN(d.getTime()) ? String(us) : d.toISOString();
}
