// One followed interface's outages (a step of followChurn, churn.ts): counted and timed from the
// link events, pure so that the counting is tested apart from the watcher and the re-joins.
import type { LinkEvent } from '../../platform/link-watch.js';
import type { Interface } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';

export interface IfaceDownEvent {
  type: 'iface_down'; iface: string; ifindex: number; atMs: number; reason: 'down' | 'gone'; operstate: string;
}
export interface IfaceUpEvent {
  type: 'iface_up'; iface: string; ifindex: number; previousIfindex: number; atMs: number;
  /** How long it was unusable, from the down report to the re-join. */
  downMs: number;
  /** Memberships re-joined, and those that failed or were skipped (no address yet...). */
  rejoined: number; failed: number; skipped: number;
  /** sniff: the capture was re-opened. */
  capture?: boolean;
  /** join-all: the interface was down when the run began; this up is its first join. */
  downAtStart?: true;
  /** Why re-opening failed, when it did. */
  error?: string;
}
export type ChurnEvent = IfaceDownEvent | IfaceUpEvent;

/** Per interface, for the summary. */
export interface IfaceChurn {
  iface: string;
  downs: number;
  ups: number;
  /** Of the downs, how many were the interface going away (deleted, or re-created). */
  gone: number;
  /** Time spent down in all (to now when still down). */
  downMs: number;
  /** Every ifindex the name had during the run, first to last. */
  ifindexes: number[];
  /** Still down at the end. */
  down: boolean;
}

export interface ChurnTarget {
  iface: string;
  ifindex: number;
  /** The families held there: the return waits until it can carry each (an address). */
  families: Family[];
  /** Down when the run began (its joins were skipped): its first `up` joins, and is no outage. */
  downAtStart?: boolean;
}

export type UpResult = Pick<IfaceUpEvent, 'rejoined' | 'failed' | 'skipped' | 'capture' | 'error'>;

/** One followed interface's counts, and when its outage under way began. */
export interface ChurnCount {
  churn: IfaceChurn;
  downAtMs: number | undefined;
}

export type DownLink = Extract<LinkEvent, { kind: 'down' }>;

/** A target as the memberships were made: its ifindex, and down if its joins were skipped. */
export function startCount(t: ChurnTarget): ChurnCount {
  const churn: IfaceChurn = { iface: t.iface, downs: 0, ups: 0, gone: 0, downMs: 0, ifindexes: [t.ifindex], down: t.downAtStart === true };
  return { churn, downAtMs: undefined };
}

/** A down counted; the event to release and report, or undefined when already down (down, then gone while down: one outage). */
export function recordDown(st: ChurnCount, e: DownLink): IfaceDownEvent | undefined {
  if (st.churn.down) return undefined;
  st.churn.downs++;
  if (e.reason === 'gone') st.churn.gone++;
  st.churn.down = true;
  st.downAtMs = e.atMs;
  return { type: 'iface_down', iface: e.iface, ifindex: e.ifindex, atMs: e.atMs, reason: e.reason, operstate: e.operstate };
}

/** A return counted at `now`: the outage's length added, a new ifindex kept; the iface_up event. */
export function recordUp(st: ChurnCount, iface: Interface, res: UpResult, now: number): IfaceUpEvent {
  const downMs = st.downAtMs === undefined ? 0 : now - st.downAtMs;
  st.churn.downMs += downMs;
  st.churn.ups++;
  st.churn.down = false;
  st.downAtMs = undefined;
  // The ifindex the memberships were held on before (the watcher may have seen others between).
  const previousIfindex = st.churn.ifindexes[st.churn.ifindexes.length - 1] ?? 0;
  if (previousIfindex !== iface.index) st.churn.ifindexes.push(iface.index);
  const first = st.churn.downs === 0 && st.churn.ups === 1 ? { downAtStart: true as const } : {};
  return { type: 'iface_up', iface: iface.name, ifindex: iface.index, previousIfindex, atMs: now, downMs, ...res, ...first };
}

/** The interface's counts at `now` (an outage still under way counts to now). */
export function summaryOf(s: ChurnCount, now: number): IfaceChurn {
  return { ...s.churn, ifindexes: [...s.churn.ifindexes], downMs: s.churn.downMs + (s.downAtMs === undefined ? 0 : now - s.downAtMs) };
}
