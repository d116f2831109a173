// /proc/net/udp and /proc/net/udp6: every UDP socket of this network namespace with its local
// address and port (net/ipv4/udp.c udp4_format_sock: "%08X:%04X" with the address as the
// network-order u32 printed in host order, like /proc/net/igmp).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { igmpHexToAddress, hex32ToIpv6 } from './igmp.js';

export interface UdpSocket {
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  inode: number;
  /** Datagrams dropped on this socket (receive buffer full, ...). */
  drops: number;
  /** Bytes queued for the application to read (the rx_queue column, sk_rmem_alloc). */
  rxQueue: number;
}

/** IPv6 in /proc is four u32 words, each printed in host order. */
function procIpv6(hex: string, littleEndian: boolean): string {
  let out = '';
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    out += littleEndian ? (word.match(/../g) ?? []).reverse().join('') : word;
  }
  return hex32ToIpv6(out);
}

export function parseProcNetUdp(text: string, family: 4 | 6, littleEndian = true): UdpSocket[] {
  const out: UdpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const [addr, port] = (f[1] ?? '').split(':');
    if (!addr || !port || !/^[0-9A-F]+$/i.test(addr) || (addr.length !== 8 && addr.length !== 32)) continue;
    out.push({
      family,
      localAddress: family === 4 ? igmpHexToAddress(addr, littleEndian) : procIpv6(addr, littleEndian),
      localPort: parseInt(port, 16),
      inode: Number(f[9] ?? 0),
      drops: Number(f[12] ?? 0),
      rxQueue: parseInt((f[4] ?? '').split(':')[1] ?? '0', 16) || 0,
    });
  }
  return out;
}

export async function readUdpSockets(): Promise<UdpSocket[]> {
  const le = os.endianness() === 'LE';
  const read = (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');
  return [...parseProcNetUdp(await read('/proc/net/udp'), 4, le), ...parseProcNetUdp(await read('/proc/net/udp6'), 6, le)];
}
