// What the receive path says about itself and about hostile traffic (issues 17, 18):
// - RECEIVE_OVERRUN: the kernel dropped datagrams on mcast-doctor's own socket (its buffer was
//   full). That loss is this host's, never the network's: the split is told in one sentence.
// - TRAFFIC_STORM: an interface saw far more distinct sources or probe senders than any real
//   set of senders (a spoofed flood, or a loop): named once instead of drowned in rows.
// - PROBE_GROUP_MISMATCH: probes whose payload names another group than the one the kernel
//   delivered them to (forged or broken senders); never counted under the claimed group.
import { makeFinding } from '../findings/catalog.js';
import type { Finding } from '../findings/model.js';
import type { OwnDrops } from '../membership/join.js';
import type { IfaceReceive, RowStats } from './stats.js';

/** Distinct sources or sender ids on one interface beyond which the traffic is a storm. */
export const STORM_DISTINCT = 1024;
/**
 * A loop (or a replay) needs no new source: it repeats the same probes. Duplicates this many
 * times the distinct probes they repeat, and at least LOOP_MIN_DUPLICATES of them, are a storm;
 * a network that duplicates now and then (a redundant path, a bond flap) stays far below.
 */
export const LOOP_FACTOR = 10;
export const LOOP_MIN_DUPLICATES = 1000;

export interface LossSplit {
  iface: string;
  /** Dropped on our own receiving sockets (the kernel's count). */
  socket: number;
  /** Probe-sequence loss not explained by our own drops: lost before this host. */
  beforeHost: number;
}

/** Per interface: our own drops and the rest of the sequence loss. */
export function splitLoss(rows: readonly RowStats[], drops: readonly OwnDrops[]): LossSplit[] {
  const ifaces = [...new Set([...rows.map((r) => r.iface), ...drops.map((d) => d.iface)])];
  return ifaces.map((iface) => {
    const socket = drops.filter((d) => d.iface === iface).reduce((a, d) => a + d.drops, 0);
    const lost = rows.filter((r) => r.iface === iface).reduce((a, r) => a + r.lost, 0);
    return { iface, socket, beforeHost: Math.max(0, lost - socket) };
  });
}

export function lossSentence(s: LossSplit): string {
  return `lost by this host's mcast-doctor socket: ${s.socket}; lost before the host: ${s.beforeHost}`;
}

export function receiveHealth(rows: readonly RowStats[], ifaces: readonly IfaceReceive[], drops: readonly OwnDrops[]): Finding[] {
  const out: Finding[] = [];
  for (const s of splitLoss(rows, drops)) {
    if (s.socket === 0) continue;
    const ports = drops.filter((d) => d.iface === s.iface && d.drops > 0).map((d) => d.port);
    out.push(makeFinding('RECEIVE_OVERRUN', {
      iface: s.iface,
      message:
        `mcast-doctor's own socket on ${s.iface} (port ${ports.join(', ')}) dropped ${s.socket} datagrams: ` +
        `its receive buffer was full, so the counts understate what arrived (${lossSentence(s)}).`,
      evidence: { socketDrops: s.socket, lostBeforeHost: s.beforeHost, ports },
    }));
  }
  for (const x of ifaces) {
    const secs = (x.lastAtMs - x.firstAtMs) / 1000;
    const f = stormFinding(x.iface, { sources: x.sources }, x.senders, secs) ?? loopFinding(
      x.iface,
      rows.filter((r) => r.iface === x.iface),
      secs,
    );
    if (f) out.push(f);
  }
  for (const r of rows) {
    if (r.forged === 0) continue;
    out.push(makeFinding('PROBE_GROUP_MISMATCH', {
      iface: r.iface, group: r.group,
      message:
        `${r.forged} probes sent to ${r.group} on ${r.iface} name another group in their payload: forged or broken senders; ` +
        `they count as traffic of ${r.group} only.`,
      evidence: { probes: r.forged, lastSource: r.lastSource },
    }));
  }
  return out;
}

/** TRAFFIC_STORM from repetition: the same probes arriving many times over on one interface. */
export function loopFinding(iface: string, rows: readonly RowStats[], seconds: number): Finding | undefined {
  const duplicates = rows.reduce((a, r) => a + r.duplicates, 0);
  const unique = rows.reduce((a, r) => a + r.streams.reduce((b, t) => b + t.unique, 0), 0);
  if (duplicates < LOOP_MIN_DUPLICATES || duplicates < LOOP_FACTOR * unique) return undefined;
  const secs = Math.max(0.1, seconds);
  return makeFinding('TRAFFIC_STORM', {
    iface,
    message:
      `A flood of ${duplicates} duplicate probes in ${secs.toFixed(1)} s on ${iface}, ` +
      `${Math.round(duplicates / Math.max(1, unique))} times the ${unique} distinct probes they repeat: a forwarding loop or a replay; ` +
      'the loss and rate figures of these streams count each probe once.',
    evidence: { duplicates, unique, seconds: Math.round(secs * 10) / 10 },
  });
}

/**
 * What a storm was counted over: join-all and mesh count distinct source addresses on their
 * socket; sniff counts distinct source x group flows (its tables are per flow), which a flood of
 * spoofed sources and a flood of spoofed groups both raise. The message names the one counted.
 */
export type StormKeys = { sources: number } | { flows: number };

/** TRAFFIC_STORM when an interface saw more than STORM_DISTINCT sources (or flows) or sender ids. */
export function stormFinding(iface: string, keys: StormKeys, senders: number, seconds: number): Finding | undefined {
  const secs = Math.max(0.1, seconds);
  const [n, label] = 'flows' in keys ? [keys.flows, 'source x group flows'] : [keys.sources, 'source addresses'];
  const what = senders > STORM_DISTINCT ? `${senders} probe sender ids` : n > STORM_DISTINCT ? `${n} ${label}` : undefined;
  if (!what) return undefined;
  return makeFinding('TRAFFIC_STORM', {
    iface,
    message:
      `A flood of ${what} in ${secs.toFixed(1)} s on ${iface}: likely spoofed, or a forwarding loop; ` +
      'the tables keep the first streams and count the rest.',
    evidence: { ...keys, senders, seconds: Math.round(secs * 10) / 10, estimated: n > 256 || senders > 256 },
  });
}
