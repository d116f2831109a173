// Lab pieces for analyze: captures taken with tcpdump (not with mcast-doctor), the RTP sender
// (scripts/lab/rtp-send.py), and a snooping bridge whose timers agree with each other (the
// queries announce the membership interval the bridge applies), with a dual-homed member host.
import path from 'node:path';
import { REPO, tcpdumpListening, type Lab, type RunResult } from './lab.js';
import { buildQuerierBridge } from './querier-lab.js';

export const RTP_SEND = path.join(REPO, 'scripts', 'lab', 'rtp-send.py');

/** tcpdump -w FILE in role on iface, ready when it says it listens; stop() ends it by its pid. */
export async function captureToFile(lab: Lab, role: string, iface: string, file: string,
  filter = 'udp or igmp'): Promise<{ stop: () => Promise<void> }> {
  // -Z root: tcpdump would otherwise drop to its own user and fail to write in a root-only directory.
  const child = lab.spawn(role, 'tcpdump', ['-i', iface, '-n', '-U', '-Z', 'root', '-w', file, filter]);
  await tcpdumpListening(child);
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
 * The querier bridge of querier-lab.ts (sw: br0 snooping with its own IGMPv3 querier at
 * `querierCidr`; host: lan0 on the bridge, wan0 with the default route, rp_filter 1; src: the
 * sender) with timers that agree with each other: query interval 2.5 s, response 1 s, so the
 * membership interval the queries announce (2 x 2.5 + 1 = 6 s, RFC 3376 8.4) is what a capture
 * file lets analyze compute; the bridge itself holds memberships for 6 s.
 */
export async function buildSnoopingHost(lab: Lab, querierCidr: string): Promise<void> {
  await buildQuerierBridge(lab, querierCidr, { membershipCs: 600, queryCs: 250, responseCs: 100, startupCs: 60 });
}
