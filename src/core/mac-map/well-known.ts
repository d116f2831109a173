// Well-known groups, named as in the IANA registries "IPv4 Multicast Address Space Registry"
// and "IPv6 Multicast Address Space Registry" (with the protocol's RFC). Only groups engineers
// meet on real networks; the registries hold many more.

export interface WellKnown {
  name: string;
  ref: string;
}

/** IPv4 groups by dotted quad. */
export const WELL_KNOWN_4: Readonly<Record<string, WellKnown>> = {
  '224.0.0.1': { name: 'all systems (all hosts)', ref: 'RFC 1112' },
  '224.0.0.2': { name: 'all routers', ref: 'RFC 1112' },
  '224.0.0.4': { name: 'DVMRP routers', ref: 'RFC 1075' },
  '224.0.0.5': { name: 'OSPF all routers', ref: 'RFC 2328' },
  '224.0.0.6': { name: 'OSPF designated routers', ref: 'RFC 2328' },
  '224.0.0.9': { name: 'RIPv2 routers', ref: 'RFC 2453' },
  '224.0.0.10': { name: 'EIGRP routers', ref: 'RFC 7868' },
  '224.0.0.12': { name: 'DHCP server / relay agent', ref: 'IANA' },
  '224.0.0.13': { name: 'all PIM routers', ref: 'RFC 7761' },
  '224.0.0.14': { name: 'RSVP encapsulation', ref: 'IANA' },
  '224.0.0.18': { name: 'VRRP', ref: 'RFC 5798' },
  '224.0.0.22': { name: 'IGMPv3 membership reports', ref: 'RFC 3376' },
  '224.0.0.106': { name: 'all snoopers (multicast router discovery)', ref: 'RFC 4286' },
  '224.0.0.107': { name: 'PTP peer delay', ref: 'IEEE 1588' },
  '224.0.0.251': { name: 'mDNS', ref: 'RFC 6762' },
  '224.0.0.252': { name: 'LLMNR', ref: 'RFC 4795' },
  '224.0.0.253': { name: 'Teredo', ref: 'RFC 4380' },
  '224.0.1.1': { name: 'NTP', ref: 'RFC 5905' },
  '224.0.1.22': { name: 'SLPv1 (SVRLOC)', ref: 'RFC 2165' },
  '224.0.1.39': { name: 'Cisco Auto-RP announce', ref: 'IANA' },
  '224.0.1.40': { name: 'Cisco Auto-RP discovery', ref: 'IANA' },
  '224.0.1.41': { name: 'H.323 gatekeeper discovery', ref: 'IANA' },
  '224.0.1.129': { name: 'PTP primary (default domain)', ref: 'IEEE 1588' },
  '224.0.1.130': { name: 'PTP alternate 1', ref: 'IEEE 1588' },
  '224.0.1.131': { name: 'PTP alternate 2', ref: 'IEEE 1588' },
  '224.0.1.132': { name: 'PTP alternate 3', ref: 'IEEE 1588' },
  '224.2.127.254': { name: 'SAPv1 announcements', ref: 'RFC 2974' },
  '239.255.255.250': { name: 'SSDP (UPnP discovery)', ref: 'UPnP Device Architecture' },
  '239.255.255.253': { name: 'SLPv2 (service location)', ref: 'RFC 2608' },
};

/** IPv6 groups with a fixed scope, by compressed text. */
export const WELL_KNOWN_6: Readonly<Record<string, WellKnown>> = {
  'ff01::1': { name: 'all nodes (interface-local)', ref: 'RFC 4291' },
  'ff02::1': { name: 'all nodes', ref: 'RFC 4291' },
  'ff01::2': { name: 'all routers (interface-local)', ref: 'RFC 4291' },
  'ff02::2': { name: 'all routers', ref: 'RFC 4291' },
  'ff05::2': { name: 'all routers (site-local)', ref: 'RFC 4291' },
  'ff02::4': { name: 'DVMRP routers', ref: 'RFC 1075' },
  'ff02::5': { name: 'OSPFv3 all SPF routers', ref: 'RFC 5340' },
  'ff02::6': { name: 'OSPFv3 designated routers', ref: 'RFC 5340' },
  'ff02::9': { name: 'RIPng routers', ref: 'RFC 2080' },
  'ff02::a': { name: 'EIGRP routers', ref: 'RFC 7868' },
  'ff02::d': { name: 'all PIM routers', ref: 'RFC 7761' },
  'ff02::12': { name: 'VRRP', ref: 'RFC 5798' },
  'ff02::16': { name: 'all MLDv2-capable routers (MLDv2 reports)', ref: 'RFC 3810' },
  'ff02::6a': { name: 'all snoopers (multicast router discovery)', ref: 'RFC 4286' },
  'ff02::6b': { name: 'PTP peer delay', ref: 'IEEE 1588' },
  'ff02::1:2': { name: 'all DHCPv6 relay agents and servers', ref: 'RFC 8415' },
  'ff05::1:3': { name: 'all DHCPv6 servers', ref: 'RFC 8415' },
  'ff02::1:3': { name: 'LLMNR', ref: 'RFC 4795' },
};

/**
 * Variable-scope IPv6 groups (ff0X::id in the registry): flags 0, any scope nibble, this group
 * id in the low 112 bits. Keyed by the group with its scope nibble set to 0 (ff00::fb stands
 * for ff0X::fb).
 */
export const WELL_KNOWN_6_ANY_SCOPE: Readonly<Record<string, WellKnown>> = {
  'ff00::c': { name: 'SSDP (UPnP discovery)', ref: 'UPnP Device Architecture' },
  'ff00::fb': { name: 'mDNS', ref: 'RFC 6762' },
  'ff00::101': { name: 'NTP', ref: 'RFC 5905' },
  'ff00::181': { name: 'PTP primary (default domain)', ref: 'IEEE 1588' },
  'ff00::182': { name: 'PTP alternate 1', ref: 'IEEE 1588' },
  'ff00::183': { name: 'PTP alternate 2', ref: 'IEEE 1588' },
  'ff00::184': { name: 'PTP alternate 3', ref: 'IEEE 1588' },
};
