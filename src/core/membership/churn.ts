// Interface churn during join-all and sniff (issue 10): an uplink set down and up, or deleted
// and re-created under the same name, while memberships and captures are held on it.
// What the kernel does, seen in the lab (docs/reliability.md): after down/up with the same
// ifindex the memberships survive, but libpcap's poll watcher is stopped for good (libuv stops a
// uv_poll handle on POLLERR, which the packet socket raises with ENETDOWN); after a delete the
// memberships are gone with the device and every socket bound to it (SO_BINDTODEVICE, packet
// socket) stays tied to the dead ifindex. So on a down the caller releases what it holds on the
// interface, and on the return it re-opens and re-joins by the new ifindex.
// This module follows the links (platform/link-watch.ts), waits until a returned interface can
// carry the families again (an address may come a moment after the link), counts, and builds
// the IFACE_DOWN finding; the callers do the releasing and re-joining.
import type { Platform } from '../../platform/types.js';
import type { LinkEvent, LinkWatcher, WatchLinks } from '../../platform/link-watch.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces, type Interface } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import { whyIneligible } from '../kernel/eligibility.js';
import { defined } from '../defined.js';
import { systemClock, type Clock } from '../clock.js';

export interface IfaceDownEvent { type: 'iface_down'; iface: string; ifindex: number; atMs: number; reason: 'down' | 'gone'; operstate: string }
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

export interface ChurnHandlers {
  /** Release what is held on the interface (sockets, capture); synchronous, never throws. */
  down(e: IfaceDownEvent): void;
  /** Re-open on the returned interface (its new model); the counts go into the up event. */
  up(iface: Interface): Promise<UpResult>;
}

export type UpResult = Pick<IfaceUpEvent, 'rejoined' | 'failed' | 'skipped' | 'capture' | 'error'>;

export interface ChurnDeps {
  platform: Platform;
  watchLinks: WatchLinks;
  /** Times the returns and the outages' length; absent: the system's clock. */
  clock?: Clock;
}

export interface ChurnOptions {
  selection: IfaceSelection;
  /** Poll period of the link watcher (500 ms). */
  intervalMs?: number;
  /** Longest wait, after the link is back, for the addresses the families need (3 s). */
  graceMs?: number;
}

export interface ChurnFollower {
  /** Stops watching; a re-join under way completes before `closed` resolves. */
  close(): Promise<void>;
  summary(): IfaceChurn[];
  /** IFACE_DOWN for each interface that went down during the run (and, held by a command, the re-joins' JOIN_FAILED). */
  findings(): Finding[];
}

interface State {
  churn: IfaceChurn;
  families: Family[];
  downAtMs: number | undefined;
  /** Bumped by every link event: a wait for the address gives up when a newer event came. */
  generation: number;
  /** The interface's events are handled one after the other (a down during a re-join waits for it). */
  chain: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function followChurn(
  deps: ChurnDeps,
  targets: readonly ChurnTarget[],
  h: ChurnHandlers,
  emit: (e: ChurnEvent) => void,
  o: ChurnOptions,
): ChurnFollower {
  const states = new Map<string, State>(targets.map((t) => [t.iface, {
    churn: { iface: t.iface, downs: 0, ups: 0, gone: 0, downMs: 0, ifindexes: [t.ifindex], down: t.downAtStart === true },
    families: t.families, downAtMs: undefined, generation: 0, chain: Promise.resolve(),
  }]));
  let closed = false;
  const graceMs = o.graceMs ?? 3000;
  const clock = deps.clock ?? systemClock;

  /** The interface's model once it can carry every family, or the last seen after the grace. */
  const settled = async (st: State, generation: number): Promise<Interface | undefined> => {
    const until = clock.now() + graceMs;
    let last: Interface | undefined;
    for (;;) {
      const inv = await loadInterfaces(deps.platform, { selection: o.selection });
      last = inv.interfaces.find((i) => i.name === st.churn.iface);
      if (closed || generation !== st.generation) return undefined;
      if (last && st.families.every((f) => whyIneligible(last as Interface, [f]) === undefined)) return last;
      if (clock.now() >= until) return last?.up ? last : undefined;
      await sleep(200);
    }
  };

  const onDown = (st: State, e: Extract<LinkEvent, { kind: 'down' }>): void => {
    if (st.churn.down) return; // down, then gone while down: one outage
    st.churn.downs++;
    if (e.reason === 'gone') st.churn.gone++;
    st.churn.down = true;
    st.downAtMs = e.atMs;
    const ev: IfaceDownEvent = { type: 'iface_down', iface: e.iface, ifindex: e.ifindex, atMs: e.atMs, reason: e.reason, operstate: e.operstate };
    h.down(ev);
    emit(ev);
  };

  const onUp = async (st: State, generation: number): Promise<void> => {
    if (!st.churn.down) return;
    const iface = await settled(st, generation);
    if (!iface || closed || generation !== st.generation) return;
    let res: UpResult;
    try {
      res = await h.up(iface);
    } catch (err) {
      // A failure to re-open is a result for this interface, not the end of the run.
      res = { rejoined: 0, failed: 1, skipped: 0, error: err instanceof Error ? err.message : String(err) };
    }
    const now = clock.now();
    const downMs = st.downAtMs === undefined ? 0 : now - st.downAtMs;
    st.churn.downMs += downMs;
    st.churn.ups++;
    st.churn.down = false;
    st.downAtMs = undefined;
    // The ifindex the memberships were held on before (the watcher may have seen others between).
    const previousIfindex = st.churn.ifindexes[st.churn.ifindexes.length - 1] ?? 0;
    if (previousIfindex !== iface.index) st.churn.ifindexes.push(iface.index);
    const first = st.churn.downs === 0 && st.churn.ups === 1 ? { downAtStart: true as const } : {};
    emit({ type: 'iface_up', iface: iface.name, ifindex: iface.index, previousIfindex, atMs: now, downMs, ...res, ...first });
  };

  const onEvent = (e: LinkEvent): void => {
    const st = states.get(e.iface);
    if (!st || closed) return;
    const generation = ++st.generation;
    st.chain = st.chain.then(() => (e.kind === 'down' ? onDown(st, e) : onUp(st, generation))).catch(() => undefined);
  };

  // The watcher starts from what the memberships were made on, not from its own first reading.
  const known = new Map(targets.map((t) => [t.iface, { up: t.downAtStart !== true, ifindex: t.ifindex }]));
  const watcher: LinkWatcher = deps.watchLinks(targets.map((t) => t.iface), onEvent, { known, ...defined({ intervalMs: o.intervalMs }) });
  const summary = (): IfaceChurn[] => [...states.values()].map((s) => ({
    ...s.churn, ifindexes: [...s.churn.ifindexes],
    downMs: s.churn.downMs + (s.downAtMs === undefined ? 0 : clock.now() - s.downAtMs),
  }));
  return {
    close: async () => {
      // Downs already seen are still handled (released, reported); a wait for a return gives up.
      closed = true;
      watcher.close();
      await Promise.all([...states.values()].map((s) => s.chain));
    },
    summary,
    findings: () => summary().filter((c) => c.downs > 0).map((c) => churnFinding(c)),
  };
}

export function churnFinding(c: IfaceChurn): Finding {
  const times = c.downs === 1 ? 'once' : `${c.downs} times`;
  const gone = c.gone > 0 ? ` (${c.gone === c.downs ? '' : `${c.gone} of them `}deleted or re-created: ifindex ${c.ifindexes.join(' → ')})` : '';
  const end = c.down
    ? ' and was still down at the end: nothing could arrive on it since.'
    : `; ${c.ups === 1 ? 'it came back and its memberships were re-joined' : 'each time it came back its memberships were re-joined'}.`;
  return makeFinding('IFACE_DOWN', {
    iface: c.iface,
    message: `${c.iface} went down ${times} during the run${gone}, ${(c.downMs / 1000).toFixed(1)} s without traffic in all${end}`,
    fix: c.down
      ? `Bring it up: ip link set dev ${c.iface} up; mcast-doctor re-joins by itself when it returns`
      : `Find what takes the link down (ip monitor link; journalctl for the driver, NetworkManager, roaming or a dock); nothing to do for the memberships: they were restored`,
    evidence: { downs: c.downs, ups: c.ups, gone: c.gone, downMs: c.downMs, ifindexes: c.ifindexes, downAtEnd: c.down },
  });
}

/** What an `up` handler reports of a re-join: memberships joined, failed and skipped. */
export function rejoinCounts(results: readonly { status: 'joined' | 'failed' | 'skipped' }[]): Pick<UpResult, 'rejoined' | 'failed' | 'skipped'> {
  const n = (st: 'joined' | 'failed' | 'skipped'): number => results.filter((r) => r.status === st).length;
  return { rejoined: n('joined'), failed: n('failed'), skipped: n('skipped') };
}

/**
 * What join-all and sniff hold while following churn: the follower, and the memberships made on
 * returns (the first one is the command's own and closes with it) with their findings.
 */
export function churnHandle(
  follower: ChurnFollower,
  memberships: readonly { close(): void }[],
  rejoinFindings: readonly Finding[],
): ChurnFollower {
  return {
    close: async () => {
      await follower.close();
      for (const m of memberships.slice(1)) m.close();
    },
    summary: () => follower.summary(),
    findings: () => [...follower.findings(), ...rejoinFindings],
  };
}
