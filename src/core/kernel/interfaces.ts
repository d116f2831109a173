// The interface model: what the kernel says of each interface, merged into one record, and
// the findings that follow from it alone (IFACE_DOWN, IFACE_NO_MULTICAST, IFACE_NO_ADDRESS).
import type { LinkKind, Platform, RawInterface, WifiLink } from '../../platform/types.js';
import type { Igmp6Entry, IgmpDevice } from '../../platform/procfs/igmp.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { selectInterfaces, type IfaceSelection } from './iface-filter.js';
import { isLinkLocalUnicast6, networkOf, type Family } from './ip.js';
import { readHostRpFilter, readRpFilter, type RpFilterState } from './rpfilter-conf.js';
import { operstateCarries } from './eligibility.js';
import { roleWords, rolesOf, type InterfaceRole } from './roles.js';

// IFF_* bits (include/uapi/linux/if.h).
export const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, RUNNING: 0x40, MULTICAST: 0x1000 } as const;

export interface Address {
  family: Family;
  address: string;
  prefixLen: number;
  /** address/len */
  cidr: string;
  /** network/len */
  network: string;
  scope: 'host' | 'link' | 'global';
}

export interface JoinedGroup {
  family: Family;
  group: string;
  users: number;
}

export interface Interface {
  name: string;
  index: number;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_RUNNING: carrier. */
  running: boolean;
  operstate: string;
  multicast: boolean;
  loopback: boolean;
  flags: string[];
  mac: string;
  mtu: number;
  /** wired, wifi, vpn, tunnel, virtual... from /sys (undefined where the platform does not say). */
  kind?: LinkKind;
  /** tun, tap, wireguard, ppp, gre, bridge, vlan... where /sys tells it. */
  linkKind?: string;
  /** Inventory reports only (`details`): wired speed and duplex, the Wi-Fi network. */
  speedMbps?: number;
  duplex?: 'full' | 'half';
  wifi?: WifiLink;
  addresses: Address[];
  defaultRoute: { ipv4: boolean; ipv6: boolean };
  rpFilter: RpFilterState;
  /** Version column of /proc/net/igmp (V1/V2/V3), and net.ipv4.conf.IF.force_igmp_version. */
  igmp: { querierVersion?: string; forceVersion: number };
  mld: { forceVersion: number };
  groups: JoinedGroup[];
  /** Bridge port, bond slave, macvlan lower...: who carries its layer-3 role (roles.ts). */
  role?: InterfaceRole;
}

export interface InterfaceInventory {
  interfaces: Interface[];
  findings: Finding[];
}

export interface InventoryOptions {
  selection?: IfaceSelection;
  /** Restrict address-family checks (the -4 / -6 flags). */
  family?: Family;
  /** Speed, duplex and the Wi-Fi network (the driver and systeminformation asked): reports only. */
  details?: boolean;
}

function flagNames(flags: number): string[] {
  return Object.entries(IFF).filter(([, bit]) => (flags & bit) !== 0).map(([n]) => n);
}

function toAddress(a: RawInterface['addresses'][number]): Address {
  const scope: Address['scope'] =
    a.family === 4
      ? a.address.startsWith('127.') ? 'host' : a.address.startsWith('169.254.') ? 'link' : 'global'
      : a.address === '::1' ? 'host' : isLinkLocalUnicast6(a.address) ? 'link' : 'global';
  return {
    family: a.family,
    address: a.address,
    prefixLen: a.prefixLen,
    cidr: `${a.address}/${a.prefixLen}`,
    network: `${networkOf(a.address, a.prefixLen)}/${a.prefixLen}`,
    scope,
  };
}

/**
 * Joined groups by ifindex, built once: a lookup per interface into 60 000 memberships was
 * O(interfaces x groups) (issue 19 item 8).
 */
function joinedByIndex(igmp: readonly IgmpDevice[], igmp6: readonly Igmp6Entry[]): Map<number, JoinedGroup[]> {
  const byIndex = new Map<number, JoinedGroup[]>();
  const groupsOf = (index: number): JoinedGroup[] => {
    let l = byIndex.get(index);
    if (!l) byIndex.set(index, (l = []));
    return l;
  };
  for (const d of igmp) {
    const l = groupsOf(d.index);
    for (const g of d.groups) l.push({ family: 4, group: g.group, users: g.users });
  }
  for (const e of igmp6) groupsOf(e.index).push({ family: 6, group: e.group, users: e.users });
  return byIndex;
}

export async function loadInterfaces(p: Platform, opts: InventoryOptions = {}): Promise<InterfaceInventory> {
  // Started together: the platform starts `ip` for the links and the routes first, and reads
  // /proc/net/igmp (synchronously, ~0.2 s of kernel time at 60 000 memberships) while they run.
  const [every, defaults, igmp, igmp6, hostRp] = await Promise.all([
    p.listInterfaces({ details: opts.details ?? false }), p.defaultRoutes(), p.igmp(), p.igmp6(), readHostRpFilter(p)]);
  // Roles from every interface: a selected port's master may be outside the selection.
  const roles = rolesOf(every);
  const raw = selectInterfaces(every, opts.selection ?? {});
  const igmpByIndex = new Map(igmp.map((d) => [d.index, d]));
  const groupsByIndex = joinedByIndex(igmp, igmp6);
  const interfaces = await Promise.all(
    raw.map(async (r): Promise<Interface> => {
      const igmpDev = igmpByIndex.get(r.index);
      const groups = groupsByIndex.get(r.index) ?? [];
      const iface: Interface = {
        name: r.name,
        index: r.index,
        up: (r.flags & IFF.UP) !== 0,
        // /sys flags omit IFF_RUNNING (it is computed by dev_get_flags): operstate carries it.
        running: operstateCarries(r.operstate),
        operstate: r.operstate,
        multicast: (r.flags & IFF.MULTICAST) !== 0,
        loopback: (r.flags & IFF.LOOPBACK) !== 0,
        flags: flagNames(r.flags),
        mac: r.mac,
        mtu: r.mtu,
        addresses: r.addresses.map(toAddress),
        defaultRoute: {
          ipv4: defaults.some((d) => d.family === 4 && d.dev === r.name),
          ipv6: defaults.some((d) => d.family === 6 && d.dev === r.name),
        },
        rpFilter: await readRpFilter(p, r.name, hostRp),
        igmp: { forceVersion: Number((await p.sysctl(`net.ipv4.conf.${r.name}.force_igmp_version`)) ?? 0) },
        mld: { forceVersion: Number((await p.sysctl(`net.ipv6.conf.${r.name}.force_mld_version`)) ?? 0) },
        groups,
      };
      if (igmpDev?.querier) iface.igmp.querierVersion = igmpDev.querier;
      const role = roles.get(r.name);
      if (role) iface.role = role;
      if (r.kind !== undefined) iface.kind = r.kind;
      if (r.linkKind !== undefined) iface.linkKind = r.linkKind;
      if (r.speedMbps !== undefined) iface.speedMbps = r.speedMbps;
      if (r.duplex !== undefined) iface.duplex = r.duplex;
      if (r.wifi !== undefined) iface.wifi = r.wifi;
      return iface;
    }),
  );
  return { interfaces, findings: interfaces.flatMap((i) => interfaceFindings(i, opts.family)) };
}

/**
 * The part of a whole-host inventory that `selection` names (loadInterfaces with that selection
 * would give the same): doctor loads the host once and hands the whole to rpfilter-audit.
 */
export function selectInventory(inv: InterfaceInventory, selection: IfaceSelection): InterfaceInventory {
  const interfaces = selectInterfaces(inv.interfaces, selection);
  if (interfaces.length === inv.interfaces.length) return inv;
  const names = new Set(interfaces.map((i) => i.name));
  return { interfaces, findings: inv.findings.filter((f) => f.iface === undefined || names.has(f.iface)) };
}

/**
 * The inventory as `interfaces -4` / `-6` shows it: each interface's addresses and joined groups of
 * that family only (the other family's were listed before, issue 21). The checks keep the whole.
 */
export function onlyFamily(inv: InterfaceInventory, family: Family | undefined): InterfaceInventory {
  if (!family) return inv;
  return {
    ...inv,
    interfaces: inv.interfaces.map((i) => ({
      ...i,
      addresses: addressesOf(i, family),
      groups: i.groups.filter((g) => g.family === family),
    })),
  };
}

export function addressesOf(iface: Interface, family: Family): Address[] {
  return iface.addresses.filter((a) => a.family === family);
}

/** Findings from the interface's own state. Loopback and interfaces without MULTICAST that are down are quiet. */
export function interfaceFindings(iface: Interface, family?: Family): Finding[] {
  if (iface.loopback) return [];
  const out: Finding[] = [];
  const evidence = { operstate: iface.operstate, flags: iface.flags };
  if (!iface.up) {
    // A down interface with no address is usually one nobody configured (ifb, a spare port):
    // worth a mention, not a warning.
    const configured = iface.addresses.some((a) => a.scope !== 'link');
    out.push(makeFinding('IFACE_DOWN', {
      iface: iface.name,
      severity: configured ? 'warning' : 'info',
      message: `${iface.name} is administratively down: joins on it succeed silently and sends fail.`,
      fix: `ip link set dev ${iface.name} up`,
      evidence,
    }));
    return out;
  }
  if (!iface.multicast) {
    out.push(makeFinding('IFACE_NO_MULTICAST', {
      iface: iface.name,
      message: `${iface.name} lacks the MULTICAST flag: its driver may drop multicast.`,
      fix: `ip link set dev ${iface.name} multicast on`,
      evidence,
    }));
  }
  // A bridge port, bond slave or macvlan lower moves frames for another device: no address is
  // right there (issue 19 item 6); the device that carries layer 3 is judged in its own right.
  if (iface.role?.needsAddress === false) return out;
  const families: Family[] = family ? [family] : [4];
  const what = roleWords(iface.role);
  const members = iface.role?.role === 'bridge' || iface.role?.role === 'bond' || iface.role?.role === 'team';
  for (const fam of families) {
    if (addressesOf(iface, fam).length === 0) {
      const why = fam === 4
        ? 'IGMP reports leave from 0.0.0.0, which many switches ignore'
        : 'MLD cannot report without a link-local address';
      const onMaster = members && (iface.role?.members ?? []).length > 0
        ? ` (on the ${iface.role?.role ?? 'master'}, not on its ports)`
        : '';
      out.push(makeFinding('IFACE_NO_ADDRESS', {
        iface: iface.name,
        message: `${iface.name}${what ? ` (${what})` : ''} has no IPv${fam} address: ${why}.`,
        fix: `ip addr add ADDR/LEN dev ${iface.name}${onMaster}`,
        evidence: { ...evidence, addresses: iface.addresses.map((a) => a.cidr), ...(iface.role ? { role: iface.role.role } : {}) },
      }));
    }
  }
  return out;
}
