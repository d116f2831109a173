// Parsers for /proc/net/igmp, /proc/net/igmp6 and /proc/net/mcfilter (Linux net/ipv4/igmp.c,
// net/ipv6/mcast.c). Formats recorded from this kernel live in fixtures/proc/.
import { ipv6Text } from '../../core/kernel/ip.js';
import { scanGroupLine } from './igmp-scan.js';

export interface IgmpGroup {
  /** Dotted quad. */
  group: string;
  users: number;
  timerRunning: boolean;
  /** Centiseconds left on the report timer (100 ticks/s). */
  timerTicks: number;
  /** 1 when this host sent the last report for the group. */
  reporter: boolean;
}

export interface IgmpDevice {
  index: number;
  device: string;
  count: number;
  /** Querier version the kernel runs on the device: V1, V2 or V3. */
  querier: string;
  groups: IgmpGroup[];
}

const deviceLine = /^(\d+)\s+(\S+)\s*:\s*(\d+)\s+(\S+)\s*$/;

/**
 * The group is printed with %08X of the network-order u32, so on a little-endian host
 * 239.1.2.3 reads 030201EF. `littleEndian` is the host's byte order (os.endianness()).
 */
export function igmpHexToAddress(hex: string, littleEndian = true): string {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  if (littleEndian) bytes.reverse();
  return bytes.join('.');
}

export function parseProcNetIgmp(text: string, littleEndian = true): IgmpDevice[] {
  const devices: IgmpDevice[] = [];
  let current: IgmpDevice | undefined;
  // 300 interfaces x 200 groups is 60 000 lines naming the same 200 groups: each is turned into
  // an address once (issue 19 item 8), the records share the strings, and the group lines are
  // read in place (igmp-scan.ts), not split off and matched.
  const addresses = new Map<number, string>();
  const address = (hex: number): string => {
    let a = addresses.get(hex);
    if (a === undefined) addresses.set(hex, (a = dotted(hex, littleEndian)));
    return a;
  };
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // A device line starts with its index, a group line with tabs; the header and blank lines
    // are neither.
    const first = text.charCodeAt(start);
    if (first >= 0x30 && first <= 0x39) {
      const d = deviceLine.exec(text.slice(start, end));
      if (d) {
        current = { index: Number(d[1]), device: d[2] ?? '', count: Number(d[3]), querier: d[4] ?? '', groups: [] };
        devices.push(current);
      }
    } else if (current) {
      const g = scanGroupLine(text, start, end, address);
      if (g) current.groups.push(g);
    }
    start = end + 1;
  }
  return devices;
}

/** igmpHexToAddress of the number the 8 hex digits print. */
function dotted(v: number, littleEndian: boolean): string {
  const b = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return (littleEndian ? b.reverse() : b).join('.');
}

export interface Igmp6Entry {
  index: number;
  device: string;
  /** Compressed IPv6 text form. */
  group: string;
  users: number;
  flags: number;
  timer: number;
}

/** 32 hex digits to the compressed text form (RFC 5952). */
export function hex32ToIpv6(hex: string): string {
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16) || 0;
  return ipv6Text(b);
}

export function parseProcNetIgmp6(text: string): Igmp6Entry[] {
  const out: Igmp6Entry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^[0-9a-f]{32}$/i.test(f[2] ?? '')) continue;
    out.push({
      index: Number(f[0]),
      device: f[1] ?? '',
      group: hex32ToIpv6(f[2] ?? ''),
      users: Number(f[3]),
      flags: parseInt(f[4] ?? '0', 16),
      timer: parseInt(f[5] ?? '0', 16),
    });
  }
  return out;
}

export interface McFilterEntry {
  index: number;
  device: string;
  group: string;
  source: string;
  include: number;
  exclude: number;
}

/** /proc/net/mcfilter prints addresses as 0x%08x in readable order (0xe8010101 = 232.1.1.1). */
export function parseProcNetMcfilter(text: string): McFilterEntry[] {
  const out: McFilterEntry[] = [];
  const dotted = (h: string): string => {
    const n = parseInt(h, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  };
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^0x[0-9a-f]{8}$/i.test(f[2] ?? '')) continue;
    out.push({
      index: Number(f[0]),
      device: f[1] ?? '',
      group: dotted(f[2] ?? '0'),
      source: dotted(f[3] ?? '0'),
      include: Number(f[4]),
      exclude: Number(f[5]),
    });
  }
  return out;
}
