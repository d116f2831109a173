// Waiting for a carrier (docs/decisions.md "A command started before the carrier"). A command that
// follows its interfaces for a while (join-all, sniff, mesh) and whose selected interfaces are all
// up but without a carrier yet (a veth whose peer is not up, a cable being plugged, Wi-Fi
// associating) waits for the first carrier, bounded by its --duration and ended by a signal,
// instead of failing at once with NO_ELIGIBLE_INTERFACE: the engineer who plugs the cable after
// starting it expects the run to begin then, as it does after a flap (the link watch). The three
// share one entry, loadAwaitingCarrier. A one-shot command does not wait: it says the interface
// has no carrier, with the fix.
import type { Platform } from '../../platform/types.js';
import type { Clock } from '../clock.js';
import { defined } from '../defined.js';
import { sleepUnless } from '../sleep.js';
import type { IfaceSelection } from './iface-filter.js';
import type { Family } from './ip.js';
import { loadInterfaces, type Interface, type InterfaceInventory } from './interfaces.js';
import { whyIneligible, type Need } from './eligibility.js';

/** How often the inventory is read again while waiting (a carrier's arrival is seen within this). */
export const CARRIER_POLL_MS = 200;

/**
 * The interfaces worth waiting for: none of the selected serves `need` now, and these would
 * with a carrier (up, and otherwise eligible). Empty when one is eligible already, or when no
 * carrier would help (down, no address, no MULTICAST flag: waiting cannot fix those).
 */
export function awaitingCarrier(interfaces: readonly Interface[], need: Need): Interface[] {
  if (interfaces.some((i) => whyIneligible(i, need) === undefined)) return [];
  return interfaces.filter((i) => whyIneligible(i, need) === 'no-carrier' && whyIneligible({ ...i, running: true }, need) === undefined);
}

export interface CarrierWait {
  inventory: InterfaceInventory;
  /** Milliseconds spent waiting (0 when nothing was awaited). */
  waitedMs: number;
  /** The interfaces waited for (empty when nothing was awaited). */
  awaited: string[];
}

export interface CarrierWaitOptions {
  /** Longest wait; undefined: until a carrier or the abort. */
  maxMs?: number;
  abort?: AbortSignal;
  clock: Clock;
  /** Told once, before the wait, which interfaces are awaited (the command says it on stderr). */
  onWait?: (names: string[]) => void;
}

/**
 * Reads the inventory until an interface serves `need`, the time is up, or the abort. The bound
 * is a timer (a wait is real time, as every wait of the core); `waitedMs` is read on the clock.
 */
export async function waitForCarrier(load: () => Promise<InterfaceInventory>, need: Need, o: CarrierWaitOptions): Promise<CarrierWait> {
  let inventory = await load();
  const awaited = awaitingCarrier(inventory.interfaces, need).map((i) => i.name);
  if (awaited.length === 0 || o.abort?.aborted || o.maxMs === 0) return { inventory, waitedMs: 0, awaited: [] };
  o.onWait?.(awaited);
  const start = o.clock.now();
  const ended = new AbortController();
  const end = (): void => ended.abort();
  o.abort?.addEventListener('abort', end, { once: true });
  const bound = o.maxMs !== undefined ? setTimeout(end, o.maxMs) : undefined;
  try {
    while (!ended.signal.aborted) {
      await sleepUnless(CARRIER_POLL_MS, ended.signal);
      // Read once more at the end too: a carrier that came in the last poll period counts.
      inventory = await load();
      if (inventory.interfaces.some((i) => whyIneligible(i, need) === undefined)) break;
    }
  } finally {
    clearTimeout(bound);
    o.abort?.removeEventListener('abort', end);
  }
  return { inventory, waitedMs: o.clock.now() - start, awaited };
}

/** What a following command hands the wait: its --duration (the bound), its signal, who to tell. */
export interface FollowerWait {
  clock: Clock;
  /** --duration; undefined: until a carrier or the signal. */
  durationMs?: number | undefined;
  abort?: AbortSignal | undefined;
  /** Before waiting: the interfaces awaited and the bound (the command says it on stderr). */
  onWait?: ((names: string[], maxMs: number | undefined) => void) | undefined;
}

/**
 * The one rule of the following commands (join-all, sniff, mesh): the selection's inventory, read
 * again every CARRIER_POLL_MS while none of it serves `need` and a carrier alone would make one
 * serve it, for at most the --duration (which the wait counts in: `leftOf`).
 */
export function loadAwaitingCarrier(
  platform: Platform, o: { selection: IfaceSelection; family?: Family | undefined }, need: Need, w: FollowerWait,
): Promise<CarrierWait> {
  const load = (): Promise<InterfaceInventory> => loadInterfaces(platform, { selection: o.selection, ...defined({ family: o.family }) });
  return waitForCarrier(load, need, {
    clock: w.clock, ...defined({ maxMs: w.durationMs, abort: w.abort }),
    onWait: (names) => w.onWait?.(names, w.durationMs),
  });
}

/** What is left of the --duration once the wait is over. */
export function leftOf(durationMs: number, c: Pick<CarrierWait, 'waitedMs'>): number {
  return Math.max(0, durationMs - c.waitedMs);
}

/** NO_ELIGIBLE_INTERFACE's `waitedMs` (noEligibleInterface's option) when a carrier was awaited. */
export function waitedFor(c: Pick<CarrierWait, 'waitedMs' | 'awaited'>): { waitedMs?: number } {
  return c.awaited.length > 0 ? { waitedMs: c.waitedMs } : {};
}
