#!/usr/bin/env bash
# Benchmark: does sniff keep up with the fastest stream iperf2 makes on a veth link, and does it
# lose no more than tcpdump under the same load? (issue 5; run as root after `npm run build`.)
# Two namespaces joined by a veth; iperf2 sends UDP multicast to 239.1.2.3 as fast as it can
# (-b 10G, 1400-byte datagrams, SECONDS long) while first tcpdump, then sniff, capture on the
# receiving end with the same filter. Prints sent / captured / lost for each, and the ratio of
# sniff's capture rate to tcpdump's. Usage: sniff-iperf.sh [SECONDS] [RATE]
set -euo pipefail
secs="${1:-4}"; rate="${2:-10000M}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
h="mcdbenchh$$"; p="mcdbenchp$$"; out="$(mktemp -d)"
cleanup() { ip netns del "$h" 2>/dev/null || true; ip netns del "$p" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT
ip netns add "$h"; ip netns add "$p"
ip -n "$h" link set lo up; ip -n "$p" link set lo up
ip -n "$h" link add wired0 type veth peer name eth0 netns "$p"
ip -n "$h" link set wired0 up; ip -n "$p" link set eth0 up
ip -n "$h" addr add 198.18.1.2/24 dev wired0; ip -n "$p" addr add 198.18.1.1/24 dev eth0
ip -n "$p" route add 224.0.0.0/4 dev eth0
filter="udp and dst host 239.1.2.3"

send() { ip netns exec "$p" iperf -c 239.1.2.3 -u -b "$rate" -l 1400 -t "$secs" -T 1 2>&1 | sed -n 's/.*Sent \([0-9]*\) datagrams.*/\1/p'; }

# Wait (bounded) until a capture says it is ready: the load must not start before it.
ready() { for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

ip netns exec "$h" tcpdump -i wired0 -w /dev/null "$filter" 2>"$out/td" & td=$!
ready "$out/td" "listening on"
sent_td="$(send)"
sleep 0.5; kill -INT "$td"; wait "$td" || true
got_td="$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$out/td")"
drop_td="$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$out/td")"

ip netns exec "$h" node "$repo/bin/mcast-doctor" sniff --no-join --iface wired0 --filter "$filter" \
  --json --quiet > "$out/sn" & sn=$!
ready "$out/sn" '"type":"start"'
sent_sn="$(send)"
sleep 0.5; kill -INT "$sn"; wait "$sn" || true
read -r got_sn drop_sn < <(tail -1 "$out/sn" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s).interfaces[0];console.log(i.packets,i.kernel.dropped)})')

awk -v s1="$sent_td" -v g1="$got_td" -v d1="$drop_td" -v s2="$sent_sn" -v g2="$got_sn" -v d2="$drop_sn" -v t="$secs" 'BEGIN {
  printf "tcpdump: sent %d, captured %d (%.3f%%), kernel drops %d, %.0f pkt/s\n", s1, g1, 100*g1/s1, d1, g1/t
  printf "sniff:   sent %d, captured %d (%.3f%%), kernel drops %d, %.0f pkt/s\n", s2, g2, 100*g2/s2, d2, g2/t
  printf "capture ratio sniff/tcpdump: %.3f (1.000 = loses no more than tcpdump)\n", (g2/s2)/(g1/s1)
}'
