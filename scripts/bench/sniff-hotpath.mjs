// Benchmark: JavaScript cost per captured packet in sniff's engine (scan at fixed offsets, flow
// lookup, counters), fed by a fake capture so libpcap and the kernel are left out. Goal: well
// under 1 us per packet, so the capture keeps up with iperf2 on a veth (sniff-iperf.mjs checks
// that end to end). Run after `npm run build`.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { SniffSession } = await import(path.join(REPO, 'dist/src/core/sniff/session.js'));
const { ether, ipv4, udp } = await import(path.join(REPO, 'dist/test/helpers/packets.js'));

let handler;
const fake = {
  version: 'bench',
  open(o, h) {
    handler = h;
    return { iface: o.iface, linkType: 1, snaplen: 65535, filter: '', settleMs: 0, failure: undefined,
      drain: () => 0, stats: () => ({ received: 0, dropped: 0, ifDropped: 0 }), close() {} };
  },
};
const s = new SniffSession(fake, { targets: [{ iface: 'wired0' }], filter: '', packetEvents: false, malformedEvents: false }, () => {});
s.start();
// Two interleaved streams in runs of 8, as a switch delivers them.
const frames = ['198.18.1.1', '198.18.1.9']
  .map((src) => ether(0x0800, ipv4({ src, dst: '239.1.2.3', ttl: 1, proto: 17 }, udp(40000, 5001, Buffer.alloc(1400)))));
const buf = Buffer.alloc(65535);
const N = 3_000_000;
const runs = [];
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const f = frames[(i >> 3) & 1];
    if ((i & 7) === 0) f.copy(buf);
    handler(buf, f.length, f.length, 1_700_000_000, i % 1_000_000);
  }
  runs.push(Number(process.hrtime.bigint() - t0) / N);
}
s.requestStop('signal');
await s.finish();
runs.sort((a, b) => a - b);
const median = runs[2];
console.log(`sniff hot path: ${median.toFixed(0)} ns/packet (median of 5 x ${N / 1e6}M packets, goal < 1000)`);
