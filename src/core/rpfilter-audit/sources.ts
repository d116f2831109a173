// --source S or S,G: the sources to audit, checked before anything touches the kernel.
import { UsageError } from '../errors.js';
import { familyOf, isMulticast, ipv4ToInt } from '../kernel/ip.js';

export interface SourceSpec {
  source: string;
  /** The group the source sends to, when given as S,G. */
  group?: string;
}

function badSource(spec: string, why: string): UsageError {
  return new UsageError('BAD_SOURCE', `--source ${spec}: ${why}`);
}

/** Parses one `S` or `S,G`; bad input is a UsageError (exit 2, one line). */
export function parseSourceSpec(spec: string): SourceSpec {
  const parts = spec.split(',').map((s) => s.trim());
  if (parts.length > 2 || parts[0] === '') throw badSource(spec, 'expected S or S,G (for example 198.18.5.5 or 198.18.5.5,239.1.1.1)');
  const [source = '', group] = parts;
  const fam = familyOf(source);
  if (fam === 6) throw badSource(spec,
    'IPv6 has no rp_filter (run rpfilter-audit -6 to see netfilter rpfilter rules); give an IPv4 source');
  if (fam !== 4) throw badSource(spec, `'${source}' is not an IPv4 address`);
  if (isMulticast(source)) throw badSource(spec, `${source} is a multicast address; a source is the sender's unicast address`);
  // 0.0.0.0 is never reverse-path checked (IGMP queries from 0.0.0.0 are accepted as is).
  if (ipv4ToInt(source) === 0) throw badSource(spec, '0.0.0.0 skips the reverse-path check entirely; give the sender\'s address');
  if (group === undefined) return { source };
  if (familyOf(group) !== 4 || !isMulticast(group)) throw badSource(spec, `'${group}' is not an IPv4 multicast group (224.0.0.0/4)`);
  return { source, group };
}

/** Parses every spec and drops exact duplicates, keeping the order given. */
export function parseSourceSpecs(specs: readonly string[]): SourceSpec[] {
  const seen = new Set<string>();
  const out: SourceSpec[] = [];
  for (const spec of specs) {
    const s = parseSourceSpec(spec);
    const key = `${s.source},${s.group ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}
