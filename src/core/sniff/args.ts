// sniff's arguments, checked before anything opens, and the BPF filter built from them.
import { familyOf, type Family } from '../kernel/ip.js';
import { UsageError } from '../errors.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { parseGroupArgs, parsePort, type GroupSpec } from '../group-args.js';
import type { FileFormat } from './file-format.js';
import { buildFilter } from './filter.js';
import { defined } from '../defined.js';

export interface SniffArgs {
  groups: string[];
  join: boolean;
  ports: number[];
  source?: string;
  filter?: string;
  count?: number;
  durationS?: number;
  write?: string;
  format: FileFormat;
  force: boolean;
  snaplen: number;
  selection: IfaceSelection;
  family?: Family;
  statsIntervalMs?: number;
  /** The pcapng section header's shb_userappl: the tool and its version. */
  appName?: string;
}

/** The groups to join and filter on (port 0: any port); a UsageError for bad input. */
export function checkArgs(a: SniffArgs): GroupSpec[] {
  if (a.count !== undefined && (!Number.isInteger(a.count) || a.count < 1)) {
    throw new UsageError('BAD_COUNT', `--count '${a.count}' must be a whole number of packets, 1 or more`);
  }
  if (a.durationS !== undefined && (!Number.isFinite(a.durationS) || a.durationS <= 0)) {
    throw new UsageError('BAD_DURATION', `--duration '${a.durationS}' must be a number of seconds above 0`);
  }
  if (!Number.isInteger(a.snaplen) || a.snaplen < 64 || a.snaplen > 262144) {
    throw new UsageError('BAD_SNAPLEN', `--snaplen '${a.snaplen}' out of range (64-262144)`);
  }
  for (const p of a.ports) parsePort(p, '--port');
  if (a.source !== undefined && familyOf(a.source) === undefined) throw new UsageError('BAD_SOURCE',
    `--source '${a.source}' is not an IP address`);
  if (a.groups.length === 0) return [];
  // A port is a filter only when given (G:PORT or --port): parse twice with two defaults to tell.
  const base = defined({ source: a.source });
  const one = parseGroupArgs(a.groups, { defaultPort: 1, ...base });
  const two = parseGroupArgs(a.groups, { defaultPort: 2, ...base });
  return one.map((g, i) => (two[i]?.port === g.port ? g : { ...g, port: 0 }))
    .filter((g) => a.family === undefined || g.family === a.family);
}

/** --filter, or the groups' traffic narrowed by their ports and sources (./filter.ts). */
export function filterFor(a: SniffArgs, groups: readonly GroupSpec[]): string {
  if (a.filter !== undefined) return a.filter;
  const ports = [...new Set([...a.ports, ...groups.map((g) => g.port).filter((p) => p > 0)])];
  const sources = a.source !== undefined ? [a.source] : [...new Set(groups.flatMap((g) => (g.source !== undefined ? [g.source] : [])))];
  return buildFilter({
    groups: [...new Set(groups.map((g) => g.group))],
    ports,
    sources,
    ...(a.family ? { family: a.family } : {}),
  });
}
