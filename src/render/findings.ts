// Human rendering of findings: the diagnosis first, one sentence each, then the fix.
import type { Finding } from '../core/findings/model.js';
import { sortFindings } from '../core/findings/model.js';
import type { Output } from './output.js';
import { makeStyle } from './style.js';

export function renderFindings(findings: readonly Finding[], out: Output, title = 'Findings'): void {
  const s = makeStyle(out.opts.color);
  if (findings.length === 0) {
    out.line(s.ok('No problems found.'));
    return;
  }
  out.line(s.bold(`${title}:`), true);
  for (const f of sortFindings(findings)) {
    const where = [f.iface, f.group, f.source].filter(Boolean).join(' ');
    out.line(`  ${s.severity(f.severity, f.severity.toUpperCase().padEnd(7))} ${f.id}${where ? ` [${where}]` : ''}: ${f.message}`, f.severity === 'error');
    if (out.verbose) out.line(`          ${s.dim(`why: ${f.explanation}`)}`);
    out.line(`          fix: ${f.fix}`, f.severity === 'error');
    if (out.verbose && Object.keys(f.evidence).length > 0) out.line(`          ${s.dim(`evidence: ${JSON.stringify(f.evidence)}`)}`);
  }
}
