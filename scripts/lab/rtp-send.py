#!/usr/bin/env python3
# A small RTP sender for lab tests and fixtures: RTP (RFC 3550, payload type 33, 90 kHz clock)
# carrying 7 MPEG-TS packets of 188 bytes (sync 0x47, one PID, continuity counter per packet),
# sent to a group at a fixed rate. Bounded: at most 20000 packets, at most 2000 per second.
#   rtp-send.py GROUP PORT COUNT RATE [--ttl N] [--ifaddr ADDR] [--skip SEQ,SEQ] [--ssrc HEX]
# --skip leaves out those packets (their RTP sequence numbers and their TS counters are used up,
# as if the network had lost them), so the loss is known by construction.
import argparse, socket, struct, time

ap = argparse.ArgumentParser()
ap.add_argument("group"); ap.add_argument("port", type=int); ap.add_argument("count", type=int); ap.add_argument("rate", type=float)
ap.add_argument("--ttl", type=int, default=1); ap.add_argument("--ifaddr", default=None)
ap.add_argument("--skip", default=""); ap.add_argument("--ssrc", default="5eed1e55"); ap.add_argument("--seq0", type=int, default=65530)
a = ap.parse_args()
assert 1 <= a.count <= 20000 and 0 < a.rate <= 2000 and 1 <= a.ttl <= 255
skip = {int(x) for x in a.skip.split(",") if x}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, a.ttl)
if a.ifaddr:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.ifaddr))
ssrc = int(a.ssrc, 16)
cc = 0
start = time.monotonic()
sent = 0
for i in range(a.count):
    # Sequence numbers start near the top so that every run crosses the 16-bit wrap.
    seq = (a.seq0 + i) & 0xffff
    ts90k = (i * 3000) & 0xffffffff
    hdr = struct.pack("!BBHII", 0x80, 33, seq, ts90k, ssrc)
    body = b""
    for _ in range(7):
        body += bytes([0x47, 0x01, 0x00, 0x10 | cc]) + bytes(184)
        cc = (cc + 1) & 0x0f
    if i not in skip:
        s.sendto(hdr + body, (a.group, a.port))
        sent += 1
    delay = start + (i + 1) / a.rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print("sent", sent, flush=True)
