// Link state of a few named interfaces, polled from /sys/class/net/IF (docs/decisions.md
// "Interface churn: polling /sys"): ifindex, flags (IFF_UP), operstate and carrier_down_count.
// The counter catches a down/up shorter than the poll interval: veth and most NIC drivers call
// netif_carrier_off() when stopped, which bumps it (net/core/dev.c; sysfs-class-net ABI).
// Loaded lazily by join-all and sniff only; the core sees the WatchLinks type and a fake in tests.
// Events are stamped on the Host's clock (src/host.ts hands it in), the one the core times outages
// with: an outage's length is then one clock's difference, as with the fake watcher in tests.
import { readFileSync } from 'node:fs';
import { operstateCarries } from '../core/kernel/eligibility.js';
import type { Clock } from '../core/clock.js';

/** One reading of /sys/class/net/IF. */
export interface LinkSample {
  present: boolean;
  ifindex: number;
  /** IFF_* bits (dev->flags: IFF_UP, never IFF_RUNNING). */
  flags: number;
  operstate: string;
  /** carrier_down_count (kernel 4.16+); 0 where absent. */
  carrierDowns: number;
}

export type LinkEvent =
  | { kind: 'down'; iface: string; ifindex: number; reason: 'down' | 'gone'; operstate: string; atMs: number }
  | { kind: 'up'; iface: string; ifindex: number; previousIfindex: number; atMs: number };

export interface LinkWatcher {
  close(): void;
}

export interface LinkWatchOptions {
  /** Poll period; 500 ms unless told. */
  intervalMs?: number;
  /**
   * What the caller holds for an interface (up, by which ifindex): the first poll reports any
   * difference from it. Without it the watcher starts from its own first reading, and a change
   * between the caller's join and the watcher's start would never be reported (a CI run: wifi0
   * brought up in that window was never joined).
   */
  known?: ReadonlyMap<string, { up: boolean; ifindex: number }>;
}

/** Starts watching `names`; `onEvent` gets the transitions (never a throw). */
export type WatchLinks = (names: readonly string[], onEvent: (e: LinkEvent) => void, opts?: LinkWatchOptions) => LinkWatcher;

const IFF_UP = 0x1;

/**
 * Carries traffic: administratively up and a carrier, the link half of the one eligibility rule
 * (core/kernel/eligibility.ts): an interface a command joined on at the start is one this calls up.
 */
export function usable(s: LinkSample): boolean {
  return s.present && (s.flags & IFF_UP) !== 0 && operstateCarries(s.operstate);
}

/** What the watcher last told about one interface. */
export interface LinkTrack {
  reportedUp: boolean;
  /** The ifindex of the last up (or of the first sample). */
  ifindex: number;
  carrierDowns: number;
}

export function initialTrack(s: LinkSample, known?: { up: boolean; ifindex: number }): LinkTrack {
  return known ? {
    reportedUp: known.up,
    ifindex: known.ifindex,
    carrierDowns: s.carrierDowns,
  } : { reportedUp: usable(s), ifindex: s.ifindex, carrierDowns: s.carrierDowns };
}

/**
 * The transitions between the last report and a new sample (pure; the unit tests drive it).
 * A new ifindex under the same name is a re-created interface: the old one is reported gone.
 */
export function stepLink(iface: string, t: LinkTrack, s: LinkSample, atMs: number): LinkEvent[] {
  const out: LinkEvent[] = [];
  const previous = t.ifindex;
  if (t.reportedUp) {
    if (!s.present || s.ifindex !== t.ifindex) {
      out.push({ kind: 'down', iface, ifindex: t.ifindex, reason: 'gone', operstate: s.present ? s.operstate : 'absent', atMs });
      t.reportedUp = false;
    } else if (!usable(s)) {
      out.push({ kind: 'down', iface, ifindex: t.ifindex, reason: 'down', operstate: s.operstate, atMs });
      t.reportedUp = false;
    } else if (s.carrierDowns > t.carrierDowns) {
      // Down and up again between two polls: reported as both, so the caller re-opens.
      out.push({ kind: 'down', iface, ifindex: t.ifindex, reason: 'down', operstate: 'flapped', atMs });
      t.reportedUp = false;
    }
  }
  if (!t.reportedUp && usable(s)) {
    out.push({ kind: 'up', iface, ifindex: s.ifindex, previousIfindex: previous, atMs });
    t.reportedUp = true;
    // The index of the last report: an up under a new one says what it was before the down.
    t.ifindex = s.ifindex;
  }
  if (s.present) t.carrierDowns = s.carrierDowns;
  return out;
}

function sysText(name: string, attr: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${name}/${attr}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Reads one interface now (a few small sysfs files: microseconds). */
export function readLink(name: string): LinkSample {
  const index = Number(sysText(name, 'ifindex'));
  if (!Number.isInteger(index) || index <= 0) return { present: false, ifindex: 0, flags: 0, operstate: 'absent', carrierDowns: 0 };
  return {
    present: true,
    ifindex: index,
    flags: parseInt(sysText(name, 'flags') ?? '0', 16) || 0,
    operstate: sysText(name, 'operstate') ?? 'unknown',
    carrierDowns: Number(sysText(name, 'carrier_down_count') ?? 0) || 0,
  };
}

/** The link watcher over /sys, its events stamped on `clock` (the Host's). */
export const linkWatcher = (clock: Clock): WatchLinks => (names, onEvent, opts = {}) => {
  const tracks = new Map(names.map((n) => [n, initialTrack(readLink(n), opts.known?.get(n))] as const));
  const timer = setInterval(() => {
    const now = clock.now();
    for (const [name, t] of tracks) for (const e of stepLink(name, t, readLink(name), now)) onEvent(e);
  }, opts.intervalMs ?? 500);
  // The command's own timers decide when it ends; the watcher never keeps it alive.
  timer.unref();
  return { close: () => clearInterval(timer) };
};
