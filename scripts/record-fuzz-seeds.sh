#!/bin/sh
# Records fixtures/fuzz/lab-seeds.pcap: real frames from a two-namespace lab (198.18.9.0/24,
# fd00:198:18:9::/64): send-all probes over IPv4 and IPv6, join-all's IGMPv3 and MLDv2 reports.
# The fuzz test (test/unit/wire-fuzz-corpus.test.ts) mutates these. Run as root; deletes the lab.
set -eu
cd "$(dirname "$0")/.."
A=fz-a-$$; B=fz-b-$$
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add fz0 netns "$A" type veth peer name fz1 netns "$B"
ip -n "$A" addr add 198.18.9.1/24 dev fz0; ip -n "$B" addr add 198.18.9.2/24 dev fz1
ip -n "$A" addr add fd00:198:18:9::1/64 dev fz0 nodad; ip -n "$B" addr add fd00:198:18:9::2/64 dev fz1 nodad
ip -n "$A" link set fz0 up; ip -n "$B" link set fz1 up; ip -n "$A" link set lo up; ip -n "$B" link set lo up
ip netns exec "$A" tcpdump -i fz0 -U -s 256 -w fixtures/fuzz/lab-seeds.pcap 'igmp or icmp6 or udp' 2>/dev/null &
TD=$!
sleep 1
ip netns exec "$B" node bin/mcast-doctor join-all 239.1.2.3 '[ff05::1:3]:5000' --duration 2 --quiet >/dev/null &
J=$!
sleep 0.5
ip netns exec "$B" node bin/mcast-doctor send-all 239.1.2.3 --count 2 --rate 10 --quiet >/dev/null || true
ip netns exec "$B" node bin/mcast-doctor send-all '[ff05::1:3]:5000' --count 2 --rate 10 --quiet >/dev/null || true
wait "$J" || true
sleep 0.5
kill "$TD"; wait "$TD" 2>/dev/null || true
ls -l fixtures/fuzz/lab-seeds.pcap
