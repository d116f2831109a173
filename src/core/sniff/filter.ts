// The BPF filter sniff installs (pcap-filter(7)) when the user gives none: the groups' UDP
// traffic, narrowed by port and source, plus IGMP and MLD. MLD messages follow a Hop-by-Hop
// header (RFC 3810 section 5), which `icmp6` does not look past. `ip6 protochain 58` would, but
// it compiles to a loop (backward jumps) that the kernel's classic BPF checker rejects: libpcap
// then prints "Kernel filter failed" and filters every packet in userspace. So the Hop-by-Hop
// case is spelled out: next header 0 and the Hop-by-Hop header's own next header 58.
import type { Family } from '../kernel/ip.js';

export interface FilterSpec {
  groups: readonly string[];
  ports: readonly number[];
  sources: readonly string[];
  /** undefined: both. */
  family?: Family;
}

const MLD6 = '(ip6 multicast and (ip6[6] == 58 or (ip6[6] == 0 and ip6[40] == 58)))';

const any = (parts: readonly string[]): string => (parts.length === 1 ? parts[0] as string : `(${parts.join(' or ')})`);

export function buildFilter(spec: FilterSpec): string {
  const v4 = spec.family !== 6;
  const v6 = spec.family !== 4;
  const fams = [v4 ? 'ip multicast' : '', v6 ? 'ip6 multicast' : ''].filter(Boolean);
  const data: string[] = ['udp'];
  if (spec.groups.length) data.push(any(spec.groups.map((g) => `dst host ${g}`)));
  else data.push(any(fams));
  if (spec.ports.length) data.push(any(spec.ports.map((p) => `dst port ${p}`)));
  if (spec.sources.length) data.push(any(spec.sources.map((s) => `src host ${s}`)));
  const control = [v4 ? 'igmp' : '', v6 ? MLD6 : ''].filter(Boolean);
  return `(${data.join(' and ')}) or ${any(control)}`;
}
