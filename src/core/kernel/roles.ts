// Which interface carries the layer-3 role (issue 19 item 6). A bridge port, a bond or team slave,
// an Open vSwitch port, the lower device of macvlans/ipvlans/VLANs: these move frames for another
// device and need no address of their own (Docker's veths, KVM's vnets, a macvlan parent, a VLAN
// trunk). The address, the IGMP reports and the findings about them belong to the master bridge or
// bond, or to the devices on top. A VRF member keeps its addresses (it is layer 3 inside the VRF);
// the VRF device itself needs none. Tunnels are layer 3 unless bridged (a vxlan in a bridge is a port).
import type { RawInterface } from '../../platform/types.js';

export type RoleName =
  | 'plain' | 'loopback' | 'bridge' | 'bond' | 'team' | 'vrf' | 'tunnel'
  | 'bridge-port' | 'bond-slave' | 'team-port' | 'ovs-port' | 'vrf-member' | 'lower';

export interface InterfaceRole {
  role: RoleName;
  /** iproute2's link kind (veth, macvlan, vxlan, bridge...), when it gives one. */
  kind?: string;
  /** False where an address would be wrong or useless: the layer-3 role is elsewhere (`l3`). */
  needsAddress: boolean;
  /** The interfaces that carry this one's layer-3 role: its master (resolved up a chain), or the devices on top. */
  l3: string[];
  /** The bridge, bond, team, OVS datapath or VRF this one is enslaved to. */
  master?: string;
  /** A master's ports, a lower's upper devices, a tunnel's underlay. */
  members?: string[];
}

const PORT_ROLE: Record<string, RoleName> = { bridge: 'bridge-port', bond: 'bond-slave', team: 'team-port', openvswitch: 'ovs-port' };
/** Devices whose lower is only their parent link (the frames go to them, not to the lower's own stack). */
const STACKED = new Set(['macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'vlan']);
const TUNNELS = new Set([
  'gre', 'gretap', 'ip6gre', 'ip6gretap', 'erspan', 'ip6erspan', 'ipip', 'sit', 'ip6tnl', 'vti', 'vti6',
  'vxlan', 'geneve', 'bareudp', 'wireguard', 'tun', 'ipoib', 'xfrm',
]);
/** A master chain longer than this is cut (bond in bridge in ... is two or three deep in practice). */
const MAX_DEPTH = 4;

/** The role of every interface, given all of them (masters and uppers are looked up by name). */
export function rolesOf(all: readonly RawInterface[]): Map<string, InterfaceRole> {
  const byName = new Map(all.map((r) => [r.name, r]));
  const out = new Map<string, InterfaceRole>();
  for (const r of all) out.set(r.name, roleOf(r, byName));
  return out;
}

function slaveKindOf(r: RawInterface, byName: ReadonlyMap<string, RawInterface>): string | undefined {
  if (r.link?.slaveKind) return r.link.slaveKind;
  // Older iproute2 may omit info_slave_kind: the master's own kind says the same.
  const m = r.link?.master ? byName.get(r.link.master)?.link?.kind : undefined;
  return m === 'openvswitch' ? 'openvswitch' : m;
}

/** Up the master chain to the first device that carries layer 3 (a bond in a bridge: the bridge). */
function layer3Of(name: string, byName: ReadonlyMap<string, RawInterface>, depth = 0): string[] {
  const r = byName.get(name);
  if (!r || depth >= MAX_DEPTH) return r ? [name] : [];
  const sk = slaveKindOf(r, byName);
  if (r.link?.master && sk && PORT_ROLE[sk]) {
    // OVS ports hand frames to the datapath; its layer 3 is an internal port not named here.
    return sk === 'openvswitch' ? [] : layer3Of(r.link.master, byName, depth + 1);
  }
  return [name];
}

export function roleOf(r: RawInterface, byName: ReadonlyMap<string, RawInterface>): InterfaceRole {
  const link = r.link;
  const kind = link?.kind;
  const base = kind !== undefined ? { kind } : {};
  const sk = slaveKindOf(r, byName);
  if (link?.master && sk && PORT_ROLE[sk]) {
    // OVS ports hand frames to the datapath; its layer 3 is an internal port the kernel does not link here.
    const l3 = sk === 'openvswitch' ? [] : layer3Of(link.master, byName);
    return { ...base, role: PORT_ROLE[sk] ?? 'bridge-port', needsAddress: false, l3, master: link.master };
  }
  if (link?.master && sk === 'vrf') return { ...base, role: 'vrf-member', needsAddress: true, l3: [r.name], master: link.master };
  if ((r.flags & 0x8) !== 0) return { ...base, role: 'loopback', needsAddress: false, l3: [r.name] };
  if (kind === 'bridge' || kind === 'bond' || kind === 'team') {
    return { ...base, role: kind, needsAddress: true, l3: [r.name], members: link?.lowers ?? [] };
  }
  if (kind === 'vrf') return { ...base, role: 'vrf', needsAddress: false, l3: link?.lowers ?? [], members: link?.lowers ?? [] };
  const stacked = (link?.uppers ?? []).filter((u) => STACKED.has(byName.get(u)?.link?.kind ?? ''));
  // The underlay of a tunnel on top (vxlan ... dev X) sends the tunnel's packets from its own address.
  const underlay = (link?.uppers ?? []).some((u) => TUNNELS.has(byName.get(u)?.link?.kind ?? ''));
  if (stacked.length > 0) return { ...base, role: 'lower', needsAddress: underlay, l3: underlay ? [r.name, ...stacked] : stacked,
    members: stacked };
  if (kind !== undefined && TUNNELS.has(kind)) return { ...base, role: 'tunnel', needsAddress: true, l3: [r.name],
    members: link?.lowers ?? [] };
  return { ...base, role: 'plain', needsAddress: true, l3: [r.name] };
}

/** A few words for messages and tables: "port of br0", "lower of mv0, mv1". Empty for a plain one. */
export function roleWords(role: InterfaceRole | undefined): string {
  if (!role) return '';
  const list = (xs: readonly string[]): string => (xs.length > 3 ? `${xs.slice(0, 3).join(', ')} +${xs.length - 3}` : xs.join(', '));
  switch (role.role) {
    case 'bridge-port': return `port of ${role.master ?? '?'}`;
    case 'bond-slave': return `slave of ${role.master ?? '?'}`;
    case 'team-port': return `port of team ${role.master ?? '?'}`;
    case 'ovs-port': return `OVS port of ${role.master ?? '?'}`;
    case 'vrf-member': return `in VRF ${role.master ?? '?'}`;
    case 'lower': return `lower of ${list(role.members ?? [])}`;
    case 'bridge': case 'bond': case 'team': return (role.members ?? []).length > 0 ? `${role.role} of ${list(role.members ?? [])}`
      : role.role;
    case 'vrf': return 'VRF';
    case 'tunnel': return `${role.kind ?? 'tunnel'} tunnel`;
    default: return '';
  }
}
