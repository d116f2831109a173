// The catalog of finding ids: default severity, a title, and the mechanism in words.
// Detectors build findings with makeFinding() so that every id used is listed here and
// documented in docs/findings/ID.md (a unit test holds both to that).
import type { Finding, Severity } from './model.js';
import { findingDocs } from './model.js';
import { PRIVILEGE_FIX } from '../privilege-hint.js';

export interface CatalogEntry {
  severity: Severity;
  title: string;
  explanation: string;
  fix: string;
}

export const catalog = {
  IFACE_DOWN: {
    severity: 'warning',
    title: 'Interface is down',
    explanation: 'A join on a down interface succeeds silently, but nothing is received and every send fails with ENETUNREACH.',
    fix: 'Bring it up: ip link set dev IFACE up',
  },
  CAPTURE_STOPPED: {
    severity: 'error',
    title: 'A capture stopped and could not be re-opened',
    explanation:
      'A link that goes down stops a libpcap capture for good (the packet socket gets ENETDOWN); ' +
      'sniff opens a new one when the link returns. When that fails, for instance because --user dropped the right to open captures, ' +
      'nothing more of that interface is counted or written, while the memberships are restored.',
    fix: 'Run as root (or with CAP_NET_RAW) without --user when links may flap, or keep the link up during the capture.',
  },
  IFACE_NO_MULTICAST: {
    severity: 'warning',
    title: 'Interface lacks the MULTICAST flag',
    explanation:
      'Without IFF_MULTICAST the kernel still joins and sends on some drivers (veth), but a real NIC driver may drop multicast entirely.',
    fix: 'ip link set dev IFACE multicast on',
  },
  WIFI_MULTICAST: {
    severity: 'warning',
    title: 'Multicast on a Wi-Fi interface',
    explanation:
      'An access point sends a group to its stations as group-addressed frames: ' +
      'at a basic rate (often the lowest, 1 or 6 Mb/s, so a stream takes many times its unicast airtime), ' +
      'with no acknowledgement and no retry (a lost frame is lost), and held until the next DTIM beacon while any station dozes in power ' +
      'save (hundreds of milliseconds of delay). Many access points filter multicast, rate-limit it, ' +
      'or convert it to unicast for the stations that joined (IGMP snooping), each with its own failure modes (RFC 9119).',
    fix:
      'Prefer a wired interface for multicast streams (--iface). On the access point: multicast-to-unicast conversion (or DMS/GCR), ' +
      'a higher multicast rate, IGMP snooping with a querier; on a receiving station: iw dev IFACE set power_save off.',
  },
  VPN_MULTICAST: {
    severity: 'warning',
    title: 'Multicast on a VPN tunnel',
    explanation:
      'A layer-3 VPN interface (tun, WireGuard, PPP, other links without a link layer) hands each packet to the VPN, ' +
      'which forwards by destination address: OpenVPN in tun mode and IPsec carry unicast only, ' +
      'WireGuard sends a packet only to the peer whose allowed IPs contain its destination (and its interface has no MULTICAST flag). ' +
      'A group joined there hears nothing from the far side, and a group sent there reaches nobody, without any error on this host.',
    fix:
      'Leave the tunnel out (--exclude-iface IFACE), or carry multicast over a link that forwards it: ' +
      'a bridged (tap) VPN, or a GRE tunnel inside the VPN with a multicast router (smcroute, pimd) at both ends.',
  },
  IFACE_NO_ADDRESS: {
    severity: 'warning',
    title: 'Interface has no address of the family',
    explanation:
      'A join succeeds, but IGMP reports leave from 0.0.0.0, which many switches and queriers ignore; ' +
      'data sent there carries another interface\'s source address. Bridge ports, ' +
      'bond slaves and macvlan/VLAN lowers are layer 2 and are never named: their master or upper device carries the address.',
    fix: 'Add an address: ip addr add ADDR/LEN dev IFACE',
  },
  NO_ELIGIBLE_INTERFACE: {
    severity: 'error',
    title: 'No interface can carry multicast',
    explanation: 'Every interface selected is down, has no carrier, lacks the MULTICAST flag or an address of the family, or was excluded.',
    fix: 'Check --iface/--exclude-iface and bring an interface with an address up.',
  },
  NOT_MULTICAST: {
    severity: 'error',
    title: 'Not a multicast address',
    explanation: 'IPv4 multicast is 224.0.0.0/4 and IPv6 multicast is ff00::/8; the kernel refuses to join anything else (EINVAL).',
    fix: 'Use a group in 224.0.0.0/4 (239.0.0.0/8 for private use) or ff00::/8.',
  },
  PERMISSION: {
    severity: 'error',
    title: 'Missing privilege',
    explanation: 'Raw sockets and packet capture need CAP_NET_RAW; changing interfaces needs CAP_NET_ADMIN.',
    fix: `${PRIVILEGE_FIX[0]?.toUpperCase() ?? ''}${PRIVILEGE_FIX.slice(1)}.`,
  },
  NO_QUERIER: {
    severity: 'warning',
    title: 'No IGMP/MLD querier heard',
    explanation:
      'Without a querier, snooping switches age memberships out after the membership interval (2 x 125 s + 10 s = 260 s by default) and ' +
      'stop forwarding: "works for a few minutes, then stops".',
    fix: 'Enable an IGMP querier on the switch or router of this segment (on a Linux bridge: ip link set BR type bridge mcast_querier 1).',
  },
  QUERIER_OFF_SUBNET: {
    severity: 'warning',
    title: 'Querier address is not on the interface\'s subnet',
    explanation:
      'A query whose source is outside every prefix of the arrival interface is suspect: ' +
      'with strict reverse-path filtering the kernel drops it when the route back leaves by another interface.',
    fix: 'Configure the querier with an address inside the subnet of this segment.',
  },
  QUERIER_RPF_DROP: {
    severity: 'error',
    title: 'Querier dropped by reverse-path filtering',
    explanation:
      'Effective rp_filter is strict and the route back to the querier leaves by another interface, so the kernel drops every query ' +
      'before IGMP sees it: the host never reports and snooping switches prune it after the membership interval.',
    fix: 'sysctl -w net.ipv4.conf.IFACE.rp_filter=2 (loose), or a route to the querier via IFACE, or an on-subnet querier address.',
  },
  QUERIER_ZERO_SOURCE: {
    severity: 'info',
    title: 'Querier sends from 0.0.0.0',
    explanation:
      'Queries from 0.0.0.0 skip the reverse-path check and are answered, ' +
      'but some switches and hosts mishandle them and they never win an election.',
    fix: 'Give the querier a real on-subnet address (Linux bridge: mcast_query_use_ifaddr 1 and an address on the bridge).',
  },
  MULTIPLE_QUERIERS: {
    severity: 'info',
    title: 'Several queriers on one segment',
    explanation: 'IGMP elects the lowest address; several active queriers usually mean a misconfiguration or a partitioned election.',
    fix: 'Keep one querier per segment, or make sure the intended one has the lowest address.',
  },
  QUERIER_VERSION_MISMATCH: {
    severity: 'warning',
    title: 'Querier version differs from the host\'s',
    explanation: 'An IGMPv1/v2 (MLDv1) querier flips the host to that version: source-specific (SSM) filters are no longer signalled.',
    fix: 'Upgrade the querier to IGMPv3/MLDv2, or pin the host with net.ipv4.conf.IFACE.force_igmp_version.',
  },
  MLD_QUERIER_NOT_LINK_LOCAL: {
    severity: 'error',
    title: 'MLD querier does not use a link-local source',
    explanation: 'RFC 3810 section 6.2: hosts ignore MLD queries that do not come from a link-local address.',
    fix: 'Configure the querier to send from its fe80:: address.',
  },
  MLD_QUERY_IGNORED: {
    severity: 'error',
    title: 'The kernel ignores this MLD querier\'s queries',
    explanation:
      'RFC 3810 5.1.14 and 6.2, as Linux applies them (net/ipv6/mcast.c): an MLD query whose hop limit is not 1, ' +
      'or without a Hop-by-Hop Router Alert (value 0), is dropped unanswered; Icmp6InGroupMembQueries still counts it.',
    fix:
      'Fix the querier so it sends with hop limit 1 and a Router Alert option (any standard MLD implementation does); ' +
      'look for a device or tunnel in between that rewrites the hop limit or strips the Hop-by-Hop header.',
  },
  SSM_NOT_SIGNALLED: {
    severity: 'error',
    title: 'An S,G join is not signalled: the kernel speaks IGMPv1/v2',
    explanation:
      'For about 260 s after it hears an IGMPv1/v2 query (or while force_igmp_version pins it) the kernel reports in that version, ' +
      'which names groups only: the source of an SSM join never reaches the querier or a snooping switch.',
    fix: 'Upgrade the old querier to IGMPv3, or set force_igmp_version back to 0.',
  },
  QUERIER_FLOOD: {
    severity: 'error',
    title: 'A flood of querier addresses',
    explanation:
      'A segment has one to three queriers; hundreds or thousands of distinct query sources are spoofed queries or a forwarding loop. ' +
      'A snooping switch elects the lowest address it hears, so a forged query can take the election over.',
    fix:
      'Find the port the queries come from (tcpdump -eni IFACE igmp shows the source MACs) and shut it or filter IGMP queries there ' +
      '(switch: IGMP snooping querier guard / router-port filtering).',
  },
  QUERIER_NOT_EXPECTED: {
    severity: 'error',
    title: 'The elected querier is not the expected one',
    explanation:
      'querier-check --expect ADDR: ADDR did not win the querier election (lowest address heard) on the chosen interface, ' +
      'or no query was heard at all.',
    fix: 'Check the querier configuration on the switch or router; another device with a lower address wins the election.',
  },
  RPF_STRICT_MULTIHOMED: {
    severity: 'warning',
    title: 'Strict reverse-path filtering on a multi-homed host',
    explanation:
      'With rp_filter=1 (effective mode max(all, iface)) a packet is dropped when the route back to its source leaves by another ' +
      'interface: multicast and queries from sources reached via the other uplink vanish.',
    fix: 'sysctl -w net.ipv4.conf.IFACE.rp_filter=2 (loose; net.ipv4.conf.all.rp_filter must be <= 2)',
  },
  RPF_WOULD_DROP: {
    severity: 'error',
    title: 'The kernel would drop this source on this interface',
    explanation:
      'The kernel\'s own route lookup "from SRC iif IFACE" fails: the reverse-path filter drops packets from this source arriving here.',
    fix: 'Loose mode on the interface, or a route to the source\'s network via the interface.',
  },
  RPF_DROPS_SEEN: {
    severity: 'error',
    title: 'Reverse-path filter drops counted',
    explanation: 'TcpExt IPReversePathFilter rose during the watch: the kernel dropped packets whose source failed the reverse-path check.',
    fix: 'Find the source (rpfilter-audit --listen) and use loose mode or add a route to it via the arrival interface.',
  },
  IPV6_NO_RPFILTER: {
    severity: 'info',
    title: 'IPv6 has no rp_filter sysctl',
    explanation: 'The kernel applies reverse-path filtering to IPv6 only through netfilter rpfilter match rules.',
    fix: 'Nothing to do unless an ip6tables/nft rpfilter rule is loaded.',
  },
  TTL_ONE: {
    severity: 'warning',
    title: 'Multicast TTL is 1',
    explanation: 'The default IP_MULTICAST_TTL (IPv6 hop limit) is 1: the packets never cross a router.',
    fix: 'Raise the TTL (send-all --ttl N, setsockopt IP_MULTICAST_TTL) and run a multicast router (smcroute, pimd) between the segments.',
  },
  TTL_NOT_FORWARDED: {
    severity: 'error',
    title: 'The stream never crosses this router: TTL at or below the threshold',
    explanation:
      'This host routes multicast (mc_forwarding=1, the arrival interface is a VIF). ' +
      'The kernel forwards a packet out of an outgoing VIF only when its TTL (IPv6: hop limit) is above that VIF\'s threshold, ' +
      'and thresholds are at least 1: a stream sent with TTL 1 is counted in the route entry and never sent on.',
    fix: 'Raise the TTL (hop limit) where the stream is sent above the threshold, plus one per router further on.',
  },
  DEFAULT_ROUTE_EGRESS: {
    severity: 'info',
    title: 'A plain socket sends out of the routed interface only',
    explanation:
      'Without IP_MULTICAST_IF the kernel sends to the group along the route to it (a 224.0.0.0/4 route if any, else the default route), ' +
      'whatever interface was joined.',
    fix: 'One transmit socket per interface with IP_MULTICAST_IF (what send-all does).',
  },
  JOIN_ANY_INTERFACE: {
    severity: 'warning',
    title: 'Membership on the interface the kernel picked',
    explanation:
      'A join with INADDR_ANY (ifindex 0) lands on the interface the route to the group picks; when the default route picked it, often ' +
      'the wrong one on a multi-homed host. A route to the group itself (G/32, 224.0.0.0/4 ...) is someone\'s choice and not a finding.',
    fix:
      'Join by ifindex on the interface the stream arrives on (join-all joins on every one), or route the group there: ' +
      'ip route add GROUP/32 dev IFACE.',
  },
  MAX_MEMBERSHIPS: {
    severity: 'info',
    title: 'Per-socket membership limit reached',
    explanation: 'net.ipv4.igmp_max_memberships (default 20) limits memberships per socket: the next join fails with ENOBUFS.',
    fix: 'Open another socket (done automatically), or raise it: sysctl -w net.ipv4.igmp_max_memberships=N',
  },
  MULTICAST_ALL_LEAK: {
    severity: 'warning',
    title: 'A program receives a group it never joined',
    explanation:
      'IP_MULTICAST_ALL (IPv4) and IPV6_MULTICAST_ALL (IPv6, Linux 4.20+) are on by default: a socket bound to 0.0.0.0:PORT or ' +
      '[::]:PORT receives every group any socket on the host joined, on that port (a unicast service sharing the port too). ' +
      'Named per process from /proc/net/udp(6), /proc/PID/fd and the socket\'s own options and memberships ' +
      '(getsockopt on a pidfd_getfd duplicate, or ss --inet-sockopt for the IPv4 option).',
    fix: 'setsockopt IP_MULTICAST_ALL=0 (IPV6_MULTICAST_ALL=0 for IPv6) on the receiving socket, or bind it to its own group ' +
      '(or unicast) address.',
  },
  MEMBERSHIP_MISSING: {
    severity: 'error',
    title: 'The kernel does not hold the membership',
    explanation: 'The join returned success but /proc/net/igmp (igmp6) does not list the group on the interface.',
    fix: 'Check the interface state and that no other process left the group.',
  },
  JOIN_FAILED: {
    severity: 'error',
    title: 'Join failed',
    explanation:
      'The kernel refused the membership (setsockopt returned an errno); the message says which errno and what it means. ' +
      'Other interfaces and groups carry on.',
    fix: 'See the errno sentence in the message.',
  },
  SEND_FAILED: {
    severity: 'error',
    title: 'Send failed',
    explanation:
      'The kernel refused to send on this interface (sendmmsg or a socket option returned an errno): ' +
      'EPERM from a firewall rule, ENETUNREACH from a down link, EMSGSIZE from a payload above the MTU. Other interfaces carry on.',
    fix: 'See the errno sentence in the message.',
  },
  NO_TRAFFIC: {
    severity: 'error',
    title: 'Nothing received where it was expected',
    explanation: 'An --expect assertion named an interface and group that received no packet during the run.',
    fix: 'Check the sender, the TTL, snooping and reverse-path filtering on the path.',
  },
  MAC_COLLISION: {
    severity: 'warning',
    title: 'Groups share one Ethernet MAC',
    explanation:
      '32 IPv4 groups map onto each 01:00:5e MAC (only the low 23 bits are kept, RFC 1112 6.4): ' +
      'switches and NICs filter by MAC, so receivers of one group get the other\'s traffic.',
    fix: 'Pick groups that differ in their low 23 bits.',
  },
  FLOODED_MAC: {
    severity: 'warning',
    title: 'Group shares its MAC with a link-local group',
    explanation: 'Groups x.0.0.y and x.128.0.y map onto the MAC of 224.0.0.y, which many snooping switches flood to every port.',
    fix: 'Avoid groups whose low 23 bits are 0.0.y.',
  },
  LINK_LOCAL_GROUP: {
    severity: 'info',
    title: 'Link-local group',
    explanation: '224.0.0.0/24 and ff02::/16 are never routed, and snooping switches flood them to every port.',
    fix: 'Use a routable group (239.0.0.0/8 for private use) when the traffic must cross a router.',
  },
  FIREWALL_DROPS_IGMP: {
    severity: 'error',
    title: 'A firewall rule drops IGMP',
    explanation: 'The host never answers queries, and snooping switches prune it after the membership interval.',
    fix: 'Allow IP protocol 2 (IGMP) in the input and output chains.',
  },
  FIREWALL_DROPS_MULTICAST: {
    severity: 'warning',
    title: 'A firewall rule drops multicast UDP',
    explanation: 'A netfilter rule drops packets addressed to 224.0.0.0/4 (or ff00::/8).',
    fix: 'Allow the group and port in the input chain.',
  },
  SHARED_SEGMENT: {
    severity: 'info',
    title: 'Two uplinks reach each other',
    explanation:
      'The self-test probe sent out of one interface arrived on another: ' +
      'they share a layer-2 segment (or a multicast router joins them). A receiver joined on both gets every packet twice.',
    fix: 'Join on one of them only, or expect duplicates (join-all and sniff count them per interface).',
  },
  RECEIVE_LOSS: {
    severity: 'error',
    title: 'Expected group arrives with too much loss',
    explanation: 'Probe sequence numbers show gaps above the allowed loss on this interface.',
    fix:
      'Look for drops on the path: switch buffers, rate limits, snooping flaps, ' +
      'the receiver\'s socket buffer (netstat -su receive errors).',
  },
  RECEIVE_OVERRUN: {
    severity: 'warning',
    title: 'mcast-doctor\'s own socket overflowed',
    explanation:
      'The kernel dropped datagrams on mcast-doctor\'s receiving socket because its receive buffer was full (SO_RXQ_OVFL / SO_MEMINFO ' +
      'drops): this host did not read fast enough. Those datagrams did reach the host; ' +
      'the counts and any loss derived from them understate what arrived, and that part of the loss is not the network\'s.',
    fix:
      'Raise the buffer limit mcast-doctor asks for (sysctl -w net.core.rmem_max=8388608), give the host CPU, or measure a lower rate; ' +
      'loss "before the host" in the message is the network\'s share.',
  },
  TRAFFIC_STORM: {
    severity: 'warning',
    title: 'A flood of sources or senders',
    explanation:
      'An interface received traffic from far more distinct source addresses or probe sender ids than any real set of senders, ' +
      'or the same probes many times over (duplicates ten times the distinct probes): a spoofed flood, a replay, or a forwarding loop. ' +
      'Per-stream tables are capped (the first streams are kept, the rest counted), so the run stays bounded; ' +
      'the figures for the real streams stay valid.',
    fix:
      'Capture on the interface (mcast-doctor sniff -i IFACE) to see where it comes from: one MAC behind many sources is a spoofer; ' +
      'the same frames again and again with falling TTL is a loop (spanning tree, a bridge between two ports).',
  },
  PROBE_GROUP_MISMATCH: {
    severity: 'warning',
    title: 'Probes name another group than their destination',
    explanation:
      'The kernel delivered these probes to one group (IP_PKTINFO) but their payload names another. ' +
      'A datagram\'s group is its destination: the payload may only confirm it, so these are counted as traffic of the destination group ' +
      'and never as probes of the group they claim. Someone forges probes, or a sender is broken.',
    fix: 'Find the sender (the last source in the evidence) and stop it; a mcast-doctor sender always writes its destination group.',
  },
  SNOOPING_TIMEOUT: {
    severity: 'error',
    title: 'Stream stopped at the snooping membership timeout',
    explanation:
      'A snooping switch forwards a group to a port only while the host behind it keeps reporting its membership. ' +
      'The host reports when it joins and then only in answer to queries; ' +
      'when the queries never reach IGMP (no querier, rp_filter drops them, a firewall drops IGMP) the switch ages the membership out ' +
      'after the membership interval (robustness x query interval + response time, 260 s by default) and the stream stops.',
    fix:
      'Remove what silences the host (firewall rule, strict rp_filter against an off-subnet querier), or enable a querier on the segment.',
  },
  STREAM_STOPPED: {
    severity: 'error',
    title: 'Stream stopped',
    explanation:
      'A stream that was arriving stopped, and not at the snooping membership interval (or the host answered the queries): ' +
      'the sender stopped, its path broke, or this interface lost its link.',
    fix: 'Check whether the sender still runs, the links on the path (ip -s link), and the switch\'s forwarding table for the group.',
  },
  NOTHING_RECEIVED: {
    severity: 'warning',
    title: 'A joined group received nothing on an interface',
    explanation:
      'The membership was held on this interface for the whole run and no datagram of the group arrived there, ' +
      'while other pairs did receive. Either no sender reaches this segment (different network, TTL, a router that does not forward), ' +
      'a snooping switch does not forward the group to this port, or the reverse-path filter drops the source.',
    fix:
      'If the group should arrive here, name the pair with --expect IFACE:GROUP (then it is an error and the message says where the ' +
      'packets stopped), or run: mcast-doctor trace GROUP:PORT --iface IFACE.',
  },
  NOTHING_ARRIVED: {
    severity: 'warning',
    title: 'Nothing arrived at all',
    explanation:
      'Every membership was held for the whole run and not one datagram of any group arrived on any interface: ' +
      'the sender is not running, sends to another group or port, or its packets do not reach this host (TTL 1 across a router, ' +
      'a snooping switch without a querier after the membership interval, a firewall, the reverse-path filter).',
    fix:
      'Check the sender first (mcast-doctor send-all GROUP on it, or its own counters); then, here: ' +
      'mcast-doctor trace GROUP:PORT shows where the packets stop (wire, reverse path, netfilter, socket).',
  },
  MESH_PEERS_MISSING: {
    severity: 'error',
    title: 'Fewer mesh peers heard than expected',
    explanation:
      'mesh learns its peers from the probes they send; a peer never heard on any interface either did not run, ' +
      'or its multicast does not reach this host on any interface (different segments, TTL, a router that does not forward, a firewall).',
    fix:
      'Run mesh on every host at the same time (docs/examples/mesh.yml), then compare the merged matrix: mcast-doctor mesh-report *.json.',
  },
  MESH_PAIRS_FAILED: {
    severity: 'error',
    title: 'Host pairs fail in the merged mesh matrix',
    explanation:
      'mesh-report judges every ordered host pair from the receiver\'s own document: ' +
      'a receiver that never heard the sender, a cell that stopped (a stall the receiver diagnosed), ' +
      'or loss above --max-loss fails the pair. The finding counts them and names the first ones; the pairs table lists them all.',
    fix:
      'Read the failing pairs in the matrix (a whole column: the receiver; a whole row: the sender; one cell: ' +
      'the path between them), then the receiving host\'s own findings for that pair.',
  },
  MESH_GROUPS_DIFFER: {
    severity: 'error',
    title: 'mesh documents of different groups were merged',
    explanation:
      'mesh hosts only hear each other on the group and port they all run with; documents of different groups come from separate meshes, ' +
      'so their hosts never probed each other and their pairs fail for that reason alone.',
    fix: 'Merge the documents of one run: the same group and port on every host (docs/examples/mesh.yml).',
  },
  MESH_LOSS: {
    severity: 'error',
    title: 'A mesh pair lost more probes than allowed',
    explanation:
      'Probes carry a sequence number per sender and interface: the receiver counts the gaps. ' +
      'Loss on a quiet 2/s stream points at a congested or flapping path, a busy receiver, or a switch that floods and drops.',
    fix:
      'Look at the pair\'s cells in the matrix (which interfaces), ' +
      'then at interface counters on both ends (ip -s link) and the switch ports between them.',
  },
  // trace (packet accounting, issue 18): where inside the host the group's packets stop.
  KERNEL_DROP: {
    severity: 'error',
    title: 'The kernel drops the stream before the application',
    explanation:
      'The packets are on the wire of this host, but a kernel stage discards them: ' +
      'the reverse-path filter (TcpExt IPReversePathFilter, drop reason IP_RPFILTER), a netfilter rule (NETFILTER_DROP), ' +
      'or another check counted by the IP stack. The capture sees them because it taps the interface before IP.',
    fix:
      'Follow the message: loosen rp_filter or add a route back for a reverse-path drop; ' +
      'allow the group in the packet filter for a netfilter drop.',
  },
  NO_SOCKET_ON_PORT: {
    severity: 'error',
    title: 'Nobody listens on the group\'s port',
    explanation:
      'The kernel accepted the group (a membership exists) but no UDP socket is bound to its port on the wildcard or group address, ' +
      'so each datagram is discarded and counted in Udp IgnoredMulti (multicast never counts NoPorts). ' +
      'A socket bound to a unicast address does not receive multicast either.',
    fix: 'Start the receiver, or make it bind the port the sender uses (0.0.0.0:PORT or GROUP:PORT).',
  },
  APP_SOCKET_OVERFLOW: {
    severity: 'error',
    title: 'The application\'s socket overflows',
    explanation:
      'Datagrams reach the application\'s socket but its receive buffer is full: ' +
      'the kernel drops them there (the socket\'s drops column, Udp RcvbufErrors, reason SOCKET_RCVBUFF). ' +
      'The buffer is SO_RCVBUF, doubled by the kernel and capped at 2 x net.core.rmem_max for an unprivileged request.',
    fix: 'Raise SO_RCVBUF in the application (and net.core.rmem_max if it caps it), or read faster.',
  },
  MEMBERSHIP_WRONG_IFACE: {
    severity: 'error',
    title: 'The membership is on another interface than the stream',
    explanation:
      'The host holds the group on one interface but the stream arrives on another: ' +
      'the kernel accepts multicast only on interfaces where it holds the group, ' +
      'so it discards these packets at route input (Ip InReceives rises, IpExt InMcastPkts does not). ' +
      'Typical of an application that joined with INADDR_ANY: the route to the group picked the interface.',
    fix:
      'Make the application join on the arrival interface (IP_ADD_MEMBERSHIP with that interface\'s address or ifindex), ' +
      'or route 224.0.0.0/4 via it.',
  },
  GROUP_NOT_JOINED: {
    severity: 'error',
    title: 'The stream arrives but nobody joined the group',
    explanation:
      'No socket on this host holds the group on any interface, so the kernel discards its packets at route input. ' +
      'They still arrive here because the segment floods them (no snooping switch, or a bridge without a querier).',
    fix: 'Start the receiver, and check that it joins the group (IP_ADD_MEMBERSHIP) on this interface.',
  },
  RTP_LOSS: {
    severity: 'error',
    title: 'RTP sequence numbers show lost packets',
    explanation:
      'RTP numbers every packet of a source (RFC 3550 5.1): a gap in the sequence is a packet that never reached the capture point. ' +
      'Video and audio decoders show it as artefacts or silence.',
    fix:
      'Find where the packets go: interface counters along the path (ip -s link), switch port drops and rate limits, ' +
      'the sender\'s own output; capture nearer the sender to split the path.',
  },
  MPEGTS_CC_ERRORS: {
    severity: 'error',
    title: 'MPEG-TS continuity-counter errors',
    explanation:
      'Each 188-byte TS packet carries a 4-bit continuity counter per PID that rises by one with every packet carrying payload (ISO/IEC ' +
      '13818-1 2.4.3.3; ETSI TR 101 290 CC_error): a jump means TS packets were lost, usually whole UDP datagrams of 7 TS packets.',
    fix:
      'Look for datagram loss on the path (ip -s link, switch drops, receive buffer overflows: netstat -su); ' +
      'if the sender\'s own output already has the errors, fix the source (encoder, multiplexer).',
  },
} as const satisfies Record<string, CatalogEntry>;

export type FindingId = keyof typeof catalog;

export interface FindingInput {
  iface?: string;
  group?: string;
  source?: string;
  message: string;
  explanation?: string;
  fix?: string;
  severity?: Finding['severity'];
  evidence?: Record<string, unknown>;
}

/** Builds a finding with the catalog's defaults; the caller says what and where. */
export function makeFinding(id: FindingId, input: FindingInput): Finding {
  const entry: CatalogEntry = catalog[id];
  const f: Finding = {
    id,
    severity: input.severity ?? entry.severity,
    message: input.message,
    explanation: input.explanation ?? entry.explanation,
    fix: input.fix ?? entry.fix,
    evidence: input.evidence ?? {},
    docs: findingDocs(id),
  };
  if (input.iface !== undefined) f.iface = input.iface;
  if (input.group !== undefined) f.group = input.group;
  if (input.source !== undefined) f.source = input.source;
  return f;
}
