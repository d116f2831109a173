// struct sockaddr_ll (linux/if_packet.h), what a packet socket binds to and what recvmsg hands
// back with every packet: the arrival interface and the direction. Pure: a unit test decodes a
// buffer laid out as the kernel writes it (test/unit/packet-socket.test.ts).
//
//   u16 sll_family; be16 sll_protocol; s32 sll_ifindex; u16 sll_hatype; u8 sll_pkttype;
//   u8 sll_halen; u8 sll_addr[8];                                           (20 bytes)

export const AF_PACKET = 17;
export const ETH_P_IP = 0x0800;
export const SIZEOF_SOCKADDR_LL = 20;

/** sll_pkttype values (linux/if_packet.h). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
/** The host's own packet on its way out: seen by taps, never an arrival. */
export const PACKET_OUTGOING = 4;
/** A copy the host looped back to itself (IP_MULTICAST_LOOP): not from the wire either. */
export const PACKET_LOOPBACK = 5;

export interface LinkAddress {
  ifindex: number;
  pktType: number;
  /** EtherType of the packet (host order). */
  protocol: number;
  /** Not from the wire: the host's own send, or its loopback copy. */
  ownSend: boolean;
}

/** The address to bind: every interface (ifindex 0) or one, for one EtherType. */
export function encodeSockaddrLl(protocol: number, ifindex: number): Buffer {
  const b = Buffer.alloc(SIZEOF_SOCKADDR_LL);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(protocol, 2);
  b.writeInt32LE(ifindex, 4);
  return b;
}

/** Reads the sockaddr_ll at `off` into the reused `out`; false when it is not one (short, other family). */
export function decodeSockaddrLl(b: Buffer, off: number, len: number, out: LinkAddress): boolean {
  if (len < 12 || off + 12 > b.length || b.readUInt16LE(off) !== AF_PACKET) return false;
  out.protocol = b.readUInt16BE(off + 2);
  out.ifindex = b.readInt32LE(off + 4);
  out.pktType = b[off + 10]!;
  out.ownSend = out.pktType === PACKET_OUTGOING || out.pktType === PACKET_LOOPBACK;
  return true;
}
