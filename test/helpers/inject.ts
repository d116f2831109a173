// Python one-liners run in a peer namespace: a bounded UDP sender, and raw Ethernet frames that
// are malformed on purpose (AF_PACKET, so the kernel does not fix them on the way out).
export function udpSender(group: string, port: number, count: number, o: { gapS?: number; ttl?: number; iface?: string } = {}): string[] {
  const v6 = group.includes(':');
  return ['-c', [
    'import socket, struct, time',
    `s = socket.socket(socket.AF_INET${v6 ? '6' : ''}, socket.SOCK_DGRAM)`,
    o.ttl === undefined ? '' : v6
      ? `s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ${o.ttl})`
      : `s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ${o.ttl})`,
    v6 ? `s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex("${o.iface ?? 'eth0'}"))` : '',
    `for i in range(${count}):`,
    `    s.sendto(b"x" * 100, ("${group}", ${port})); time.sleep(${o.gapS ?? 0.005})`,
  ].join('\n')];
}

/**
 * Three malformed frames to 01:00:5e:01:02:03 on IFACE: an IGMP message of 4 bytes, an IPv4
 * header claiming 1000 bytes in a 60-byte frame (UDP to 239.1.2.3), and a UDP header claiming
 * 500 bytes. IPv4 header checksums are right, so only the intended fault shows.
 */
export function malformedInjector(iface: string, src: string): string[] {
  return ['-c', [
    'import socket, struct',
    'def csum(b):',
    '    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))',
    '    while s > 0xffff: s = (s & 0xffff) + (s >> 16)',
    '    return (~s) & 0xffff',
    'def ip(proto, dst, payload, total=None):',
    '    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total or 20 + len(payload), 1, 0, 1, proto, 0, ' +
      `socket.inet_aton("${src}"), socket.inet_aton(dst))`,
    '    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]',
    '    return h + payload',
    'eth = bytes.fromhex("01005e010203" "020000000099" "0800")',
    `s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("${iface}", 0))`,
    's.send(eth + ip(2, "224.0.0.1", b"\\x11\\x00\\x00\\x00"))',
    's.send(eth + ip(17, "239.1.2.3", struct.pack("!HHHH", 1, 5001, 48, 0) + b"y" * 40, total=1000))',
    's.send(eth + ip(17, "239.1.2.3", struct.pack("!HHHH", 1, 5001, 500, 0) + b"y" * 40))',
  ].join('\n')];
}
