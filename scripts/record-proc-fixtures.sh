#!/usr/bin/env bash
# Records /proc/net files from this kernel into fixtures/proc/ for the parser tests.
# Builds its own namespace (198.18.0.0/15, groups in 239/8 and 232/8), joins a few groups with
# Python's socket module so the files have content, copies the files, deletes the namespace.
set -euo pipefail
ns="mcdfix$$"
out="$(cd "$(dirname "$0")/.." && pwd)/fixtures/proc"
mkdir -p "$out"
trap 'ip netns del "$ns" 2>/dev/null || true; if [ -n "${joiner:-}" ]; then kill "$joiner" 2>/dev/null || true; fi' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add wired0 type veth peer name wired0p
ip -n "$ns" link set wired0 up; ip -n "$ns" link set wired0p up
ip -n "$ns" addr add 198.18.1.2/24 dev wired0
ip -n "$ns" -6 addr add fd00:198:18:1::2/64 dev wired0 nodad
ip netns exec "$ns" python3 - <<'PY' &
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for g in ("239.1.2.3", "239.129.2.3", "239.255.0.1"):
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(g) + socket.inet_aton("198.18.1.2"))
# IP_ADD_SOURCE_MEMBERSHIP = 39: struct ip_mreq_source { imr_multiaddr, imr_interface, imr_sourceaddr }
s.setsockopt(socket.IPPROTO_IP, 39, socket.inet_aton("232.1.1.1") + socket.inet_aton("198.18.1.2") + socket.inet_aton("198.18.1.1"))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
idx = socket.if_nametoindex("wired0")
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff05::1:3") + struct.pack("@I", idx))
time.sleep(3)
PY
joiner=$!
sleep 1
for f in igmp igmp6 mcfilter netstat snmp6; do ip netns exec "$ns" cat "/proc/net/$f" > "$out/$f.txt"; done
ip netns exec "$ns" cat /proc/sys/net/ipv4/conf/all/rp_filter > "$out/rp_filter.all.txt"
uname -r > "$out/KERNEL"
wait "$joiner" || true
echo "recorded into $out (kernel $(uname -r))"
