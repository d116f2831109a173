// Human rendering of findings: the diagnosis first, one sentence each, then the fix.
import { fileURLToPath } from 'node:url';
import type { Finding } from '../core/findings/model.js';
import { sortFindings } from '../core/findings/model.js';
import type { Output } from './output.js';
import { makeStyle } from './style.js';
import { termSafe } from './sanitize.js';

/** The page as a path on this machine: the package ships docs/ beside dist/ (dist/src/render/ here). */
function docsPath(rel: string): string {
  return fileURLToPath(new URL(`../../../${rel}`, import.meta.url));
}

export function renderFindings(findings: readonly Finding[], out: Output, title = 'Findings'): void {
  const s = makeStyle(out.opts.color);
  if (findings.length === 0) {
    out.line(s.ok('No problems found.'));
    return;
  }
  // --quiet prints errors only: the header too, then, so a run with only warnings prints no
  // empty "Findings:" line (issue 16).
  const anyShown = !out.quiet || findings.some((f) => f.severity === 'error');
  if (anyShown) out.line(s.bold(`${title}:`), true);
  for (const f of sortFindings(findings)) {
    // Messages carry interface names, sender ids and addresses that came from outside.
    const where = termSafe([f.iface, f.group, f.source].filter(Boolean).join(' '));
    const severity = s.severity(f.severity, f.severity.toUpperCase().padEnd(7));
    out.line(`  ${severity} ${termSafe(f.id)}${where ? ` [${where}]` : ''}: ${termSafe(f.message)}`, f.severity === 'error');
    if (out.verbose) out.line(`          ${s.dim(`why: ${termSafe(f.explanation)}`)}`);
    out.line(`          fix: ${termSafe(f.fix)}`, f.severity === 'error');
    if (out.verbose && Object.keys(f.evidence).length > 0) out.line(`          ${s.dim(`evidence: ${JSON.stringify(f.evidence)}`)}`);
    if (out.verbose) out.line(`          ${s.dim(`see: ${docsPath(f.docs)}`)}`);
  }
}
