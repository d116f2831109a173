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
import type { LinkEvent, LinkWatcher } from '../../platform/link-watch.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces, type Interface } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import { whyIneligible } from '../kernel/eligibility.js';
import { defined } from '../defined.js';
import type { Clock } from '../clock.js';
import type { Uses } from '../deps.js';
import { recordDown, recordUp, startCount, summaryOf, type ChurnCount, type ChurnEvent, type ChurnTarget, type DownLink, type IfaceChurn,
  type IfaceDownEvent, type UpResult } from './outages.js';

export type { ChurnEvent, ChurnTarget, IfaceChurn, IfaceDownEvent, IfaceUpEvent, UpResult } from './outages.js';

export interface ChurnHandlers {
  /** Release what is held on the interface (sockets, capture); synchronous, never throws. */
  down(e: IfaceDownEvent): void;
  /** Re-open on the returned interface (its new model); the counts go into the up event. */
  up(iface: Interface): Promise<UpResult>;
}

/**
 * `links`: the Host's link watcher (its events are stamped on the Host's clock); `clock` times the
 * returns and the outages' length on that same clock.
 */
export type ChurnDeps = Uses<'platform' | 'links' | 'clock'>;

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

/** One followed interface: its counts, and what its next event needs to know. */
interface ChurnState extends ChurnCount {
  families: Family[];
  /** Bumped by every link event: a wait for the address gives up when a newer event came. */
  generation: number;
  /** The interface's events are handled one after the other (a down during a re-join waits for it). */
  chain: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The steps: a state per target, then each link event queued on its interface's chain (a down
 * releases and is counted; an up waits until the interface is usable, re-opens and is counted),
 * until close.
 */
export function followChurn(
  deps: ChurnDeps,
  targets: readonly ChurnTarget[],
  h: ChurnHandlers,
  emit: (e: ChurnEvent) => void,
  o: ChurnOptions,
): ChurnFollower {
  const states = new Map<string, ChurnState>(targets.map((t) => [t.iface, {
    ...startCount(t), families: t.families, generation: 0, chain: Promise.resolve(),
  }]));
  let closed = false;
  const graceMs = o.graceMs ?? 3000;
  const { clock } = deps;

  const onDown = (st: ChurnState, e: DownLink): void => {
    const ev = recordDown(st, e);
    if (!ev) return;
    h.down(ev);
    emit(ev);
  };
  const onUp = async (st: ChurnState, generation: number): Promise<void> => {
    if (!st.churn.down) return;
    const stale = (): boolean => closed || generation !== st.generation;
    const load = async (): Promise<Interface | undefined> =>
      (await loadInterfaces(deps.platform, { selection: o.selection })).interfaces.find((i) => i.name === st.churn.iface);
    const iface = await untilUsable(load, st.families, stale, clock, graceMs);
    if (!iface || stale()) return;
    emit(recordUp(st, iface, await reopen(h, iface), clock.now()));
  };
  const onEvent = (e: LinkEvent): void => {
    const st = states.get(e.iface);
    if (!st || closed) return;
    const generation = ++st.generation;
    st.chain = st.chain.then(() => (e.kind === 'down' ? onDown(st, e) : onUp(st, generation))).catch(() => undefined);
  };

  // The watcher starts from what the memberships were made on, not from its own first reading.
  const known = new Map(targets.map((t) => [t.iface, { up: t.downAtStart !== true, ifindex: t.ifindex }]));
  const watcher: LinkWatcher = deps.links(targets.map((t) => t.iface), onEvent, { known, ...defined({ intervalMs: o.intervalMs }) });
  const summary = (): IfaceChurn[] => [...states.values()].map((s) => summaryOf(s, clock.now()));
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

/**
 * The interface's model once it can carry every family (an address may come a moment after the
 * link), or the last one seen after graceMs if it is up; undefined when `stale` (closed, or a
 * newer event) or it never came up.
 */
export async function untilUsable(
  load: () => Promise<Interface | undefined>,
  families: readonly Family[],
  stale: () => boolean,
  clock: Clock,
  graceMs: number,
): Promise<Interface | undefined> {
  const until = clock.now() + graceMs;
  for (;;) {
    const last = await load();
    if (stale()) return undefined;
    if (last && families.every((f) => whyIneligible(last, [f]) === undefined)) return last;
    if (clock.now() >= until) return last?.up ? last : undefined;
    await sleep(200);
  }
}

/** The caller's re-open; a failure is a result for this interface, not the end of the run. */
async function reopen(h: ChurnHandlers, iface: Interface): Promise<UpResult> {
  try {
    return await h.up(iface);
  } catch (err) {
    return { rejoined: 0, failed: 1, skipped: 0, error: err instanceof Error ? err.message : String(err) };
  }
}

export function churnFinding(c: IfaceChurn): Finding {
  const times = c.downs === 1 ? 'once' : `${c.downs} times`;
  const some = c.gone === c.downs ? '' : `${c.gone} of them `;
  const gone = c.gone > 0 ? ` (${some}deleted or re-created: ifindex ${c.ifindexes.join(' → ')})` : '';
  const back = c.ups === 1 ? 'it came back and its memberships were re-joined' : 'each time it came back its memberships were re-joined';
  const end = c.down ? ' and was still down at the end: nothing could arrive on it since.' : `; ${back}.`;
  return makeFinding('IFACE_DOWN', {
    iface: c.iface,
    message: `${c.iface} went down ${times} during the run${gone}, ${(c.downMs / 1000).toFixed(1)} s without traffic in all${end}`,
    fix: c.down
      ? `Bring it up: ip link set dev ${c.iface} up; mcast-doctor re-joins by itself when it returns`
      : 'Find what takes the link down (ip monitor link; journalctl for the driver, NetworkManager, roaming or a dock); '
        + 'nothing to do for the memberships: they were restored',
    evidence: { downs: c.downs, ups: c.ups, gone: c.gone, downMs: c.downMs, ifindexes: c.ifindexes, downAtEnd: c.down },
  });
}

/** What an `up` handler reports of a re-join: memberships joined, failed and skipped. */
export function rejoinCounts(
  results: readonly { status: 'joined' | 'failed' | 'skipped' }[],
): Pick<UpResult, 'rejoined' | 'failed' | 'skipped'> {
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
