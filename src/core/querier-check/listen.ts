// querier-check's listen: capture IGMP and MLD on every eligible interface for the timeout,
// then judge what was heard against the interface model and the kernel's reverse-path answer.
// The capture itself comes in as a function (the platform's libpcap layer), so the core stays
// free of native code and unit tests feed recorded frames.
import type { Platform } from '../../platform/types.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces, type Interface } from '../kernel/interfaces.js';
import { eligibleFamilies as familiesOf, noEligibleInterface } from '../kernel/eligibility.js';
import type { Family } from '../kernel/ip.js';
import { checkReversePaths } from './rpf-batch.js';
import { familyReport, rpfAsks } from './family-report.js';
import { querierFindings } from './findings.js';
import { ControlObserver } from '../observation/observer.js';
import type { HeardPacket } from '../observation/heard.js';
import type { InterfaceReport, QuerierReport } from './report.js';
import type { Coverage } from '../coverage.js';
import { systemClock, type Clock } from '../clock.js';

/** Frames from one interface, already decoded to IGMP/MLD packets; close() ends the capture. */
/** Opens a capture of IGMP/MLD on iface; onMalformed gets the reason of every frame the decoders refuse. */
export type OpenControlCapture = (
  iface: string,
  filter: string,
  onPacket: (p: HeardPacket) => void,
  onMalformed?: (reason: string) => void,
) => Promise<{ close(): Promise<void> | void }>;

export interface ListenProgress {
  elapsedMs: number;
  remainingMs: number;
  heard: Array<{ iface: string; queriers: string[]; queries: number }>;
}

export interface ListenOptions {
  selection?: IfaceSelection;
  family?: Family;
  timeoutMs: number;
  expect?: string;
  openCapture: OpenControlCapture;
  onProgress?: (p: ListenProgress) => void;
  /** Called once every capture is open (the listen window starts). */
  onListening?: (ifaces: string[]) => void;
  progressEveryMs?: number;
  /** Ends the listen early (a signal): the report holds what was heard until then. */
  abort?: AbortSignal;
  /** Times the listen (start, end, progress); the packets carry their own stamps. Absent: the system's. */
  clock?: Clock;
}

/**
 * The capture filter. `icmp6` in a BPF filter only matches when ICMPv6 directly follows the
 * IPv6 header, but MLD messages always carry a Hop-by-Hop header with Router Alert first
 * (RFC 3810 section 5), so MLD is matched by hand: the ICMPv6 type at offset 40 (no extension
 * header) or at 40 + (Hdr Ext Len + 1) * 8 after one Hop-by-Hop header (next header 0).
 * Types: 130 query, 131 v1 report, 132 done, 143 v2 report.
 */
export function controlFilter(family?: Family): string {
  // pcap-filter(7): "and" and "or" have equal precedence and associate left to right, so every
  // alternative is parenthesised (without, a query with no Hop-by-Hop header was never captured).
  const mldType = (off: string): string => `((${off} >= 130 and ${off} <= 132) or ${off} == 143)`;
  const mld = `(ip6 and ((ip6[6] == 58 and ${mldType('ip6[40]')}) or (ip6[6] == 0 and ip6[40] == 58 and ${mldType('ip6[48 + ip6[41] * 8]')})))`;
  if (family === 4) return 'igmp';
  if (family === 6) return mld;
  return `igmp or ${mld}`;
}

export async function listenForQueriers(p: Platform, opts: ListenOptions): Promise<QuerierReport & { coverage: Coverage }> {
  const clock = opts.clock ?? systemClock;
  const started = clock.now();
  const inv = await loadInterfaces(
    p,
    { ...(opts.selection ? { selection: opts.selection } : {}), ...(opts.family ? { family: opts.family } : {}) },
  );
  const targets = inv.interfaces.filter((i) => familiesOf(i, opts.family).length > 0);
  const observers = new Map(targets.map((i) => [
    i.name,
    new ControlObserver({ addresses: i.addresses.map((a) => a.address), ...(i.mac ? { mac: i.mac } : {}) }),
  ]));
  const rpBefore = await rpCounter(p);
  const snmpBefore = await p.snmp6().catch(() => ({}));
  const captures: Array<{ close(): Promise<void> | void }> = [];
  let listenStart = started;
  try {
    for (const i of targets) {
      const fams = familiesOf(i, opts.family);
      const obs = observers.get(i.name)!;
      captures.push(await opts.openCapture(
        i.name,
        controlFilter(fams.length === 1 ? fams[0] : undefined),
        (pkt) => obs.add(pkt),
        (why) => obs.addMalformed(why),
      ));
    }
    listenStart = clock.now();
    opts.onListening?.(targets.map((i) => i.name));
    if (targets.length > 0) await wait(opts, listenStart, targets, observers);
  } finally {
    await Promise.all(captures.map((c) => c.close()));
  }
  const endMs = clock.now();
  const rpAfter = await rpCounter(p);
  const snmpAfter = await p.snmp6().catch(() => ({}));
  const after = await loadInterfaces(p, { ...(opts.selection ? { selection: opts.selection } : {}) });
  const seen = targets.map((i) => ({ i, obs: familiesOf(i, opts.family).map((f) => observers.get(i.name)!.result(f, endMs)) }));
  // Every reverse-path question of the listen in one bounded batch (rpf-batch.ts).
  const rpf = await checkReversePaths(p, seen.flatMap(({ i, obs }) => obs.flatMap((o) => rpfAsks(i.name, o))));
  const interfaces: InterfaceReport[] = seen.map(({ i, obs }) => {
    const rep: InterfaceReport = {
      name: i.name,
      index: i.index,
      addresses: i.addresses.map((a) => a.cidr),
      rpFilter: i.rpFilter,
      malformed: observers.get(i.name)!.malformed(),
    };
    const later = after.interfaces.find((x) => x.name === i.name);
    for (const o of obs) {
      const fr = familyReport(i, later, o, rpf);
      if (o.family === 4) rep.igmp = fr; else rep.mld = fr;
    }
    return rep;
  });
  const body: Omit<QuerierReport, 'findings'> = {
    startedAt: new Date(listenStart).toISOString(),
    timeoutS: opts.timeoutMs / 1000,
    durationS: Math.round((endMs - listenStart) / 100) / 10,
    counters: {
      ipReversePathFilter: { before: rpBefore, after: rpAfter, delta: rpAfter - rpBefore },
      ...mldCounters(snmpBefore, snmpAfter),
    },
    interfaces,
  };
  if (rpf.skipped > 0) body.rpfNotChecked = rpf.skipped;
  if (opts.expect !== undefined) body.expect = expectation(opts.expect, interfaces);
  const findings = targets.length === 0
    ? [noEligibleInterface(inv.interfaces, opts.family ? [opts.family] : [4, 6], 'listen for queriers')]
    : querierFindings(body);
  // MLD_QUERY_IGNORED is judged from the kernel's own counters: without /proc/net/snmp6 it cannot be.
  const v6 = seen.some(({ obs }) => obs.some((o) => o.family === 6));
  const coverage: Coverage = {
    notRun: v6 && body.counters.mld === undefined
      ? [{ check: 'MLD query accounting', reason: '/proc/net/snmp6 could not be read (IPv6 disabled, or another /proc)', remedy: 'run where /proc/net/snmp6 is readable (the host\'s own network namespace, IPv6 enabled)' }]
      : [],
    interrupted: null,
  };
  return { ...body, findings, coverage };
}

/**
 * /proc/net/snmp6 across the listen: MLD queries the kernel received (counted before it judges
 * them, icmpv6_rcv) and the reports it sent. Queries rising while reports do not is the kernel's
 * own evidence that it ignores them (RFC 3810 6.2 checks, net/ipv6/mcast.c).
 */
function mldCounters(before: Record<string, number>, after: Record<string, number>): Pick<QuerierReport['counters'], 'mld'> {
  const delta = (k: string): {
    before: number;
    after: number;
    delta: number;
  } => ({ before: before[k] ?? 0, after: after[k] ?? 0, delta: (after[k] ?? 0) - (before[k] ?? 0) });
  if (!('Icmp6InGroupMembQueries' in after)) return {};
  const v2 = delta('Icmp6OutMLDv2Reports');
  const v1 = delta('Icmp6OutGroupMembResponses');
  return { mld: { queriesIn: delta('Icmp6InGroupMembQueries'), reportsOut: { before: v2.before + v1.before, after: v2.after + v1.after, delta: v2.delta + v1.delta } } };
}

async function rpCounter(p: Platform): Promise<number> {
  return (await p.netstat()).TcpExt?.IPReversePathFilter ?? 0;
}

function wait(opts: ListenOptions, started: number, targets: Interface[], observers: Map<string, ControlObserver>): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsedMs = (opts.clock ?? systemClock).now() - started;
      opts.onProgress?.({
        elapsedMs,
        remainingMs: Math.max(0, opts.timeoutMs - elapsedMs),
        heard: targets.map((i) => ({ iface: i.name, ...observers.get(i.name)!.summary() })),
      });
    };
    const every = opts.onProgress ? setInterval(tick, opts.progressEveryMs ?? 500) : undefined;
    const end = (): void => {
      clearTimeout(timer);
      if (every) clearInterval(every);
      opts.abort?.removeEventListener('abort', end);
      resolve();
    };
    const timer = setTimeout(end, opts.timeoutMs);
    if (opts.abort?.aborted) end();
    else opts.abort?.addEventListener('abort', end, { once: true });
  });
}

function expectation(address: string, interfaces: InterfaceReport[]): NonNullable<QuerierReport['expect']> {
  const fam = address.includes(':') ? 'mld' : 'igmp';
  const electedOn = interfaces.filter((i) => i[fam]).map((i) => ({
    iface: i.name,
    ...(i[fam]?.elected ? { elected: i[fam].elected } : {}),
  }));
  return { address, met: electedOn.length > 0 && electedOn.every((x) => x.elected === address), electedOn };
}
