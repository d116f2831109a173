// Fuzz over real frames: the seeds are every frame of the recorded captures (fixtures/pcap and
// fixtures/fuzz), mutated by bit flips, truncations, length fields that lie and options that
// overflow their header. Properties: no decoder throws (Ethernet/IPv4/IPv6/UDP/IGMP/MLD and the
// probe payload), and the capture engine counts as malformed exactly the frames the decoder calls
// malformed, while a lie that must be caught by construction is caught.
// Two passes: a fixed seed (reproducible in CI) and a fresh one, printed; rerun a failure with
// FUZZ_SEED=<seed> node --test dist/test/unit/wire-fuzz-corpus.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { decodeFrame, FrameScanner, LINKTYPE } from '../../src/core/wire/index.js';
import { decodeProbe, makeProbeBuffer, stampProbe } from '../../src/core/probe/format.js';
import { SniffSession } from '../../src/core/sniff/session.js';
import { FakeCapture } from '../helpers/fake-capture.js';
import { readCapture } from '../helpers/pcap-read.js';
import { REPO } from '../helpers/lab.js';
import { ether, ipv4, ipv6, udp } from '../helpers/packets.js';

const FIXED_SEED = 0x5eed_0a10;
const RUNS = 1500;

function corpus(): Buffer[] {
  const files = ['fixtures/pcap', 'fixtures/fuzz'].flatMap((d) => fs.readdirSync(path.join(REPO, d))
    .filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => path.join(REPO, d, f)));
  const frames: Buffer[] = files.flatMap((f) => {
    const cap = readCapture(fs.readFileSync(f));
    return cap.packets.filter((p) => cap.interfaces[p.ifaceId]?.linkType === LINKTYPE.ethernet).map((p) => Buffer.from(p.data));
  });
  // Probe payloads over both families, as send-all builds them (the lab seeds hold a few more).
  const probe = makeProbeBuffer({ senderId: 'peer-b', ifname: 'wired0', ifindex: 3, group: '239.1.2.3', ttl: 4 }, 96);
  stampProbe(probe, 7, 1_700_000_000_000_000);
  frames.push(ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.2.3', proto: 17 }, udp(40000, 5000, probe))));
  const probe6 = makeProbeBuffer({ senderId: 'peer-b', ifname: 'wired0', ifindex: 3, group: 'ff05::1:3', ttl: 4 }, 96);
  frames.push(ether(0x86dd, ipv6({ src: 'fd00:198:18:1::1', dst: 'ff05::1:3', next: 17 }, udp(40000, 5000, probe6))));
  return frames;
}

const SEEDS = corpus();

/** Offsets of the length and count fields in a frame, found by decoding it (the lies to tell). */
function lengthFields(f: Buffer): { at: number; width: 1 | 2 }[] {
  const s = new FrameScanner();
  s.scan(f, f.length, LINKTYPE.ethernet);
  const out: { at: number; width: 1 | 2 }[] = [{ at: 12, width: 2 }];
  const l3 = s.link.l3Off;
  if (l3 < 0) return out;
  if (s.ip.family === 4) out.push({ at: l3, width: 1 }, { at: l3 + 2, width: 2 });
  if (s.ip.family === 6) out.push({ at: l3 + 4, width: 2 }, { at: l3 + 41, width: 1 });
  const l4 = s.ip.l4Off;
  if (l4 < 0) return out;
  // UDP length; IGMPv3 query source count / report record count; MLDv2 the same; record headers.
  out.push({ at: l4 + 4, width: 2 }, { at: l4 + 6, width: 2 }, { at: l4 + 10, width: 2 }, { at: l4 + 9, width: 1 },
    { at: l4 + 26, width: 2 }, { at: l4 + 1 + 8, width: 1 }, { at: l4 + 2 + 8, width: 2 });
  if (s.payloadOff >= 0) out.push(
    { at: s.payloadOff + 6, width: 2 },
    { at: s.payloadOff + 40, width: 1 },
    { at: s.payloadOff + 41, width: 1 },
  );
  return out.filter((x) => x.at + x.width <= f.length);
}

type Mutation =
  | { kind: 'flip'; bits: number[] }
  | { kind: 'cut'; at: number; keepWire: boolean }
  | { kind: 'lie'; field: number; value: number }
  | { kind: 'overflow'; optLen: number; fill: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), keepWire: fc.boolean() }),
  fc.record({ kind: fc.constant('lie' as const), field: fc.nat(), value: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('overflow' as const), optLen: fc.integer({ min: 0, max: 255 }), fill: fc.integer({ min: 0, max: 255 }) }),
);

/** Applies a mutation; returns the frame and the length on the wire to report with it. */
function mutate(seed: Buffer, m: Mutation): { frame: Buffer; wireLen: number } {
  const f = Buffer.from(seed);
  switch (m.kind) {
    case 'flip':
      for (const b of m.bits) { const i = (b >> 3) % f.length; f[i] = (f[i] ?? 0) ^ (1 << (b & 7)); }
      return { frame: f, wireLen: f.length };
    case 'cut': {
      const cut = f.subarray(0, m.at % (f.length + 1));
      return { frame: cut, wireLen: m.keepWire ? seed.length : cut.length };
    }
    case 'lie': {
      const fields = lengthFields(seed);
      const x = fields[m.field % fields.length];
      if (x) { if (x.width === 1) f[x.at] = m.value & 0xff; else f.writeUInt16BE(m.value, x.at); }
      return { frame: f, wireLen: f.length };
    }
    case 'overflow': {
      // An option whose length byte runs past its header: IPv4 option 148 (Router Alert) in a
      // header grown to 24 bytes; IPv6 Hop-by-Hop with its own length overrunning the payload.
      const s = new FrameScanner();
      s.scan(seed, seed.length, LINKTYPE.ethernet);
      const l3 = s.link.l3Off;
      if (s.ip.family === 4 && l3 >= 0) {
        const opt = Buffer.from([148, m.optLen, m.fill, m.fill]);
        const g = Buffer.concat([seed.subarray(0, l3 + 20), opt, seed.subarray(l3 + 20)]);
        g[l3] = 0x40 | Math.min(15, ((g[l3] ?? 0x45) & 0x0f) + 1);
        g.writeUInt16BE(g.readUInt16BE(l3 + 2) + 4, l3 + 2);
        return { frame: g, wireLen: g.length };
      }
      if (s.ip.family === 6 && l3 >= 0 && f.length > l3 + 43) { f[l3 + 41] = m.optLen; f[l3 + 43] = m.fill; }
      return { frame: f, wireLen: f.length };
    }
  }
}

const scanner = new FrameScanner();

/** Every decoder on one frame; throws only when a decoder throws. */
function exercise(frame: Buffer, wireLen: number): string | undefined {
  const d = decodeFrame(frame, LINKTYPE.ethernet, wireLen);
  const control = d.igmp ?? d.mld;
  scanner.scan(frame, frame.length, LINKTYPE.ethernet, wireLen);
  scanner.control();
  if (scanner.ip.family !== 0 && scanner.ip.srcOff >= 0) { scanner.srcText(); scanner.dstText(); }
  if (d.udp) decodeProbe(frame, d.udp.payloadOffset, Math.min(d.udp.payloadLength, frame.length - d.udp.payloadOffset));
  // The probe decoder on its own, at every offset of the frame (it is handed UDP payloads only,
  // but a payload is whatever the sender put there).
  for (let off = 0; off < frame.length; off += 7) decodeProbe(frame, off);
  // The engine also counts an IGMP/MLD message with a bad checksum as malformed: the kernel drops
  // it (igmp_rcv, icmpv6_rcv) so it is no query or report for this host.
  return d.malformed ?? (control && !control.checksumOk ? 'bad checksum' : undefined);
}

function fuzzPass(seed: number): void {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(SEEDS.length - 1), mutation), { minLength: 1, maxLength: 20 }), (batch) => {
    const fake = new FakeCapture();
    const session =
      new SniffSession(fake, { targets: [{ iface: 'wired0' }], filter: '', packetEvents: true, malformedEvents: true }, () => {});
    session.start();
    let expected = 0;
    for (const [i, m] of batch) {
      const { frame, wireLen } = mutate(SEEDS[i] as Buffer, m);
      const bad = exercise(frame, wireLen);
      // The fake reports the wire length equal to the bytes captured: snaplen cuts (keepWire)
      // are exercised on the decoders above, not delivered.
      if (wireLen !== frame.length) continue;
      fake.deliver('wired0', frame, 1);
      if (bad !== undefined) expected++;
    }
    const c = session.snapshot().interfaces[0];
    session.abort();
    assert.ok(c);
    assert.equal(c.malformed, expected, 'the engine counts as malformed what the decoder calls malformed');
    assert.equal(c.data + c.igmp + c.mld + c.malformed + c.other, c.packets);
  }), { seed, numRuns: RUNS });
}

test('the corpus holds real IGMP, MLD and UDP frames, all well formed', () => {
  const decoded = SEEDS.map((f) => decodeFrame(f, LINKTYPE.ethernet));
  assert.deepEqual(decoded.filter((d) => d.malformed).map((d) => d.malformed), []);
  assert.ok(decoded.some((d) => d.igmp?.kind === 'query') && decoded.some((d) => d.igmp?.kind === 'report'));
  assert.ok(decoded.some((d) => d.mld?.kind === 'query') && decoded.some((d) => d.mld?.kind === 'report'));
  assert.ok(decoded.filter((d) => d.udp && decodeProbe(
    SEEDS[decoded.indexOf(d)] as Buffer,
    d.udp.payloadOffset,
    d.udp.payloadLength,
  )).length >= 2);
  const bytes = ['fixtures/fuzz'].flatMap((d) => fs.readdirSync(path.join(REPO, d)).map((f) => fs.statSync(path.join(REPO, d, f)).size));
  assert.ok(bytes.reduce((a, b) => a + b, 0) < 1_000_000, 'the fuzz corpus stays under 1 MB');
});

test(`mutated real frames: no decoder throws, the engine counts each malformed one (fixed seed ${FIXED_SEED})`, () => {
  fuzzPass(FIXED_SEED);
});

test('mutated real frames, a fresh seed (printed for reproduction)', (t) => {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 0x7fffffff);
  t.diagnostic(`fuzz seed ${seed}: rerun with FUZZ_SEED=${seed}`);
  fuzzPass(seed);
});

test('lies that must be caught are caught: IP/UDP lengths past the frame, option overflow, bad IGMP/MLD checksum', () => {
  for (const seed of SEEDS) {
    const s = new FrameScanner();
    s.scan(seed, seed.length, LINKTYPE.ethernet);
    const l3 = s.link.l3Off;
    if (l3 < 0 || s.ip.l4Off < 0) continue;
    const isV4 = s.ip.family === 4;
    // The IP header claims one byte more than the frame holds.
    const big = Buffer.from(seed);
    if (isV4) {
      big.writeUInt16BE(seed.length - l3 + 1, l3 + 2);
      big.writeUInt16BE(0, l3 + 10);
      big.writeUInt16BE(ipv4Checksum(big, l3, s.ip.headerLen), l3 + 10);
    } else big.writeUInt16BE(seed.length - l3 - 40 + 1, l3 + 4);
    assert.ok(decodeFrame(big, LINKTYPE.ethernet).malformed, `length lie on ${seed.toString('hex').slice(0, 60)}`);
    // An option whose length runs past the header.
    const over = mutate(seed, { kind: 'overflow', optLen: 200, fill: 0 });
    if (isV4 || seed.readUInt8(l3 + 6) === 0) assert.ok(decodeFrame(over.frame, LINKTYPE.ethernet).malformed, 'option overflow');
    // One bit of the IGMP/MLD message changed: its checksum no longer holds.
    if (s.control() !== undefined) {
      const c = Buffer.from(seed);
      c[s.ip.l4Off + 1] = (c[s.ip.l4Off + 1] ?? 0) ^ 0x01;
      assert.equal(countMalformed([c]), 1, 'bad IGMP/MLD checksum');
    }
    // UDP length beyond the IP payload.
    if (s.udpOff >= 0) {
      const u = Buffer.from(seed);
      u.writeUInt16BE(s.ip.l4Len + 1, s.udpOff + 4);
      assert.ok(decodeFrame(u, LINKTYPE.ethernet).malformed, 'UDP length lie');
    }
  }
});

/** Frames through the capture engine; its malformed count. */
function countMalformed(frames: Buffer[]): number {
  const fake = new FakeCapture();
  const session =
    new SniffSession(fake, { targets: [{ iface: 'wired0' }], filter: '', packetEvents: false, malformedEvents: false }, () => {});
  session.start();
  for (const f of frames) fake.deliver('wired0', f, 1);
  const n = session.snapshot().interfaces[0]?.malformed ?? -1;
  session.abort();
  return n;
}

function ipv4Checksum(b: Buffer, off: number, len: number): number {
  let sum = 0;
  for (let i = off; i < off + len; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return (~sum) & 0xffff;
}
