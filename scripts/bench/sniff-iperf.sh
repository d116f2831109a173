#!/usr/bin/env bash
# Benchmark: does sniff keep up with the fastest stream iperf2 makes on a veth link, and does it
# lose no more than tcpdump under the same load? (issue 5; run as root after `npm run build`.)
# Two namespaces joined by a veth; iperf2 sends UDP multicast to 239.1.2.3 as fast as it can
# (-b 10G, SIZE-byte datagrams, default 64: the top packet rate; SECONDS long) while first tcpdump, then sniff, capture on the
# receiving end with the same filter. Prints sent / captured / lost for each, and the ratio of
# sniff's capture rate to tcpdump's. Both write the capture to a file (tcpdump -w, sniff --write).
# The drop counters are checked against the kernel: captured + reported drops is compared with
# the receiving interface's rx_packets over the same run (a truthful counter accounts for every
# packet the interface took). Usage: sniff-iperf.sh [SECONDS] [RATE] [SIZE]
set -euo pipefail
secs="${1:-4}"; rate="${2:-10000M}"; size="${3:-64}"
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

send() { ip netns exec "$p" iperf -c 239.1.2.3 -u -b "$rate" -l "$size" -t "$secs" -T 1 2>&1 | sed -n 's/.*Sent \([0-9]*\) datagrams.*/\1/p'; }

# Wait (bounded) until a capture says it is ready: the load must not start before it.
ready() { for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

rx() { ip netns exec "$h" cat /sys/class/net/wired0/statistics/rx_packets; }
rx0="$(rx)"
# timeout: every capture is bounded even if a tool hangs.
timeout $((secs + 60)) ip netns exec "$h" tcpdump -i wired0 -w "$out/td.pcap" "$filter" 2>"$out/td" & td=$!
ready "$out/td" "listening on"
sent_td="$(send)"
sleep 0.5; kill -INT "$td"; wait "$td" || true
rx1="$(rx)"
got_td="$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$out/td")"
drop_td="$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$out/td")"

timeout $((secs + 60)) ip netns exec "$h" node "$repo/bin/mcast-doctor" sniff --no-join --iface wired0 --filter "$filter" \
  --write "$out/sn.pcap" --json --quiet > "$out/sn" & sn=$!
ready "$out/sn" '"type":"start"'
sent_sn="$(send)"
sleep 0.5; kill -INT "$sn"; wait "$sn" || true
rx2="$(rx)"
read -r got_sn drop_sn < <(tail -1 "$out/sn" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s).interfaces[0];console.log(i.packets,i.kernel.dropped)})')

awk -v s1="$sent_td" -v g1="$got_td" -v d1="$drop_td" -v s2="$sent_sn" -v g2="$got_sn" -v d2="$drop_sn" -v t="$secs" \
    -v r1="$((rx1 - rx0))" -v r2="$((rx2 - rx1))" -v sz="$size" 'BEGIN {
  printf "tcpdump: sent %d, captured %d (%.3f%%), kernel drops %d, %.0f pkt/s\n", s1, g1, 100*g1/s1, d1, g1/t
  printf "sniff:   sent %d, captured %d (%.3f%%), kernel drops %d, %.0f pkt/s\n", s2, g2, 100*g2/s2, d2, g2/t
  printf "capture ratio sniff/tcpdump: %.3f (1.000 = loses no more than tcpdump)\n", (g2/s2)/(g1/s1)
  printf "  interface rx_packets during each capture: tcpdump run %d, captured+drops %d; sniff run %d, captured+drops %d\n", r1, g1+d1, r2, g2+d2
  ratio = (g2/s2)/(g1/s1)
  # The drop counter is truthful when captured + dropped accounts for what the interface took
  # (within 0.5%: a few ND/MLD packets outside the filter, and the counters read a moment apart).
  truthful = (r2 > 0 && (g2+d2) >= 0.995*(r2 < s2 ? r2 : s2) && (g2+d2) <= 1.005*r2 + 50) ? "drop counter accounts for every packet" : "drop counter does NOT account for the losses"
  printf "sniff --write capture share: %.3f× tcpdump -w (%d-byte UDP at iperf2 top rate; %s) (goal: ≥ 0.99×; %s)\n", ratio, sz, truthful, (ratio >= 0.99 ? "met" : "MISSED")
}'
