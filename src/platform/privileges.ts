// --user NAME (sniff): open the captures as root, then run as NAME, as tcpdump -Z does. The
// capture handles, membership sockets and the capture file's descriptor stay open across the
// switch (credentials are checked at open(2), not at read/write). setgroups before setgid before
// setuid: once the uid is dropped the others can no longer be changed (setuid(2), setgroups(2)).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors.js';

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** NAME or a numeric uid, from /etc/passwd (getpwnam without a native module). */
export function lookupUser(name: string, passwd = '/etc/passwd'): RunAs {
  const lines = readFileSync(passwd, 'utf8').split('\n');
  for (const l of lines) {
    const [user, , uid, gid] = l.split(':');
    if (user === undefined || uid === undefined || gid === undefined) continue;
    if (user === name || uid === name) return { name: user, uid: Number(uid), gid: Number(gid) };
  }
  throw new UsageError('BAD_USER', `--user ${name}: no such user in ${passwd}`);
}

/** Checked before anything is opened: dropping needs root. */
export function checkCanDrop(u: RunAs): void {
  if (process.getuid?.() !== 0) {
    throw new EnvironmentError('NOT_ROOT', `--user ${u.name} drops root privileges, but this process is not root`,
      { hint: 'run as root with --user (or as root without it)' });
  }
}

/**
 * Node opens its inspector (127.0.0.1:9229) on SIGUSR1, and after the switch every process of the
 * user may send us that signal: it would evaluate code in a process that holds root's captures
 * and sockets. A listener of our own replaces the inspector's action (checked on Node 20: with it,
 * nothing listens on 9229 after SIGUSR1; Node 20 has no --disable-sigusr1). Never removed.
 * ptrace and /proc/PID/mem stay closed: the kernel makes a process that changed its credentials
 * non-dumpable (fs.suid_dumpable 0).
 */
let inspectorDoorClosed = false;
export function closeInspectorSignal(): void {
  if (inspectorDoorClosed) return;
  inspectorDoorClosed = true;
  process.on('SIGUSR1', () => { /* deliberately nothing: no inspector on a signal */ });
}

export function dropPrivileges(u: RunAs): void {
  closeInspectorSignal();
  process.setgroups?.([u.gid]);
  process.setgid?.(u.gid);
  process.setuid?.(u.uid);
  if (process.getuid?.() !== u.uid || process.geteuid?.() !== u.uid) {
    throw new EnvironmentError('DROP_FAILED', `could not switch to user ${u.name} (uid ${u.uid})`);
  }
}

/**
 * The capture file is renamed into place at the end, after the switch: its directory must be
 * writable by the user then. Checked before anything is captured rather than failing at the end
 * (owner, group or other write bit; ACLs are not read).
 */
export function checkDirWritableBy(file: string, u: RunAs): void {
  const dir = path.dirname(path.resolve(file));
  let st;
  try { st = statSync(dir); } catch { return; } // a missing directory is reported by the file sink
  const w = (st.uid === u.uid && (st.mode & 0o200) !== 0) || (st.gid === u.gid && (st.mode & 0o020) !== 0) || (st.mode & 0o002) !== 0;
  if (!w) {
    throw new EnvironmentError('USER_CANNOT_WRITE',
      `--user ${u.name} cannot write in ${dir}, where the capture file is completed after the switch`,
      { hint: `choose a directory ${u.name} can write, or chown it` });
  }
}
