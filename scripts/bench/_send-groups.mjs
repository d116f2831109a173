// For join-all-stats-volume.mjs (not a benchmark itself): mcast-doctor probes to COUNT consecutive
// groups from FIRST, round robin, PPS in total, for SECONDS, out of the interface holding ADDR.
// Usage (inside the peer namespace): node _send-groups.mjs FIRST COUNT PPS SECONDS ADDR PORT
import dgram from 'node:dgram';
import { clearInterval, setInterval } from 'node:timers';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { makeProbeBuffer, stampProbe, nowUs } = await import(pathToFileURL(path.join(REPO, 'dist/src/core/probe/format.js')).href);

const [first = '239.3.0.0', count = '1', pps = '100', seconds = '5', addr = '198.18.1.1', port = '5000'] = process.argv.slice(2);
const n = Number(count);
const base = first.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const groupAt = (i) => [24, 16, 8, 0].map((s) => ((base + i) >>> s) & 255).join('.');
const groups = Array.from({ length: n }, (_, i) => groupAt(i));
const bufs = groups.map((group) => makeProbeBuffer({ senderId: 'bench-1', ifname: 'eth0', ifindex: 2, group, ttl: 1 }, 64));
const seqs = new Uint32Array(n);

const sock = dgram.createSocket('udp4');
await new Promise((resolve) => sock.bind(0, addr, resolve));
sock.setMulticastInterface(addr);
sock.setMulticastTTL(1);

// Every 10 ms, the packets due since the start: the rate holds over the run whatever a tick's delay.
const t0 = process.hrtime.bigint();
let sent = 0;
let next = 0;
const end = Number(seconds) * 1000;
const tick = setInterval(() => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const due = Math.min(Math.floor((ms * Number(pps)) / 1000), Math.floor((end * Number(pps)) / 1000));
  while (sent < due) {
    const i = next;
    next = (next + 1) % n;
    stampProbe(bufs[i], seqs[i]++, nowUs());
    sock.send(bufs[i], Number(port), groups[i]);
    sent++;
  }
  if (ms >= end) {
    clearInterval(tick);
    setTimeout(() => { sock.close(); console.log(`sent ${sent}`); }, 100);
  }
}, 10);
