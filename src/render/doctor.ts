// `doctor`: the diagnosis in words first, then the checks, then the interfaces.
import type { DoctorReport } from '../core/doctor/types.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';
import { junitXml, type JUnitCase } from './junit.js';
import { renderCoverage } from './coverage.js';

export function renderDoctor(rep: DoctorReport, out: Output): void {
  if (out.json) {
    out.document('doctor', { ...rep });
    return;
  }
  const s = makeStyle(out.opts.color);
  const errors = rep.findings.filter((f) => f.severity === 'error').length;
  const warnings = rep.findings.filter((f) => f.severity === 'warning').length;
  const counts = `${errors ? s.bad(`${errors} problem${errors > 1 ? 's' : ''}`) : ''}${errors && warnings ? ', ' : ''}` +
    `${warnings ? s.warn(`${warnings} warning${warnings > 1 ? 's' : ''}`) : ''}`;
  const gaps = rep.coverage.notRun.length;
  const head = rep.verdict === 'healthy' ? s.ok('healthy: no problem found')
    : rep.verdict === 'incomplete'
      ? `${s.warn(`incomplete: ${gaps} check${gaps > 1 ? 's' : ''} could not run`)}${counts ? `; ${counts}` : ''}`
      : counts;
  out.line(`${s.bold(`Diagnosis for ${rep.host}`)}: ${head}`, true);
  const shown = rep.findings.filter((f) => out.verbose || f.severity !== 'info');
  if (shown.length) renderFindings(shown, out, 'What to fix');
  renderCoverage(rep.coverage, out);
  const info = rep.findings.filter((f) => f.severity === 'info').length;
  if (info && !out.verbose) out.line(s.dim(`(${info} informational note${info > 1 ? 's' : ''}: --verbose shows them)`));
  if (out.quiet) return;
  out.line();
  out.line(s.bold('Checks:'));
  for (const c of rep.checks) {
    const mark =
      c.status === 'pass' ? s.ok('pass') : c.status === 'warn' ? s.warn('warn') : c.status === 'fail' ? s.bad('FAIL') : s.dim('skip');
    out.line(`  ${mark}  ${c.title}${c.skipped ? s.dim(` (${c.skipped})`) : ''} ${s.dim(`${(c.durationMs / 1000).toFixed(1)} s`)}`);
  }
  out.line();
  const t = makeTable(['interface', 'state', 'addresses', 'rp_filter', 'default', 'igmp', 'findings'], out.opts.color);
  for (const i of rep.interfaces) {
    if (i.loopback) continue;
    const n = rep.findings.filter((f) => f.iface === i.name);
    t.push([
      i.name,
      i.up ? (i.multicast ? 'up' : 'up, no MULTICAST') : 'down',
      i.addresses.filter((a) => a.scope !== 'link').map((a) => a.cidr).join('\n') || '-',
      i.rpFilter.mode,
      i.defaultRoute.ipv4 || i.defaultRoute.ipv6 ? 'yes' : '',
      i.igmp.querierVersion ?? '-',
      n.length ? n.map((f) => s.severity(f.severity, f.id)).join('\n') : s.ok('ok'),
    ]);
  }
  out.line(t.toString());
}

/** One testcase per check; a failure lists the check's error findings. */
export function doctorJUnit(rep: DoctorReport): string {
  const cases: JUnitCase[] = rep.checks.map((c) => {
    const errors = c.findings.filter((f) => f.severity === 'error');
    const tc: JUnitCase = { name: c.id, classname: `mcast-doctor.${rep.host}`, timeSeconds: c.durationMs / 1000 };
    if (errors.length) tc.failure = { message: errors.map((f) => f.id).join(', '),
      body: errors.map((f) => `${f.id}: ${f.message}\nfix: ${f.fix}`).join('\n\n') };
    // A check that could not run is skipped with the reason and what would let it run; one a
    // signal cut short too (it ran, but its silence proves nothing).
    const gap = rep.coverage.notRun.find((n) => n.check === c.id);
    if (gap) tc.skipped = `${gap.reason}; to run it: ${gap.remedy}`;
    else if (c.skipped !== undefined) tc.skipped = c.skipped;
    const others = c.findings.filter((f) => f.severity !== 'error');
    if (others.length) tc.systemOut = others.map((f) => `${f.severity} ${f.id}: ${f.message}`).join('\n');
    return tc;
  });
  const i = rep.coverage.interrupted;
  const props: Record<string, string> = { verdict: rep.verdict };
  if (i) props.interrupted = `${i.signal} after ${(i.afterMs / 1000).toFixed(1)} s`;
  return junitXml(`mcast-doctor doctor ${rep.host}`, cases, new Date(rep.generatedAt), props);
}
