// What a file says about the queriers of each link: zero-source and off-subnet queriers (the
// subnet as given with --prefix, or inferred from the hosts that report there, and said which),
// MLD queriers that hosts ignore, several queriers, and no querier over a long capture.
import { firstAndMore, type Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { inPrefix, intToIpv4, isLinkLocalUnicast6 } from '../kernel/ip.js';
import type { ControlResult, QuerierStats } from './control.js';
import type { IfaceSummary } from './engine.js';

/** --prefix IFACE=CIDR (iface undefined: every interface). */
export interface GivenPrefix { iface?: string; network: string; len: number; text: string }

export interface Subnet { prefixes: { network: string; len: number; text: string }[]; source: 'given' | 'inferred'; from?: string[] }

/** A querier heard for longer than this without any query is "no querier" (a default interval + margin). */
const NO_QUERIER_SPAN_S = 130;
/** An inferred subnet is never narrower than this: LANs are rarely smaller than a /24. */
const INFERRED_MAX_LEN = 24;

/**
 * The IPv4 subnet of a link: --prefix when given, else the smallest prefix (at most /24) that
 * covers every host that reported there; undefined when nothing reported.
 */
export function subnetOf(iface: string, given: readonly GivenPrefix[], reporters: readonly number[], exclude: string): Subnet | undefined {
  const mine = given.filter((p) => (p.iface === undefined || p.iface === iface) && !p.network.includes(':'));
  if (mine.length > 0) return { prefixes: mine.map(({ network, len, text }) => ({ network, len, text })), source: 'given' };
  const hosts = reporters.filter((a) => intToIpv4(a) !== exclude);
  if (hosts.length === 0) return undefined;
  let min = hosts[0] as number;
  let max = min;
  for (const h of hosts) { if (h < min) min = h; if (h > max) max = h; }
  const common = Math.clz32((min ^ max) >>> 0);
  const len = Math.min(common, INFERRED_MAX_LEN);
  const mask = len === 0 ? 0 : (~((1 << (32 - len)) - 1)) >>> 0;
  const network = intToIpv4((min & mask) >>> 0);
  return { prefixes: [{ network, len, text: `${network}/${len}` }], source: 'inferred', from: hosts.slice(0, 5).map(intToIpv4) };
}

export function querierFindings(
  ctl: ControlResult,
  iface: IfaceSummary,
  given: readonly GivenPrefix[],
  reporters: readonly number[],
): Finding[] {
  const out: Finding[] = [];
  const dev = ctl.iface;
  for (const q of ctl.queriers) {
    const where = { iface: dev, source: q.address };
    const heard = {
      versions: q.versions,
      generalQueries: q.generalQueries,
      specificQueries: q.specificQueries,
      queriesDue: q.due,
      queriesAnswered: q.answered,
      intervalS: q.intervalS ?? null,
    };
    if (q.family === 6) {
      if (!isLinkLocalUnicast6(q.address)) {
        out.push(makeFinding('MLD_QUERIER_NOT_LINK_LOCAL', {
          ...where,
          message: `MLD queries on ${dev} come from ${q.address}, not a link-local address: hosts ignore them (RFC 3810 6.2).`,
          evidence: heard,
        }));
      }
      continue;
    }
    if (q.address === '0.0.0.0') {
      out.push(makeFinding('QUERIER_ZERO_SOURCE', {
        ...where,
        message:
          `IGMP queries on ${dev} come from 0.0.0.0 (${q.generalQueries} general): ` +
          'accepted by hosts (no reverse-path check applies), but they never win an election and some switches ignore them.',
        evidence: heard,
      }));
      continue;
    }
    const net = subnetOf(dev, given, reporters, q.address);
    if (!net || net.prefixes.some((p) => inPrefix(q.address, p.network, p.len))) continue;
    out.push(offSubnet(dev, q, net, heard));
  }
  const valid = ctl.queriers.filter((q) => q.family === 4 || isLinkLocalUnicast6(q.address));
  for (const fam of [4, 6] as const) {
    const qs = valid.filter((q) => q.family === fam);
    if (qs.length < 2) continue;
    const names = qs.map((q) => q.address);
    out.push(makeFinding('MULTIPLE_QUERIERS', {
      iface: dev,
      message:
        `${qs.length} ${fam === 4 ? 'IGMP' : 'MLD'} queriers on ${dev}: ${firstAndMore(names, 5)}; ` +
        `${ctl.elected[fam] ?? 'none'} wins the election (lowest address).`,
      evidence: { queriers: names, elected: ctl.elected[fam] ?? null },
    }));
  }
  return out.concat(noQuerier(ctl, iface));
}

function offSubnet(dev: string, q: QuerierStats, net: Subnet, heard: Record<string, unknown>): Finding {
  const list = net.prefixes.map((p) => p.text).join(', ');
  const whence = net.source === 'given' ? 'given with --prefix'
    : `inferred from the hosts that report there (${firstAndMore(net.from ?? [], 3)}); give --prefix ${dev}=CIDR to be sure`;
  const ignored = q.due > 0 && q.answered === 0
    ? `; none of its ${q.due} queries was answered by a report, which is what hosts with strict rp_filter do (they drop the queries, ` +
      'and snooping switches then age their memberships out)'
    : q.due > 0 ? `; ${q.answered} of its ${q.due} queries were answered` : '';
  return makeFinding('QUERIER_OFF_SUBNET', {
    iface: dev, source: q.address,
    severity: q.due > 0 && q.answered === 0 ? 'error' : 'warning',
    message: `Querier ${q.address} on ${dev} is outside the link's subnet ${list} (${whence})${ignored}.`,
    fix:
      `Give the querier an address inside ${list}; on the hosts, until then: sysctl -w net.ipv4.conf.IFACE.rp_filter=2 (or a route to ` +
      `${q.address} via that interface). Check a planned address first: mcast-doctor querier-check --planned ADDR --iface IFACE.`,
    evidence: { ...heard, subnet: list, subnetSource: net.source, ...(net.from ? { inferredFrom: net.from } : {}) },
  });
}

function noQuerier(ctl: ControlResult, iface: IfaceSummary): Finding[] {
  if (ctl.queriers.some((q) => q.family === 4) || ctl.reports === 0) return [];
  const spanS = iface.firstUs !== null && iface.lastUs !== null ? (iface.lastUs - iface.firstUs) / 1e6 : 0;
  if (spanS < NO_QUERIER_SPAN_S) return [];
  return [makeFinding('NO_QUERIER', {
    iface: ctl.iface,
    message:
      `No IGMP query in ${Math.round(spanS)} s of capture on ${ctl.iface}, while hosts there report memberships (${ctl.reports} reports).`,
    evidence: { family: 4, capturedS: Math.round(spanS), reports: ctl.reports, reporters: ctl.reporters.slice(0, 5) },
  })];
}
