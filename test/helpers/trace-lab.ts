// Traffic and receivers for the trace lab: a python3 receiver that binds, joins (or not) and
// reads (or not), and a sender of N datagrams to GROUP:PORT, both bounded in time.
import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';
import { waitFor } from './lab.js';

// BIND PORT GROUP JOIN_ADDR|none RCVBUF READ(0/1) SECONDS SOURCE|none
const RECEIVER = `
import socket, sys, time
bind, port, group, join = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rcvbuf, read, secs, src = int(sys.argv[5]), sys.argv[6] == '1', float(sys.argv[7]), sys.argv[8]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if rcvbuf > 0:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
s.bind((bind, port))
if join != 'none' and src != 'none':
    # IP_ADD_SOURCE_MEMBERSHIP (39): struct ip_mreq_source { multiaddr, interface, sourceaddr }
    s.setsockopt(socket.IPPROTO_IP, 39, socket.inet_aton(group) + socket.inet_aton(join) + socket.inet_aton(src))
elif join != 'none':
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(join))
print('ready', flush=True)
s.settimeout(0.2)
end = time.time() + secs
got = 0
while time.time() < end:
    if read:
        try:
            s.recv(4096); got += 1
        except socket.timeout:
            pass
    else:
        time.sleep(0.2)
print('got', got, flush=True)
`;

// GROUP PORT COUNT SIZE PAUSE
const SENDER = `
import socket, sys, time
group, port, count, size, pause = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 4)
for i in range(count):
    s.sendto(b'm' * size, (group, port))
    time.sleep(pause)
print('sent', count, flush=True)
`;

export interface ReceiverOptions {
  bind?: string;
  port: number;
  group: string;
  joinAddr?: string;
  rcvbuf?: number;
  read?: boolean;
  seconds?: number;
  source?: string;
}

/** Starts the receiver; resolves once it has bound and joined. Its pid is the python's (ip netns exec execs it). */
export async function startReceiver(lab: Lab, role: string, o: ReceiverOptions): Promise<ChildProcess> {
  const child = lab.spawn(role, 'python3', ['-c', RECEIVER, o.bind ?? '0.0.0.0', String(o.port), o.group, o.joinAddr ?? 'none',
    String(o.rcvbuf ?? 0), o.read === false ? '0' : '1', String(o.seconds ?? 20), o.source ?? 'none']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  if (!(await waitFor(async () => out.includes('ready'), 10_000))) throw new Error('receiver never got ready');
  return child;
}

/** Sends `count` datagrams of `size` bytes, 5 ms apart; resolves when done. */
export async function sendDatagrams(lab: Lab, role: string, group: string, port: number, count: number, size = 200): Promise<void> {
  const r = await lab.exec(role, 'python3', ['-c', SENDER, group, String(port), String(count), String(size), '0.005'], 30_000);
  if (!r.stdout.includes(`sent ${count}`)) throw new Error(`sender failed: ${r.stderr}`);
}

// IPv6: IFACE PORT GROUP (joined on IFACE by index), reads for SECONDS.
const RECEIVER6 = `
import socket, struct, sys, time
iface, port, group, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(('::', port))
mreq = socket.inet_pton(socket.AF_INET6, group) + struct.pack('@I', socket.if_nametoindex(iface))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
print('ready', flush=True)
s.settimeout(0.2)
end = time.time() + secs
while time.time() < end:
    try:
        s.recv(4096)
    except socket.timeout:
        pass
`;

// IPv6: IFACE GROUP PORT COUNT, out of IFACE (IPV6_MULTICAST_IF), hop limit 4.
const SENDER6 = `
import socket, struct, sys, time
iface, group, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(iface))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 4)
for i in range(count):
    s.sendto(b'm' * 200, (group, port))
    time.sleep(0.005)
print('sent', count, flush=True)
`;

export async function startReceiver6(
  lab: Lab,
  role: string,
  iface: string,
  port: number,
  group: string,
  seconds = 20,
): Promise<ChildProcess> {
  const child = lab.spawn(role, 'python3', ['-c', RECEIVER6, iface, String(port), group, String(seconds)]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  if (!(await waitFor(async () => out.includes('ready'), 10_000))) throw new Error('IPv6 receiver never got ready');
  return child;
}

export async function sendDatagrams6(lab: Lab, role: string, iface: string, group: string, port: number, count: number): Promise<void> {
  const r = await lab.exec(role, 'python3', ['-c', SENDER6, iface, group, String(port), String(count)], 30_000);
  if (!r.stdout.includes(`sent ${count}`)) throw new Error(`IPv6 sender failed: ${r.stderr}`);
}
