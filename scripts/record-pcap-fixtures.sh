#!/usr/bin/env bash
# Records IGMP/MLD captures from this kernel into fixtures/pcap/ for the decoder tests.
# A namespace "sw" holds a Linux bridge whose querier sends queries (its address 198.18.10.1,
# fe80 link-local for MLD); a namespace "m" is a member that joins and leaves groups with
# Python's socket module. tcpdump in "m" writes the file. Run twice: IGMPv3/MLDv2 and IGMPv2/MLDv1.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/fixtures/pcap"
mkdir -p "$out"
sw="mcdpcapsw$$"; m="mcdpcapm$$"
cleanup() { if [ -n "${dump:-}" ]; then kill "$dump" 2>/dev/null || true; fi; ip netns del "$sw" 2>/dev/null || true; ip netns del "$m" 2>/dev/null || true; }
trap cleanup EXIT

record() { # igmp_version mld_version file
  cleanup
  ip netns add "$sw"; ip netns add "$m"
  ip -n "$sw" link set lo up; ip -n "$m" link set lo up
  ip -n "$sw" link add br0 type bridge mcast_snooping 1 mcast_querier 1 mcast_query_use_ifaddr 1 \
    mcast_igmp_version "$1" mcast_mld_version "$2" mcast_query_interval 100 mcast_query_response_interval 50 \
    mcast_startup_query_interval 100
  ip -n "$sw" addr add 198.18.10.1/24 dev br0
  ip -n "$sw" link add p1 type veth peer name eth0 netns "$m"
  ip -n "$sw" link set p1 master br0; ip -n "$sw" link set p1 up; ip -n "$sw" link set br0 up
  ip -n "$m" addr add 198.18.10.11/24 dev eth0
  ip netns exec "$m" sysctl -qw net.ipv4.conf.eth0.force_igmp_version="$([ "$1" = 2 ] && echo 2 || echo 0)"
  ip netns exec "$m" sysctl -qw net.ipv6.conf.eth0.force_mld_version="$([ "$2" = 1 ] && echo 1 || echo 0)"
  ip -n "$m" link set eth0 up
  ip netns exec "$m" tcpdump -i eth0 -w "$out/$3" -U -s 0 'igmp or (ip6 multicast and ip6 protochain 58)' 2>/dev/null &
  dump=$!
  sleep 1
  ip netns exec "$m" python3 - <<'PY'
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mreq = socket.inet_aton("239.1.2.3") + socket.inet_aton("198.18.10.11")
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
# IP_ADD_SOURCE_MEMBERSHIP = 39: { imr_multiaddr, imr_interface, imr_sourceaddr }
s.setsockopt(socket.IPPROTO_IP, 39, socket.inet_aton("232.1.1.1") + socket.inet_aton("198.18.10.11") + socket.inet_aton("198.18.10.9"))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
idx = socket.if_nametoindex("eth0")
m6 = socket.inet_pton(socket.AF_INET6, "ff05::1:3") + struct.pack("@I", idx)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, m6)
time.sleep(2.5)
s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, m6)
time.sleep(1)
PY
  sleep 0.5
  kill -INT "$dump"; wait "$dump" || true
  dump=
}

record 3 2 igmpv3-mldv2.pcap
record 2 1 igmpv2-mldv1.pcap
ls -l "$out"
