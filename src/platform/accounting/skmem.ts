// SO_RCVBUF of other processes' sockets. /proc/net/udp does not show it; the kernel gives it
// through sock_diag (NETLINK_SOCK_DIAG, INET_DIAG_SKMEMINFO), which is what `ss -m` prints as
// skmem:(r…,rb…,…,d…). We run iproute2's `ss -uaenmH` (already a dependency: `ip` is) and read
// only two robust tokens per socket, `ino:N` and the skmem tuple, rather than speak sock_diag
// through koffi (docs/decisions.md). No `-p`: owners come from /proc (socket-owners.ts), whose
// process names need no parsing of ss's quoting.
import { run } from '../exec.js';

export interface SkMem {
  /** Bytes queued (r). */
  rmemAlloc: number;
  /** The receive buffer limit, SO_RCVBUF as the kernel holds it (doubled from what was asked). */
  rcvbuf: number;
  /** Datagrams dropped (d). */
  drops: number;
}

/** Pure: `ss -uaenmH` text to skmem by socket inode. Lines may be split across two rows. */
export function parseSsSkmem(text: string): Map<number, SkMem> {
  const out = new Map<number, SkMem>();
  // A socket's record starts at a state word at the start of a line; skmem may be on the next.
  const records = text.split(/\n(?=\S)/);
  for (const rec of records) {
    const ino = /\bino:(\d+)/.exec(rec);
    const sk = /skmem:\(([^)]*)\)/.exec(rec);
    if (!ino || !sk) continue;
    const fields = new Map<string, number>();
    for (const part of (sk[1] ?? '').split(',')) {
      const m = /^([a-z]+)(\d+)$/.exec(part.trim());
      if (m) fields.set(m[1] ?? '', Number(m[2]));
    }
    const rb = fields.get('rb');
    if (rb === undefined) continue;
    out.set(Number(ino[1]), { rmemAlloc: fields.get('r') ?? 0, rcvbuf: rb, drops: fields.get('d') ?? 0 });
  }
  return out;
}

/** Undefined when ss is missing or fails: the caller reports the receive buffer as unknown. */
export async function readSkmem(): Promise<Map<number, SkMem> | undefined> {
  const r = await run('ss', ['-uaenmH']);
  if (r.code !== 0) return undefined;
  return parseSsSkmem(r.stdout);
}
