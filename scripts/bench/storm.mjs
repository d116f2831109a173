// Benchmark (issue 17): join-all, sniff, mesh and querier-check under a 50 kpps spoofed flood
// (the flood replayer of the lab tests: every frame a new source address, a new probe sender
// id, or an IGMP query from a new source), on the laptop lab. For each: time from its start to
// its exit against --duration (querier-check: --timeout), exit code, peak RSS (VmHWM polled),
// and the storm finding (querier-check: QUERIER_FLOOD). The lab test (test/lab/storm.lab.test.ts) holds the
// same bounds at 20 kpps for CI. Root; after `npm run build`.
//   node scripts/bench/storm.mjs [RATE=50000] [DURATION_S=10] [ONLY=command]
import { readFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';
import path from 'node:path';
import { REPO, boundTime } from './_lab.mjs';

if (process.getuid?.() !== 0) {
  console.log('storm: skipped (needs root for namespaces)');
  process.exit(0);
}
const rate = Number(process.argv[2] ?? 50_000);
const durationS = Number(process.argv[3] ?? 10);
boundTime(4 * (durationS + 40) + 60);
const helpers = (p) => path.join(REPO, 'dist/test/helpers', p);
const { buildLaptop } = await import(helpers('topologies.js'));
const { flood } = await import(helpers('flood.js'));
const { startCli } = await import(helpers('cli-bg.js'));

const only = process.argv[4];
const cases = [
  { name: 'join-all, spoofed sources', args: ['join-all', '239.7.1.1'], mode: 'sources', started: (e) => e.type === 'joined' },
  { name: 'join-all, spoofed senders', args: ['join-all', '239.7.1.2'], mode: 'senders', started: (e) => e.type === 'joined' },
  { name: 'sniff, spoofed sources', args: ['sniff', '239.7.1.3', '-q'], mode: 'sources', started: (e) => e.type === 'start' },
  { name: 'sniff, spoofed senders', args: ['sniff', '239.7.1.4', '-q'], mode: 'senders', started: (e) => e.type === 'start' },
  { name: 'mesh, spoofed senders', args: ['mesh', '239.7.1.5'], mode: 'senders', started: null },
  // No start event on stdout (its document comes at the end): timed from the spawn, like mesh.
  {
    name: 'querier-check, spoofed queriers', args: ['querier-check', '-4'], mode: 'queries', dst: '224.0.0.1', bound: '--timeout',
    finding: 'QUERIER_FLOOD', started: null,
  },
];
if (only) cases.splice(0, cases.length, ...cases.filter((c) => c.name.startsWith(only)));
const lp = await buildLaptop();
const out = [];
try {
  for (const c of cases) {
    const t0 = Date.now();
    const run = startCli(lp.lab, 'host', [...c.args, '--iface', 'wired0', c.bound ?? '--duration', String(durationS), '--json']);
    let peak = 0;
    const poll = setInterval(() => {
      try { peak = Math.max(peak, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024); } catch { /* gone */ }
    }, 100);
    if (c.started) await run.waitForEvent(c.started, 20_000);
    else await new Promise((r) => setTimeout(r, 1500));
    const tStart = Date.now();
    const group = c.dst ?? c.args[1];
    const sent = await flood(lp.lab, 'peer-a',
      { mode: c.mode, dst: group, ratePps: rate, iface: 'eth0', port: c.mode === 'queries' ? 0 : 5000, durationS: durationS - 1 });
    const r = await run.exit((durationS + 60) * 1000);
    clearInterval(poll);
    const end = Date.now();
    const lines = r.stdout.trim().split('\n');
    let findings = [];
    // NDJSON (join-all, sniff: the summary is the last line) or one document (mesh).
    for (const text of [lines.at(-1), r.stdout]) {
      try { findings = JSON.parse(text).findings ?? []; break; } catch { /* the other form */ }
    }
    const storm = findings.find((f) => f.id === (c.finding ?? 'TRAFFIC_STORM'));
    // mesh prints no start event: its time counts from the spawn (start-up included).
    const overS = ((end - (c.started ? tStart : t0)) / 1000 - durationS).toFixed(1);
    const line = `  ${c.name}: ${sent.sent} frames in ${durationS - 1} s; `
      + `ended ${overS} s after ${c.bound ?? '--duration'} ${durationS}${c.started ? '' : ' (from the spawn)'}, exit ${r.code}, `
      + `peak RSS ${peak.toFixed(0)} MB, ${c.finding ?? 'TRAFFIC_STORM'}: ${storm ? storm.message : 'not named'}`;
    console.log(line);
    out.push({ ...c, over: Number(overS), code: r.code, peak, storm: !!storm });
  }
} finally {
  await lp.lab.destroy();
}
const worstOver = Math.max(...out.map((o) => o.over));
const worstRss = Math.max(...out.map((o) => o.peak));
const ok = out.every((o) => (o.code === 0 || o.code === 1) && o.peak < 300 && o.storm) && worstOver <= 2;
console.log(`storm at ${rate / 1000} kpps: worst end ${worstOver} s past --duration, worst peak RSS ${worstRss.toFixed(0)} MB, `
  + `exits ${out.map((o) => o.code).join('/')}, storm named ${out.filter((o) => o.storm).length}/${out.length} `
  + `(goal: ≤ 2 s, < 300 MB, exit 0/1, named; ${ok ? 'met' : 'MISSED'})`);
