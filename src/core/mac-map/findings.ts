// Findings of mac-map: MAC_COLLISION, FLOODED_MAC (warnings) and LINK_LOCAL_GROUP (info).
import { makeFinding } from '../findings/catalog.js';
import { firstAndMore, type Finding } from '../findings/model.js';
import type { CollisionReport } from './collisions.js';

const LISTED = 8;

const listOf = (groups: readonly string[], total: number): string => firstAndMore(groups, LISTED, total);

const V6_EXPLANATION =
  'IPv6 groups map onto 33:33 followed by their low 32 bits (RFC 2464 section 7): groups that differ only above those bits share one ' +
  'MAC, so NICs and switches that filter by MAC pass one group\'s traffic to the other\'s receivers.';

export function collisionFindings(r: CollisionReport, where: { iface?: string } = {}): Finding[] {
  const out: Finding[] = [];
  const at = where.iface !== undefined ? { iface: where.iface } : {};
  for (const c of r.collisions) {
    out.push(makeFinding('MAC_COLLISION', {
      ...at,
      group: c.groups[0] ?? '',
      message: `${c.count} groups share ${c.mac}: ${listOf(c.groups, c.count)}`,
      ...(c.family === 6 ? { explanation: V6_EXPLANATION, fix: 'Pick groups that differ in their low 32 bits.' } : {}),
      evidence: { mac: c.mac, family: c.family, count: c.count, groups: c.groups },
    }));
  }
  const more = r.macs.shared - r.collisions.length;
  if (more > 0) {
    out.push(makeFinding('MAC_COLLISION', {
      ...at,
      message:
        `${more} more MACs are shared (${r.macs.shared} shared MACs, ${r.macs.groupsOnShared} groups on them in all); ` +
        'raise --limit to list them',
      evidence: { more, shared: r.macs.shared, groupsOnShared: r.macs.groupsOnShared },
    }));
  }
  for (const f of r.flooded.groups) {
    const twin = f.sharesWithName ? `${f.sharesWith} (${f.sharesWithName})` : f.sharesWith;
    out.push(makeFinding('FLOODED_MAC', {
      ...at,
      group: f.group,
      message: `${f.group} maps to ${f.mac}, the MAC of link-local ${twin}: many snooping switches flood it to every port`,
      evidence: { mac: f.mac, sharesWith: f.sharesWith },
    }));
  }
  const moreFlooded = r.flooded.count - r.flooded.groups.length;
  if (moreFlooded > 0) {
    out.push(makeFinding('FLOODED_MAC', {
      ...at,
      message: `${moreFlooded} more groups map onto a 224.0.0.x MAC (${r.flooded.count} in all); raise --limit to list them`,
      evidence: { more: moreFlooded, count: r.flooded.count },
    }));
  }
  return out;
}

export interface LinkLocalSummary {
  count: number;
  /** The first groups (up to the limit). */
  groups: string[];
}

export function linkLocalFinding(ll: LinkLocalSummary): Finding[] {
  if (ll.count === 0) return [];
  const one = ll.count === 1;
  return [makeFinding('LINK_LOCAL_GROUP', {
    ...(one && ll.groups[0] !== undefined ? { group: ll.groups[0] } : {}),
    message: one
      ? `${ll.groups[0] ?? ''} is link-local: never routed, and flooded to every port by snooping switches`
      : `${ll.count} groups are link-local (${listOf(ll.groups, ll.count)}): never routed, and flooded to every port by snooping switches`,
    evidence: { count: ll.count, groups: ll.groups },
  })];
}
