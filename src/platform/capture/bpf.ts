// Classic BPF (the Linux socket filter, Documentation/networking/filter.rst) for the one packet
// socket of doctor's self-test (packet-socket.ts): only IPv4 UDP to one group and port reaches it.
// Written by hand rather than compiled with libpcap's pcap_compile: the self-test then needs no
// libpcap at all, and the program is twelve instructions a unit test runs against crafted
// packets (test/unit/bpf.test.ts) — docs/decisions.md.
//
// The program sees the packet from its IP header on: a SOCK_DGRAM packet socket runs its filter
// after the link header is pulled (net/packet/af_packet.c packet_rcv), whatever the link type.
// A load past the end of the packet ends the program with 0 (dropped), so a short packet never
// matches.

/** One instruction: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }. */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Opcodes (include/uapi/linux/filter.h, bpf_common.h).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MSH = 0xa0;
export const BPF_AND = 0x50;
export const BPF_JEQ = 0x10;
export const BPF_JSET = 0x40;
export const BPF_K = 0x00;

const IPPROTO_UDP = 17;
/** The fragment offset bits of the IPv4 flags/offset field. */
const FRAG_OFFSET = 0x1fff;

const stmt = (code: number, k: number): BpfInsn => ({ code, jt: 0, jf: 0, k });
const jump = (code: number, k: number, jt: number, jf: number): BpfInsn => ({ code, jt, jf, k });

/**
 * Accepts (up to `snaplen` bytes of) an IPv4 packet that is UDP, addressed to `group` (host-order
 * u32) and port `port`, and is not a fragment after the first (those carry no UDP header: the
 * bytes where the port would be are payload). Everything else: 0, dropped in the kernel.
 */
export function udpDestinationFilter(group: number, port: number, snaplen: number): BpfInsn[] {
  // A jump's offsets count from the next instruction: `to(pc, target)`.
  const ACCEPT = 12;
  const REJECT = 13;
  const to = (pc: number, target: number): number => target - pc - 1;
  const prog: BpfInsn[] = [
    stmt(BPF_LD | BPF_B | BPF_ABS, 0), //                        0: version and header length
    stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0), //                    1: the version nibble
    jump(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 0, to(2, REJECT)), //  2: IPv4
    stmt(BPF_LD | BPF_B | BPF_ABS, 9), //                        3: protocol
    jump(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, to(4, REJECT)), // 4: UDP
    stmt(BPF_LD | BPF_W | BPF_ABS, 16), //                       5: destination address
    jump(BPF_JMP | BPF_JEQ | BPF_K, group >>> 0, 0, to(6, REJECT)), // 6: the group
    stmt(BPF_LD | BPF_H | BPF_ABS, 6), //                        7: flags and fragment offset
    jump(BPF_JMP | BPF_JSET | BPF_K, FRAG_OFFSET, to(8, REJECT), 0), // 8: not a later fragment
    stmt(BPF_LDX | BPF_B | BPF_MSH, 0), //                       9: X = header length (4 * IHL)
    stmt(BPF_LD | BPF_H | BPF_IND, 2), //                       10: UDP destination port
    jump(BPF_JMP | BPF_JEQ | BPF_K, port, to(11, ACCEPT), to(11, REJECT)), // 11: the port
    stmt(BPF_RET | BPF_K, snaplen), //                          12: ACCEPT
    stmt(BPF_RET | BPF_K, 0), //                                13: REJECT
  ];
  return prog;
}

/** The program as the kernel reads it: 8 bytes an instruction, host order (little-endian here). */
export function encodeProgram(prog: readonly BpfInsn[]): Buffer {
  const b = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    b.writeUInt16LE(p.code, i * 8);
    b.writeUInt8(p.jt, i * 8 + 2);
    b.writeUInt8(p.jf, i * 8 + 3);
    b.writeUInt32LE(p.k >>> 0, i * 8 + 4);
  });
  return b;
}
