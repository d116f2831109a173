// The one rule for "an interface we can use" (docs/decisions.md "One eligibility rule"), and the
// one NO_ELIGIBLE_INTERFACE finding built from it. Every command asks here: join-all, send-all
// and mesh (join or send a family), querier-check and doctor (either family), rpfilter-audit
// (IPv4), sniff and trace (a link to capture on); the link watcher's "up" (platform/link-watch.ts)
// is the same carrier test, so an interface joined at the start is one the watcher calls up.
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { Family } from './ip.js';
// Type only: interfaces.ts imports operstateCarries from here (no runtime cycle).
import type { Interface } from './interfaces.js';
import { defined } from '../defined.js';

/**
 * What a use needs of an interface: multicast of one of these families (join, send, listen for
 * queries), or only a link to capture on (a capture needs no address).
 */
export type Need = readonly Family[] | 'capture';

/** Why an interface does not serve a need, in the order checked (the first that applies). */
export type Ineligible = 'loopback' | 'down' | 'no-carrier' | 'no-multicast' | 'no-address';

/**
 * operstate that carries traffic: up, or unknown (drivers that never set it: dummy, some tun,
 * loopback). down, lowerlayerdown (a veth whose peer is down), dormant (Wi-Fi not associated)
 * and notpresent do not: the kernel accepts a join there, but nothing arrives or leaves.
 */
export function operstateCarries(operstate: string): boolean {
  return operstate === 'up' || operstate === 'unknown';
}

/**
 * The rule. Never loopback (nothing from outside arrives there); administratively up (IFF_UP);
 * a carrier (operstate, as above); for multicast, the MULTICAST flag and an address of the
 * family (IPv6: a link-local one is enough, MLD reports from it). undefined: eligible.
 */
export function whyIneligible(i: Interface, need: Need): Ineligible | undefined {
  if (i.loopback) return 'loopback';
  if (!i.up) return 'down';
  if (!i.running) return 'no-carrier';
  if (need === 'capture') return undefined;
  if (!i.multicast) return 'no-multicast';
  return need.some((f) => i.addresses.some((a) => a.family === f)) ? undefined : 'no-address';
}

/** Can this interface carry multicast of the family? */
export function isEligible(i: Interface, family: Family): boolean {
  return whyIneligible(i, [family]) === undefined;
}

/** The families (of `only`, else both) the interface can carry multicast of. */
export function eligibleFamilies(i: Interface, only?: Family): Family[] {
  return ([4, 6] as const).filter((f) => (only === undefined || only === f) && isEligible(i, f));
}

const famText = (need: Need): string => (need === 'capture' ? '' : need.map((f) => `IPv${f}`).join(' or '));

function reasonText(i: Interface, r: Ineligible, need: Need): string {
  switch (r) {
    case 'loopback': return `${i.name} is loopback`;
    case 'down': return `${i.name} is down`;
    case 'no-carrier': return `${i.name} has no carrier (operstate ${i.operstate})`;
    case 'no-multicast': return `${i.name} lacks the MULTICAST flag`;
    case 'no-address': return `${i.name} has no ${famText(need)} address`;
  }
}

/** At most this many interfaces are named in the message (all are in the evidence). */
const NAMED = 8;

/**
 * NO_ELIGIBLE_INTERFACE for `selected` (the interfaces the user's --iface/--exclude-iface left),
 * none of which serves `need`. `doing` completes "No selected interface can ...": "join these
 * groups", "capture on". The message names each interface with its reason.
 */
export function noEligibleInterface(
  selected: readonly Interface[], need: Need, doing: string, o: { group?: string; waitedMs?: number } = {},
): Finding {
  const why = selected.map((i) => ({ name: i.name, reason: whyIneligible(i, need) ?? 'eligible' }));
  const named = selected.filter((i) => !i.loopback).slice(0, NAMED);
  const more = selected.filter((i) => !i.loopback).length - named.length;
  const list = named.map((i) => reasonText(i, whyIneligible(i, need) ?? 'no-address', need)).join(', ');
  const detail = selected.length === 0
    ? 'no interface matches --iface/--exclude-iface'
    : named.length === 0 ? 'only loopback is selected' : `${list}${more > 0 ? ` and ${more} more` : ''}`;
  const rule = need === 'capture' ? 'up with a carrier' : `up with a carrier, the MULTICAST flag and an ${famText(need)} address`;
  const waited = o.waitedMs !== undefined ? ` No carrier came in the ${(o.waitedMs / 1000).toFixed(1)} s waited.` : '';
  const noCarrier = named.filter((i) => whyIneligible(i, need) === 'no-carrier').map((i) => i.name);
  return makeFinding('NO_ELIGIBLE_INTERFACE', {
    ...defined({ group: o.group }),
    message: `No selected interface can ${doing} (it needs one ${rule}; loopback never counts): ${detail}.${waited}`,
    // The one fix when a carrier is all that is missing: the link's other end, not this host's flags.
    ...(noCarrier.length > 0 && noCarrier.length === named.length
      ? { fix: `Connect ${noCarrier.join(', ')} (cable, switch port, the veth peer up, Wi-Fi associated): \`ip link show ${noCarrier[0]}\` `
          + 'says NO-CARRIER / state LOWERLAYERDOWN or DORMANT until then; join-all, sniff and mesh wait for it within --duration.' }
      : {}),
    evidence: { need: need === 'capture' ? 'capture' : need.map((f) => `ipv${f}`), interfaces: why, ...defined({ waitedMs: o.waitedMs }) },
  });
}
