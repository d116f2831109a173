// From what was heard to a diagnosis. Pure: the listen (listen.ts) gathers, this judges.
import { firstAndMore, type Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { Family } from '../kernel/ip.js';
import { olderVersionTimeoutS } from '../observation/rules.js';
import type { FamilyReport, InterfaceReport, QuerierReport } from './report.js';

const proto = (f: Family): string => (f === 4 ? 'IGMP' : 'MLD');

export function querierFindings(r: Omit<QuerierReport, 'findings'>): Finding[] {
  const out: Finding[] = [];
  for (const i of r.interfaces) {
    if (i.igmp) out.push(...familyFindings(i, i.igmp, r));
    if (i.mld) out.push(...familyFindings(i, i.mld, r));
  }
  if (r.expect && !r.expect.met) out.push(...expectFindings(r));
  return out;
}

function familyFindings(i: InterfaceReport, fr: FamilyReport, r: Omit<QuerierReport, 'findings'>): Finding[] {
  const out: Finding[] = [];
  if (fr.queriersMore || fr.queriers.length > PLAUSIBLE_QUERIERS) out.push(floodFinding(i, fr, r));
  // MLD queries the kernel ignores (hop limit, Router Alert, source: RFC 3810 6.2) are named, never taken for a querier.
  for (const q of fr.queriers) if (ignoredOf(q)) out.push(ignoredMld(i, fr, q, r));
  const valid = fr.queriers.filter((q) => q.versions.length > 0
    && (ignoredOf(q)?.queries ?? 0) < q.generalQueries + q.groupSpecificQueries);
  if (valid.length === 0) {
    // Only ignored queriers: they were named above; "no querier" would hide why.
    if (fr.queriers.some((q) => ignoredOf(q))) return out;
    out.push(noQuerier(i, fr, r), ...kernelVersionFindings(i, fr, r));
    return out;
  }
  // The address questions are IPv4's: IPv6 has no rp_filter, and an MLD querier off link-local is ignored (above).
  if (fr.family === 4) for (const q of valid) out.push(...addressFindings(i, fr, q, r));
  if (valid.length > 1) out.push(multipleQueriers(i, fr, valid));
  out.push(...versionFindings(i, fr, valid));
  return out;
}

function noQuerier(i: InterfaceReport, fr: FamilyReport, r: Omit<QuerierReport, 'findings'>): Finding {
  const dev = i.name;
  return makeFinding('NO_QUERIER', {
    iface: dev,
    message:
      `No ${proto(fr.family)} query heard on ${dev} in ${r.durationS} s` +
      `${r.timeoutS < 125 ? ' (shorter than one default query interval of 125 s: listen longer to be sure)' : ''}.`,
    explanation:
      'Without a querier nobody solicits reports: a snooping switch ages each membership out after the membership interval (robustness 2 ' +
      `x query interval 125 s + response 10 s = 260 s by default) and a hardware switch then stops forwarding the group to ${dev} ` +
      '("works for a few minutes, then stops"); a Linux bridge floods instead.',
    fix: fr.family === 4
      ? 'Enable one IGMP querier on the segment: on the switch (e.g. "ip igmp snooping querier"), or on a Linux bridge: ' +
        'ip link set BR type bridge mcast_querier 1 mcast_query_use_ifaddr 1 (with an on-subnet address on BR).'
      : 'Enable one MLD querier on the segment (Linux bridge: ip link set BR type bridge mcast_querier 1; ' +
        'it sends from its fe80:: address).',
    evidence: {
      family: fr.family,
      listenedS: r.durationS,
      badChecksumQueries: fr.queriers.reduce((n, q) => n + q.badChecksums, 0),
      querierColumn: fr.kernel.querierVersionAfter ?? null,
    },
  });
}

/** What an IPv4 querier's source address says: 0.0.0.0/8, off every prefix of the interface, dropped by rp_filter. */
function addressFindings(i: InterfaceReport, fr: FamilyReport, q: FamilyReport['queriers'][number],
  r: Omit<QuerierReport, 'findings'>): Finding[] {
  const out: Finding[] = [];
  const dev = i.name;
  const where = { iface: dev, source: q.address };
  const heard = { versions: q.versions, generalQueries: q.generalQueries, groupSpecificQueries: q.groupSpecificQueries };
  if (q.zeroSource) {
    out.push(makeFinding('QUERIER_ZERO_SOURCE', {
      ...where,
      message:
        `${proto(fr.family)} queries on ${dev} come from ` +
        `${q.address}${q.address === '0.0.0.0' ? '' : ' (in 0.0.0.0/8, "this network": not a router address)'}: ` +
        'accepted (no reverse-path check applies to them), but they never win an election and some switches ignore them.',
      evidence: heard,
    }));
  } else if (!q.onSubnet) {
    out.push(makeFinding('QUERIER_OFF_SUBNET', {
      ...where,
      message:
        `Querier ${q.address} on ${dev} is outside every IPv4 prefix of ${dev} ` +
        `(${i.addresses.filter((a) => !a.includes(':')).join(', ') || 'none'})${q.rpf?.accepted ? ': accepted for now' : ''}.`,
      evidence: { ...heard, rpf: q.rpf },
    }));
  }
  if (q.rpf && !q.rpf.accepted) out.push(rpfDrop(i, fr, q, r));
  return out;
}

function multipleQueriers(i: InterfaceReport, fr: FamilyReport, valid: FamilyReport['queriers']): Finding {
  const names = valid.map((q) => q.address);
  return makeFinding('MULTIPLE_QUERIERS', {
    iface: i.name,
    message:
      `${valid.length}${fr.queriersMore ? '+' : ''} ${proto(fr.family)} queriers on ${i.name}: ${firstAndMore(names, 5)}; ` +
      `${fr.elected ? `${fr.elected} wins the election (lowest address)` : 'none of them can win'}.`,
    evidence: {
      queriers: names.slice(0, 16),
      more: Math.max(0, names.length - 16) + (fr.queriersMore?.sources ?? 0),
      elected: fr.elected,
    },
  });
}

/** More distinct queriers than a segment has (one to three): spoofed queries or a loop. */
const PLAUSIBLE_QUERIERS = 16;

function floodFinding(i: InterfaceReport, fr: FamilyReport, r: Omit<QuerierReport, 'findings'>): Finding {
  const more = fr.queriersMore;
  const sources = fr.queriers.length + (more?.sources ?? 0);
  const queries = fr.queriers.reduce((n, q) => n + q.generalQueries + q.groupSpecificQueries + q.badChecksums, 0) + (more?.queries ?? 0);
  return makeFinding('QUERIER_FLOOD', {
    iface: i.name,
    message:
      `${more?.atLeast ? 'At least ' : ''}${sources} distinct ${proto(fr.family)} querier addresses on ${i.name} in ${r.durationS} s ` +
      `(${queries} queries): spoofed queries or a forwarding loop, not queriers` +
      `${fr.elected ? `; the election shown (${fr.elected}) is among the ${fr.queriers.length} kept and cannot be trusted` : ''}.`,
    evidence: {
      sources,
      queries,
      kept: fr.queriers.length,
      notKept: more?.sources ?? 0,
      atLeast: more?.atLeast ?? false,
      listenedS: r.durationS,
      rpfNotChecked: r.rpfNotChecked ?? 0,
    },
  });
}

/** The MLD queries of q the kernel ignores: as the observer counted them, or all of them from a non-link-local source. */
function ignoredOf(q: FamilyReport['queriers'][number]): { queries: number; reasons: string[] } | undefined {
  if (q.ignored) return q.ignored;
  if (q.family === 6 && q.linkLocal === false) return { queries: q.generalQueries + q.groupSpecificQueries,
    reasons: ['source not link-local'] };
  return undefined;
}

function ignoredMld(i: InterfaceReport, fr: FamilyReport, q: FamilyReport['queriers'][number],
  r: Omit<QuerierReport, 'findings'>): Finding {
  const ig = ignoredOf(q)!;
  const c = r.counters.mld;
  const counter = c
    ? `; /proc/net/snmp6: Icmp6InGroupMembQueries +${c.queriesIn.delta} while MLD reports sent +${c.reportsOut.delta}`
    : '';
  const evidence = {
    reasons: ig.reasons,
    ignoredQueries: ig.queries,
    hopLimit: q.ttl,
    routerAlert: q.routerAlert,
    versions: q.versions,
    answered: fr.answered,
    snmp6: c ?? null,
  };
  if (q.linkLocal === false) {
    return makeFinding('MLD_QUERIER_NOT_LINK_LOCAL', {
      iface: i.name, source: q.address,
      message:
        `MLD queries on ${i.name} come from ${q.address}, not a link-local address: this host ignores them (RFC 3810 6.2)` +
        `${ig.reasons.length > 1 ? `; also ${ig.reasons.filter((x) => !x.startsWith('source')).join(', ')}` : ''}${counter}.`,
      evidence,
    });
  }
  return makeFinding('MLD_QUERY_IGNORED', {
    iface: i.name, source: q.address,
    message:
      `The kernel ignores ${ig.queries} MLD ${ig.queries === 1 ? 'query' : 'queries'} from ${q.address} on ${i.name}: ` +
      `${ig.reasons.join(', ')} (RFC 3810 5.1.14, 6.2)${counter}. This querier is not elected and the host does not answer it.`,
    evidence,
  });
}

function rpfDrop(i: InterfaceReport, fr: FamilyReport, q: FamilyReport['queriers'][number], r: Omit<QuerierReport, 'findings'>): Finding {
  const dev = i.name;
  const delta = r.counters.ipReversePathFilter.delta;
  const count = q.generalQueries + q.groupSpecificQueries;
  const confirm = delta > 0
    ? `TcpExt IPReversePathFilter rose by ${delta} while ${count} ${count === 1 ? 'query' : 'queries'} from it arrived`
    : 'TcpExt IPReversePathFilter did not rise during the listen (the drop may have another cause: see evidence.rpf)';
  const back = q.rpf?.routeBackDev ? `the route back leaves by ${q.rpf.routeBackDev}` : 'there is no route back';
  return makeFinding('QUERIER_RPF_DROP', {
    iface: dev, source: q.address,
    message:
      `The kernel drops ${proto(fr.family)} queries from ${q.address} on ${dev}: ` +
      `rp_filter is ${i.rpFilter.mode} (${i.rpFilter.effective}) and ${back}; ${confirm}. This host never answers them.`,
    fix:
      `sysctl -w net.ipv4.conf.${dev}.rp_filter=2 (loose; net.ipv4.conf.all.rp_filter must be <= 2), ` +
      `or ip route add ${q.address}/32 dev ${dev}, or give the querier an address inside ${dev}'s subnet (check one first: ` +
      `mcast-doctor querier-check --planned ADDR --iface ${dev}).`,
    evidence: {
      rpFilter: i.rpFilter,
      rpf: q.rpf,
      ipReversePathFilter: r.counters.ipReversePathFilter,
      queries: count,
      versions: q.versions,
      querierVersionBefore: fr.kernel.querierVersionBefore,
      querierVersionAfter: fr.kernel.querierVersionAfter,
      answered: fr.answered,
      hostReports: fr.host.count,
    },
  });
}

function versionFindings(i: InterfaceReport, fr: FamilyReport, valid: FamilyReport['queriers']): Finding[] {
  // Only queries the host accepts change its behaviour: a dropped or ignored querier is told above.
  const accepted = valid.filter((q) => (q.rpf ? q.rpf.accepted : true) && q.linkLocal !== false);
  const host = fr.kernel.hostVersion;
  const odd = accepted.filter((q) => q.versions.some((v) => v !== host));
  if (odd.length === 0) return fr.family === 4 && host === 3 ? kernelVersionFindings(i, fr) : [];
  const P = proto(fr.family);
  const list = odd.map((q) => `${q.address} v${q.versions.join('/')}`).join(', ');
  const lower = odd.some((q) => q.versions.some((v) => v < host));
  const forceKey = fr.family === 4 ? `net.ipv4.conf.${i.name}.force_igmp_version` : `net.ipv6.conf.${i.name}.force_mld_version`;
  return [makeFinding('QUERIER_VERSION_MISMATCH', {
    iface: i.name,
    message: lower
      ? `${P} querier ${list} on ${i.name} is older than the host's ${P}v${host}: the host falls back to it` +
        `${fr.kernel.querierVersionAfter ? ` (/proc/net/igmp Querier column: ${fr.kernel.querierVersionAfter})` : ''} ` +
        'and stops signalling source filters (SSM).'
      : `The host is pinned to ${P}v${host} (${forceKey}=${fr.kernel.forceVersion}) while querier ${list} on ${i.name} speaks a newer ` +
        'version: source-specific joins are not signalled.',
    fix: lower
      ? `Upgrade the querier to ${fr.family === 4 ? 'IGMPv3' : 'MLDv2'}; if it cannot be, know that SSM (232/8) will not work on ${i.name}.`
      : `sysctl -w ${forceKey}=0`,
    evidence: {
      queriers: odd.map((q) => ({ address: q.address, versions: q.versions })),
      hostVersion: host,
      forceVersion: fr.kernel.forceVersion,
      querierVersionBefore: fr.kernel.querierVersionBefore,
      querierVersionAfter: fr.kernel.querierVersionAfter,
    },
  })];
}

/**
 * The kernel's own state as evidence when no old query fell in the window (a short listen): the
 * Querier column says V1/V2 for ~260 s after the kernel last heard such a query (kernel-version.ts).
 */
function kernelVersionFindings(i: InterfaceReport, fr: FamilyReport, r?: Omit<QuerierReport, 'findings'>): Finding[] {
  const col = fr.kernel.querierVersionAfter ?? fr.kernel.querierVersionBefore;
  if (fr.family !== 4 || (col !== 'V1' && col !== 'V2') || fr.kernel.forceVersion) return [];
  const v = col === 'V1' ? 1 : 2;
  const timeout = olderVersionTimeoutS();
  return [makeFinding('QUERIER_VERSION_MISMATCH', {
    iface: i.name,
    message:
      `The kernel speaks IGMPv${v} on ${i.name} (/proc/net/igmp Querier column: ${col}): ` +
      `an IGMPv${v} querier was heard within the last ~${timeout} s${r ? `, though none fell in this ${r.durationS} s listen` : ''}. ` +
      `Source filters (SSM) are not signalled until it reverts to IGMPv3, ${timeout} s after the last IGMPv${v} query.`,
    fix: `Upgrade the IGMPv${v} querier to IGMPv3 (listen longer to name it: mcast-doctor querier-check -4 -i ${i.name} --timeout 130).`,
    evidence: { querierVersionBefore: fr.kernel.querierVersionBefore ?? null, querierVersionAfter: fr.kernel.querierVersionAfter ?? null,
      hostVersion: fr.kernel.hostVersion, revertsAfterS: timeout, source: 'kernel' },
  })];
}

function expectFindings(r: Omit<QuerierReport, 'findings'>): Finding[] {
  const e = r.expect!;
  if (e.electedOn.length === 0) {
    return [makeFinding('QUERIER_NOT_EXPECTED', {
      source: e.address,
      message: `--expect ${e.address}: no chosen interface listens in its address family.`,
      evidence: { expect: e },
    })];
  }
  return e.electedOn.filter((x) => x.elected !== e.address).map((x) => makeFinding('QUERIER_NOT_EXPECTED', {
    iface: x.iface, source: e.address,
    message: `--expect ${e.address}: the elected querier on ${x.iface} is ${x.elected ?? 'nobody (no query heard)'}.`,
    evidence: { expected: e.address, elected: x.elected ?? null },
  }));
}
