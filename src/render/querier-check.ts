// `querier-check` (listen): one table of queriers heard per interface and family, the host's
// side (kernel version, answered?), then the findings. Progress on a TTY while listening.
import type { ListenProgress } from '../core/querier-check/listen.js';
import type { FamilyReport, QuerierReport } from '../core/querier-check/report.js';
import type { Output } from './output.js';
import { termSafe as t$ } from './sanitize.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';

export function formatProgress(p: ListenProgress): string {
  const left = Math.ceil(p.remainingMs / 1000);
  const what = (h: ListenProgress['heard'][number]): string =>
    (h.queries ? `${h.queries} quer${h.queries === 1 ? 'y' : 'ies'} from ${h.queriers.join(' ')}` : 'nothing');
  const heard = p.heard.map((h) => `${t$(h.iface)}: ${what(h)}`).join(' | ');
  return `listening, ${left} s left — ${heard}`;
}

function proto(fr: FamilyReport): string {
  return fr.family === 4 ? 'IGMP' : 'MLD';
}

export function renderQuerierCheck(r: QuerierReport, out: Output): void {
  if (out.json) {
    out.document('querier-check', { mode: 'listen', generatedAt: new Date().toISOString(), ...r });
    return;
  }
  const s = makeStyle(out.opts.color);
  out.line(`Listened ${r.durationS} s on ${r.interfaces.map((i) => t$(i.name)).join(', ') || 'no interface'}; ` +
    `IPReversePathFilter drops meanwhile: ${r.counters.ipReversePathFilter.delta}`);
  const t = makeTable(['iface', 'proto', 'querier', 'ver', 'queries', 'interval', 'max resp', 'QRV/QQIC', 'checks'], out.opts.color);
  const host = makeTable(['iface', 'proto', 'elected', 'host version', 'kernel sees', 'host answered', 'reports seen'], out.opts.color);
  for (const i of r.interfaces) {
    for (const fr of [i.igmp, i.mld]) {
      if (!fr) continue;
      if (fr.queriers.length === 0) t.push([i.name, proto(fr), s.warn('none heard'), '', '', '', '', '', '']);
      for (const q of fr.queriers) {
        const checks = [
          q.zeroSource ? s.warn('0.0.0.0') : '',
          fr.family === 4 && !q.zeroSource ? (q.onSubnet ? 'on-subnet' : s.warn('off-subnet')) : '',
          q.linkLocal === false ? s.bad('not link-local') : q.linkLocal ? 'link-local' : '',
          q.rpf ? (q.rpf.accepted ? s.ok('rpf ok') : s.bad(`rpf DROP (back via ${q.rpf.routeBackDev ?? 'none'})`)) : '',
          q.badChecksums ? s.bad(`${q.badChecksums} bad checksum`) : '',
        ].filter(Boolean).join(', ');
        t.push([
          i.name, proto(fr), q.elected ? s.bold(q.address) : q.address, q.versions.map((v) => `v${v}`).join('/'),
          `${q.generalQueries} general${q.groupSpecificQueries ? ` + ${q.groupSpecificQueries} group` : ''}`,
          q.observedIntervalS !== undefined ? `${q.observedIntervalS} s` : '-',
          `${q.maxRespMs / 1000} s`,
          q.qrv !== undefined ? `${q.qrv}/${q.qqiSec ?? q.qqic ?? '-'} s` : '-',
          checks,
        ]);
      }
      const answered = fr.answered === 'yes' ? s.ok('yes') : fr.answered === 'no' ? s.bad('no') : s.dim(fr.answered);
      host.push([
        i.name, proto(fr), fr.elected ?? '-',
        `${proto(fr)}v${fr.kernel.hostVersion}${fr.kernel.forceVersion ? ' (forced)' : ''}`,
        fr.family === 4 ? `${fr.kernel.querierVersionBefore ?? '-'} -> ${fr.kernel.querierVersionAfter ?? '-'}` : '-',
        answered,
        String(fr.host.count),
      ]);
    }
  }
  out.line(t.toString());
  out.line(host.toString());
  for (const i of r.interfaces) {
    if (i.malformed.count === 0) continue;
    out.line(s.warn(`${t$(i.name)}: ${i.malformed.count} malformed IGMP/MLD frame${i.malformed.count > 1 ? 's' : ''} ignored ` +
      `(${i.malformed.reasons.map((x) => `${x.reason}: ${x.count}`).join('; ')})`));
  }
  if (r.expect) out.line(`--expect ${r.expect.address}: ${r.expect.met ? s.ok('met') : s.bad('NOT met')}`, true);
  out.line();
  renderFindings(r.findings, out);
}
