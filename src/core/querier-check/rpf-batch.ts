// The kernel's reverse-path answer for many (source, interface) pairs at once, bounded: a flood
// of spoofed queriers once meant one `ip route get` per source in sequence (10 k sources made a
// 6 s listen take 427 s, issue 17). The verdict of fib_validate_source depends on the route the
// source matches (its device, its type), so sources matching the same route of the same table,
// arriving on the same interface, share one answer: one lookup per (interface, route), at most
// MAX_LOOKUPS of them, all in one iproute2 process (Platform.routeGetMany, ip -batch).
import type { Platform, RoutePrefix } from '../../platform/types.js';
import { ipv4ToInt } from '../kernel/ip.js';
import type { RpfVerdict } from '../kernel/rpf-check.js';

export interface RpfAsk {
  source: string;
  iface: string;
}

export interface BatchVerdict extends RpfVerdict {
  /** The route of the routing tables the source matches ("default", "198.18.0.0/15 table main", "none"). */
  route: string;
  /** When another source of the same route was asked instead: that source. */
  askedAs?: string;
}

export interface RpfBatch {
  /** By rpfKey(source, iface); absent for a pair beyond the bound (see skipped). */
  verdicts: Map<string, BatchVerdict>;
  /** Pairs not checked because MAX_LOOKUPS routes were already asked. */
  skipped: number;
  /** Lookups asked of the kernel (two per route: forward check and route back). */
  lookups: number;
}

export const MAX_ROUTES_ASKED = 64;
/** Beyond this many routes (a full table on a router) sources are grouped by /24 instead. */
const MAX_ROUTES_INDEXED = 100_000;

export function rpfKey(source: string, iface: string): string {
  return `${iface}\u0000${source}`;
}

/** Longest-prefix match over every table: a map per prefix length. */
export class RouteIndex {
  private readonly byLen = new Map<number, Map<number, string>>();
  private readonly lengths: number[];
  readonly coarse: boolean;

  constructor(routes: readonly RoutePrefix[]) {
    this.coarse = routes.length > MAX_ROUTES_INDEXED;
    if (!this.coarse) {
      for (const r of routes) {
        if (r.type === 'multicast') continue;
        const parsed = parsePrefix(r.dst);
        if (!parsed) continue;
        const m = this.byLen.get(parsed.len) ?? new Map<number, string>();
        const label =
          `${r.dst}${r.table && r.table !== 'main' ? ` table ${r.table}` : ''}${r.type && r.type !== 'unicast' ? ` (${r.type})` : ''}`;
        if (!m.has(parsed.net)) m.set(parsed.net, label);
        this.byLen.set(parsed.len, m);
      }
    }
    this.lengths = [...this.byLen.keys()].sort((a, b) => b - a);
  }

  /** The route a source matches, as a label; "none" when no route matches. */
  match(source: string): string {
    const a = ipv4ToInt(source);
    if (this.coarse) return `${(a >>> 8 << 8 >>> 0).toString(16)}/24`;
    for (const len of this.lengths) {
      const hit = this.byLen.get(len)?.get(maskOf(a, len));
      if (hit !== undefined) return hit;
    }
    return 'none';
  }
}

function maskOf(a: number, len: number): number {
  return len === 0 ? 0 : (a & (~0 << (32 - len))) >>> 0;
}

function parsePrefix(dst: string): { net: number; len: number } | undefined {
  if (dst === 'default') return { net: 0, len: 0 };
  const [addr = '', lenText] = dst.split('/');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return undefined;
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) return undefined;
  return { net: maskOf(ipv4ToInt(addr), len), len };
}

/** IPv4 pairs only (IPv6 has no rp_filter); 0.0.0.0 is never reverse-path checked (PITFALLS.md). */
export async function checkReversePaths(p: Platform, asks: readonly RpfAsk[], maxRoutes = MAX_ROUTES_ASKED): Promise<RpfBatch> {
  const index = new RouteIndex(await p.routePrefixes(4).catch(() => []));
  const groups = new Map<string, { iface: string; route: string; rep: string; members: string[] }>();
  let skipped = 0;
  const seen = new Set<string>();
  for (const a of asks) {
    const k = rpfKey(a.source, a.iface);
    if (seen.has(k)) continue;
    seen.add(k);
    const route = index.match(a.source);
    const gk = `${a.iface}\u0000${route}`;
    let g = groups.get(gk);
    if (!g) {
      if (groups.size >= maxRoutes) { skipped++; continue; }
      g = { iface: a.iface, route, rep: a.source, members: [] };
      groups.set(gk, g);
    }
    g.members.push(a.source);
  }
  const list = [...groups.values()];
  const answers = list.length === 0 ? [] : await p.routeGetMany(list.flatMap((g) => [
    { family: 4 as const, dst: '224.0.0.1', from: g.rep, iif: g.iface },
    { family: 4 as const, dst: g.rep },
  ]));
  const verdicts = new Map<string, BatchVerdict>();
  list.forEach((g, i) => {
    const fwd = answers[2 * i];
    const back = answers[2 * i + 1];
    for (const source of g.members) {
      const v: BatchVerdict = { source, iface: g.iface, accepted: fwd?.ok === true, route: g.route };
      if (fwd && !fwd.ok) v.kernelError = fwd.error;
      if (back?.ok && back.dev) v.routeBackDev = back.dev;
      if (source !== g.rep) v.askedAs = g.rep;
      verdicts.set(rpfKey(source, g.iface), v);
    }
  });
  return { verdicts, skipped, lookups: answers.length };
}
