// errno -> one sentence that says what happened and what to do (STYLE.md, as mcjoin's
// receiver.c and smcroute's smcroutectl.c do). Causes verified on this kernel: PITFALLS.md.
import { PRIVILEGE_FIX } from '../privilege-hint.js';

export interface ErrnoSentence {
  message: string;
  fix: string;
}

export function joinErrnoSentence(code: string, iface: string, group: string): ErrnoSentence {
  switch (code) {
    case 'ENOBUFS':
      return {
        message:
          `the kernel refused another membership of ${group} on ${iface} (ENOBUFS): ` +
          'a per-socket or source-filter limit was reached even on a fresh socket',
        fix: 'sysctl -w net.ipv4.igmp_max_memberships=N (IPv4) or raise net.ipv4.igmp_max_msf / net.core.optmem_max',
      };
    case 'ENOMEM':
      return {
        message: `the kernel ran out of socket option memory joining ${group} on ${iface} (ENOMEM)`,
        fix: 'sysctl -w net.core.optmem_max=N (IPv6 memberships are charged to it)',
      };
    case 'ENODEV':
      return {
        message: `${iface} cannot take the membership of ${group} (ENODEV): the interface is gone or has no address the kernel accepts`,
        fix: `check that ${iface} exists and has an address: ip addr show dev ${iface}`,
      };
    case 'EADDRINUSE':
      return {
        message: `${group} is already joined on ${iface} by this socket (EADDRINUSE)`,
        fix: 'join each group once per interface (duplicate arguments?)',
      };
    case 'EADDRNOTAVAIL':
      return {
        message: `the kernel does not accept ${iface} as the interface for ${group} (EADDRNOTAVAIL)`,
        fix: `check ip addr show dev ${iface}`,
      };
    case 'EINVAL':
      return {
        message:
          `the kernel rejected the membership of ${group} on ${iface} as invalid (EINVAL): ` +
          'not a multicast group, or a source of another family',
        fix: 'use a group in 224.0.0.0/4 or ff00::/8, and a unicast source of the same family',
      };
    case 'EPERM':
    case 'EACCES':
      return { message: `joining ${group} on ${iface} was refused for lack of privilege (${code})`, fix: PRIVILEGE_FIX };
    case 'ENETUNREACH':
      return { message: `${iface} cannot reach ${group} (ENETUNREACH)`, fix: `ip link set dev ${iface} up, and give it an address` };
    default:
      return {
        message: `joining ${group} on ${iface} failed (${code})`,
        fix: 'run with --verbose for the raw errno and check the interface: ip addr show',
      };
  }
}

export function sendErrnoSentence(code: string, iface: string, group: string): ErrnoSentence {
  switch (code) {
    case 'ENETUNREACH':
      return {
        message:
          `sending to ${group} on ${iface} failed: network unreachable (ENETUNREACH); ` +
          'the interface is down, has no carrier, or no route covers the group',
        fix: `ip link set dev ${iface} up; check ip route get ${group} oif ${iface}`,
      };
    case 'EPERM':
    case 'EACCES':
      return {
        message: `sending to ${group} on ${iface} was refused (${code}): a firewall rule (nftables/iptables output chain) rejects it`,
        fix: 'nft list ruleset / iptables-save: allow UDP to the group in the output chain',
      };
    case 'EADDRNOTAVAIL':
      return { message: `${iface} cannot be the outgoing interface for ${group} (EADDRNOTAVAIL)`, fix: `check ip addr show dev ${iface}` };
    case 'EMSGSIZE':
      return { message: `the probe is larger than ${iface}'s MTU allows (EMSGSIZE)`, fix: 'lower --size, or pass --fragment' };
    case 'EINVAL':
      return { message: `the kernel rejected the send to ${group} on ${iface} (EINVAL)`, fix: 'check the group, the port and the TTL' };
    case 'ENODEV':
      return { message: `${iface} disappeared while sending (ENODEV)`, fix: `check ip link show ${iface}` };
    default:
      return { message: `sending to ${group} on ${iface} failed (${code})`, fix: 'run with --verbose for the raw errno' };
  }
}
