// `doctor`: the diagnosis in words first, then the checks, then the interfaces.
import type { DoctorReport } from '../core/doctor/types.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';
import { junitXml, type JUnitCase } from './junit.js';
import { coverageCounts, renderCoverage } from './coverage.js';
import type { NotRun } from '../core/coverage.js';

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
  const ranInPart = partialGaps(rep);
  const partly = rep.coverage.notRun.filter(ranInPart).length;
  const missing = rep.coverage.notRun.length - partly;
  const head = rep.verdict === 'healthy' ? s.ok('healthy: no problem found')
    : rep.verdict === 'incomplete'
      ? `${s.warn(`incomplete: ${coverageCounts(missing, partly, 'could not run')}`)}${counts ? `; ${counts}` : ''}`
      : counts;
  out.line(`${s.bold(`Diagnosis for ${rep.host}`)}: ${head}`, true);
  const shown = rep.findings.filter((f) => out.verbose || f.severity !== 'info');
  if (shown.length) renderFindings(shown, out, 'What to fix');
  renderCoverage(rep.coverage, out, ranInPart);
  const info = rep.findings.filter((f) => f.severity === 'info').length;
  if (info && !out.verbose) out.line(s.dim(`(${info} informational note${info > 1 ? 's' : ''}: --verbose shows them)`));
  if (out.quiet) return;
  out.line();
  out.line(s.bold('Checks:'));
  for (const c of rep.checks) {
    const mark =
      c.status === 'pass' ? s.ok('pass') : c.status === 'warn' ? s.warn('warn') : c.status === 'fail' ? s.bad('FAIL') : s.dim('skip');
    const note = c.skipped ? s.dim(` (${c.skipped})`) : c.gaps?.length ? s.warn(' (ran in part)') : '';
    out.line(`  ${mark}  ${c.title}${note} ${s.dim(`${(c.durationMs / 1000).toFixed(1)} s`)}`);
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

/**
 * Which gaps of the coverage belong to a check that ran (its `gaps`: it ran, but could not see
 * everything), as the JSON carries them: matched by check and reason, so a report read back from
 * JSON is told apart the same way.
 */
function partialGaps(rep: DoctorReport): (n: NotRun) => boolean {
  const ran = new Set(rep.checks.filter((c) => c.status !== 'skipped')
    .flatMap((c) => (c.gaps ?? []).map((g) => `${g.check}\n${g.reason}`)));
  return (n) => ran.has(`${n.check}\n${n.reason}`);
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
    // A check that ran in part passes or fails on what it saw; what it could not see is said
    // beside (a skipped case would hide what it did judge).
    const out = [
      ...c.findings.filter((f) => f.severity !== 'error').map((f) => `${f.severity} ${f.id}: ${f.message}`),
      ...c.status === 'skipped' ? [] : (c.gaps ?? []).map((g) => `ran in part: ${g.check}: ${g.reason}; to decide it: ${g.remedy}`),
    ];
    if (out.length) tc.systemOut = out.join('\n');
    return tc;
  });
  const i = rep.coverage.interrupted;
  const props: Record<string, string> = { verdict: rep.verdict };
  if (i) props.interrupted = `${i.signal} after ${(i.afterMs / 1000).toFixed(1)} s`;
  return junitXml(`mcast-doctor doctor ${rep.host}`, cases, new Date(rep.generatedAt), props);
}
