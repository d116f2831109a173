// The IGMP version the kernel speaks on an interface, as it says itself: /proc/net/igmp's Querier
// column (V1/V2 for about 260 s after it last heard an IGMPv1/v2 query: RFC 3376 8.12, Linux
// mr_v1_seen/mr_v2_seen; measured, PITFALLS.md) and net.ipv4.conf.IF.force_igmp_version. In v1/v2
// mode the host's reports name groups only: an S,G (SSM) join's source filter is not signalled,
// and a snooping switch or router that forwards per source never learns it. The MLD counterpart
// (mc_v1_seen) is not exposed by the kernel: MLD is judged from the queries heard only.
import { makeFinding } from '../findings/catalog.js';
import type { Finding } from '../findings/model.js';
import type { Interface } from '../kernel/interfaces.js';
import { olderVersionTimeoutS } from '../observation/rules.js';

export interface IgmpModeState {
  iface: string;
  /** The version the kernel speaks now: 1, 2 or 3. */
  version: number;
  /** Why: forced by the sysctl, or an older querier heard recently (the Querier column). */
  cause: 'forced' | 'querier' | 'none';
  querierColumn?: string;
  forceVersion: number;
}

export function igmpMode(i: Interface): IgmpModeState {
  const col = i.igmp.querierVersion;
  const fromColumn = col === 'V1' ? 1 : col === 'V2' ? 2 : 3;
  const forced = i.igmp.forceVersion === 1 || i.igmp.forceVersion === 2 ? i.igmp.forceVersion : 0;
  const version = forced || fromColumn;
  const cause = forced ? 'forced' : fromColumn < 3 ? 'querier' : 'none';
  return { iface: i.name, version, cause, ...(col ? { querierColumn: col } : {}), forceVersion: i.igmp.forceVersion };
}

/** Words for a v1/v2 state: why, and when it ends. `lastOldQueryAgoS` when a v1/v2 query was seen on the wire. */
export function modeWords(m: IgmpModeState, lastOldQueryAgoS?: number): { why: string; until: string } {
  const timeout = olderVersionTimeoutS();
  if (m.cause === 'forced') {
    return { why: `net.ipv4.conf.${m.iface}.force_igmp_version=${m.forceVersion}`,
      until: `it stays so until the sysctl is set back to 0 (sysctl -w net.ipv4.conf.${m.iface}.force_igmp_version=0)` };
  }
  const left = lastOldQueryAgoS !== undefined ? Math.max(0, Math.round(timeout - lastOldQueryAgoS)) : undefined;
  return {
    why:
      `/proc/net/igmp shows Querier ${m.querierColumn ?? `V${m.version}`} on ${m.iface}: ` +
      `an IGMPv${m.version} querier was heard within the last ~${timeout} s`,
    until: left !== undefined
      ? `the kernel reverts to IGMPv3 about ${left} s from now (${timeout} s after the last IGMPv${m.version} query, ` +
        `heard ${Math.round(lastOldQueryAgoS!)} s ago) unless another one arrives`
      : `the kernel reverts to IGMPv3 ${timeout} s after the last IGMPv${m.version} query (RFC 3376 8.12), if no other arrives`,
  };
}

export interface SourceJoin {
  iface: string;
  group: string;
  source: string;
}

/** SSM_NOT_SIGNALLED for every interface holding S,G joins while the kernel speaks IGMPv1/v2 there. */
export function ssmFindings(ifaces: readonly Interface[], joins: readonly SourceJoin[]): Finding[] {
  const out: Finding[] = [];
  for (const i of ifaces) {
    const mine = joins.filter((j) => j.iface === i.name && !j.source.includes(':'));
    if (mine.length === 0) continue;
    const m = igmpMode(i);
    if (m.version >= 3) continue;
    const w = modeWords(m);
    const list =
      mine.slice(0, 3).map((j) => `(${j.source}, ${j.group})`).join(', ') + (mine.length > 3 ? ` and ${mine.length - 3} more` : '');
    out.push(makeFinding('SSM_NOT_SIGNALLED', {
      iface: i.name, group: mine[0]!.group, source: mine[0]!.source,
      message:
        `The source filter of ${list} on ${i.name} is not signalled: ` +
        `the kernel speaks IGMPv${m.version} there (${w.why}), and IGMPv${m.version} reports name the group only; ${w.until}.`,
      fix: m.cause === 'forced'
        ? `sysctl -w net.ipv4.conf.${i.name}.force_igmp_version=0`
        : `Upgrade the IGMPv${m.version} querier on ${i.name}'s segment to IGMPv3 (find it with mcast-doctor querier-check -4 -i ` +
          `${i.name} --timeout 130).`,
      evidence: { joins: mine.slice(0, 16), kernelVersion: m.version, cause: m.cause, querierColumn: m.querierColumn ?? null,
        forceIgmpVersion: m.forceVersion, revertsAfterS: m.cause === 'forced' ? null : olderVersionTimeoutS() },
    }));
  }
  return out;
}
