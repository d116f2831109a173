// The interface the core depends on: everything it knows of the OS comes through here.
// src/platform/linux.ts implements it; test/helpers/fake-platform.ts fakes it.
import type { IgmpDevice, Igmp6Entry, McFilterEntry } from './procfs/igmp.js';
import type { Counters } from './procfs/netstat.js';
import type { LinkKind } from './link-kind.js';
import type { WifiLink } from './wifi-info.js';

export type { LinkKind, WifiLink };
import type { RawLink } from './link-roles.js';
import type { MrouteEntry, MrouteVif } from './procfs/mroute.js';

export interface RawAddress {
  family: 4 | 6;
  address: string;
  prefixLen: number;
  /** IPv6 scope id for link-local addresses (the ifindex), else 0. */
  scopeId: number;
}

export interface RawInterface {
  name: string;
  index: number;
  /** IFF_* bits from /sys/class/net/IF/flags. */
  flags: number;
  /** /sys/class/net/IF/operstate: up, down, unknown, lowerlayerdown, dormant... */
  operstate: string;
  mtu: number;
  mac: string;
  /** ARPHRD type from /sys/class/net/IF/type (1 Ethernet, 772 loopback...). */
  linkType: number;
  addresses: RawAddress[];
  /** From /sys (platform/link-kind.ts): wired, wifi, vpn, tunnel, virtual... */
  kind?: LinkKind;
  /** The driver-level kind where /sys tells it: tun, tap, wireguard, ppp, gre, bridge, vlan... */
  linkKind?: string;
  /** `details` only: speed and duplex from /sys (wired links that are up). */
  speedMbps?: number;
  duplex?: 'full' | 'half';
  /** `details` only, Wi-Fi only: the network it is on, from systeminformation. */
  wifi?: WifiLink;
  /** Kind, master, lower and upper devices (link-roles.ts); absent on fakes that do not say. */
  link?: RawLink;
}

export interface DefaultRoute {
  family: 4 | 6;
  dev: string;
  gateway?: string;
  metric?: number;
}

export interface RouteGetQuery {
  family: 4 | 6;
  dst: string;
  from?: string;
  iif?: string;
  oif?: string;
}

/** `ip route get` as the kernel answers it: a route, or the kernel's refusal. */
export type RouteGetResult =
  | { ok: true; type?: string; dev?: string; prefsrc?: string; gateway?: string; raw: unknown }
  | { ok: false; error: string };

/** One route of the routing tables (`ip route show table all`), for longest-prefix matching. */
export interface RoutePrefix {
  /** The prefix as iproute2 prints it: "default", "198.18.1.0/24", or a host "198.18.1.2". */
  dst: string;
  table?: string;
  type?: string;
  dev?: string;
}

export interface MrouteTables {
  vifs: MrouteVif[];
  cache: MrouteEntry[];
}

export interface Platform {
  /** 'linux', 'darwin'... (process.platform). */
  readonly os: string;
  /**
   * Every interface from /sys and `ip -j addr`, with its kind (Wi-Fi, wired, VPN...: a few /sys
   * reads each). `details`: also speed and duplex (the driver is asked), and for Wi-Fi the network
   * (systeminformation in a bounded child process, once): for the inventory reports (interfaces,
   * doctor), not for commands that act.
   */
  listInterfaces(opts?: { details?: boolean }): Promise<RawInterface[]>;
  /** A sysctl by dotted name (net.ipv4.conf.all.rp_filter); undefined when absent. */
  sysctl(key: string): Promise<string | undefined>;
  igmp(): Promise<IgmpDevice[]>;
  igmp6(): Promise<Igmp6Entry[]>;
  mcfilter(): Promise<McFilterEntry[]>;
  netstat(): Promise<Counters>;
  snmp6(): Promise<Record<string, number>>;
  defaultRoutes(): Promise<DefaultRoute[]>;
  routeGet(q: RouteGetQuery): Promise<RouteGetResult>;
  /** Many route lookups in one iproute2 process (ip -batch), answers in the order asked. */
  routeGetMany(qs: readonly RouteGetQuery[]): Promise<RouteGetResult[]>;
  /** Every route of every table of one family. */
  routePrefixes(family: 4 | 6): Promise<RoutePrefix[]>;
  /**
   * The kernel's multicast routing tables of one family (/proc/net/ip_mr_vif + ip_mr_cache, IPv6
   * ip6_mr_*); undefined when the kernel has no multicast routing (no such files).
   */
  mroute(family: 4 | 6): Promise<MrouteTables | undefined>;
  hostname(): string;
}
