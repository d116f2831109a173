// What a core entry point may receive from the Host (src/host.ts), named in one place (issue 15
// item 1). An entry point declares the slice it touches, so a reader sees it in the signature:
//
//   sendAll(deps: Uses<'platform' | 'sockets'>, ...)
//   startMesh(deps: Uses<'platform' | 'sockets' | 'firewall' | 'clock'> & Loads<'capture'>, ...)
//
// `Uses`: values the command awaited once (`await resolve(host, 'platform', 'sockets')`); the core
// never awaits a getter for them. `Loads`: the Host's getter itself, for what loads on first use
// because most runs never need it (koffi for sniff without groups) or because a failure to load
// is a gap in one check, not the end of the command (libpcap for join-all's IGMP watch).
// Commands build slices with resolve() and loaders() in src/host.ts; tests with FakeHost.
import type { Platform } from '../platform/types.js';
import type { SocketApi } from '../platform/sockets/types.js';
import type { CaptureFactory } from '../platform/capture/types.js';
import type { PacketSockets } from '../platform/capture/packet-types.js';
import type { FirewallReader } from '../platform/firewall.js';
import type { UdpSocket } from '../platform/procfs/udp.js';
import type { WatchLinks } from '../platform/link-watch.js';
import type { AccountingPlatform } from '../platform/accounting/types.js';
import type { NetfilterRpfReport } from './firewall/rpfilter-rules.js';
import type { Clock } from './clock.js';

/** Each service the Host provides to the core, as the value its getter resolves to. */
export interface Services {
  /** /proc, /sys and iproute2. */
  platform: Platform;
  /** The koffi socket door (memberships, transmit sockets). */
  sockets: SocketApi;
  /** libpcap. */
  capture: CaptureFactory;
  /** One AF_PACKET socket for every interface (koffi): what arrived where, without libpcap. */
  packets: PacketSockets;
  /** nft / iptables rulesets. */
  firewall: FirewallReader;
  /** The netfilter rules that act as reverse-path filters. */
  netfilter: NetfilterRpfReport;
  /** /proc/net/udp and udp6. */
  udpSockets: UdpSocket[];
  /** Follows link state (up/down, ifindex). */
  links: WatchLinks;
  /** Kernel counters, tracefs drop reasons, socket owners. */
  accounting: AccountingPlatform;
}

export type ServiceName = keyof Services;

/** Services as values (the command resolved them), plus the clock when named. */
export type Uses<K extends ServiceName | 'clock'> = Pick<Services & { clock: Clock }, K>;

/** Services as the Host's getters: loaded by the core on first use. */
export type Loads<K extends ServiceName> = { readonly [P in K]: () => Promise<Services[P]> };
