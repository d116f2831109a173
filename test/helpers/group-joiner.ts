// A process that holds memberships, as an application would: python3's socket module joins
// IPv4 groups by interface address (IP_ADD_MEMBERSHIP) and IPv6 groups by ifindex
// (IPV6_JOIN_GROUP), prints "joined", then sleeps until it is ended (at most `seconds`).
import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';

const SCRIPT = `
import socket, struct, sys, time
iface, addr4, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
groups = sys.argv[4:]
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
idx = socket.if_nametoindex(iface)
for g in groups:
    if ':' in g:
        s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, g) + struct.pack('@I', idx))
    else:
        s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(g) + socket.inet_aton(addr4))
print('joined', flush=True)
time.sleep(seconds)
`;

export interface Joiner {
  child: ChildProcess;
  /** Ends the process (by its own pid) and waits for it to exit: the memberships go with it. */
  stop(): Promise<void>;
}

export async function joinGroups(lab: Lab, role: string, iface: string, addr4: string, groups: string[], seconds = 90): Promise<Joiner> {
  const child = lab.spawn(role, 'python3', ['-c', SCRIPT, iface, addr4, String(seconds), ...groups]);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`joiner did not report: ${err}`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('joined')) { clearTimeout(timer); resolve(); } });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`joiner exited ${code}: ${err}`)); });
  });
  return {
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
