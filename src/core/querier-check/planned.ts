// `querier-check --planned ADDR --iface DEV`: would this host accept queries from ADDR on DEV,
// before anybody configures ADDR on a switch? No traffic is needed: the kernel is asked.
//
// IPv4. The current rp_filter mode is answered by the kernel itself (checkReversePath: `ip route
// get 224.0.0.1 from ADDR iif DEV` runs fib_validate_source(), the check that drops packets).
// The other modes are reasoned from the kernel's route back to ADDR (`ip route get ADDR`),
// following __fib_validate_source() in net/ipv4/fib_frontend.c:
//   - off (0): accepted, unless ADDR is martian (one of this host's own addresses or loopback:
//     the kernel refuses a local source in every mode, inet_lookup_ifaddr_rcu);
//   - strict (1): accepted iff the route back to ADDR leaves by DEV (fib_info_nh_uses_dev);
//   - loose (2): accepted iff any unicast route back to ADDR exists (a second fib_lookup).
// The lab test flips the sysctl in a namespace and holds these predictions to the kernel's answer.
// Caveat: `ip route get` names one nexthop; with a multipath route the kernel accepts when any
// nexthop uses DEV, so the strict prediction can be pessimistic there. The current mode's answer
// is always the kernel's own.
//
// IPv6 has no rp_filter; an MLD query is only accepted from a link-local source (RFC 3810 6.2).
import type { Platform } from '../../platform/types.js';
import type { Uses } from '../deps.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { UsageError } from '../errors.js';
import { addressesOf, loadInterfaces, type Interface } from '../kernel/interfaces.js';
import { familyOf, inPrefix, ipv4ToInt, isLinkLocalUnicast6, isMulticast, ipv6ToBytes, type Family } from '../kernel/ip.js';
import { checkReversePath } from '../kernel/rpf-check.js';
import type { RpFilterState } from '../kernel/rpfilter-conf.js';
import { lowestOf, usableRange4, usableRange6, type UsableRange } from './usable-range.js';

export interface ModePrediction { off: boolean; strict: boolean; loose: boolean }

export interface PlannedResult {
  address: string;
  family: Family;
  iface: string;
  verdict: 'accepted' | 'dropped';
  reason: string;
  onSubnet: boolean;
  /** The interface prefix ADDR falls in. */
  prefix?: string;
  ownAddress: boolean;
  /** IPv4: rp_filter as configured, the kernel's own answer, the route back, per-mode predictions. */
  rpFilter?: RpFilterState;
  kernel?: { accepted: boolean; error?: string; command: string };
  routeBack?: { ok: boolean; dev?: string; gateway?: string; type?: string; error?: string };
  modes?: ModePrediction;
  /** IPv6: link-local source (required for MLD). */
  linkLocal?: boolean;
  usable: UsableRange[];
  /** The lowest free address: it would win the election (lowest address wins). */
  suggestion?: string;
  findings: Finding[];
}

/** Throws UsageError (exit 2) unless addr is an IPv4/IPv6 unicast address. */
export function assertUnicast(addr: string): Family {
  const fam = familyOf(addr);
  if (fam === undefined) throw new UsageError('BAD_ADDRESS', `--planned ${addr}: not an IPv4 or IPv6 address`);
  const bad =
    isMulticast(addr) ? 'a multicast address'
    : fam === 4 && ipv4ToInt(addr) === 0
      ? 'the unspecified address (queries from 0.0.0.0 skip rp_filter but never win an election; plan a real address)'
    : fam === 4 && ipv4ToInt(addr) === 0xffffffff ? 'the limited broadcast address'
    : fam === 6 && ipv6ToBytes(addr).every((b) => b === 0) ? 'the unspecified address'
    : undefined;
  if (bad) throw new UsageError('BAD_ADDRESS', `--planned ${addr}: ${bad}, not a unicast querier address`);
  return fam;
}

function ownAddresses(all: readonly Interface[], fam: Family): string[] {
  return all.flatMap((i) => addressesOf(i, fam).map((a) => a.address));
}

/** The Host slice `--planned` touches: the kernel is asked, nothing is captured. */
export type PlannedDeps = Uses<'platform'>;

export async function checkPlanned(deps: PlannedDeps, address: string, ifaceName: string): Promise<PlannedResult> {
  const p = deps.platform;
  const family = assertUnicast(address);
  const { interfaces } = await loadInterfaces(p);
  const iface = interfaces.find((i) => i.name === ifaceName);
  if (!iface) throw new UsageError('NO_SUCH_IFACE', `--iface ${ifaceName}: no such interface (see: mcast-doctor interfaces)`);
  return family === 4 ? planned4(p, address, iface, interfaces) : planned6(address, iface, interfaces);
}

async function planned4(p: Platform, address: string, iface: Interface, all: readonly Interface[]): Promise<PlannedResult> {
  const dev = iface.name;
  const prefixes = addressesOf(iface, 4);
  const hit = prefixes.find((a) => inPrefix(address, a.address, a.prefixLen));
  const own = ownAddresses(all, 4);
  const ownAddress = own.includes(address);
  const [rpf, back] = await Promise.all([checkReversePath(p, address, dev), p.routeGet({ family: 4, dst: address })]);
  const martian = ownAddress || ipv4ToInt(address) >>> 24 === 127 || (back.ok && back.type === 'local');
  const loose = !martian && back.ok && (back.type === undefined || back.type === 'unicast');
  const modes: ModePrediction = { off: !martian, strict: loose && back.ok && back.dev === dev, loose };
  const usable = prefixes.map((a) => usableRange4(a, own));
  const rp = iface.rpFilter;
  const routeBack: NonNullable<PlannedResult['routeBack']> = back.ok
    ? {
      ok: true,
      ...(back.dev ? { dev: back.dev } : {}),
      ...(back.gateway ? { gateway: back.gateway } : {}),
      ...(back.type ? { type: back.type } : {}),
    }
    : { ok: false, error: back.error };
  const r: PlannedResult = {
    address, family: 4, iface: dev,
    verdict: rpf.accepted ? 'accepted' : 'dropped',
    reason: '',
    onSubnet: hit !== undefined,
    ownAddress,
    rpFilter: rp,
    kernel: { accepted: rpf.accepted, command: `ip route get 224.0.0.1 from ${address} iif ${dev}`,
      ...(rpf.kernelError ? { error: rpf.kernelError } : {}) },
    routeBack,
    modes,
    usable,
    findings: [],
  };
  if (hit) r.prefix = hit.network;
  const suggestion = usable.map(lowestOf).find((x) => x !== undefined);
  if (suggestion) r.suggestion = suggestion;
  r.reason = reason4(r, dev);
  r.findings = findings4(r, dev);
  return r;
}

function reason4(r: PlannedResult, dev: string): string {
  const rp = r.rpFilter!;
  const where = r.onSubnet ? `${r.address} is inside ${r.prefix} on ${dev}` : `${r.address} is outside every IPv4 prefix of ${dev}`;
  const back = r.routeBack?.ok ? `the route back to it leaves by ${r.routeBack.dev ?? '?'}`
    : `there is no route back to it (${r.routeBack?.error ?? 'none'})`;
  const mode = `rp_filter on ${dev} is ${rp.mode} (effective ${rp.effective} = max(all ${rp.all}, ${dev} ${rp.iface}))`;
  if (r.ownAddress) return `${r.address} is one of this host's own addresses: ` +
    'the kernel drops packets from a local source as martian, whatever rp_filter says.';
  if (r.verdict === 'dropped') {
    const alt = r.modes?.loose ? ' Loose mode (2) would accept it.' : r.modes?.off ? ' Only rp_filter 0 would accept it.' : '';
    return `${where}; ${back}; ${mode}: the kernel drops its queries (${r.kernel?.command}: ${r.kernel?.error ?? 'refused'}).${alt}`;
  }
  const strictNote = r.modes && !r.modes.strict ? ' Strict mode (1) would drop it.' : ' Accepted in strict and loose modes too.';
  return `${where}; ${back}; ${mode}: the kernel accepts its queries.${strictNote}`;
}

function findings4(r: PlannedResult, dev: string): Finding[] {
  const out: Finding[] = [];
  const evidence = { planned: true, kernel: r.kernel, routeBack: r.routeBack, rpFilter: r.rpFilter, modes: r.modes };
  if (r.verdict === 'dropped') {
    out.push(makeFinding('QUERIER_RPF_DROP', {
      iface: dev, source: r.address,
      message: r.ownAddress
        ? `A querier at ${r.address} would be ignored on ${dev}: it is this host's own address (a martian source in every rp_filter mode).`
        : `A querier at ${r.address} would be ignored on ${dev}: rp_filter is ${r.rpFilter?.mode} and ` +
          `${r.routeBack?.ok ? `the route back leaves by ${r.routeBack.dev ?? '?'}` : 'there is no route back'}; ` +
          'the kernel drops its queries and this host never answers them.',
      fix: r.ownAddress ? `Pick another address${r.suggestion ? `, e.g. ${r.suggestion}` : ''}.`
        : `Use an address inside ${dev}'s subnet${r.suggestion ? ` (lowest free: ${r.suggestion})` : ''}; or sysctl -w ` +
          `net.ipv4.conf.${dev}.rp_filter=2 (with net.ipv4.conf.all.rp_filter <= 2); or ip route add ${r.address}/32 dev ${dev}.`,
      evidence,
    }));
  }
  if (!r.onSubnet && !r.ownAddress) {
    out.push(makeFinding('QUERIER_OFF_SUBNET', {
      iface: dev, source: r.address,
      message:
        `${r.address} is outside every IPv4 prefix of ${dev}${r.modes && !r.modes.strict ? ' (strict rp_filter would drop it)' : ''}.`,
      fix: `Configure the querier inside ${addressesPrefixes(r)}${r.suggestion ? `, e.g. ${r.suggestion}` : ''}.`,
      evidence,
    }));
  }
  return out;
}

function addressesPrefixes(r: PlannedResult): string {
  return r.usable.map((u) => u.prefix).join(', ') || 'the segment\'s subnet';
}

function planned6(address: string, iface: Interface, all: readonly Interface[]): PlannedResult {
  const dev = iface.name;
  const linkLocal = isLinkLocalUnicast6(address);
  const ownLl = addressesOf(iface, 6).filter((a) => isLinkLocalUnicast6(a.address)).map((a) => a.address);
  const ownAddress = ownAddresses(all, 6).includes(address.split('%')[0] ?? address);
  const usable = [usableRange6(ownLl)];
  const onSubnet = linkLocal || addressesOf(iface, 6).some((a) => inPrefix(address, a.address, a.prefixLen));
  const accepted = linkLocal;
  const r: PlannedResult = {
    address, family: 6, iface: dev,
    verdict: accepted ? 'accepted' : 'dropped',
    reason: ownAddress
      ? `${address} is already this host's own address: configured on the querier it would be a duplicate address; pick another.`
      : linkLocal
        ? `${address} is link-local: hosts accept MLD queries from it on ${dev} (RFC 3810 section 6.2; IPv6 has no rp_filter).`
        : `${address} is not link-local: hosts discard MLD queries whose source is not fe80::/10 (RFC 3810 section ` +
          '6.2), whatever the subnet.',
    onSubnet,
    ownAddress,
    linkLocal,
    usable,
    findings: [],
  };
  if (!linkLocal) {
    r.findings.push(makeFinding('MLD_QUERIER_NOT_LINK_LOCAL', {
      iface: dev, source: address,
      message: `A MLD querier at ${address} would be ignored on ${dev}: not a link-local source.`,
      fix: 'Let the querier send from its fe80:: address on this segment (most switches do by default).',
      evidence: { planned: true, linkLocal },
    }));
  }
  return r;
}
