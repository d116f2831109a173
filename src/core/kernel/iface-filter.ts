// --iface / --exclude-iface matching. `eth+` is smcroute's and iptables' "every name that starts
// with eth"; `eth*` and `wl?0` are globs; `any` is every interface (tcpdump -i any); anything else
// is an exact name.
import { UsageError } from '../errors.js';

export interface IfaceSelection {
  include?: readonly string[];
  exclude?: readonly string[];
}

export function ifacePatternMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith('+')) return name.startsWith(pattern.slice(0, -1));
  if (/[*?]/.test(pattern)) {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
    return re.test(name);
  }
  return pattern === name;
}

const isPattern = (p: string): boolean => p.endsWith('+') || /[*?]/.test(p);

/**
 * Filters names by the selection. An exact --iface name that does not exist is bad input
 * (exit 2) rather than an empty result: the user asked for something this host lacks.
 */
export function selectInterfaces<T extends { name: string }>(all: readonly T[], sel: IfaceSelection): T[] {
  // `any` among the names lifts the restriction (every interface), as tcpdump's pseudo-device does.
  const named = sel.include?.filter((p) => p !== '') ?? [];
  const include = named.includes('any') ? [] : named;
  const exclude = sel.exclude?.filter((p) => p !== '') ?? [];
  for (const p of include) {
    if (!isPattern(p) && !all.some((i) => i.name === p)) {
      const have = all.map((i) => i.name).join(', ');
      throw new UsageError('UNKNOWN_INTERFACE', `no interface named '${p}' on this host (have: ${have})`, { iface: p });
    }
  }
  return all.filter(
    (i) =>
      (include.length === 0 || include.some((p) => ifacePatternMatches(p, i.name))) &&
      !exclude.some((p) => ifacePatternMatches(p, i.name)),
  );
}
