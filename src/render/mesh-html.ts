// mesh-report --html: one self-contained page (inline CSS, no script, no external asset) with the
// matrix as a heat map people read at a glance, its legend, the pair verdicts and the findings.
// Every cell carries data-* attributes with its numbers so that tests (and scripts) can read the
// page back without parsing the text.
import { hostNames } from './mesh-report.js';
import type { MeshReport, ReportCell, Endpoint } from '../core/mesh/merge.js';
import { LEGEND_STOPS, NO_DATA_COLOR, SELF_COLOR, lossColor } from './mesh-heat.js';

import { htmlEscape as esc } from './sanitize.js';

const CSS = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #555; margin: 0 0 12px; }
.verdict { display: inline-block; padding: 6px 14px; border-radius: 4px; font-weight: 700; color: #fff; }
.verdict.pass { background: rgb(27, 188, 27); }
.verdict.fail { background: rgb(188, 27, 27); }
table { border-collapse: collapse; }
table.matrix th, table.matrix td { border: 1px solid #fff; padding: 4px 8px; text-align: center; }
table.matrix thead th { background: #f4f4f4; font-weight: 600; }
table.matrix tbody th { background: #f4f4f4; text-align: left; font-weight: 600; }
table.matrix th.host { border-top: 3px solid #888; }
td.cell { min-width: 64px; color: #fff; font-weight: 600; font-variant-numeric: tabular-nums; }
td.cell small { display: block; font-weight: 400; opacity: .9; }
td.cell.none, td.cell.self { color: #555; font-weight: 400; }
td.cell.stalled { outline: 3px solid #000; outline-offset: -3px; }
.legend { display: flex; gap: 4px; align-items: center; flex-wrap: wrap; margin: 12px 0; }
.legend span { display: inline-block; padding: 3px 8px; color: #fff; border-radius: 3px; font-size: 12px; }
.legend span.none, .legend span.self { color: #333; }
table.list th, table.list td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
.st-pass { color: rgb(20, 140, 20); font-weight: 700; }
.st-fail { color: rgb(188, 27, 27); font-weight: 700; }
.st-no-data { color: #777; }
.sev-error { color: rgb(188, 27, 27); font-weight: 700; }
.sev-warning { color: rgb(170, 110, 0); font-weight: 700; }
.sev-info { color: #2a6f97; }
`;

function cellHtml(c: ReportCell | undefined, from: Endpoint, to: Endpoint, name: (id: string) => string): string {
  const attrs = (state: string, extra = ''): string =>
    `data-from-host="${esc(from.host)}" data-from-iface="${esc(from.iface)}" data-to-host="${esc(to.host)}" ` +
      `data-to-iface="${esc(to.iface)}" data-state="${esc(state)}"${extra}`;
  if (from.host === to.host) {
    return `<td class="cell self" ${attrs('self')} style="background-color: ${SELF_COLOR}" title="same host">&middot;</td>`;
  }
  if (!c) {
    return `<td class="cell none" ${attrs('none')} style="background-color: ${NO_DATA_COLOR}" ` +
      `title="no probe from ${esc(from.iface)} arrived on ${esc(to.iface)}">&ndash;</td>`;
  }
  const extra =
    ` data-loss="${esc(c.lossPct)}" data-received="${esc(c.received)}" ` +
    `data-expected="${esc(c.expected)}"${c.stall ? ` data-stall-at="${esc(c.stall.atS)}" data-finding="${esc(c.stall.finding)}"` : ''}`;
  const delay = c.delayMs ? `, delay ${c.delayMs.avg.toFixed(2)} ms` : '';
  const title =
    `${name(from.host)} ${from.iface} -> ${name(to.host)} ${to.iface}: ${c.received}/${c.expected} received, ${c.lossPct}% lost, ` +
    `TTL ${c.ttl ?? '-'}${delay}${c.stall ? `; stopped ${c.stall.atS.toFixed(1)} s after the join: ${c.stall.finding}` : ''}`;
  const label = c.stall ? `${esc(c.lossPct)}%<small>stopped ${esc(c.stall.atS.toFixed(0))} s</small>`
    : `${esc(c.lossPct)}%<small>${esc(c.received)}/${esc(c.expected)}</small>`;
  return `<td class="cell ${esc(c.state)}" ${attrs(c.state, extra)} style="background-color: ${lossColor(c.lossPct)}" ` +
    `title="${esc(title)}">${label}</td>`;
}

function group<T>(items: readonly T[], by: (t: T) => string): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = by(i);
    const list = m.get(k) ?? [];
    list.push(i);
    m.set(k, list);
  }
  return [...m.entries()];
}

/** Cells a page draws (128 x 128 endpoints, about 7 MB of HTML); a larger matrix is left to --json. */
export const HTML_MAX_CELLS = 16_384;
/** Pair rows a page lists (failing ones first); the rest are counted. */
export const HTML_MAX_PAIRS = 5_000;

export function meshHtml(rep: MeshReport, generatedAt: Date): string {
  const name = hostNames(rep);
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    `<title>Multicast mesh ${esc(rep.group ?? '')}</title>`, `<style>${CSS}</style></head><body>`);
  out.push(`<h1>Multicast mesh${rep.group ? ` ${esc(rep.group)}` : ''}</h1>`);
  out.push(`<p class="meta">${rep.hosts.filter((h) => h.file !== null).length} hosts reporting, ${esc(rep.verdict.pairs)} ordered pairs, ` +
    `loss tolerated ${esc(rep.maxLossPct)}%, generated ${esc(generatedAt.toISOString())}</p>`);
  out.push(`<p id="verdict" class="verdict ${rep.verdict.pass ? 'pass' : 'fail'}" data-pass="${rep.verdict.pass}">` +
    `${rep.verdict.pass ? 'PASS' : 'FAIL'}: ${esc(rep.verdict.pairs - rep.verdict.failedPairs)} of ${esc(rep.verdict.pairs)} ` +
    `host pairs reach each other${rep.verdict.pass ? '' : `; ${esc(rep.verdict.failedPairs)} fail`}</p>`);

  out.push('<h2>Matrix: rows send, columns receive</h2>');
  if (rep.omitted.cells > 0 || rep.rows.length * rep.columns.length > HTML_MAX_CELLS) {
    out.push(`<p id="matrix-omitted">${esc(rep.rows.length)} senders x ${esc(rep.columns.length)} receivers: ` +
      `more than the ${HTML_MAX_CELLS} cells a page draws. The failing pairs are listed below; mesh-report --json holds the numbers.</p>`);
  } else matrixHtml(rep, name, out);
  pairsHtml(rep, name, out);
  findingsHtml(rep, out);
  out.push('</body></html>', '');
  return out.join('\n');
}

function matrixHtml(rep: MeshReport, name: (id: string) => string, out: string[]): void {
  const byCell = new Map(rep.cells.map((c) => [`${c.from.host}|${c.from.iface}|${c.to.host}|${c.to.iface}`, c]));
  const colGroups = group(rep.columns, (c) => c.host);
  const rowGroups = group(rep.rows, (r) => r.host);
  out.push('<table class="matrix" id="matrix"><thead><tr><th colspan="2" rowspan="2">sender &darr; / receiver &rarr;</th>');
  for (const [host, cols] of colGroups) out.push(`<th colspan="${cols.length}" class="host">${esc(name(host))}</th>`);
  out.push('</tr><tr>');
  for (const [, cols] of colGroups) for (const c of cols) out.push(`<th>${esc(c.iface)}</th>`);
  out.push('</tr></thead><tbody>');
  for (const [host, rows] of rowGroups) {
    rows.forEach((r, i) => {
      out.push(`<tr>${i === 0 ? `<th rowspan="${rows.length}" class="host">${esc(name(host))}</th>` : ''}<th>${esc(r.iface)}</th>`);
      for (const [, cols] of colGroups) {
        for (const c of cols) out.push(cellHtml(byCell.get(`${r.host}|${r.iface}|${c.host}|${c.iface}`), r, c, name));
      }
      out.push('</tr>');
    });
  }
  out.push('</tbody></table>');

  out.push('<div class="legend" id="legend"><strong>loss:</strong>');
  for (const p of LEGEND_STOPS) out.push(`<span style="background-color: ${lossColor(p)}">${p}%</span>`);
  out.push(`<span class="none" style="background-color: ${NO_DATA_COLOR}">&ndash; no data</span>`,
    `<span class="self" style="background-color: ${SELF_COLOR}">&middot; same host</span>`,
    '<span style="background-color: #555; outline: 3px solid #000; outline-offset: -3px">black frame: stream stopped</span></div>');
}

function pairsHtml(rep: MeshReport, name: (id: string) => string, out: string[]): void {
  // Past the page's limit, the failing pairs first (rep.pairs is in matrix order).
  const shown = rep.pairs.length <= HTML_MAX_PAIRS ? rep.pairs
    : [...rep.pairs.filter((p) => p.status === 'fail'), ...rep.pairs.filter((p) => p.status !== 'fail')].slice(0, HTML_MAX_PAIRS);
  out.push('<h2>Host pairs</h2><table class="list" id="pairs"><thead><tr>' +
    '<th>sender</th><th>receiver</th><th>verdict</th><th>received / expected</th><th>worst loss</th><th>why</th></tr></thead><tbody>');
  for (const p of shown) {
    out.push(`<tr data-from="${esc(p.from)}" data-to="${esc(p.to)}" data-status="${esc(p.status)}">` +
      `<td>${esc(name(p.from))}</td><td>${esc(name(p.to))}</td><td class="st-${esc(p.status)}">${esc(p.status)}</td>` +
      `<td>${esc(p.received)} / ${esc(p.expected)}</td><td>${esc(p.worstLossPct)}%</td><td>${esc(p.reasons.join('; '))}</td></tr>`);
  }
  out.push('</tbody></table>');
  const hidden = rep.verdict.pairs - shown.length;
  if (hidden > 0) out.push(`<p id="pairs-omitted">and ${esc(hidden)} more pairs ` +
    `(${esc(rep.verdict.failedPairs - shown.filter((p) => p.status === 'fail').length)} of them failing) not listed here: ` +
    `mesh-report --json lists ${esc(rep.pairs.length)} pairs and counts all.</p>`);
}

function findingsHtml(rep: MeshReport, out: string[]): void {
  const withFindings = rep.hosts.filter((h) => h.findings.length > 0);
  out.push('<h2>Findings</h2>');
  if (withFindings.length === 0) out.push('<p>No host reported a finding.</p>');
  for (const h of withFindings) {
    out.push(`<h3>${esc(h.hostname)} <small>(${esc(h.id)})</small></h3><ul class="findings">`);
    for (const f of h.findings) {
      const where = [f.iface, f.group, f.source].filter(Boolean).join(' ');
      out.push(`<li data-id="${esc(f.id)}"><span class="sev-${esc(f.severity)}">${esc(f.id)}</span>${where ? ` [${esc(where)}]` : ''}: ` +
        `${esc(f.message)}<br><em>fix:</em> ${esc(f.fix)}</li>`);
    }
    out.push('</ul>');
  }
}
