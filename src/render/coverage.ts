// Human lines for what a run did not cover (issue 16): a signal that cut it short, and each check
// that did not run with what would let it run. Printed even with --quiet: it is part of the verdict.
import type { Coverage } from '../core/coverage.js';
import type { Output } from './output.js';
import { makeStyle } from './style.js';

export function renderCoverage(c: Coverage, out: Output): void {
  if (out.json) return;
  const s = makeStyle(out.opts.color);
  const i = c.interrupted;
  if (i) {
    const of = i.plannedMs === null ? '' : ` of the ${Math.round(i.plannedMs / 1000)} s asked`;
    out.line(s.warn(`Interrupted by ${i.signal} after ${(i.afterMs / 1000).toFixed(1)} s${of}: this report covers that time only.`), true);
  }
  if (c.notRun.length === 0) return;
  out.line(
    s.warn(`Incomplete: ${c.notRun.length} check${c.notRun.length > 1 ? 's' : ''} did not run, so this is no clean bill of health:`), true);
  for (const n of c.notRun) out.line(`  ${s.bold(n.check)}: ${n.reason}; to run it: ${n.remedy}`, true);
}
