#!/usr/bin/env python3
"""Lab query injector: sends IGMPv1/v2/v3 or MLDv1/v2 queries with any source address.

For lab namespaces only (test/helpers/igmp-query.ts drives it from a peer namespace); it refuses
to run on an interface with no peer namespace around it only by convention: never point it at
a real network.

IPv4 goes out a raw socket with IP_HDRINCL (we write the IP header, Router Alert option
included, RFC 2113). raw(7): the kernel fills in the source address when it is zero, so a query
from 0.0.0.0 (what a Linux bridge querier sends without mcast_query_use_ifaddr) is written as a
whole frame on an AF_PACKET socket instead. IPv6 (MLD) always goes out AF_PACKET: the IPv6 header,
a Hop-by-Hop header with Router Alert (RFC 2711, value 0 = MLD) and the ICMPv6 message, with the
checksum over the pseudo-header (RFC 8200 section 8.1).

Bounded: --count (1..1000) queries, --interval (0..60 s) apart.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time

IP_HDRINCL = 3
SO_BINDTODEVICE = 25
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD


def csum(data: bytes) -> int:
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def encode_code(value: int) -> int:
    """RFC 3376 4.1.1 / RFC 3810 5.1.9 style floating point for codes >= 128 (8-bit form)."""
    if value < 128:
        return value
    exp = 0
    mant = value >> 3
    while mant > 0x1F and exp < 7:
        mant >>= 1
        exp += 1
    return 0x80 | (exp << 4) | (mant & 0x0F)


def igmp_query(version: int, group: str, mrt_ds: int, qrv: int, qqic: int, sources: list[str]) -> bytes:
    g = socket.inet_aton(group)
    if version == 1:
        body = struct.pack("!BBH4s", 0x11, 0, 0, b"\0\0\0\0")
    elif version == 2:
        body = struct.pack("!BBH4s", 0x11, min(mrt_ds, 255), 0, g)
    else:
        srcs = b"".join(socket.inet_aton(s) for s in sources)
        body = struct.pack("!BBH4sBBH", 0x11, encode_code(mrt_ds), 0, g, qrv & 7, encode_code(qqic), len(sources)) + srcs
    c = csum(body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def ipv4_packet(src: str, dst: str, payload: bytes, ttl: int, router_alert: bool) -> bytes:
    opts = b"\x94\x04\x00\x00" if router_alert else b""
    ihl = 5 + len(opts) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", (4 << 4) | ihl, 0xC0, 4 * ihl + len(payload), 0, 0, ttl, 2, 0,
                      socket.inet_aton(src), socket.inet_aton(dst)) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def mld_query(version: int, src: str, dst: str, group: str, mrd_ms: int, qrv: int, qqic: int, sources: list[str],
              hop_limit: int = 1, router_alert: bool = True) -> bytes:
    g = socket.inet_pton(socket.AF_INET6, group)
    if version == 1:
        icmp = struct.pack("!BBHHH16s", 130, 0, 0, min(mrd_ms, 0xFFFF), 0, g)
    else:
        # RFC 3810 5.1.3: Maximum Response Code, 16-bit floating point above 32768.
        code = mrd_ms
        if mrd_ms >= 32768:
            exp, mant = 0, mrd_ms >> 3
            while mant > 0xFFF and exp < 7:
                mant >>= 1
                exp += 1
            code = 0x8000 | (exp << 12) | (mant & 0x0FFF)
        srcs = b"".join(socket.inet_pton(socket.AF_INET6, s) for s in sources)
        icmp = struct.pack("!BBHHH16sBBH", 130, 0, 0, code, 0, g, qrv & 7, encode_code(qqic), len(sources)) + srcs
    s6 = socket.inet_pton(socket.AF_INET6, src)
    d6 = socket.inet_pton(socket.AF_INET6, dst)
    pseudo = s6 + d6 + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
    # Hop-by-Hop: next header 58, length 0 (8 bytes), Router Alert (type 5, len 2, value 0), PadN(0).
    # Without Router Alert the ICMPv6 message follows the IPv6 header directly (next header 58).
    hbh = struct.pack("!BBBBHBB", 58, 0, 5, 2, 0, 1, 0) if router_alert else b""
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(hbh) + len(icmp), 0 if router_alert else 58, hop_limit, s6, d6)
    return ip6 + hbh + icmp


def multicast_mac(dst: str) -> bytes:
    a = ipaddress.ip_address(dst)
    if a.version == 4:
        n = int(a) & 0x7FFFFF
        return bytes([0x01, 0x00, 0x5E, n >> 16, (n >> 8) & 0xFF, n & 0xFF])
    return b"\x33\x33" + a.packed[-4:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--source", required=True, help="source address (any, 0.0.0.0 included)")
    ap.add_argument("--version", type=int, default=3, help="IGMP 1/2/3, or MLD 1/2 with --mld")
    ap.add_argument("--mld", action="store_true")
    ap.add_argument("--group", help="group-specific query for this group (default: general query)")
    ap.add_argument("--max-resp", type=int, default=100, help="IGMP: tenths of a second; MLD: ms (default 100 / 1000)")
    ap.add_argument("--qrv", type=int, default=2)
    ap.add_argument("--qqic", type=int, default=125)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--no-router-alert", action="store_true")
    ap.add_argument("--hop-limit", type=int, default=1, help="IPv6 hop limit of an MLD query (RFC 3810 wants 1)")
    a = ap.parse_args()
    if not 1 <= a.count <= 1000 or not 0 <= a.interval <= 60:
        ap.error("--count must be 1..1000 and --interval 0..60")
    if a.mld:
        if a.version not in (1, 2):
            ap.error("MLD versions are 1 and 2")
        group = a.group or "::"
        dst = a.group or "ff02::1"
        mrd = a.max_resp if a.max_resp != 100 else 1000
        if not 0 <= a.hop_limit <= 255:
            ap.error("--hop-limit must be 0..255")
        pkt = mld_query(a.version, a.source, dst, group, mrd, a.qrv, a.qqic, [], a.hop_limit, not a.no_router_alert)
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IPV6))
        addr = (a.iface, ETH_P_IPV6, 0, 0, multicast_mac(dst))
        send = lambda: sock.sendto(pkt, addr)
    else:
        if a.version not in (1, 2, 3):
            ap.error("IGMP versions are 1, 2 and 3")
        group = a.group or "0.0.0.0"
        dst = a.group or "224.0.0.1"
        pkt = ipv4_packet(a.source, dst, igmp_query(a.version, group, a.max_resp, a.qrv, a.qqic, []), 1, not a.no_router_alert)
        if a.source == "0.0.0.0":
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
            addr = (a.iface, ETH_P_IP, 0, 0, multicast_mac(dst))
            send = lambda: sock.sendto(pkt, addr)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            sock.setsockopt(socket.IPPROTO_IP, IP_HDRINCL, 1)
            sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, a.iface.encode())
            send = lambda: sock.sendto(pkt, (dst, 0))
    for i in range(a.count):
        send()
        if i + 1 < a.count:
            time.sleep(a.interval)
    print(f"sent {a.count} {'MLDv' if a.mld else 'IGMPv'}{a.version} {'group-specific' if a.group else 'general'} "
          f"quer{'y' if a.count == 1 else 'ies'} from {a.source} on {a.iface}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
