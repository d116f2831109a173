// `interfaces`: one row per interface, then the findings.
import type { InterfaceInventory } from '../core/kernel/interfaces.js';
import { roleWords } from '../core/kernel/roles.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';

export function renderInterfaces(inv: InterfaceInventory, out: Output): void {
  if (out.json) {
    out.document('interfaces', { generatedAt: new Date().toISOString(), interfaces: inv.interfaces, findings: inv.findings });
    return;
  }
  const s = makeStyle(out.opts.color);
  const t = makeTable(['#', 'name', 'state', 'mcast', 'addresses', 'mac', 'mtu', 'default', 'rp_filter', 'igmp', 'groups'], out.opts.color);
  for (const i of inv.interfaces) {
    const state = i.up ? (i.running ? s.ok('up') : s.warn('up, no carrier')) : s.bad('down');
    const rp = `${i.rpFilter.mode} (${i.rpFilter.effective}; all=${i.rpFilter.all} if=${i.rpFilter.iface})`;
    const def = [i.defaultRoute.ipv4 ? 'v4' : '', i.defaultRoute.ipv6 ? 'v6' : ''].filter(Boolean).join(' ') || '-';
    const igmp = [i.igmp.querierVersion ?? '-', i.igmp.forceVersion ? `force v${i.igmp.forceVersion}` : ''].filter(Boolean).join(' ');
    t.push([
      String(i.index),
      // What it is to the others (port of br0, lower of mv0): why a port has no address (issue 19 item 6).
      roleWords(i.role) ? `${i.name}\n${s.dim(roleWords(i.role))}` : i.name,
      state,
      i.multicast ? 'yes' : s.warn('no'),
      i.addresses.map((a) => a.cidr).join('\n') || s.dim('none'),
      i.mac || '-',
      String(i.mtu),
      def,
      rp,
      igmp,
      i.groups.map((g) => (g.users > 1 ? `${g.group} (${g.users})` : g.group)).join('\n') || '-',
    ]);
  }
  out.line(t.toString());
  out.line();
  renderFindings(inv.findings, out);
}
