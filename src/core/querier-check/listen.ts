// querier-check's listen: capture IGMP and MLD on every eligible interface for the timeout,
// then judge what was heard against the interface model and the kernel's reverse-path answer.
// It takes the slice of the Host it touches (src/core/deps.ts): the platform, libpcap's capture
// factory (resolved by the caller: a missing libpcap is the command's exit 3, doctor's skipped
// check) and the clock. Unit tests hand it FakeHost's fakes and feed recorded frames.
import type { Platform } from '../../platform/types.js';
import type { Uses } from '../deps.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces, type Interface } from '../kernel/interfaces.js';
import { eligibleFamilies as familiesOf, noEligibleInterface } from '../kernel/eligibility.js';
import type { Family } from '../kernel/ip.js';
import { checkReversePaths } from './rpf-batch.js';
import { familyReport, rpfAsks } from './family-report.js';
import { querierFindings } from './findings.js';
import { ControlObserver } from '../observation/observer.js';
import type { FamilyObservation } from '../observation/observer.js';
import type { InterfaceReport, QuerierReport } from './report.js';
import type { Coverage, NotRun } from '../coverage.js';
import type { Clock } from '../clock.js';
import { controlCaptureOver, controlFilter, type OpenControlCapture } from './capture.js';
import { countersAcross, readCounters } from './counters.js';

/** The Host slice a listen touches. */
export type ListenDeps = Uses<'platform' | 'capture' | 'clock'>;

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
  onProgress?: (p: ListenProgress) => void;
  /** Called once every capture is open (the listen window starts). */
  onListening?: (ifaces: string[]) => void;
  progressEveryMs?: number;
  /** Ends the listen early (a signal): the report holds what was heard until then. */
  abort?: AbortSignal;
}

/** What the captures heard: an observer per interface, and when the listen window opened and closed. */
interface Heard {
  observers: Map<string, ControlObserver>;
  startMs: number;
  endMs: number;
}

export async function listenForQueriers(deps: ListenDeps, opts: ListenOptions): Promise<QuerierReport & { coverage: Coverage }> {
  const p = deps.platform;
  const selection = opts.selection ? { selection: opts.selection } : {};
  const inv = await loadInterfaces(p, { ...selection, ...(opts.family ? { family: opts.family } : {}) });
  const targets = inv.interfaces.filter((i) => familiesOf(i, opts.family).length > 0);
  const before = await readCounters(p);
  const heard = await hear(controlCaptureOver(deps.capture), deps.clock, targets, opts);
  const after = await readCounters(p);
  const later = await loadInterfaces(p, selection);
  const seen = targets.map((i) => ({ i, obs: familiesOf(i, opts.family).map((f) => heard.observers.get(i.name)!.result(f, heard.endMs)) }));
  const { interfaces, rpfSkipped } = await judge(p, seen, later.interfaces, heard.observers);
  const body: Omit<QuerierReport, 'findings'> = {
    startedAt: new Date(heard.startMs).toISOString(),
    timeoutS: opts.timeoutMs / 1000,
    durationS: Math.round((heard.endMs - heard.startMs) / 100) / 10,
    counters: countersAcross(before, after),
    interfaces,
  };
  if (rpfSkipped > 0) body.rpfNotChecked = rpfSkipped;
  if (opts.expect !== undefined) body.expect = expectation(opts.expect, interfaces);
  const findings = targets.length === 0
    ? [noEligibleInterface(inv.interfaces, opts.family ? [opts.family] : [4, 6], 'listen for queriers')]
    : querierFindings(body);
  const v6 = seen.some(({ obs }) => obs.some((o) => o.family === 6));
  return { ...body, findings, coverage: { notRun: mldGap(v6, body.counters), interrupted: null } };
}

/** Opens a capture per target, listens for the timeout (or until the abort), closes them all. */
async function hear(open: OpenControlCapture, clock: Clock, targets: Interface[], opts: ListenOptions): Promise<Heard> {
  const observers = new Map(targets.map((i) => [
    i.name,
    new ControlObserver({ addresses: i.addresses.map((a) => a.address), ...(i.mac ? { mac: i.mac } : {}) }),
  ]));
  const captures: Array<{ close(): Promise<void> | void }> = [];
  let startMs = clock.now();
  try {
    for (const i of targets) {
      const fams = familiesOf(i, opts.family);
      const obs = observers.get(i.name)!;
      const filter = controlFilter(fams.length === 1 ? fams[0] : undefined);
      captures.push(await open(i.name, filter, (pkt) => obs.add(pkt), (why) => obs.addMalformed(why)));
    }
    startMs = clock.now();
    opts.onListening?.(targets.map((i) => i.name));
    if (targets.length > 0) await wait(opts, clock, startMs, targets, observers);
  } finally {
    await Promise.all(captures.map((c) => c.close()));
  }
  return { observers, startMs, endMs: clock.now() };
}

/**
 * Each interface's report: every querier heard, judged against the interface as it is after the
 * listen (`later`) and the kernel's reverse-path answers, asked in one bounded batch (rpf-batch.ts).
 */
async function judge(
  p: Platform,
  seen: Array<{ i: Interface; obs: FamilyObservation[] }>,
  later: readonly Interface[],
  observers: Map<string, ControlObserver>,
): Promise<{ interfaces: InterfaceReport[]; rpfSkipped: number }> {
  const rpf = await checkReversePaths(p, seen.flatMap(({ i, obs }) => obs.flatMap((o) => rpfAsks(i.name, o))));
  const interfaces = seen.map(({ i, obs }) => {
    const rep: InterfaceReport = {
      name: i.name,
      index: i.index,
      addresses: i.addresses.map((a) => a.cidr),
      rpFilter: i.rpFilter,
      malformed: observers.get(i.name)!.malformed(),
    };
    const now = later.find((x) => x.name === i.name);
    for (const o of obs) {
      const fr = familyReport(i, now, o, rpf);
      if (o.family === 4) rep.igmp = fr; else rep.mld = fr;
    }
    return rep;
  });
  return { interfaces, rpfSkipped: rpf.skipped };
}

/** MLD_QUERY_IGNORED is judged from the kernel's own counters: without /proc/net/snmp6 it cannot be. */
function mldGap(listenedV6: boolean, counters: QuerierReport['counters']): NotRun[] {
  if (!listenedV6 || counters.mld !== undefined) return [];
  return [{
    check: 'MLD query accounting',
    reason: '/proc/net/snmp6 could not be read (IPv6 disabled, or another /proc)',
    remedy: 'run where /proc/net/snmp6 is readable (the host\'s own network namespace, IPv6 enabled)',
  }];
}

function wait(
  opts: ListenOptions,
  clock: Clock,
  started: number,
  targets: Interface[],
  observers: Map<string, ControlObserver>,
): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsedMs = clock.now() - started;
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
