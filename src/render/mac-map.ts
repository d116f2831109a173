// `mac-map`: tables of groups and MACs, or the collision summary, then the findings.
import type { CollisionReport } from '../core/mac-map/collisions.js';
import type { MacMapResult } from '../core/mac-map/index.js';
import type { GroupInfo } from '../core/mac-map/scope.js';
import type { Lookup } from '../core/mac-map/lookup.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle, type Style } from './style.js';
import { makeTable } from './table.js';

export function renderMacMap(r: MacMapResult, out: Output): void {
  if (out.json) {
    const { mode, findings, ...rest } = r;
    out.document('mac-map', { mode, ...rest, findings });
    return;
  }
  const s = makeStyle(out.opts.color);
  if (r.mode === 'lookup') renderLookups(r.results, out, s);
  else {
    if (r.report) out.line(summary('given groups', r.report));
    for (const i of r.interfaces ?? []) out.line(summary(`${s.bold(i.iface)} (${i.joined.length} joined)`, i.report));
  }
  out.line();
  renderFindings(r.findings, out);
}

const n = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

function summary(what: string, r: CollisionReport): string {
  const g = r.groups;
  const fam = g.ipv4 && g.ipv6 ? ` (IPv4 ${g.ipv4}, IPv6 ${g.ipv6})` : '';
  return `${what}: ${n(g.total, 'group')}${fam} on ${n(r.macs.used, 'MAC')}; ` +
    `${n(r.macs.shared, 'MAC')} shared by ${n(r.macs.groupsOnShared, 'group')}; ${n(r.flooded.count, 'group')} on a 224.0.0.x MAC`;
}

function nameOf(i: GroupInfo, s: Style): string {
  const parts = [i.name ?? '', i.note ? s.dim(i.note) : ''].filter(Boolean);
  return parts.join('\n') || '-';
}

function renderLookups(results: readonly Lookup[], out: Output, s: Style): void {
  const groups = results.filter((r) => r.kind === 'group');
  if (groups.length) {
    const t = makeTable(['group', 'mac', 'scope', 'block', 'name / note'], out.opts.color);
    for (const g of groups) t.push([g.group, g.mac, g.scope, `${g.block}\n${s.dim(`${g.range}, ${g.reference}`)}`, nameOf(g, s)]);
    out.line(t.toString());
    if (out.verbose) {
      for (const g of groups) if (g.sameMac) out.line(`${g.group} shares ${g.mac} with: ` +
        `${g.sameMac.filter((x) => x !== g.group).join(' ')}`);
    }
  }
  for (const m of results) {
    if (m.kind !== 'mac') continue;
    out.line();
    if (m.family === 4) {
      out.line(`${s.bold(m.mac)}: the ${m.groups?.length ?? 0} IPv4 groups that map onto it (RFC 1112 6.4: only the low 23 bits are kept)`);
    } else {
      out.line(`${s.bold(m.mac)}: every IPv6 group ${m.pattern ?? ''} (RFC 2464 7: the low 32 bits)`);
      if (!m.wellKnown?.length) { out.line(s.dim('  no well-known group has these low 32 bits')); continue; }
    }
    const t = makeTable(['group', 'scope', 'block', 'name / note'], out.opts.color);
    for (const g of m.groups ?? m.wellKnown ?? []) t.push([g.group, g.scope, g.block, nameOf(g, s)]);
    out.line(t.toString());
  }
}
