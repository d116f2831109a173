// A classic BPF interpreter for unit tests of the filters we hand the kernel
// (src/platform/capture/bpf.ts): the semantics of net/core/filter.c for the instructions a socket
// filter uses. A load past the end of the packet ends the program with 0, as in the kernel; an
// instruction this interpreter does not know throws, so a test never passes by accident.
import type { BpfInsn } from '../../src/platform/capture/bpf.js';

const u32 = (n: number): number => n >>> 0;

/** Runs `prog` over `pkt`; returns what the kernel would: bytes to keep, 0 = dropped. */
export function runBpf(prog: readonly BpfInsn[], pkt: Buffer): number {
  let a = 0;
  let x = 0;
  const load = (size: number, off: number): number | undefined => {
    if (off < 0 || off + size > pkt.length) return undefined;
    return size === 4 ? pkt.readUInt32BE(off) : size === 2 ? pkt.readUInt16BE(off) : pkt[off]!;
  };
  for (let pc = 0, steps = 0; pc < prog.length; pc++, steps++) {
    if (steps > 4096) throw new Error('bpf: no end');
    const { code, jt, jf, k } = prog[pc]!;
    const cls = code & 0x07;
    const size = ({ 0x00: 4, 0x08: 2, 0x10: 1 } as Record<number, number>)[code & 0x18]!;
    const mode = code & 0xe0;
    const src = code & 0x08 ? x : k;
    switch (cls) {
      case 0x00: { // LD
        let v: number | undefined;
        if (mode === 0x20) v = load(size, k);
        else if (mode === 0x40) v = load(size, x + k);
        else if (mode === 0x00 && code === 0x00) v = k; // LD IMM
        else if (mode === 0x80) v = pkt.length; // LD LEN
        else throw new Error(`bpf: ld mode ${code.toString(16)}`);
        if (v === undefined) return 0;
        a = u32(v);
        break;
      }
      case 0x01: { // LDX
        if (code === 0xb1) { // LDX B MSH: X = 4 * (pkt[k] & 0xf)
          const v = load(1, k);
          if (v === undefined) return 0;
          x = (v & 0xf) * 4;
        } else if (code === 0x01) x = k;
        else throw new Error(`bpf: ldx ${code.toString(16)}`);
        break;
      }
      case 0x04: { // ALU
        const op = code & 0xf0;
        if (op === 0x50) a = u32(a & src);
        else if (op === 0x00) a = u32(a + src);
        else if (op === 0x60) a = u32(a << src);
        else if (op === 0x70) a = u32(a >>> src);
        else throw new Error(`bpf: alu ${code.toString(16)}`);
        break;
      }
      case 0x05: { // JMP
        const op = code & 0xf0;
        if (op === 0x00) { pc += k; break; }
        const cond = op === 0x10 ? a === u32(src) : op === 0x20 ? a > u32(src) : op === 0x30 ? a >= u32(src)
          : op === 0x40 ? (a & src) !== 0 : undefined;
        if (cond === undefined) throw new Error(`bpf: jmp ${code.toString(16)}`);
        pc += cond ? jt : jf;
        break;
      }
      case 0x06: // RET
        return u32((code & 0x18) === 0x10 ? a : k);
      default:
        throw new Error(`bpf: class ${cls}`);
    }
  }
  throw new Error('bpf: ran off the end');
}
