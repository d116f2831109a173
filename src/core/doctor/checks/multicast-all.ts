// IP_MULTICAST_ALL leaks (issue 19 item 4): which process receives which group it never joined.
// The kernel delivers a datagram for group G, port P to every socket on P whose bound address is
// the wildcard (or G) and that either joined G on the arrival interface or has IP_MULTICAST_ALL on
// (net/ipv4/igmp.c ip_mc_sf_allow: no membership of its own -> return inet->mc_all), as long as
// the host holds G on that interface (any socket's join). What the kernel lets us see:
// - bound address, port, inode of every socket: /proc/net/udp, udp6;
// - which process holds each inode: /proc/PID/fd (accounting's socket-owner reader);
// - IP_MULTICAST_ALL per socket: sock_diag's INET_DIAG_SOCKOPT (`ss --inet-sockopt`, no privilege),
//   or getsockopt on a pidfd_getfd duplicate (also IPV6_MULTICAST_ALL);
// - the memberships of ONE socket: getsockopt(MCAST_MSFILTER) on that duplicate (root only).
// Which port a group's stream uses is not in the kernel: it is taken from a socket bound to G:P or
// one that joined G while bound to port P. Without that evidence nothing is said about G.
import { makeFinding } from '../../findings/catalog.js';
import type { Finding } from '../../findings/model.js';
import type { Family } from '../../kernel/ip.js';

export interface SocketView {
  family: Family;
  localAddress: string;
  localPort: number;
  inode: number;
  owners: Array<{ pid: number; comm: string }>;
  /** IP_MULTICAST_ALL (4) and IPV6_MULTICAST_ALL (6); absent: not visible (the kernel's default applies). */
  mcAll: { 4?: boolean; 6?: boolean };
  /** Where the values present in mcAll came from (sock_diag reports the IPv4 bit only). */
  mcAllFrom: 'getsockopt' | 'sock_diag' | 'default';
  v6only?: boolean;
  /** `${group}%${ifindex}` this socket joined; undefined when its memberships are not visible. */
  joined?: ReadonlySet<string>;
}

export interface HeldGroup {
  family: Family;
  group: string;
  iface: string;
  ifindex: number;
}

/** Findings at most (one per receiving socket), and groups listed in one. */
const MAX_FINDINGS = 32;
const MAX_GROUPS_LISTED = 16;

const isWildcard = (s: SocketView): boolean => s.localAddress === '0.0.0.0' || s.localAddress === '::';
/** A dual-stack [::] socket also takes IPv4 unless IPV6_V6ONLY. */
const takes = (s: SocketView, fam: Family): boolean => s.family === fam || (fam === 4 && s.localAddress === '::' && s.v6only !== true);
/**
 * The option as it applies to family `fam` on this socket. Not visible: the kernel's defaults,
 * IP_MULTICAST_ALL on for an IPv4 socket but OFF for an IPv6 one (inet6_create does not set the
 * IPv4 bit: measured, a dual-stack [::] socket without a join gets no IPv4 group), and
 * IPV6_MULTICAST_ALL on.
 */
export const mcAllOn = (s: SocketView, fam: Family): boolean => s.mcAll[fam] ?? (fam === 4 ? s.family === 4 : true);
/** Where the option for family `fam` came from: a value not present is the kernel's default. */
export const mcAllSource = (s: SocketView, fam: Family): SocketView['mcAllFrom'] => (s.mcAll[fam] === undefined ? 'default' : s.mcAllFrom);
const OPT_NAME = { 4: 'IP_MULTICAST_ALL', 6: 'IPV6_MULTICAST_ALL' } as const;
const joinedAnywhere = (s: SocketView, group: string): boolean => [...(s.joined ?? [])].some((k) => k.startsWith(`${group}%`));

export function who(s: SocketView): string {
  if (s.owners.length === 0) return `a socket (inode ${s.inode}, owner not found)`;
  return s.owners.slice(0, 3).map((o) => `${o.comm} (pid ${o.pid})`).join(', ');
}
const addrPort = (s: SocketView): string => `${s.family === 6 ? `[${s.localAddress}]` : s.localAddress}:${s.localPort}`;

export function multicastAllFindings(sockets: readonly SocketView[], held: readonly HeldGroup[]): Finding[] {
  const heldOn = new Map<string, HeldGroup[]>();
  for (const h of held) {
    // Pushed, not spread: a group held on 300 interfaces was copied 300 times (issue 19 item 8).
    const key = `${h.family} ${h.group}`;
    const on = heldOn.get(key);
    if (on) on.push(h);
    else heldOn.set(key, [h]);
  }
  // The sockets that show a group's stream comes to port P: bound to G:P, or joined G on port P.
  const evidence = (fam: Family, group: string, port: number): SocketView[] =>
    sockets.filter((s) => s.localPort === port && takes(s, fam) && (s.localAddress === group || joinedAnywhere(s, group)));
  const out: Finding[] = [];
  for (const w of sockets) {
    if (!isWildcard(w) || out.length >= MAX_FINDINGS) continue;
    const foreign: Foreign[] = [];
    for (const [key, on] of heldOn) {
      const fam = on[0]?.family ?? 4;
      const group = key.slice(2);
      if (!takes(w, fam) || !mcAllOn(w, fam)) continue;
      const by = evidence(fam, group, w.localPort).filter((s) => s.inode !== w.inode);
      if (by.length === 0) continue;
      const ifaces = on.filter((h) => w.joined === undefined || !w.joined.has(`${group}%${h.ifindex}`)).map((h) => h.iface);
      if (ifaces.length > 0) foreign.push({ family: fam, group, ifaces, heldBy: by });
    }
    if (foreign.length === 0) continue;
    out.push(leakFinding(w, foreign));
  }
  return out;
}

interface Foreign { family: Family; group: string; ifaces: string[]; heldBy: SocketView[] }

/**
 * What the message can claim. An IPv6 group leaks through IPV6_MULTICAST_ALL, which sock_diag
 * does not report (only getsockopt on a duplicate reads it); a socket's memberships need the same
 * ptrace rights. What was not seen is said as the condition the claim rests on, never as a fact.
 */
function claim(w: SocketView, families: readonly Family[], it: string): { receives: string; option: string } {
  const names = families.map((f) => OPT_NAME[f]).join(' and ');
  const unseenOpt = families.some((f) => mcAllSource(w, f) === 'default');
  if (w.joined !== undefined) return { receives: `without having joined ${it}`, option: `with ${names} on` };
  if (!unseenOpt) {
    return { receives: `unless it joined ${it} itself (its memberships are not visible without ptrace rights)`,
      option: `with ${names} on` };
  }
  return {
    receives: `unless it joined ${it} itself or turned ${names} off (neither is visible without ptrace rights)`,
    option: `where ${names} is on by default`,
  };
}

function leakFinding(w: SocketView, foreign: Foreign[]): Finding {
  const certain = w.joined !== undefined;
  const listed = foreign.slice(0, MAX_GROUPS_LISTED);
  const groups =
    listed.map((f) => f.group).join(', ') + (foreign.length > listed.length ? ` and ${foreign.length - listed.length} more` : '');
  const first = foreign[0];
  const holder = first?.heldBy[0];
  const because = holder
    ? `${first?.group} is joined on ${first?.ifaces.join(', ')} by ${who(holder)} (bound to ${addrPort(holder)})`
    : '';
  const families = [...new Set(foreign.map((f) => f.family))].sort();
  const fam = first?.family ?? 4;
  const c = claim(w, families, foreign.length === 1 ? 'it' : 'them');
  const name = w.owners[0] ? `${w.owners[0].comm} (pid ${w.owners[0].pid})` : 'the program that owns it';
  return makeFinding('MULTICAST_ALL_LEAK', {
    group: first?.group ?? '',
    message: `${who(w)} receives ${groups} on ${addrPort(w)} ${c.receives}: `
      + `its socket is bound to the wildcard address ${c.option}, and ${because}.`,
    fix: `In ${name}: setsockopt(${families.map((f) => OPT_NAME[f]).join(' and ')}, 0) on that socket, `
      + `or bind it to the address it serves (its own group, or a unicast address) instead of ${w.localAddress}.`,
    evidence: {
      port: w.localPort, inode: w.inode, localAddress: w.localAddress, owners: w.owners,
      mcAll: true, mcAllFrom: mcAllSource(w, fam), option: OPT_NAME[fam],
      membershipsFrom: certain ? 'getsockopt' : 'not-visible', confidence: certain ? 'certain' : 'likely',
      foreign: listed.map((f) => ({
        family: f.family, group: f.group, ifaces: f.ifaces,
        heldBy: f.heldBy.slice(0, 4).map((s) => ({ inode: s.inode, localAddress: s.localAddress, owners: s.owners })),
      })),
    },
  });
}

/**
 * Without any membership visible (no ptrace rights) and no socket bound to a group, only the old
 * heuristic is left (PITFALLS.md): several wildcard sockets on one port, IP_MULTICAST_ALL not seen
 * off on them, and several groups held. Said as a guess, naming the sockets' owners.
 */
export function guessFindings(sockets: readonly SocketView[], held: readonly HeldGroup[], named: readonly Finding[]): Finding[] {
  const namedPorts = new Set(named.map((f) => f.evidence.port));
  const byPort = new Map<string, SocketView[]>();
  for (const s of sockets) {
    if (!isWildcard(s) || s.joined !== undefined || namedPorts.has(s.localPort)) continue;
    if (!mcAllOn(s, s.family)) continue;
    const key = `${s.family}/${s.localPort}`;
    byPort.set(key, [...(byPort.get(key) ?? []), s]);
  }
  const out: Finding[] = [];
  for (const [key, list] of byPort) {
    if (list.length < 2 || out.length >= MAX_FINDINGS) continue;
    const [famText, port] = key.split('/');
    const fam: Family = famText === '6' ? 6 : 4;
    // Groups of the sockets' own family: a [::] socket's IPv4 option is off by default.
    const groups = [...new Set(held.filter((h) => h.family === fam).map((h) => h.group))];
    if (groups.length < 2) continue;
    const any = fam === 4 ? '0.0.0.0' : '[::]';
    out.push(makeFinding('MULTICAST_ALL_LEAK', {
      message: `${list.length} sockets are bound to ${any}:${port} (${list.slice(0, 4).map(who).join('; ')}) while the host holds `
        + `${groups.length} groups: with ${OPT_NAME[fam]} on, each receives every group joined on that port, not only its own `
        + '(a guess: which socket joined which group is not visible without ptrace rights).',
      fix: `In the receiving programs: setsockopt(${OPT_NAME[fam]}, 0), or bind each socket to its group address instead of ${any}.`,
      evidence: {
        port: Number(port), wildcardSockets: list.length, groups: groups.slice(0, MAX_GROUPS_LISTED), confidence: 'guess',
        owners: list.slice(0, 8).map((s) => s.owners),
      },
    }));
  }
  return out;
}

/**
 * What the check could not decide (issue 16: never "healthy" about what was not seen). A wildcard
 * socket W on port P receives group G when another socket on P joined G; when some other socket
 * on P has memberships that could not be read (no ptrace rights, owner not found) and nothing was
 * said about P (no finding, not even a guess), the leak question for P is open: those ports.
 */
export function undecidedPorts(sockets: readonly SocketView[], held: readonly HeldGroup[], said: readonly Finding[]): number[] {
  const saidPorts = new Set(said.map((f) => f.evidence.port));
  const families = new Set(held.map((h) => h.family));
  const open = new Set<number>();
  for (const w of sockets) {
    if (!isWildcard(w) || saidPorts.has(w.localPort) || open.has(w.localPort)) continue;
    const could = [...families].some((fam) => takes(w, fam) && mcAllOn(w, fam)
      && sockets.some((s) => s.inode !== w.inode && s.localPort === w.localPort && takes(s, fam) && s.joined === undefined));
    if (could) open.add(w.localPort);
  }
  return [...open].sort((a, b) => a - b);
}
