// Benchmark (issue 9): send-all's packet rate out of one interface against iperf2's on the same
// veth link, 64-byte UDP payloads to 239.1.2.3, counted on the far side by the kernel (the peer
// interface's rx_packets), one after the other, RUNS times interleaved; then --rate pacing
// accuracy at 10 kpps and 100 kpps. Rates are taken over the steady part of each run (process
// start-up excluded for both tools). Run as root after `npm run build`:
//   node scripts/bench/send-all-rate.mjs [SECONDS=3] [RUNS=3]
import { boundTime, CLI, makeLab, median, steadyRate } from './_lab.mjs';

const secs = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? 3);
boundTime(runs * (4 * secs + 20) + 30);
const GROUP = '239.1.2.3';
const lab = makeLab('snd');

/** Runs a sender in the lab; returns its steady far-side rate and its CPU time per packet sent. */
async function measure(cmd, args) {
  // /usr/bin/time -f: the sender's user+sys CPU (getrusage of the child), so that the cost per
  // packet can be compared even when other work on the machine steals the CPU from both tools.
  const c = lab.spawn(lab.h, '/usr/bin/time', ['-f', 'CPU %U %S', cmd, ...args]);
  let running = true;
  c.done.then(() => { running = false; });
  const r = await steadyRate(() => lab.rxPackets(), () => running, 50, 0.5);
  const code = await c.done;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${c.err}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(c.err);
  const cpuS = m ? Number(m[1]) + Number(m[2]) : NaN;
  return { rate: r.rate, usPerPkt: (cpuS * 1e6) / r.total };
}

const iperf = () => measure('iperf', ['-c', GROUP, '-u', '-b', '10G', '-l', '64', '-t', String(secs), '-T', '1', '-p', '5001']);
const sendAll = (rate) => measure('node',
  [CLI, 'send-all', `${GROUP}:5001`, '--iface', 'wired0', '--rate', String(rate), '--size', '64', '--duration', String(secs),
    '--json', '--quiet']);

const ipR = [];
const saR = [];
const paced = { 10000: [], 100000: [] };
try {
  for (let i = 0; i < runs; i++) {
    ipR.push(await iperf());
    saR.push(await sendAll(0));
    for (const r of Object.keys(paced)) paced[r].push((await sendAll(Number(r))).rate);
  }
} finally {
  lab.destroy();
}
const kpps = (x) => `${(x / 1000).toFixed(0)} kpps`;
const ip = ipR.map((x) => x.rate);
const sa = saR.map((x) => x.rate);
console.log(`  iperf2 runs: ${ip.map(kpps).join(', ')}; send-all runs: ${sa.map(kpps).join(', ')}`);
const cpuIp = median(ipR.map((x) => x.usPerPkt));
const cpuSa = median(saR.map((x) => x.usPerPkt));
console.log('  CPU per packet sent (user+sys, the veth receive path included): '
  + `iperf2 ${cpuIp.toFixed(2)} µs, send-all ${cpuSa.toFixed(2)} µs`);
const ratio = median(sa) / median(ip);
console.log(`send-all full speed: ${ratio.toFixed(2)}× iperf2 (${kpps(median(sa))} vs ${kpps(median(ip))}, 64-byte UDP, `
  + `far-side rx_packets, median of ${runs}) (goal: ≥ 1.0×; ${ratio >= 1 ? 'met' : 'MISSED'})`);
for (const [r, xs] of Object.entries(paced)) {
  const errs = xs.map((x) => (x / Number(r) - 1) * 100);
  const err = median(errs);
  console.log(`send-all --rate ${r}: ${err >= 0 ? '+' : ''}${err.toFixed(2)}% off `
    + `(median of ${runs}: ${errs.map((e) => e.toFixed(2)).join(', ')}%) `
    + `(goal: within ±2%; ${Math.abs(err) <= 2 ? 'met' : 'MISSED'})`);
}
