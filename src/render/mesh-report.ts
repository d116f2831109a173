// mesh-report: the merged matrix as a table, a JSON document and JUnit (one testcase per
// ordered host pair). The HTML page is mesh-html.ts.
import { CELL_CAP, type MeshReport, type ReportCell, type Endpoint } from '../core/mesh/merge.js';
import { hostnameOf } from '../core/mesh/model.js';
import type { Output } from './output.js';
import { makeStyle, type Style } from './style.js';
import { makeTable } from './table.js';
import { junitXml, type JUnitCase } from './junit.js';
import { termSafe as t$ } from './sanitize.js';

export function cellText(c: ReportCell | undefined, from: Endpoint, to: Endpoint, s: Style, max: number): string {
  if (from.host === to.host) return s.dim('·');
  if (!c) return s.dim('-');
  if (c.stall) return s.bad(`STOP ${c.stall.atS.toFixed(0)}s`);
  const t = `${c.lossPct}%`;
  return c.lossPct > max ? s.bad(t) : c.lossPct > 0 ? s.warn(t) : s.ok(t);
}

/** Wider than this, the terminal gets no matrix (the HTML page and JSON have it). */
const MATRIX_COLUMNS = 32;
/** Failing pairs listed; the rest are counted. */
const FAILED_SHOWN = 50;

/** Host id to hostname in O(1) (a lookup per pair was O(hosts) each: O(hosts^3) in all). */
/**
 * A host's name in tables, JUnit and HTML: its hostname, plus the address its probes came from
 * when another host has the same hostname (cloned VMs: "vm -> vm" would say nothing).
 */
export function hostNames(rep: MeshReport): (id: string) => string {
  const count = new Map<string, number>();
  for (const h of rep.hosts) count.set(h.hostname, (count.get(h.hostname) ?? 0) + 1);
  const names =
    new Map(rep.hosts.map((h) => [h.id, (count.get(h.hostname) ?? 0) > 1 ? `${h.hostname} (${h.address ?? h.id})` : h.hostname]));
  return (id) => names.get(id) ?? hostnameOf(id);
}

export function renderMeshReport(rep: MeshReport, out: Output, generatedAt: Date): void {
  if (out.json) {
    out.document('mesh-report', { generatedAt: generatedAt.toISOString(), ...rep });
    return;
  }
  const s = makeStyle(out.opts.color);
  // Every name and text below came from another host's document: t$ before the terminal sees it.
  const rawName = hostNames(rep);
  const name = (id: string): string => t$(rawName(id));
  const head = rep.verdict.pass
    ? s.ok(`PASS: all ${rep.verdict.pairs} host pairs reach each other`)
    : s.bad(`FAIL: ${rep.verdict.failedPairs} of ${rep.verdict.pairs} host pairs fail`);
  out.line(`${s.bold(`Multicast mesh${rep.group ? ` ${t$(rep.group)}` : ''}`)}: ${head}`, true);
  if (!out.quiet && (rep.columns.length > MATRIX_COLUMNS || rep.omitted.cells > 0)) {
    out.line(s.dim(`matrix: ${rep.rows.length} senders x ${rep.columns.length} receivers, too wide for a terminal: see --html or --json`));
  } else if (!out.quiet) {
    const byCell = new Map(rep.cells.map((c) => [`${c.from.host}|${c.from.iface}|${c.to.host}|${c.to.iface}`, c]));
    const t = makeTable(['sender \\ receiver', ...rep.columns.map((c) => `${name(c.host)}\n${t$(c.iface)}`)], out.opts.color);
    for (const r of rep.rows) {
      t.push([`${name(r.host)} ${t$(r.iface)}`,
        ...rep.columns.map((c) => cellText(byCell.get(`${r.host}|${r.iface}|${c.host}|${c.iface}`), r, c, s, rep.maxLossPct))]);
    }
    out.line(t.toString());
    out.line(s.dim('cells: loss % (- no data, · same host, STOP n s: stream stopped n s after the join); ' +
      `loss tolerated ${rep.maxLossPct}%`));
  }
  const failed = rep.pairs.filter((p) => p.status === 'fail');
  if (failed.length) {
    out.line(s.bold('Failing pairs:'), true);
    for (const p of failed.slice(0, FAILED_SHOWN)) {
      out.line(`  ${s.bad('FAIL')} ${name(p.from)} -> ${name(p.to)}: ${t$(p.reasons.join('; '))}`, true);
    }
    const more = rep.verdict.failedPairs - Math.min(failed.length, FAILED_SHOWN);
    const where = rep.omitted.pairs > 0
      ? `--json lists ${failed.length - Math.min(failed.length, FAILED_SHOWN)} more`
      : '--json or --junit lists them all';
    if (more > 0) out.line(`  and ${more} more failing pairs (${where})`, true);
  }
  // Reasons that are not a failing pair's (mixed groups): one set of pair prefixes, not a scan per reason.
  const pairPrefixes = new Set(failed.map((p) => `${hostnameOf(p.from)} -> `));
  for (const r of rep.verdict.reasons) {
    const arrow = r.indexOf(' -> ');
    if (r.startsWith('and ') && r.endsWith(' more failing pairs')) continue; // counted above
    if (arrow < 0 || !pairPrefixes.has(r.slice(0, arrow + 4))) out.line(`  ${s.bad('FAIL')} ${t$(r)}`, true);
  }
  if (rep.omitted.cells + rep.omitted.pairs + rep.omitted.hosts + rep.omitted.interfaces > 0) out.line(s.dim(omittedLine(rep)));
  const errors = rep.hosts.flatMap((h) => h.findings.filter((f) => f.severity === 'error' || out.verbose).map((f) => ({ h, f })));
  if (errors.length) {
    out.line(s.bold('Findings:'), true);
    for (const { h, f } of errors) {
      const severity = s.severity(f.severity, f.severity.toUpperCase().padEnd(7));
      const where = f.iface ? ` [${t$(f.iface)}]` : '';
      out.line(`  ${severity} ${t$(h.hostname)} ${t$(f.id)}${where}: ${t$(f.message)}`, f.severity === 'error');
      out.line(`          fix: ${t$(f.fix)}`, f.severity === 'error');
    }
  }
}

/** What the caps left out, in one line (src/core/mesh/merge.ts: CELL_CAP, PAIR_CAP, HOST_CAP). */
export function omittedLine(rep: MeshReport): string {
  const o = rep.omitted;
  const parts = [
    o.cells
      ? `${o.cells} of ${rep.totalCells} cells` +
        `${rep.totalCells > CELL_CAP ? ` (past ${CELL_CAP} cells only lossy and stopped ones are listed)` : ''}`
      : '',
    o.pairs ? `${o.pairs} of ${rep.verdict.pairs} pairs (failing ones are listed first)` : '',
    o.hosts ? `${o.hosts} peers without a document past the ${rep.hosts.length} hosts tracked` : '',
    o.interfaces ? `${o.interfaces} interfaces past the per-host limit` : '',
  ].filter(Boolean);
  return `not listed: ${parts.join('; ')}; the verdict counts every pair`;
}

/**
 * One testcase per listed ordered host pair: "sender -> receiver"; the pairs the cap left out
 * are one more testcase, failing if failing pairs are among them.
 */
export function meshJUnit(rep: MeshReport, generatedAt: Date): string {
  const name = hostNames(rep);
  const cases: JUnitCase[] = rep.pairs.map((p) => {
    const tc: JUnitCase =
      { name: `${name(p.from)} -> ${name(p.to)}`, classname: `mcast-doctor.mesh.${rep.group ?? 'mixed'}`, timeSeconds: 0 };
    if (p.status === 'fail') tc.failure = { message: p.reasons[0] ?? 'failed', body: p.reasons.join('\n') };
    if (p.status === 'no-data') tc.skipped = p.reasons.join('; ') || 'no data';
    tc.systemOut = `${p.received}/${p.expected} probes received, worst loss ${p.worstLossPct}%`;
    return tc;
  });
  if (rep.omitted.pairs > 0) {
    const failedHidden = rep.verdict.failedPairs - rep.pairs.filter((p) => p.status === 'fail').length;
    const tc: JUnitCase =
      { name: `${rep.omitted.pairs} more host pairs (not listed)`, classname: `mcast-doctor.mesh.${rep.group ?? 'mixed'}`, timeSeconds: 0 };
    if (failedHidden > 0) tc.failure = { message: `${failedHidden} of them fail`, body: omittedLine(rep) };
    tc.systemOut = omittedLine(rep);
    cases.push(tc);
  }
  return junitXml(`mcast-doctor mesh ${rep.group ?? ''}`.trim(), cases, generatedAt);
}
