#!/usr/bin/env bash
# Records fixtures/proc/accounting/: /proc/net/udp{,6}, /proc/net/snmp and `ss -uaenmH` with a
# receiver that never reads (SO_RCVBUF 1024), a socket bound to the group and a [::] socket,
# after 20 datagrams, in namespaces of its own (198.18.0.0/15, 239.9.9.9).
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/fixtures/proc/accounting"
P="mcdfix$$"; H="$P-host"; A="$P-pa"
trap 'ip netns del "$H" 2>/dev/null || true; ip netns del "$A" 2>/dev/null || true' EXIT
ip netns add "$H"; ip netns add "$A"
ip -n "$H" link add wired0 type veth peer name eth0 netns "$A"
ip -n "$H" link set wired0 up; ip -n "$A" link set eth0 up; ip -n "$H" link set lo up
ip -n "$H" addr add 198.18.1.2/24 dev wired0; ip -n "$A" addr add 198.18.1.1/24 dev eth0
ip -n "$A" route add 224.0.0.0/4 dev eth0
ip netns exec "$H" python3 -c "
import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,1024); s.bind(('0.0.0.0',5001))
s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,socket.inet_aton('239.9.9.9')+socket.inet_aton('198.18.1.2'))
t=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); t.bind(('239.9.9.9',5002))
u=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM); u.bind(('::',5003))
time.sleep(3)" &
sleep 0.5
ip netns exec "$A" python3 -c "
import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for i in range(20): s.sendto(b'x'*100,('239.9.9.9',5001)); time.sleep(0.001)"
sleep 0.2
ip netns exec "$H" cat /proc/net/udp > "$out/udp.txt"
ip netns exec "$H" cat /proc/net/udp6 > "$out/udp6.txt"
ip netns exec "$H" cat /proc/net/snmp > "$out/snmp.txt"
ip netns exec "$H" ss -uaenmH > "$out/ss-uaenmH.txt" 2>/dev/null
wait
