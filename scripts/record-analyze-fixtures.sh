#!/usr/bin/env bash
# Records the capture-file fixtures of analyze (fixtures/analyze/) on this kernel, with tcpdump,
# dumpcap and editcap, and what tshark reads in them (expected.json: the oracle of the reader
# tests). Scene: namespace "a" sends RTP/MPEG-TS (scripts/lab/rtp-send.py) to namespace "b"
# over two veth pairs, and into a tun device of its own (a raw-IP link, held open by a Python
# reader that discards what it reads); "b" joins the groups and captures:
#   sll.pcap       tcpdump -i any -y LINUX_SLL        (Linux cooked v1)
#   sll2.pcap      tcpdump -i any                     (Linux cooked v2, libpcap >= 1.10)
#   nano.pcap      tcpdump --time-stamp-precision=nano (nanosecond pcap magic)
#   nano.pcapng    editcap -F pcapng nano.pcap        (if_tsresol 9)
#   raw.pcap       tcpdump -i tun0 in "a"            (LINKTYPE_RAW)
#   multi.pcapng.gz dumpcap -i b0 -i b1, gzip -9      (two named interfaces, compressed)
# The sender on b0 leaves out RTP packets 10 and 20 (known loss: 2 of 40).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/fixtures/analyze"
mkdir -p "$out"
a="mcdfixa$$"; b="mcdfixb$$"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
for n in "$a" "$b"; do ip -n "$n" link set lo up; done
ip -n "$a" link add a0 type veth peer name b0 netns "$b"
ip -n "$a" link add a1 type veth peer name b1 netns "$b"
ip -n "$a" addr add 198.18.60.1/24 dev a0; ip -n "$b" addr add 198.18.60.2/24 dev b0
ip -n "$a" addr add 198.18.61.1/24 dev a1; ip -n "$b" addr add 198.18.61.2/24 dev b1
for i in a0 a1; do ip -n "$a" link set "$i" up; done
for i in b0 b1; do ip -n "$b" link set "$i" up; done
ip -n "$a" route add 239.2.0.0/16 dev a0
# tun0: TUNSETIFF = 0x400454ca, IFF_TUN | IFF_NO_PI = 0x1001; read and dropped for 6 s.
ip netns exec "$a" python3 -c '
import fcntl, os, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tun0", 0x1001))
os.set_blocking(fd, False)
end = time.monotonic() + 6
while time.monotonic() < end:
    try: os.read(fd, 65536)
    except BlockingIOError: time.sleep(0.01)
' & pids+=($!)
sleep 0.5
ip -n "$a" addr add 198.18.62.1/30 dev tun0
ip -n "$a" link set tun0 multicast on
ip -n "$a" link set tun0 up
ip -n "$a" route add 239.3.0.0/16 dev tun0
# The receiver: joins 239.2.1.1 on b0 and b1 and 239.3.1.1 on ipip0 for the length of the scene.
ip netns exec "$b" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for g, i in (("239.2.1.1", "198.18.60.2"), ("239.2.1.1", "198.18.61.2")):
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(g) + socket.inet_aton(i))
time.sleep(4)
' & pids+=($!)
cap() { ip netns exec "$b" "$@" 2>/dev/null & pids+=($!); }
capa() { ip netns exec "$a" "$@" 2>/dev/null & pids+=($!); }
cap tcpdump -i any -y LINUX_SLL -U -w "$out/sll.pcap" 'udp or igmp'
cap tcpdump -i any -U -w "$out/sll2.pcap" 'udp or igmp'
cap tcpdump -i b0 --time-stamp-precision=nano -U -w "$out/nano.pcap" 'udp or igmp'
capa tcpdump -i tun0 -U -w "$out/raw.pcap"
cap dumpcap -q -i b0 -i b1 -w "$out/multi.pcapng" -f 'udp or igmp'
sleep 2
send() { ip netns exec "$a" python3 "$repo/scripts/lab/rtp-send.py" "$@" >/dev/null; }
send 239.2.1.1 5004 40 100 --ifaddr 198.18.60.1 --skip 10,20 --ssrc 0000b0b0
send 239.2.1.1 5004 30 100 --ifaddr 198.18.61.1 --ssrc 0000b1b1
send 239.3.1.1 5004 20 100 --ifaddr 198.18.62.1 --ssrc 00001919
sleep 1.5
for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
wait || true
pids=()
editcap -F pcapng "$out/nano.pcap" "$out/nano.pcapng"
gzip -9 -f "$out/multi.pcapng"
# What tshark reads: packets, link types, interface names and RTP loss per file.
node - "$out" <<'JS'
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const out = {};
for (const f of ['sll.pcap', 'sll2.pcap', 'nano.pcap', 'nano.pcapng', 'raw.pcap', 'multi.pcapng.gz']) {
  const file = path.join(dir, f);
  const fields = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.interface_name', '-e', 'frame.encap_type', '-e', 'frame.time_epoch', '-e', 'ip.dst', '-e', 'ip.ttl'], { encoding: 'utf8' }).trim().split('\n');
  const rtp = execFileSync('tshark', ['-r', file, '-d', 'udp.port==5004,rtp', '-q', '-z', 'rtp,streams'], { encoding: 'utf8' });
  // "Src IP addr  Port  Dest IP addr  Port  SSRC  Payload  Pkts  Lost (pct)  Min/Mean/Max Delta  Min/Mean/Max Jitter"
  const streams = [...rtp.matchAll(/(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\d+\.\d+\.\d+\.\d+)\s+5004\s+(0x[0-9A-Fa-f]+)\s+.*?\s(\d+)\s+(-?\d+) \([^)]*\)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)/g)]
    .map((m) => ({ src: m[1], dst: m[2], ssrc: m[3].toLowerCase(), packets: Number(m[4]), lost: Number(m[5]), maxJitterMs: Number(m[6]) }));
  out[f] = {
    packets: fields.length,
    interfaceNames: [...new Set(fields.map((l) => l.split('|')[0]).filter(Boolean))].sort(),
    encapTypes: [...new Set(fields.map((l) => l.split('|')[1]))].sort(),
    firstEpoch: fields[0].split('|')[2],
    lastEpoch: fields[fields.length - 1].split('|')[2],
    rtp: streams,
  };
}
fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(out, null, 2) + '\n');
JS
ls -l "$out"
