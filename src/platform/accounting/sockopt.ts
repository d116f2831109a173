// IP_MULTICAST_ALL of every UDP socket, as the kernel reports it through sock_diag
// (INET_DIAG_SOCKOPT, Linux 5.10+: struct inet_diag_sockopt's mc_all bit) and iproute2's
// `ss --inet-sockopt` prints it: "inet-sockopt: ( mc_loop mc_all)". No ptrace rights needed.
// The bit is the IPv4 option (inet->mc_all): it decides IPv4 delivery also on a dual-stack [::]
// socket, where it is off by default (fixtures/iproute2/ss/udp-inet-sockopt.txt: `*:45126` shows
// no mc_all); IPV6_MULTICAST_ALL is not reported (peek.ts reads it where it can).
import { run } from '../exec.js';

export interface SockOpts {
  /** IP_MULTICAST_ALL. */
  mcAll: boolean;
  /** IPV6_V6ONLY of an IPv6 socket (`v6only:1`), when ss prints it. */
  v6only?: boolean;
}

/** Pure: `ss -uaenH --inet-sockopt` text to options by socket inode. Records span two lines. */
export function parseSsSockopt(text: string): Map<number, SockOpts> {
  const out = new Map<number, SockOpts>();
  for (const rec of text.split(/\n(?=\S)/)) {
    const ino = /\bino:(\d+)/.exec(rec);
    const opts = /inet-sockopt: \(([^)]*)\)/.exec(rec);
    if (!ino || !opts) continue;
    const words = (opts[1] ?? '').trim().split(/\s+/);
    const o: SockOpts = { mcAll: words.includes('mc_all') };
    const v6 = /\bv6only:([01])\b/.exec(rec);
    if (v6) o.v6only = v6[1] === '1';
    out.set(Number(ino[1]), o);
  }
  return out;
}

/** Undefined when ss is missing, too old for --inet-sockopt (iproute2 < 5.10), or fails. */
export async function readSockopts(): Promise<Map<number, SockOpts> | undefined> {
  const r = await run('ss', ['-uaenH', '--inet-sockopt']);
  if (r.code !== 0) return undefined;
  const m = parseSsSockopt(r.stdout);
  // An older ss accepts no such flag and fails; a kernel before 5.10 sends no attribute: no line.
  return m.size > 0 || r.stdout.trim() === '' ? m : undefined;
}
