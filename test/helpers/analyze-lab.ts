// Lab pieces for analyze: captures taken with tcpdump (not with mcast-doctor), the RTP sender
// (scripts/lab/rtp-send.py), and a snooping bridge whose timers agree with each other (the
// queries announce the membership interval the bridge applies), with a dual-homed member host.
import path from 'node:path';
import { REPO, type Lab, type RunResult } from './lab.js';

export const RTP_SEND = path.join(REPO, 'scripts', 'lab', 'rtp-send.py');

/** tcpdump -w FILE in role on iface, ready when it says it listens; stop() ends it by its pid. */
export async function captureToFile(lab: Lab, role: string, iface: string, file: string, filter = 'udp or igmp'): Promise<{ stop: () => Promise<void> }> {
  // -Z root: tcpdump would otherwise drop to its own user and fail to write in a root-only directory.
  const child = lab.spawn(role, 'tcpdump', ['-i', iface, '-n', '-U', '-Z', 'root', '-w', file, filter]);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`tcpdump exited: ${err}`)); });
  });
  return {
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    }),
  };
}

export interface RtpOptions { group: string; port?: number; count: number; rate: number; ttl?: number; ifaddr?: string }

/** Sends RTP/MPEG-TS from role (bounded by the script: 20000 packets, 2000/s). */
export function sendRtp(lab: Lab, role: string, o: RtpOptions): Promise<RunResult> {
  const args = [RTP_SEND, o.group, String(o.port ?? 5004), String(o.count), String(o.rate), '--ttl', String(o.ttl ?? 1)];
  if (o.ifaddr) args.push('--ifaddr', o.ifaddr);
  return lab.exec(role, 'python3', args, 15_000 + (o.count / o.rate) * 1000);
}

/**
 * sw: br0 with snooping and its own IGMPv3 querier at `querierCidr` (query interval 2.5 s,
 * response 1 s, membership interval 6 s = 2 x 2.5 + 1, as RFC 3376 8.4 computes from the
 * queries); host: lan0 198.18.10.2/24 on the bridge, wan0 198.18.20.2/24 to gw with the default
 * route, rp_filter 1 (strict); src: 198.18.10.3/24 on the bridge, the sender.
 */
export async function buildSnoopingHost(lab: Lab, querierCidr: string): Promise<void> {
  for (const ns of ['sw', 'host', 'gw', 'src']) await lab.addNs(ns);
  await lab.ip('sw', 'link', 'add', 'br0', 'type', 'bridge',
    'mcast_snooping', '1', 'mcast_querier', '1', 'mcast_query_use_ifaddr', '1', 'mcast_igmp_version', '3',
    'mcast_membership_interval', '600', 'mcast_querier_interval', '600',
    'mcast_query_interval', '250', 'mcast_query_response_interval', '100',
    'mcast_startup_query_interval', '60', 'mcast_last_member_interval', '50');
  await lab.addr('sw', 'br0', querierCidr);
  await lab.ip('sw', 'link', 'set', 'br0', 'up');
  await lab.veth('sw', 'p1', 'host', 'lan0');
  await lab.veth('sw', 'p2', 'src', 'eth0');
  for (const p of ['p1', 'p2']) await lab.ip('sw', 'link', 'set', p, 'master', 'br0');
  await lab.veth('host', 'wan0', 'gw', 'eth0');
  await lab.addr('host', 'lan0', '198.18.10.2/24');
  await lab.addr('host', 'wan0', '198.18.20.2/24');
  await lab.addr('gw', 'eth0', '198.18.20.1/24');
  await lab.addr('src', 'eth0', '198.18.10.3/24');
  await lab.ip('host', 'route', 'add', 'default', 'via', '198.18.20.1', 'dev', 'wan0');
  await lab.ip('src', 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  await lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 1);
}
