// `interfaces`: one row per interface, then the findings. A row stays one or two lines high:
// cli-table3 lays out multi-line cells in time that grows with the square of their height
// (30 interfaces x 50 groups took 115 s as one line per group, issue 19), and a list of 200
// groups in a cell is unreadable anyway. Long group lists are summarised in the cell and
// listed in full, one line per interface, with --verbose (and always in --json).
import type { InterfaceInventory, JoinedGroup } from '../core/kernel/interfaces.js';
import { roleWords } from '../core/kernel/roles.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';
import { termSafe } from './sanitize.js';

/** Groups shown in the cell before it is summarised. */
export const GROUPS_IN_CELL = 3;

const groupText = (g: JoinedGroup): string => (g.users > 1 ? `${g.group} (${g.users})` : g.group);

/** The groups cell: every group up to GROUPS_IN_CELL, else the count and the first ones. */
export function groupsCell(groups: readonly JoinedGroup[]): string {
  if (groups.length === 0) return '-';
  if (groups.length <= GROUPS_IN_CELL) return groups.map(groupText).join('\n');
  const v4 = groups.filter((g) => g.family === 4).length;
  const split = v4 === 0 || v4 === groups.length ? '' : ` (${v4} IPv4, ${groups.length - v4} IPv6)`;
  return `${groups.length} groups${split}\n${groups.slice(0, 2).map((g) => g.group).join(', ')}, ...`;
}

export function renderInterfaces(inv: InterfaceInventory, out: Output): void {
  if (out.json) {
    out.document('interfaces', { generatedAt: new Date().toISOString(), interfaces: inv.interfaces, findings: inv.findings });
    return;
  }
  const s = makeStyle(out.opts.color);
  // Too wide for the terminal: mac, mtu, the index and the IGMP version go first.
  const t = makeTable(['#', 'name', 'state', 'mcast', 'addresses', 'mac', 'mtu', 'default', 'rp_filter', 'igmp', 'groups'], out.opts.color,
    { width: out.tableWidth, drop: [5, 6, 0, 9] });
  let summarised = 0;
  for (const i of inv.interfaces) {
    const state = i.up ? (i.running ? s.ok('up') : s.warn('up, no carrier')) : s.bad('down');
    const rp = `${i.rpFilter.mode} (${i.rpFilter.effective}; all=${i.rpFilter.all} if=${i.rpFilter.iface})`;
    const def = [i.defaultRoute.ipv4 ? 'v4' : '', i.defaultRoute.ipv6 ? 'v6' : ''].filter(Boolean).join(' ') || '-';
    const igmp = [i.igmp.querierVersion ?? '-', i.igmp.forceVersion ? `force v${i.igmp.forceVersion}` : ''].filter(Boolean).join(' ');
    if (i.groups.length > GROUPS_IN_CELL) summarised++;
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
      groupsCell(i.groups),
    ]);
  }
  out.line(t.toString());
  if (summarised > 0) renderGroupLists(inv, out, summarised);
  out.line();
  renderFindings(inv.findings, out);
}

/** The full lists with --verbose (one line per interface, no table), else how to get them. */
function renderGroupLists(inv: InterfaceInventory, out: Output, summarised: number): void {
  const s = makeStyle(out.opts.color);
  if (!out.verbose) {
    out.line(
      s.dim(`Group lists longer than ${GROUPS_IN_CELL} summarised on ${summarised} interface(s): --verbose or --json lists them all.`));
    return;
  }
  out.line();
  out.line(s.bold('Groups joined'));
  for (const i of inv.interfaces) {
    if (i.groups.length <= GROUPS_IN_CELL) continue;
    out.line(`${termSafe(i.name)} (${i.groups.length}): ${i.groups.map(groupText).join(' ')}`);
  }
}
