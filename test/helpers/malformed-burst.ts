// A bounded burst of malformed IGMP, MLD and UDP frames from a peer namespace (python3, AF_PACKET
// so the kernel does not fix them on the way out). Ten kinds, each sent `count` times: every one
// is malformed by construction. The IPv4 ones come from the peer's own address, the MLD ones from
// fe80::66: neither must be taken for a querier on the strength of these.
export const BURST_KINDS = 10;

export function malformedBurst(iface: string, src: string, group: string, count: number): string[] {
  return ['-c', `
import socket, struct
def csum(b):
    if len(b) % 2: b += b"\\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s > 0xffff: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def ip(proto, dst, payload, total=None, opts=b"", bad=False):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total or 4 * ihl + len(payload), 1, 0, 1, proto, 0,
                    socket.inet_aton("${src}"), socket.inet_aton(dst)) + opts
    c = csum(h) ^ (0x0101 if bad else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload
def igmp(b, bad=False):
    c = csum(b) ^ (0x0101 if bad else 0)
    return b[:2] + struct.pack("!H", c) + b[4:]
LL = socket.inet_pton(socket.AF_INET6, "fe80::66")
def ip6(dst, icmp, hbh_opt=b"\\x05\\x02\\x00\\x00\\x01\\x00", bad=False):
    d = socket.inet_pton(socket.AF_INET6, dst)
    pseudo = LL + d + struct.pack("!IxxxB", len(icmp), 58)
    c = csum(pseudo + icmp[:2] + b"\\0\\0" + icmp[4:]) ^ (0x0101 if bad else 0)
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    hbh = bytes([58, (2 + len(hbh_opt)) // 8 - 1]) + hbh_opt
    return struct.pack("!IHBB", 0x60000000, len(hbh) + len(icmp), 0, 1) + LL + d + hbh + icmp
g = "${group}"
gmac = bytes([1, 0, 0x5e, int(g.split(".")[1]) & 0x7f, int(g.split(".")[2]), int(g.split(".")[3])])
me = bytes.fromhex("020000000066")
e4 = lambda mac: mac + me + b"\\x08\\x00"
e6 = lambda last: bytes.fromhex("3333000000" + last) + me + b"\\x86\\xdd"
all_hosts = bytes.fromhex("01005e000001")
q3 = lambda n, srcs=b"": struct.pack("!BBHIBBH", 0x11, 10, 0, 0, 2, 125, n) + srcs
frames = [
    e4(all_hosts) + ip(2, "224.0.0.1", b"\\x11\\x00\\x00\\x00"),                       # IGMP cut to 4 bytes
    e4(all_hosts) + ip(2, "224.0.0.1", igmp(q3(50))),                                  # v3 query: 50 sources, none there
    e4(all_hosts) + ip(2, "224.0.0.1", igmp(q3(0), bad=True)),                         # v3 query, bad checksum
    e4(all_hosts) + ip(2, "224.0.0.1", igmp(q3(0)), opts=bytes([148, 200, 0, 0])),     # Router Alert length past the header
    e4(gmac) + ip(17, g, struct.pack("!HHHH", 1, 5001, 500, 0) + b"y" * 40),           # UDP length 500 in 48 bytes
    e4(gmac) + ip(17, g, struct.pack("!HHHH", 1, 5001, 48, 0) + b"y" * 40, total=1000),# IPv4 total length 1000
    e4(gmac) + ip(17, g, struct.pack("!HHHH", 1, 5001, 48, 0) + b"y" * 40, bad=True),  # bad IPv4 header checksum
    e6("01") + ip6("ff02::1", struct.pack("!BBHHH16sBBH", 130, 0, 0, 1000, 0, bytes(16), 2, 125, 0), bad=True),  # MLDv2 query, bad checksum
    e6("16") + ip6("ff02::16", struct.pack("!BBHHH", 143, 0, 0, 0, 3)),                # MLDv2 report: 3 records, none there
    # Hop-by-Hop option past its header
    e6("01") + ip6("ff02::1", struct.pack("!BBHHH16sBBH", 130, 0, 0, 1000, 0, bytes(16), 2, 125, 0),
                   hbh_opt=b"\\x05\\xc8\\x00\\x00\\x01\\x00"),
]
assert len(frames) == ${BURST_KINDS}
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("${iface}", 0))
for i in range(${count}):
    for f in frames: s.send(f)
`];
}
