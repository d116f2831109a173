// Lab pieces for querier-check: a listen that starts the traffic once the captures are open,
// a group member (a python3 socket that joins and counts what arrives, early vs late), a bounded
// sender, and the snooping-bridge segment where "works, then stops" is reproduced.
import { CLI, type Lab, type RunResult } from './lab.js';

/** Runs `mcast-doctor ARGS` in role; once it says "listening on", runs during(); returns its output. */
export async function listenWhile(lab: Lab, role: string, args: readonly string[], during: () => Promise<unknown>): Promise<RunResult> {
  const child = lab.spawn(role, process.execPath, [CLI, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  const exited = new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`querier-check did not start listening: ${stderr}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    void exited.then((c) => { clearTimeout(timer); reject(new Error(`querier-check exited ${c} before listening: ${stderr}`)); });
  });
  let ended = false;
  void exited.then(() => { ended = true; });
  await during();
  // The command's window closed while the test was still sending (a loaded machine): say so
  // rather than let an assertion on a missing querier point at the tool.
  if (ended) throw new Error(`querier-check's window (${args.join(' ')}) ended before the test finished sending: ${stderr}`);
  const code = await exited;
  return { code, stdout, stderr };
}

const MEMBER = `
import json, socket, struct, sys, time
group, ifaddr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
seconds, early, late = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((group, port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(ifaddr))
t0 = time.monotonic()
print("joined", flush=True)
s.settimeout(0.2)
counts = {"early": 0, "late": 0, "total": 0, "lastAtS": -1}
while time.monotonic() - t0 < seconds:
    try:
        s.recv(2048)
    except socket.timeout:
        continue
    dt = time.monotonic() - t0
    counts["total"] += 1
    counts["lastAtS"] = round(dt, 2)
    if dt < early: counts["early"] += 1
    if dt >= late: counts["late"] += 1
print(json.dumps(counts), flush=True)
`;

const SENDER = `
import socket, sys, time
group, port, count, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
assert 1 <= count <= 10000 and 0 < rate <= 1000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(count):
    s.sendto(b"querier-lab %d" % i, (group, port))
    time.sleep(1 / rate)
print("sent", count, flush=True)
`;

export interface MemberCounts { early: number; late: number; total: number; lastAtS: number }

/**
 * A member that joins group on the interface holding ifaddr for `seconds` (bounded), counting
 * packets before `earlyS` and from `lateS` on (seconds after the join). joined resolves once
 * the join is done; counts when it ends.
 */
export async function startMember(
  lab: Lab,
  role: string,
  o: { group: string; ifaddr: string; port: number; seconds: number; earlyS: number; lateS: number },
): Promise<{ counts: Promise<MemberCounts> }> {
  const child =
    lab.spawn(role, 'python3', ['-c', MEMBER, o.group, o.ifaddr, String(o.port), String(o.seconds), String(o.earlyS), String(o.lateS)]);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const counts = new Promise<MemberCounts>((resolve, reject) => {
    child.on('exit', () => {
      const last = out.trim().split('\n').pop() ?? '';
      try { resolve(JSON.parse(last) as MemberCounts); } catch { reject(new Error(`member in ${role} failed: ${out}${err}`)); }
    });
  });
  // A member ended by lab.destroy() before it prints its counts rejects: fine when unread.
  counts.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`member in ${role} did not join: ${err}`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('joined')) { clearTimeout(timer); resolve(); }
    });
  });
  return { counts };
}

/** Sends count datagrams to group:port at rate per second from role (bounded; TTL 1). */
export function sendStream(lab: Lab, role: string, group: string, port: number, count: number, rate: number): Promise<RunResult> {
  return lab.exec(role, 'python3', ['-c', SENDER, group, String(port), String(count), String(rate)], 10_000 + (count / rate) * 1000);
}

/**
 * A snooping segment with a dual-homed host:
 *
 *   gw [eth0 198.18.20.1/24] ── [wan0 198.18.20.2/24, default route] host [lan0 198.18.10.2/24] ── p1 ┐
 *                                                     src [eth0 198.18.10.3/24] ── p2 ─────── br0 (sw)
 *
 * br0: IGMP snooping with its own querier (IGMPv3, query interval 1 s), sending from br0's
 * address (mcast_query_use_ifaddr 1); membership interval `membershipCs` centiseconds.
 * host has rp_filter 1 (strict): a querier address whose route back leaves by wan0 is dropped.
 */
export interface BridgeLab { lab: Lab; querier: string }

/** The bridge's timers, in centiseconds (as `ip link ... type bridge` takes them). */
export interface BridgeTimers { membershipCs?: number; queryCs?: number; responseCs?: number; startupCs?: number }

export async function buildQuerierBridge(lab: Lab, querierCidr: string, timers: BridgeTimers = {}): Promise<BridgeLab> {
  const { membershipCs = 300, queryCs = 100, responseCs = 50, startupCs = 50 } = timers;
  for (const ns of ['sw', 'host', 'gw', 'src']) await lab.addNs(ns);
  await lab.ip('sw', 'link', 'add', 'br0', 'type', 'bridge',
    'mcast_snooping', '1', 'mcast_querier', '1', 'mcast_query_use_ifaddr', '1', 'mcast_igmp_version', '3',
    'mcast_membership_interval', String(membershipCs), 'mcast_querier_interval', String(membershipCs),
    'mcast_query_interval', String(queryCs), 'mcast_query_response_interval', String(responseCs),
    'mcast_startup_query_interval', String(startupCs), 'mcast_last_member_interval', '50');
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
  return { lab, querier: querierCidr.split('/')[0] ?? '' };
}
