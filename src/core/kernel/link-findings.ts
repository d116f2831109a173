// Findings from the kind of link a group is joined or sent on (issue 21): Wi-Fi and VPN tunnels
// each break multicast in their own way, which no socket error and no kernel counter shows.
// Sources are on the findings' pages (docs/findings/WIFI_MULTICAST.md, VPN_MULTICAST.md).
import type { Finding } from '../findings/model.js';
import { firstAndMore } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { Interface } from './interfaces.js';

/** What the command does with the groups on the interface. */
export type LinkUse = 'join' | 'send' | 'join and send';

/** At most this many groups in a finding's evidence (the message names fewer). */
const GROUPS_KEPT = 32;

function wifiText(i: Interface): string {
  const net = [i.wifi?.ssid !== undefined ? `"${i.wifi.ssid}"` : '', i.wifi?.band ?? ''].filter(Boolean).join(', ');
  return net ? `${i.name} is Wi-Fi (${net})` : `${i.name} is Wi-Fi`;
}

function wifiFinding(i: Interface, groups: string[], use: LinkUse, evidence: Record<string, unknown>): Finding {
  const what = firstAndMore(groups, 3);
  // Receiving: the access point sends the group to every station at once. Sending: the station
  // sends it to the access point as unicast (acknowledged), which then sends it as above.
  const path = use === 'send'
    ? `what is sent to ${what} goes to the access point, which repeats it to the stations as group-addressed frames`
    : `${what} arrives as group-addressed frames`;
  return makeFinding('WIFI_MULTICAST', {
    iface: i.name,
    message:
      `${wifiText(i)}: ${path}, sent at a basic rate without acknowledgement or retry, held for the DTIM beacon while a station dozes, ` +
      'and often filtered or converted to unicast by the access point.',
    evidence,
  });
}

function vpnFinding(i: Interface, groups: string[], evidence: Record<string, unknown>): Finding {
  const kind = i.linkKind ? ` (${i.linkKind})` : '';
  return makeFinding('VPN_MULTICAST', {
    iface: i.name,
    message:
      `${i.name} is a VPN tunnel${kind}: the kernel hands ${firstAndMore(groups, 3)} to the VPN, and most VPNs route only unicast: ` +
      'expect nothing to cross it.',
    evidence,
  });
}

/**
 * One finding per Wi-Fi or VPN interface among `uses` (pairs of interface and group the command
 * joined or sent on). Wired, virtual and other links give none.
 */
export function linkKindFindings(
  interfaces: readonly Interface[],
  uses: ReadonlyArray<{ iface: string; group: string }>,
  use: LinkUse,
): Finding[] {
  const byIface = new Map<string, string[]>();
  for (const u of uses) {
    const list = byIface.get(u.iface) ?? [];
    if (!list.includes(u.group)) list.push(u.group);
    byIface.set(u.iface, list);
  }
  const out: Finding[] = [];
  for (const [name, groups] of byIface) {
    const i = interfaces.find((x) => x.name === name);
    if (!i || (i.kind !== 'wifi' && i.kind !== 'vpn')) continue;
    const evidence: Record<string, unknown> = { kind: i.kind, use, groups: groups.slice(0, GROUPS_KEPT), groupCount: groups.length };
    if (i.linkKind !== undefined) evidence.linkKind = i.linkKind;
    if (i.wifi !== undefined) evidence.wifi = i.wifi;
    out.push(i.kind === 'wifi' ? wifiFinding(i, groups, use, evidence) : vpnFinding(i, groups, evidence));
  }
  return out;
}
