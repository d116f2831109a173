// Simulated mesh runs for unit tests: hosts with interfaces on segments, every sender interface
// heard by every receiver interface of its segment, probes fed through the real StreamTracker,
// documents assembled by the real core (src/core/mesh/document.ts). Faults: a loss pattern on a
// (sender, receiver) pair, and a receiver interface that goes dark at some second.
import { StreamTracker } from '../../src/core/probe/tracker.js';
import { assembleDocument } from '../../src/core/mesh/document.js';
import type { MeshDocument, MeshSettings } from '../../src/core/mesh/model.js';
import type { StreamRow } from '../../src/core/mesh/build.js';
import type { IfaceCauses } from '../../src/core/stall/evidence.js';
import type { QuerySummary } from '../../src/core/stall/queries.js';
import { makeFinding } from '../../src/core/findings/catalog.js';

export interface SimHost {
  name: string;
  /** Interface name -> segment name. */
  ifaces: Record<string, string>;
}

export interface SimOptions {
  hosts: SimHost[];
  durationS: number;
  rate: number;
  maxLossPct?: number;
  expectPeers?: number | null;
  membershipIntervalS?: number;
  /** "sender>receiver": drop the probes whose sequence is 1 modulo k (never the last one). */
  dropEvery?: Record<string, number>;
  /** "host/iface": nothing arrives there after this many seconds. */
  darkAfterS?: Record<string, number>;
  /** "host/iface": the firewall finding the stall evidence will carry. */
  igmpDropRule?: Record<string, string>;
  /** host: seconds its run started after the others (negative: before); it runs durationS too. */
  startOffsetS?: Record<string, number>;
}

const T0 = Date.parse('2026-11-21T12:00:00Z');
export const simId = (h: string): string => `${h}-${(h.length * 4099).toString(16).padStart(4, '0').slice(-4)}`;

export function simulateMesh(o: SimOptions): MeshDocument[] {
  return o.hosts.map((rx) => {
    const rows: StreamRow[] = [];
    for (const tx of o.hosts) {
      if (tx === rx) continue;
      for (const [txIf, seg] of Object.entries(tx.ifaces)) {
        for (const [rxIf, rxSeg] of Object.entries(rx.ifaces)) {
          if (seg !== rxSeg) continue;
          const t = new StreamTracker(simId(tx.name), txIf, '239.9.9.9', T0);
          const drop = o.dropEvery?.[`${tx.name}>${rx.name}`];
          const dark = o.darkAfterS?.[`${rx.name}/${rxIf}`];
          const n = Math.floor(o.durationS * o.rate);
          const txStart = T0 + (o.startOffsetS?.[tx.name] ?? 0) * 1000;
          const rxStart = T0 + (o.startOffsetS?.[rx.name] ?? 0) * 1000;
          for (let seq = 0; seq < n; seq++) {
            const atMs = txStart + (seq * 1000) / o.rate + 3;
            // The receiver hears only while it runs.
            if (atMs < rxStart || atMs > rxStart + o.durationS * 1000) continue;
            if (drop && seq % drop === 1) continue;
            if (dark !== undefined && atMs - T0 > dark * 1000) continue;
            t.add(seq, NaN, atMs, 1);
          }
          if (t.stats.unique > 0) rows.push({ iface: rxIf, stats: t.stats });
        }
      }
    }
    const settings: MeshSettings = {
      group: '239.9.9.9', port: 5000, family: 4, rate: o.rate, ttl: 1, durationS: o.durationS,
      expectPeers: o.expectPeers ?? null, maxLossPct: o.maxLossPct ?? 0,
      membershipIntervalS: o.membershipIntervalS ?? 260, membershipIntervalSource: o.membershipIntervalS ? 'user' : 'default',
        assumeSynced: false,
    };
    const queries: QuerySummary[] = Object.keys(rx.ifaces).map((iface) =>
      ({ iface, captured: true, queries: 5, queriers: ['0.0.0.0'], answered: !o.igmpDropRule?.[`${rx.name}/${iface}`], reportsSent: 2 }));
    const causes = new Map<string, IfaceCauses>();
    for (const iface of Object.keys(rx.ifaces)) {
      const rule = o.igmpDropRule?.[`${rx.name}/${iface}`];
      causes.set(iface, {
        firewall: rule ? [makeFinding('FIREWALL_DROPS_IGMP', { message: `drops IGMP: ${rule}`, evidence: { rule } })] : [],
        rpfDropped: [],
      });
    }
    return assembleDocument({
      host: { id: simId(rx.name), hostname: rx.name },
      startedAt: new Date(T0).toISOString(),
      settings,
      interfaces: Object.keys(rx.ifaces).map(
        (name, i) => ({ name, index: i + 2, addresses: [`198.18.${i}.1`], joined: true, sent: Math.floor(o.durationS * o.rate) })),
      rows,
      measure: {
        joinedAtMs: T0 + (o.startOffsetS?.[rx.name] ?? 0) * 1000,
        endMs: T0 + ((o.startOffsetS?.[rx.name] ?? 0) + o.durationS) * 1000,
        graceMs: 3000,
        peerDurationMs: o.durationS * 1000,
      },
      membership: { intervalS: settings.membershipIntervalS, source: settings.membershipIntervalSource },
      queries,
      findings: [],
    }, causes);
  });
}
