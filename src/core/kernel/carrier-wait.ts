// Waiting for a carrier (docs/decisions.md "A command started before the carrier"). A command that
// holds memberships for a while (join-all) and whose selected interfaces are all up but without a
// carrier yet (a veth whose peer is not up, a cable being plugged, Wi-Fi associating) waits for
// the first carrier, bounded by its --duration and ended by a signal, instead of failing at once
// with NO_ELIGIBLE_INTERFACE: the engineer who plugs the cable after starting it expects the run
// to begin then, as it does after a flap (join-all's link watch). A one-shot command does not
// wait: it says the interface has no carrier, with the fix.
import type { Clock } from '../clock.js';
import type { Interface, InterfaceInventory } from './interfaces.js';
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

/** Reads the inventory until an interface serves `need`, the time is up, or the abort. */
export async function waitForCarrier(load: () => Promise<InterfaceInventory>, need: Need, o: CarrierWaitOptions): Promise<CarrierWait> {
  let inventory = await load();
  const awaited = awaitingCarrier(inventory.interfaces, need).map((i) => i.name);
  if (awaited.length === 0 || o.abort?.aborted || o.maxMs === 0) return { inventory, waitedMs: 0, awaited: [] };
  o.onWait?.(awaited);
  const start = o.clock.now();
  const left = (): number => (o.maxMs === undefined ? CARRIER_POLL_MS : o.maxMs - (o.clock.now() - start));
  while (!o.abort?.aborted && left() > 0) {
    await pause(Math.min(CARRIER_POLL_MS, left()), o.abort);
    inventory = await load();
    if (inventory.interfaces.some((i) => whyIneligible(i, need) === undefined)) break;
  }
  return { inventory, waitedMs: o.clock.now() - start, awaited };
}

function pause(ms: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(t); abort?.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    abort?.addEventListener('abort', done, { once: true });
  });
}
