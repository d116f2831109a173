// What each interface is to the others: its link kind and enslavement from iproute2's details
// (`ip -d -j addr show`: linkinfo.info_kind, linkinfo.info_slave_kind, master), and the kernel's
// adjacency lists in /sys/class/net/IF (lower_X / upper_X links: macvlan, ipvlan and VLAN lowers,
// bridge and bond members). The core decides from these which interface carries the layer-3 role
// (core/kernel/roles.ts). iproute2's own `link` key is not used: for a veth it names the peer.
export interface RawLink {
  /** linkinfo.info_kind: bridge, bond, vrf, veth, macvlan, ipvlan, vlan, vxlan, gre, tun... */
  kind?: string;
  /** linkinfo.info_slave_kind: bridge, bond, team, vrf, openvswitch (set on enslaved ports). */
  slaveKind?: string;
  /** The master device (bridge, bond, team, VRF, OVS datapath). */
  master?: string;
  /** Devices this one sits on (/sys lower_*): a macvlan's parent, a VLAN's trunk, a bridge's ports. */
  lowers: string[];
  /** Devices on top of this one (/sys upper_*): its macvlans, VLANs, its master. */
  uppers: string[];
}

/** Interfaces read per host at most: beyond, the adjacency of the rest is left empty. */
const MAX_ADJACENCY_READS = 4096;
/** Entries kept per list (a bridge with thousands of ports is summarised by its count elsewhere). */
const MAX_NEIGHBOURS = 256;

/** Pure: the detail fields of `ip -d -j addr show` (or `ip -d -j link show`), by interface name. */
export function parseLinkDetails(entries: readonly unknown[]): Map<string, Omit<RawLink, 'lowers' | 'uppers'>> {
  const out = new Map<string, Omit<RawLink, 'lowers' | 'uppers'>>();
  for (const e of entries) {
    if (typeof e !== 'object' || e === null) continue;
    const x = e as { ifname?: unknown; master?: unknown; linkinfo?: { info_kind?: unknown; info_slave_kind?: unknown } };
    if (typeof x.ifname !== 'string') continue;
    const d: Omit<RawLink, 'lowers' | 'uppers'> = {};
    if (typeof x.linkinfo?.info_kind === 'string') d.kind = x.linkinfo.info_kind;
    if (typeof x.linkinfo?.info_slave_kind === 'string') d.slaveKind = x.linkinfo.info_slave_kind;
    if (typeof x.master === 'string') d.master = x.master;
    out.set(x.ifname, d);
  }
  return out;
}

/** Pure: lower_X / upper_X entries of a /sys/class/net/IF listing. */
export function parseAdjacency(entries: readonly string[]): Pick<RawLink, 'lowers' | 'uppers'> {
  const lowers: string[] = [];
  const uppers: string[] = [];
  for (const e of entries) {
    if (e.startsWith('lower_') && lowers.length < MAX_NEIGHBOURS) lowers.push(e.slice(6));
    else if (e.startsWith('upper_') && uppers.length < MAX_NEIGHBOURS) uppers.push(e.slice(6));
  }
  return { lowers: lowers.sort(), uppers: uppers.sort() };
}

/** The adjacency of each interface from its /sys/class/net/IF listing (read once by the caller); unlisted ones are empty. */
export function adjacencyOf(listings: ReadonlyMap<string, readonly string[]>): Map<string, Pick<RawLink, 'lowers' | 'uppers'>> {
  const out = new Map<string, Pick<RawLink, 'lowers' | 'uppers'>>();
  let n = 0;
  for (const [name, entries] of listings) {
    if (n++ >= MAX_ADJACENCY_READS) break;
    out.set(name, parseAdjacency(entries));
  }
  return out;
}
