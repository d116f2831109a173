// Human lines for what a run did not cover (issue 16): a signal that cut it short, and each check
// that did not run with what would let it run. Printed even with --quiet: it is part of the verdict.
import type { Coverage, NotRun } from '../core/coverage.js';
import type { Output } from './output.js';
import { makeStyle } from './style.js';

/**
 * `ranInPart`: the gaps of checks that ran but could not see everything (doctor's check `gaps`):
 * said apart from the checks that did not run at all, which a reader would otherwise take them for.
 */
export function renderCoverage(c: Coverage, out: Output, ranInPart: (n: NotRun) => boolean = () => false): void {
  if (out.json) return;
  const s = makeStyle(out.opts.color);
  const i = c.interrupted;
  if (i) {
    const of = i.plannedMs === null ? '' : ` of the ${Math.round(i.plannedMs / 1000)} s asked`;
    out.line(s.warn(`Interrupted by ${i.signal} after ${(i.afterMs / 1000).toFixed(1)} s${of}: this report covers that time only.`), true);
  }
  if (c.notRun.length === 0) return;
  const partly = c.notRun.filter(ranInPart);
  const missing = c.notRun.filter((n) => !ranInPart(n));
  const counts = coverageCounts(missing.length, partly.length, 'did not run');
  out.line(s.warn(`Incomplete: ${counts}, so this is no clean bill of health:`), true);
  for (const n of missing) out.line(`  ${s.bold(n.check)}: ${n.reason}; to run it: ${n.remedy}`, true);
  for (const n of partly) out.line(`  ${s.bold(n.check)} (ran in part): ${n.reason}; to decide it: ${n.remedy}`, true);
}

/** "2 checks did not run, 1 ran in part", "1 check ran in part": only the parts that are true. */
export function coverageCounts(missing: number, partly: number, notRunWords: string): string {
  const checks = (n: number): string => `${n} check${n === 1 ? '' : 's'}`;
  if (partly === 0) return `${checks(missing)} ${notRunWords}`;
  if (missing === 0) return `${checks(partly)} ran in part`;
  return `${checks(missing)} ${notRunWords}, ${partly} ran in part`;
}
