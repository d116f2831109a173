// Lab query injector: IGMPv1/v2/v3 and MLDv1/v2 queries with any source address, sent from a
// peer namespace by scripts/lab/send-query.py (raw socket with IP_HDRINCL and Router Alert;
// AF_PACKET for 0.0.0.0 and IPv6, see the script's header). Bounded in count and interval.
import path from 'node:path';
import { REPO, type Lab, type RunResult } from './lab.js';

export const QUERY_SCRIPT = path.join(REPO, 'scripts', 'lab', 'send-query.py');

export interface QueryOptions {
  iface: string;
  source: string;
  /** IGMP 1/2/3 (default 3); MLD 1/2 with mld. */
  version?: number;
  mld?: boolean;
  /** A group-specific query for this group; general by default. */
  group?: string;
  /** IGMP: tenths of a second; MLD: milliseconds. */
  maxResp?: number;
  qrv?: number;
  qqic?: number;
  count?: number;
  intervalS?: number;
  routerAlert?: boolean;
  /** MLD only: the IPv6 hop limit (default 1). */
  hopLimit?: number;
}

export function queryArgs(o: QueryOptions): string[] {
  const args = [QUERY_SCRIPT, '--iface', o.iface, '--source', o.source, '--version', String(o.version ?? (o.mld ? 2 : 3))];
  if (o.mld) args.push('--mld');
  if (o.group) args.push('--group', o.group);
  if (o.maxResp !== undefined) args.push('--max-resp', String(o.maxResp));
  if (o.qrv !== undefined) args.push('--qrv', String(o.qrv));
  if (o.qqic !== undefined) args.push('--qqic', String(o.qqic));
  args.push('--count', String(o.count ?? 1), '--interval', String(o.intervalS ?? 1));
  if (o.routerAlert === false) args.push('--no-router-alert');
  if (o.hopLimit !== undefined) args.push('--hop-limit', String(o.hopLimit));
  return args;
}

/** Sends the queries and waits until the last one is out; throws when the script fails. */
export async function sendQueries(lab: Lab, role: string, o: QueryOptions): Promise<RunResult> {
  const count = o.count ?? 1;
  const budget = 10_000 + count * (o.intervalS ?? 1) * 1000;
  const r = await lab.exec(role, 'python3', queryArgs(o), budget);
  if (r.code !== 0) throw new Error(`send-query.py in ${role} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

/** Starts sending in the background (for a listener that runs meanwhile); resolves when done. */
export function sendQueriesInBackground(lab: Lab, role: string, o: QueryOptions): Promise<number> {
  const child = lab.spawn(role, 'python3', queryArgs(o));
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(0) : reject(new Error(`send-query.py in ${role} exited ${code}: ${err.trim()}`))));
  });
}
