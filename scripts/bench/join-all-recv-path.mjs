// Benchmark: join-all's per-datagram path in-process, without the kernel: startJoinAll on the
// fake host (test/helpers/fake-host.ts), each fake receiving socket's callback driven with
// reused datagrams, as the platform's receiver hands them over (one object per socket, one
// buffer per stream). So what is timed is deliverTo (membership/receiving.ts) -> countPacket
// (join-all/run.ts) -> ReceiveStats.add (join-all/stats.ts): the work per packet once streams
// exist. It should allocate nothing but the clock read of each probe: the garbage collections
// counted during the timed packets (a PerformanceObserver on 'gc', by kind: 1 is a scavenge) show
// what it does allocate, ns/packet what it costs.
// Traffic: 2 interfaces x 4 groups, 4 probe senders per group, one datagram in 8 not a probe.
// With `--ref REV` (repeatable) the same runs alternate with a build of REV (from `git archive` into a
// temporary folder, as join-all-stats-volume.mjs does), so both see the same machine load.
// Run after `npm run build`:
//   node scripts/bench/join-all-recv-path.mjs [PACKETS=2000000] [RUNS=5] [--ref REV]...
//   node scripts/bench/join-all-recv-path.mjs --child DIST PACKETS   (one run, one JSON line)
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildReference } from './_reference.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IFACES = [{ name: 'wired0', index: 2 }, { name: 'wifi0', index: 3 }];
const GROUPS = ['239.1.1.1', '239.1.1.2', '239.1.1.3', '239.1.1.4'];
const SENDERS = 4;
const WARMUP = 200_000;

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else parent();

/** One run in this process against the build in `dist`: prints {gcs, nsPerPacket, counted}. */
async function child(dist, packets) {
  const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
  const { startJoinAll } = await load('src/core/join-all/run.js');
  const { parseGroupArgs } = await load('src/core/group-args.js');
  const { makeProbeBuffer, stampProbe } = await load('src/core/probe/format.js');
  const { FakeHost } = await load('test/helpers/fake-host.js');
  const host = new FakeHost();
  const groups = parseGroupArgs(GROUPS, { defaultPort: 5000 });
  const run = await startJoinAll(host.deps(), { groups, selection: {}, expect: [], assumeSynced: false, intervalMs: 3_600_000 }, {
    joined() {}, stats() {},
  });
  // The receiving socket of each interface, and its callback (what the platform's receiver calls).
  const receivers = IFACES.map((i) => {
    const s = host.fakeSockets.open().find((x) => x.onDatagram && x.device === i.name);
    if (!s) throw new Error(`no receiving socket on ${i.name}`);
    return s.onDatagram;
  });
  // Per (interface, group): SENDERS probe streams and one non-probe stream, each a reused datagram.
  const streams = [];
  for (const [k, i] of IFACES.entries()) {
    for (const group of GROUPS) {
      const from = { address: `198.18.${k + 1}.9`, port: 40000, size: 0 };
      for (let s = 0; s < SENDERS; s++) {
        const data = makeProbeBuffer({ senderId: `peer${s}-1`, ifname: 'eth0', ifindex: 2, group, ttl: 1 }, 200);
        stampProbe(data, 0, 1_700_000_000_000_000);
        streams.push({ deliver: receivers[k], d: { data, size: data.length, from, dst: group, ifindex: i.index, ttl: 64 }, seq: 0 });
      }
      const data = Buffer.alloc(200, 0x55);
      streams.push({ deliver: receivers[k], d: { data, size: data.length, from, dst: group, ifindex: i.index, ttl: 64 }, seq: -1 });
    }
  }
  const perRow = SENDERS + 1;
  const send = (n) => {
    for (let i = 0; i < n; i++) {
      // Runs of 8 from one row (as a switch delivers them): 7 probes, then the foreign datagram.
      const row = (i >>> 3) % (streams.length / perRow);
      const inRun = i & 7;
      const st = streams[row * perRow + (inRun === 7 ? SENDERS : inRun % SENDERS)];
      if (st.seq >= 0) st.d.data.writeUInt32BE(st.seq++ >>> 0, 12);
      st.deliver(st.d);
    }
  };
  send(WARMUP);
  let gcs = 0;
  const kinds = {};
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { gcs++; kinds[e.detail?.kind ?? e.kind] = (kinds[e.detail?.kind ?? e.kind] ?? 0) + 1; }
  });
  obs.observe({ entryTypes: ['gc'] });
  const t0 = process.hrtime.bigint();
  send(packets);
  const ns = Number(process.hrtime.bigint() - t0);
  // GC entries are delivered asynchronously: let them arrive before reading the count.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  run.stop();
  const out = await run.done;
  console.log(JSON.stringify({ gcs, kinds, nsPerPacket: ns / packets, counted: out.totalPackets }));
}

function parent() {
  const args = process.argv.slice(2);
  const refs = [];
  for (let i = args.indexOf('--ref'); i >= 0; i = args.indexOf('--ref')) refs.push(args.splice(i, 2)[1]);
  const packets = Number(args[0] ?? 2_000_000);
  const runs = Number(args[1] ?? 5);
  const builds = [{ name: 'this tree', dist: path.join(REPO, 'dist') }];
  builds.unshift(...refs.map((ref) => ({ name: `ref ${ref}`, dist: buildReference(ref).dist })));
  const results = builds.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [k, b] of builds.entries()) {
      const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', b.dist, String(packets)], {
        encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = (c.stdout ?? '').trim().split('\n').at(-1) ?? '';
      if (c.status !== 0 || !line.startsWith('{')) throw new Error(`${b.name}: run failed (exit ${c.status})`);
      const x = JSON.parse(line);
      console.log(`  ${b.name} run ${r + 1}: ${x.gcs} GCs, ${x.nsPerPacket.toFixed(0)} ns/packet, ${x.counted} counted`);
      results[k].push(x);
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  for (const [k, b] of builds.entries()) {
    const gcs = med(results[k].map((x) => x.gcs));
    const ns = med(results[k].map((x) => x.nsPerPacket));
    console.log(`join-all receive path ${b.name}: ${gcs} GCs, ${ns.toFixed(0)} ns/packet `
      + `(median of ${runs} x ${packets / 1e6}M datagrams)`);
  }
}

