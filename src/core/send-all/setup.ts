// What send-all checks before it opens a socket: the payload size against the probe header
// and each interface's MTU, and the sender id (the socket binding is src/host.ts's).
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { Interface } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import { probeHeaderLength } from '../probe/format.js';

/** hostname-XXXX: receivers tell runs apart, and probes from this host share its clock. */
export function senderIdFor(hostname: string): string {
  return `${hostname}-${randomBytes(2).toString('hex')}`;
}

const IP_UDP_HEADERS: Record<Family, number> = { 4: 20 + 8, 6: 40 + 8 };
const MAX_UDP: Record<Family, number> = { 4: 65507, 6: 65527 };

/** The payload size to send: --size if valid, else 64 bytes or the header if longer. */
export function checkSize(
  size: number | undefined,
  ifaces: readonly Interface[],
  family: Family,
  senderId: string,
  fragment: boolean,
): number {
  const header = Math.max(0, ...ifaces.map((i) => probeHeaderLength({ senderId, ifname: i.name })));
  if (size === undefined) return Math.max(64, header);
  if (size < header) throw new UsageError('USAGE', `--size ${size} is smaller than the probe header (${header} bytes here)`);
  if (size > MAX_UDP[family]) throw new UsageError('USAGE', `--size ${size} is larger than a UDP datagram can be (${MAX_UDP[family]})`);
  if (!fragment) {
    for (const i of ifaces) {
      const room = i.mtu - IP_UDP_HEADERS[family];
      if (i.mtu > 0 && size > room) {
        throw new UsageError('USAGE',
          `--size ${size} does not fit ${i.name}'s MTU ${i.mtu} (at most ${room} bytes of payload); pass --fragment to send IP fragments`,
          { iface: i.name });
      }
    }
  }
  return size;
}
