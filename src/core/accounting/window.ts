// The same differential as `trace`, for join-all and doctor: while they hold their memberships,
// count the expected groups on the wire of the expected interfaces and read the namespace's
// counters at both ends. When a pair received nothing, explain() says where the packets stopped
// (on the wire or not; reverse path; IP/netfilter), in the words trace uses. Only the stages up
// to IP apply: the tool's own sockets are the receivers, and their overruns are counted apart.
// No tracing here: drop reasons are only collected when `trace` is asked for.
import type { Platform } from '../../platform/types.js';
import type { CaptureFactory } from '../../platform/capture/types.js';
import type { Family } from '../kernel/ip.js';
import { checkReversePath } from '../kernel/rpf-check.js';
import { counterDeltas, type Counters } from './counters.js';
import { diagnoseTrace } from './diagnose.js';
import type { RpfFact, WireCount } from './model.js';
import { WireCounter } from './wire.js';
import type { Loads, Uses } from '../deps.js';

export interface WindowPair { iface: string; group: string; family: Family; port: number }

export interface PairExplanation {
  /** The finding id trace would give (KERNEL_DROP...), or 'NOT_ON_WIRE', or undefined when nothing is wrong up to IP. */
  breakId?: string;
  /** One sentence: where the packets stopped. */
  sentence: string;
  wirePackets: number;
  stages: Record<string, number | null>;
}

export interface AccountingWindow {
  /** Ends the captures and reads the counters: explain() is usable after it. */
  finish(): Promise<void>;
  explain(iface: string, group: string, seconds: number): Promise<PairExplanation | undefined>;
  close(): void;
}

/** clock: the wall clock the window is cut on (the Host's; the capture's stamps are on the same one). */
export type WindowDeps = Uses<'platform' | 'accounting' | 'clock'> & Loads<'capture'>;

export async function openAccountingWindow(deps: WindowDeps, pairs: readonly WindowPair[]): Promise<AccountingWindow | undefined> {
  if (pairs.length === 0) return undefined;
  const own = new Set((await deps.platform.listInterfaces()).flatMap((i) => i.addresses.map((a) => a.address)));
  const counters = openCounters(await deps.capture(), pairs, own);
  const { clock } = deps;
  for (const c of counters) c.counter.open(clock.now());
  const before: Counters = await deps.accounting.counters();
  let after: Counters | undefined;
  const wire = new Map<string, WireCount>();
  return {
    finish: async () => {
      after = await deps.accounting.counters();
      for (const c of counters) c.counter.close(clock.now());
      for (const c of counters.splice(0)) wire.set(c.key, (await c.counter.stop())[0] ?? silentWire(c.pair.iface));
    },
    explain: async (iface, group, seconds) => {
      const w = wire.get(pairKey(iface, group));
      const pair = pairs.find((p) => p.iface === iface && p.group === group);
      if (!w || !pair || !after) return undefined;
      const deltas = counterDeltas(before, after, pair.family);
      return explainPair(pair, w, deltas, await rpfFacts(deps.platform, pair, w, deltas), seconds);
    },
    close: () => { for (const c of counters.splice(0)) c.counter.release(); },
  };
}

interface PairCounter { key: string; pair: WindowPair; counter: WireCounter }

const pairKey = (iface: string, group: string): string => `${iface} ${group}`;

const silentWire = (iface: string): WireCount => ({ iface, packets: 0, bytes: 0, sources: [], ports: [] });

/** A wire counter per pair, all or none: one that cannot be made releases those made before it. */
function openCounters(factory: CaptureFactory, pairs: readonly WindowPair[], own: ReadonlySet<string>): PairCounter[] {
  const counters: PairCounter[] = [];
  try {
    for (const p of pairs) {
      const counter = new WireCounter(factory, [p.iface], p.group, p.family, own, p.port || undefined);
      counters.push({ key: pairKey(p.iface, p.group), pair: p, counter });
    }
  } catch (e) {
    for (const c of counters) c.counter.release();
    throw e;
  }
  return counters;
}

/** IPv4, when the reverse-path filter dropped packets in the window: the kernel's verdict for the busiest source. */
async function rpfFacts(p: Platform, pair: WindowPair, w: WireCount, deltas: Counters): Promise<Record<string, RpfFact>> {
  const src = w.sources[0]?.source;
  if (pair.family !== 4 || !src || (deltas['TcpExt.IPReversePathFilter'] ?? 0) <= 0) return {};
  const v = await checkReversePath(p, src, pair.iface);
  return {
    [pair.iface]: {
      source: src,
      accepted: v.accepted,
      ...(v.routeBackDev ? { routeBackDev: v.routeBackDev } : {}),
      ...(v.kernelError ? { kernelError: v.kernelError } : {}),
    },
  };
}

/** Where one pair's packets stopped, up to IP (trace's differential over the window's facts). */
export function explainPair(
  pair: WindowPair,
  w: WireCount,
  deltas: Counters,
  rpf: Record<string, RpfFact>,
  seconds: number,
): PairExplanation {
  const { iface, group } = pair;
  const d = diagnoseTrace({
    group, family: pair.family, port: pair.port, seconds, wire: [w], membershipIfaces: [iface], joinedByUs: true,
    deltas, sockets: [], rpf, upToIp: true,
  });
  const f = d.findings[0];
  const stages = d.stages as unknown as Record<string, number | null>;
  if (w.packets === 0) {
    return {
      breakId: 'NOT_ON_WIRE',
      sentence: `Nothing for ${group} on the wire of ${iface} either: ` +
        'the break is before this host (sender, TTL, switch or router).',
      wirePackets: 0,
      stages,
    };
  }
  if (!f) {
    return {
      sentence: `${w.packets} packets of ${group} were on the wire of ${iface} and the kernel accepted them ` +
        `(IpExt InMcastPkts +${stages.ipAccepted ?? '?'}): they were lost at this host's receiving sockets.`,
      wirePackets: w.packets,
      stages,
    };
  }
  return { breakId: f.id, sentence: f.message, wirePackets: w.packets, stages };
}
