// Which processes hold which socket inodes: every /proc/PID/fd/N that links to "socket:[INODE]",
// as `ss -p` and `fuser` find them. Only the inodes asked for are kept, and the walk is bounded
// (a host with a million descriptors must not stall the run): past the budget the owners found
// so far are returned with `complete: false`.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface SocketOwner {
  pid: number;
  /** /proc/PID/comm: the process name as the kernel keeps it (at most 15 bytes, any bytes). */
  comm: string;
  fd: number;
}

export interface OwnerScan {
  owners: Map<number, SocketOwner[]>;
  /** False when the descriptor budget ran out before every process was read. */
  complete: boolean;
}

/** Descriptors read in all; about 20 ms per 10 000 here. */
const FD_BUDGET = 200_000;
/** Owners kept per socket (a socket shared by forked workers). */
const OWNERS_PER_SOCKET = 16;

export async function findSocketOwners(inodes: ReadonlySet<number>, procRoot = '/proc'): Promise<OwnerScan> {
  const owners = new Map<number, SocketOwner[]>();
  if (inodes.size === 0) return { owners, complete: true };
  let budget = FD_BUDGET;
  const pids = (await readdir(procRoot).catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  for (const pidText of pids) {
    if (budget <= 0) return { owners, complete: false };
    const fds = await readdir(`${procRoot}/${pidText}/fd`).catch(() => [] as string[]);
    let comm: string | undefined;
    for (const fdText of fds) {
      if (--budget < 0) return { owners, complete: false };
      const link = await readlink(`${procRoot}/${pidText}/fd/${fdText}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (!m) continue;
      const inode = Number(m[1]);
      if (!inodes.has(inode)) continue;
      comm ??= (await readFile(`${procRoot}/${pidText}/comm`, 'utf8').catch(() => '?')).replace(/\n$/, '');
      const list = owners.get(inode) ?? [];
      if (list.length < OWNERS_PER_SOCKET) list.push({ pid: Number(pidText), comm, fd: Number(fdText) });
      owners.set(inode, list);
    }
  }
  return { owners, complete: true };
}
