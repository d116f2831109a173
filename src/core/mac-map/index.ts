// mac-map, the library entry: lookups, or a collision analysis over the given groups (and,
// with --host, over the groups each interface has joined). Returns data; never prints.
import type { Platform } from '../../platform/types.js';
import { UsageError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { intToIpv4, ipv6Text, type Family } from '../kernel/ip.js';
import { analyseCollisions, groupsOf, type CollisionReport } from './collisions.js';
import { collisionFindings, linkLocalFinding, type LinkLocalSummary } from './findings.js';
import { GroupSet4 } from './group-set.js';
import { joinedGroups } from './host.js';
import { bigintToBytes, type Item } from './input.js';
import { lookup, type Lookup } from './lookup.js';

export interface MacMapOptions {
  items: Item[];
  collisions: boolean;
  host: boolean;
  /** Shared MACs and flooded groups listed at most (the counts are always complete). */
  limit: number;
  platform?: Pick<Platform, 'igmp' | 'igmp6'>;
  selection?: IfaceSelection;
  family?: Family;
}

export interface HostInterfaceReport {
  iface: string;
  joined: string[];
  report: CollisionReport;
}

export type MacMapResult =
  | { mode: 'lookup'; results: Lookup[]; findings: Finding[] }
  | { mode: 'collisions'; limit: number; linkLocal: LinkLocalSummary; report?: CollisionReport; interfaces?: HostInterfaceReport[];
    findings: Finding[] };

/** Given groups in 224.0.0.0/24 or with IPv6 scope 1 or 2 (ff01::/16, ff02::/16). */
export function linkLocalOf(items: readonly Item[], limit: number): LinkLocalSummary {
  const g = groupsOf(items);
  const set = new GroupSet4(g.v4);
  const first = 0xe0000000;
  const groups = set.listIn(first, first + 255, limit).map(intToIpv4);
  let count = set.countIn(first, first + 255);
  for (const v of new Set(g.v6)) {
    const scope = Number((v >> 112n) & 0xfn);
    if (scope !== 1 && scope !== 2) continue;
    count++;
    if (groups.length < limit) groups.push(ipv6Text(bigintToBytes(v)));
  }
  return { count, groups };
}

export async function macMap(o: MacMapOptions): Promise<MacMapResult> {
  if (o.limit < 1 || !Number.isInteger(o.limit)) throw new UsageError('USAGE',
    `--limit must be a whole number of at least 1 (got ${o.limit})`);
  const collisions = o.collisions || o.host;
  if (!collisions) {
    if (o.items.length === 0) throw new UsageError('USAGE', 'name at least one group or MAC (or use --collisions, --file or --host)');
    const range = o.items.find((i) => i.kind === 'range4' || i.kind === 'range6');
    if (range) throw new UsageError('USAGE', `${range.text} is a range: ranges are analysed with --collisions`);
    const results = o.items.map(lookup);
    const findings = [
      ...linkLocalFinding(linkLocalOf(o.items, o.limit)),
      ...collisionFindings(analyseCollisions(groupsOf(o.items), o.limit)),
    ];
    return { mode: 'lookup', results, findings };
  }
  const mac = o.items.find((i) => i.kind === 'mac');
  if (mac) throw new UsageError('USAGE', `${mac.text} is a MAC: --collisions takes groups and ranges`);
  if (o.items.length === 0 && !o.host) throw new UsageError('USAGE',
    '--collisions needs groups or ranges (arguments or --file), or --host');
  const given = groupsOf(o.items);
  const linkLocal = linkLocalOf(o.items, o.limit);
  const findings = linkLocalFinding(linkLocal);
  if (!o.host) {
    const report = analyseCollisions(given, o.limit);
    return { mode: 'collisions', limit: o.limit, linkLocal, report, findings: [...findings, ...collisionFindings(report)] };
  }
  if (!o.platform) throw new Error('macMap: --host needs a platform');
  const joined = await joinedGroups(
    o.platform,
    { ...(o.selection ? { selection: o.selection } : {}), ...(o.family ? { family: o.family } : {}) },
  );
  const interfaces: HostInterfaceReport[] = [];
  for (const j of joined) {
    const report = analyseCollisions({ v4: [...given.v4, ...j.groups.v4], v6: [...given.v6, ...j.groups.v6] }, o.limit);
    interfaces.push({ iface: j.iface, joined: j.joined, report });
    findings.push(...collisionFindings(report, { iface: j.iface }));
  }
  return { mode: 'collisions', limit: o.limit, linkLocal, interfaces, findings };
}
