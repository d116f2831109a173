// `querier-check --planned`: the verdict first, then the reasoning and the usable range.
import type { PlannedResult } from '../core/querier-check/planned.js';
import type { Output } from './output.js';
import { termSafe as t$ } from './sanitize.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';

export function renderPlanned(r: PlannedResult, out: Output): void {
  const { findings, ...planned } = r;
  if (out.json) {
    out.document('querier-check', { mode: 'planned', generatedAt: new Date().toISOString(), planned, findings });
    return;
  }
  const s = makeStyle(out.opts.color);
  const verdict = r.verdict === 'accepted' ? s.ok('ACCEPTED') : s.bad('DROPPED');
  out.line(`Planned ${r.family === 4 ? 'IGMP' : 'MLD'} querier ${r.address} on ${t$(r.iface)}: ${verdict}`, true);
  out.line(`  ${r.reason}`, true);
  if (r.rpFilter) {
    const rp = r.rpFilter;
    out.line(`  rp_filter:   ${rp.mode} (effective ${rp.effective}; all=${rp.all} ${t$(r.iface)}=${rp.iface})`);
  }
  if (r.kernel) {
    const verdict = r.kernel.accepted ? 'accepts' : `refuses (${r.kernel.error ?? 'refused'})`;
    out.line(`  kernel:      ${verdict}  [${r.kernel.command}]`);
  }
  if (r.routeBack) {
    const b = r.routeBack;
    const via = `via ${b.dev ?? '?'}${b.gateway ? ` (gateway ${b.gateway})` : ''}${b.type && b.type !== 'unicast' ? ` [${b.type}]` : ''}`;
    out.line(`  route back:  ${b.ok ? via : `none (${b.error ?? ''})`}  [ip route get ${r.address}]`);
  }
  if (r.modes) {
    const m = (ok: boolean): string => (ok ? s.ok('accepted') : s.bad('dropped'));
    out.line(`  by mode:     off ${m(r.modes.off)}, strict ${m(r.modes.strict)}, loose ${m(r.modes.loose)}`);
  }
  if (r.linkLocal !== undefined) out.line(`  link-local:  ${r.linkLocal ? 'yes' : s.bad('no (RFC 3810 6.2 requires it)')}`);
  for (const u of r.usable) {
    const excl = u.excluded.length ? ` (this host: ${u.excluded.join(', ')})` : '';
    out.line(`  usable:      ${u.prefix}: ${u.ranges.join(', ') || 'none'}${excl}`);
  }
  if (r.suggestion) out.line(`  suggestion:  ${r.suggestion} (the lowest address wins the querier election)`);
  out.line();
  renderFindings(findings, out);
}
