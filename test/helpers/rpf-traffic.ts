// Traffic for the reverse-path lab tests: a process that holds a group membership, and a
// sender of packets with a forged source (raw socket, IP_HDRINCL), both bounded.
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Lab } from './lab.js';
import { waitFor } from './lab.js';

// Joins GROUP on the interface that holds ADDR and keeps the membership for SECONDS.
const JOIN = `
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack('4s4s', socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[2])))
print('joined', flush=True)
time.sleep(float(sys.argv[3]))
`;

// Sends COUNT UDP datagrams SRC -> DST:5000 with a hand-made IPv4 header (TTL 8), PAUSE s apart.
// With a 5th argument, says "ready" and waits (at most 30 s) for that file to exist first, so a
// test can start Python ahead of a short measuring window and fire it the moment it opens.
const SPOOF = `
import os, socket, struct, sys, time
src, dst, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
if len(sys.argv) > 5:
    print('ready', flush=True)
    end = time.time() + 30
    while not os.path.exists(sys.argv[5]) and time.time() < end:
        time.sleep(0.01)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
def csum(b):
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff)
    t += t >> 16
    return ~t & 0xffff
payload = b'mcast-doctor rpf lab'
for i in range(count):
    udp = struct.pack('!HHHH', 40000, 5000, 8 + len(payload), 0) + payload
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i + 1, 0, 8, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    s.sendto(hdr + udp, (dst, 0))
    time.sleep(pause)
print('sent', count, flush=True)
`;

/** Joins group on the host interface holding `address`; resolves once the kernel lists it. */
export async function holdMembership(
  lab: Lab,
  role: string,
  iface: string,
  group: string,
  address: string,
  seconds = 60,
): Promise<ChildProcess> {
  const child = lab.spawn(role, 'python3', ['-c', JOIN, group, address, String(seconds)]);
  const ok = await waitFor(async () => (await lab.exec(role, 'ip', ['maddr', 'show', 'dev', iface])).stdout.includes(group), 10_000);
  if (!ok) throw new Error(`${group} never showed up in ip maddr show dev ${iface}`);
  return child;
}

/**
 * A forged-packet sender started ahead of time: `fire()` releases it and resolves when all
 * `count` packets are sent. Each `send` is [source, count]; they go out one after the other.
 */
export async function armSpoofer(
  lab: Lab,
  role: string,
  dst: string,
  sends: Array<[string, number]>,
): Promise<{ fire: () => Promise<void> }> {
  const trigger = path.join(tmpdir(), `mcd-rpf-${process.pid}-${Date.now()}`);
  const senders = sends.map(([src, count]) => {
    const child = lab.spawn(role, 'python3', ['-c', SPOOF, src, dst, String(count), '0.002', trigger]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return { child, count, out: () => out, exited };
  });
  const ready = await waitFor(async () => senders.every((s) => s.out().includes('ready')), 20_000);
  if (!ready) throw new Error('forged-packet sender never got ready');
  return {
    fire: async () => {
      writeFileSync(trigger, '');
      try {
        await Promise.all(senders.map((s) => s.exited));
      } finally {
        rmSync(trigger, { force: true });
      }
      for (const s of senders) if (!s.out().includes(`sent ${s.count}`)) throw new Error(`sender did not finish: ${s.out()}`);
    },
  };
}
