// Benchmark (issue 18): join-all's receive path (recvmmsg through koffi, PKTINFO, SO_RXQ_OVFL)
// against a plain C recvmmsg loop (_recv-loop.c, compiled here with gcc) under iperf2's fastest
// UDP multicast stream on a veth link (64-byte datagrams, -b 10G). Prints, per side, what iperf2
// sent, what was received and what the kernel dropped on the receiving socket, and:
// - join-all's count + its own reported drops against what was sent (goal: within 0.1 %);
// - its receive capacity (datagrams read per second) against the C loop's (goal: >= 0.9x).
// Runs alternate C / join-all RUNS times; medians. Root; after `npm run build`.
//   node scripts/bench/recv-capacity.mjs [SECONDS=4] [RUNS=3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, REPO, boundTime, makeLab, median } from './_lab.mjs';

if (process.getuid?.() !== 0) {
  console.log('receive capacity: skipped (needs root for namespaces)');
  process.exit(0);
}
const secs = Number(process.argv[2] ?? 4);
const runs = Number(process.argv[3] ?? 3);
boundTime(runs * 2 * (secs + 25) + 60);
const GROUP = '239.4.4.4';
const dir = mkdtempSync(path.join(os.tmpdir(), 'mcd-recv-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const loop = path.join(dir, 'recv-loop');
execFileSync('gcc', ['-O2', '-Wall', '-o', loop, path.join(REPO, 'scripts/bench/_recv-loop.c')]);
const lab = makeLab('recv');

const waitFor = async (c, re, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!re.test(c.out)) {
    if (Date.now() > end || c.exitCode !== null) throw new Error(`not ready: ${c.out} ${c.err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const send = () => {
  const out = lab.nsExec(lab.p, 'iperf', ['-c', GROUP, '-u', '-b', '10000M', '-l', '64', '-t', String(secs), '-T', '1', '-p', '5000'],
    { timeout: (secs + 30) * 1000 });
  const m = /Sent (\d+) datagrams/.exec(out);
  if (!m) throw new Error(`iperf: ${out}`);
  return Number(m[1]);
};

const c = [];
const ja = [];
try {
  for (let i = 0; i < runs; i++) {
    const rc = lab.spawn(lab.h, loop, [GROUP, '5000', 'wired0', '1500', String(secs + 20)]);
    await waitFor(rc, /ready/);
    const sentC = send();
    await rc.done;
    const m = /received (\d+) drops (\d+)/.exec(rc.out);
    c.push({ sent: sentC, got: Number(m[1]), drops: Number(m[2]) });

    const rj = lab.spawn(lab.h, process.execPath,
      [CLI, 'join-all', GROUP, '--iface', 'wired0', '--duration', String(secs + 3), '--json', '--interval', '60']);
    await waitFor(rj, /"type":"joined"/);
    const sentJ = send();
    await rj.done;
    const sum = JSON.parse(rj.out.trim().split('\n').at(-1));
    ja.push({ sent: sentJ, got: sum.totalPackets, drops: sum.ownDrops.reduce((a, d) => a + d.drops, 0) });
  }
} finally {
  lab.destroy();
}
const line = (name, xs) => `  ${name}: `
  + `${xs.map((x) => `sent ${x.sent}, received ${x.got} (${(100 * x.got / x.sent).toFixed(2)} %), socket drops ${x.drops}`).join('; ')}`;
console.log(line('C recvmmsg loop', c));
console.log(line('join-all       ', ja));
const rate = (x) => x.got / secs;
const share = (x) => x.got / x.sent;
const capC = median(c.map(rate));
const capJ = median(ja.map(rate));
// Accounting: what join-all counted plus what it says its socket dropped, against what was sent.
const gap = median(ja.map((x) => Math.abs(x.got + x.drops - x.sent) / x.sent));
console.log(`  read rate (median): C ${capC.toFixed(0)} datagrams/s, join-all ${capJ.toFixed(0)} datagrams/s; `
  + `iperf2 offered ${median(c.map((x) => x.sent / secs)).toFixed(0)} and ${median(ja.map((x) => x.sent / secs)).toFixed(0)}/s`);
console.log(`  worst join-all run: ${(100 * Math.min(...ja.map(share))).toFixed(2)} % received, `
  + `${Math.max(...ja.map((x) => x.drops))} own drops reported`);
// Capacity as the share of the same offered load each reader takes (the read rate is bounded by
// the sender when both keep up, so a ratio of rates would measure iperf2, not the reader).
const ratio = median(ja.map(share)) / median(c.map(share));
console.log(`join-all receive capacity: ${ratio.toFixed(2)}× a plain C recvmmsg loop `
  + `(share of iperf2's top rate received, 64-byte datagrams, median of ${runs}) (goal: ≥ 0.9×; ${ratio >= 0.9 ? 'met' : 'MISSED'})`);
console.log(`join-all count + own drops vs sent: ${(gap * 100).toFixed(3)} % apart (median of ${runs}) `
  + `(goal: ≤ 0.1 %; ${gap <= 0.001 ? 'met' : 'MISSED'})`);
