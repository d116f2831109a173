// The self-test's kernel filter (src/platform/capture/bpf.ts) run over crafted IPv4 packets with
// the classic BPF semantics of net/core/filter.c (test/helpers/bpf-run.ts): only UDP to the
// group and port passes, cut at the snaplen; everything else is 0 (dropped in the kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeProgram, udpDestinationFilter } from '../../src/platform/capture/bpf.js';
import { ipv4ToInt } from '../../src/core/kernel/ip.js';
import { runBpf } from '../helpers/bpf-run.js';
import { ipv4, udp, igmpSimple, ROUTER_ALERT_V4 } from '../helpers/packets.js';

const GROUP = '239.255.77.77';
const PORT = 5077;
const prog = udpDestinationFilter(ipv4ToInt(GROUP), PORT, 512);
const payload = Buffer.alloc(60, 0x5a);
const datagram = (o: { dst?: string; port?: number; frag?: number; options?: Buffer } = {}): Buffer =>
  ipv4({ src: '198.18.1.2', dst: o.dst ?? GROUP, proto: 17, frag: o.frag ?? 0, ...(o.options ? { options: o.options } : {}) },
    udp(40000, o.port ?? PORT, payload));

test('bpf: UDP to the group and port passes, cut at the snaplen', () => {
  assert.equal(runBpf(prog, datagram()), 512);
  assert.equal(runBpf(udpDestinationFilter(ipv4ToInt(GROUP), PORT, 64), datagram()), 64);
});

test('bpf: the port is found after IP options (the header length is read, not assumed)', () => {
  assert.equal(runBpf(prog, datagram({ options: ROUTER_ALERT_V4 })), 512);
  // Options whose bytes 2-3 are the port: a fixed offset of 22 would match this one.
  const decoy = Buffer.from([0x01, 0x01, PORT >> 8, PORT & 0xff]);
  assert.equal(runBpf(prog, datagram({ options: decoy, port: 6000 })), 0);
});

test('bpf: another port, another group: dropped', () => {
  assert.equal(runBpf(prog, datagram({ port: PORT + 1 })), 0);
  assert.equal(runBpf(prog, datagram({ dst: '239.255.77.78' })), 0);
  assert.equal(runBpf(prog, datagram({ dst: '198.18.1.1' })), 0);
});

test('bpf: a later fragment (no UDP header) is dropped; the first fragment passes', () => {
  assert.equal(runBpf(prog, datagram({ frag: 0x2000 })), 512, 'more-fragments, offset 0: the UDP header is there');
  assert.equal(runBpf(prog, datagram({ frag: 0x0001 })), 0, 'offset 8 bytes');
  assert.equal(runBpf(prog, datagram({ frag: 0x1fff })), 0);
  assert.equal(runBpf(prog, datagram({ frag: 0x4000 })), 512, "don't-fragment alone is not a fragment");
});

test('bpf: not UDP (IGMP, TCP to the same address), not IPv4: dropped', () => {
  assert.equal(runBpf(prog, ipv4({ src: '198.18.1.2', dst: GROUP, proto: 2 }, igmpSimple(0x16, 0, GROUP))), 0);
  const tcpLike = ipv4({ src: '198.18.1.2', dst: GROUP, proto: 6 }, udp(40000, PORT, payload));
  assert.equal(runBpf(prog, tcpLike), 0);
  const v6 = Buffer.from(datagram());
  v6[0] = 0x65;
  assert.equal(runBpf(prog, v6), 0);
});

test('bpf: a short packet never matches (a load past the end is 0)', () => {
  const full = datagram();
  for (const len of [0, 1, 9, 19, 20, 21, 23]) assert.equal(runBpf(prog, full.subarray(0, len)), 0, `${len} bytes`);
  // Up to the destination port, and no further: enough for the filter.
  assert.equal(runBpf(prog, full.subarray(0, 24)), 512);
  // IHL claims 60 bytes of header, the packet has 30: the port load is past the end.
  const lying = Buffer.from(full.subarray(0, 30));
  lying[0] = 0x4f;
  assert.equal(runBpf(prog, lying), 0);
});

test('bpf: the encoding is struct sock_filter, 8 bytes an instruction, little-endian', () => {
  const b = encodeProgram(prog);
  assert.equal(b.length, prog.length * 8);
  // Instruction 6 compares with the group: k is the address in host order.
  assert.equal(b.readUInt16LE(6 * 8), 0x15);
  assert.equal(b.readUInt32LE(6 * 8 + 4), ipv4ToInt(GROUP));
  // Every jump lands inside the program (the kernel's checker refuses one that does not).
  prog.forEach((p, pc) => {
    if ((p.code & 0x07) === 0x05) assert.ok(pc + 1 + Math.max(p.jt, p.jf) < prog.length, `jump at ${pc}`);
  });
  assert.equal(prog.at(-1)!.code, 0x06);
});
