// join-all's run as its callers see it (run.ts starts it, end.ts closes and judges it): options,
// hooks, the outcome, and the state a run holds from the joins to its end.
import type { Finding } from '../findings/model.js';
import type { Coverage, NotRun } from '../coverage.js';
import type { GroupSpec } from '../group-args.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import type { InterfaceInventory } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import type { JoinResult, Membership, OwnDrops, Packet } from '../membership/join.js';
import type { ChurnEvent, ChurnFollower, IfaceChurn, IfaceDownEvent } from '../membership/churn.js';
import type { Probe } from '../probe/format.js';
import type { AccountingWindow } from '../accounting/window.js';
import type { Clock } from '../clock.js';
import type { IfaceReceive, ReceiveStats, RowStats } from './stats.js';
import type { StatsChange } from './stats-feed.js';
import type { LossSplit } from './health.js';
import type { StallWatch } from './stalls.js';
import type { Loads, Uses } from '../deps.js';

/**
 * What a run touches of the Host (src/core/deps.ts). `links`: interfaces that go down and return
 * are followed (./churn.ts), absent: not followed. `capture` (libpcap, loaded on first use): the
 * IGMP watch that explains a stop, and with `accounting` the packet accounting that explains an
 * --expect pair that got nothing (../accounting/window.ts); failing, each is a gap. `firewall`:
 * read only when a stream stopped.
 */
export type JoinAllDeps = Uses<'platform' | 'sockets' | 'clock'>
  & Partial<Uses<'firewall' | 'links' | 'accounting'> & Loads<'capture'>>;

export interface JoinAllOptions {
  groups: GroupSpec[];
  selection: IfaceSelection;
  family?: Family;
  /** IFACE:GROUP pairs that must receive something. */
  expect: readonly string[];
  assumeSynced: boolean;
  intervalMs: number;
  durationMs?: number;
  count?: number;
  /** A signal: ends the wait for a first carrier (the listening is ended by stop()). */
  abort?: AbortSignal;
  /** --membership-interval (s): the switches' snooping membership interval, for the stall diagnosis. */
  membershipIntervalS?: number;
  /** --fail-on-stop: a stream that stops is an error, not a warning. */
  failOnStop?: boolean;
  /** false: no IGMP watch (doctor's --expect-receive counts and judges pairs, it does not explain stops). */
  stallWatch?: boolean;
}

export interface JoinAllHooks {
  joined(results: JoinResult[], findings: Finding[]): void;
  packet?: ((p: Packet, probe: Probe | undefined) => void) | undefined;
  stats(tick: StatsTick): void;
  /** iface_down / iface_up (interface churn, ./churn.ts). */
  churn?: ((e: ChurnEvent) => void) | undefined;
  /** Before waiting for the first carrier on these interfaces (none selected has one yet). */
  waitingForCarrier?: ((names: string[], maxMs: number | undefined) => void) | undefined;
}

/** One --interval tick: every row now (the live table) and what changed since the last (the event). */
export interface StatsTick {
  elapsedMs: number;
  totalPackets: number;
  rows: RowStats[];
  change: StatsChange;
}

export interface JoinAllOutcome {
  results: JoinResult[];
  rows: RowStats[];
  findings: Finding[];
  sockets: number;
  elapsedMs: number;
  totalPackets: number;
  /** Per interface joined: downs and returns during the run. */
  churn: IfaceChurn[];
  /** Per interface: unicast and other groups kept apart, distinct sources and senders. */
  ifaces: IfaceReceive[];
  /** Per receiving socket: datagrams the kernel dropped on it (ours, not the network's). */
  ownDrops: OwnDrops[];
  /** Per interface: sequence loss split into our own socket's drops and loss before the host. */
  loss: LossSplit[];
  /** Checks the environment stopped (the IGMP watch, --expect's accounting); the command adds a signal's cut. */
  coverage: Coverage;
}

export interface JoinAllRun {
  done: Promise<JoinAllOutcome>;
  stop(): void;
}

/** An --expect IFACE:GROUP pair: something must arrive (NO_TRAFFIC otherwise). */
export interface Expectation { iface: string; group: string }

/** Everything a run holds from the joins to its end. */
export interface Running {
  o: JoinAllOptions;
  clock: Clock;
  inv: InterfaceInventory;
  expectations: readonly Expectation[];
  m: Membership;
  /** Found so far (the joins' and their checks'); the end adds its own. */
  findings: Finding[];
  joinedAt: number;
  /** When the joins were checked and reported: the listening time starts there. */
  listeningAt: number;
  /** Some membership was made: there is something to listen to. */
  joinedAny: boolean;
  stats: ReceiveStats;
  stalls: StallWatch;
  window: AccountingWindow | undefined;
  churn: ChurnFollower | undefined;
  downs: IfaceDownEvent[];
  receiveErrors: Finding[];
  notRun: NotRun[];
  /** The wait for a first carrier before the joins (kernel/carrier-wait.ts): how long, for whom. */
  carrier: { waitedMs: number; awaited: string[] };
}
