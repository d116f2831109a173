// Runs the doctor's checks over one inventory, in parallel where they are independent, and
// folds the results into one diagnosis.
import { loadInterfaces, selectInventory } from '../kernel/interfaces.js';
import { whyIneligible } from '../kernel/eligibility.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { sortFindings } from '../findings/model.js';
import { verdictOf, type Coverage, type NotRun } from '../coverage.js';
import { isMcastError } from '../errors.js';
import type { CheckResult, DoctorCheck, DoctorDeps, DoctorOptions, DoctorReport } from './types.js';
import { isoNow } from '../clock.js';

export async function runDoctor(
  deps: DoctorDeps,
  checks: readonly DoctorCheck[],
  opts: DoctorOptions,
  selection: IfaceSelection,
  progress: (text: string) => void = () => {},
  abort?: AbortSignal,
): Promise<DoctorReport> {
  const { clock } = deps;
  // The whole host once: the selection's part for the checks, the whole for those that judge
  // the host (rpfilter-audit's "multi-homed"), which used to read every interface again.
  const host = await loadInterfaces(deps.platform, { details: true, ...(opts.family ? { family: opts.family } : {}) });
  const inventory = selectInventory(host, selection);
  const families = opts.family ? [opts.family] : ([4, 6] as const);
  const eligible = inventory.interfaces.filter((i) => whyIneligible(i, families) === undefined);
  const ctx = { deps, opts, inventory, host, eligible, progress, ...(abort ? { abort } : {}) };
  const results = await Promise.all(checks.map(async (c): Promise<CheckResult> => {
    const start = clock.now();
    if (c.linuxOnly && deps.platform.os !== 'linux') {
      return { id: c.id, title: c.title, status: 'skipped', durationMs: 0, findings: [],
        skipped: `Linux-only check; this is ${deps.platform.os}`, remedy: 'run doctor on the Linux host' };
    }
    try {
      const out = await c.run(ctx);
      const status: CheckResult['status'] = out.skipped !== undefined ? 'skipped'
        : out.findings.some((f) => f.severity === 'error') ? 'fail'
        : out.findings.some((f) => f.severity === 'warning') ? 'warn' : 'pass';
      return { id: c.id, title: c.title, status, durationMs: clock.now() - start, ...out };
    } catch (e) {
      // One failing check is a result, not the end of the diagnosis (STYLE.md), and a gap in it.
      const hint = isMcastError(e) ? e.context.hint : undefined;
      return {
        id: c.id, title: c.title, status: 'skipped', durationMs: clock.now() - start, findings: [],
        skipped: `could not run: ${(e as Error).message}`,
        remedy: hint ?? 'see the reason; run again with --verbose',
      };
    }
  }));
  const findings = sortFindings(results.flatMap((r) => r.findings));
  const coverage: Coverage = {
    notRun: results.flatMap((r): NotRun[] => [
      ...(r.status === 'skipped' && r.remedy !== undefined ? [{ check: r.id, reason: r.skipped ?? 'did not run', remedy: r.remedy }] : []),
      ...r.gaps ?? [],
    ]),
    interrupted: null,
  };
  return {
    host: deps.platform.hostname(),
    os: deps.platform.os,
    generatedAt: isoNow(clock),
    verdict: verdictOf(findings, coverage),
    coverage,
    interfaces: inventory.interfaces,
    checks: results,
    findings,
  };
}
