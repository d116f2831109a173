// Benchmark (issue 9): sniff and join-all under a full-rate stream for SECONDS (default 60) hold
// a flat RSS. send-all in the peer namespace sends 64-byte probes to 239.1.2.3 as fast as it can
// (--rate 0); on the host side first sniff (live decoding and stream tracking, writing the
// capture to a file that is deleted afterwards), then join-all, each for SECONDS. RSS is read
// from /proc/PID/status at 3 s (start-up), at half time and a second before the command stops,
// and the peak. The first seconds are warm-up (V8 sizes its heap to the load, libpcap's ring and
// receive buffers fill), so flatness is judged on the second half: end against half time. A leak
// of a few bytes per packet grows linearly and shows there; a heap settling at its size does not.
// Run as root after `npm run build`: node scripts/bench/memory-soak.mjs [SECONDS=60]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { boundTime, CLI, makeLab, rssKb, sleep } from './_lab.mjs';

const secs = Number(process.argv[2] ?? 60);
if (!(secs >= 6)) throw new Error('SECONDS must be at least 6');
boundTime(2 * (secs + 30) + 30);
const GOAL = 1.1;
const lab = makeLab('mem');
const dir = mkdtempSync(path.join(tmpdir(), 'mcd-soak-'));

/** Packets the host's wired0 received, read through the watched process (it lives in h). */
function hostRx(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').find((l) => l.trim().startsWith('wired0:'));
    return Number(line?.split(':')[1]?.trim().split(/\s+/)[1] ?? NaN);
  } catch {
    return NaN;
  }
}

async function soak(name, args) {
  const sender = lab.spawn(lab.p, process.execPath,
    [CLI, 'send-all', '239.1.2.3:5000', '--iface', 'eth0', '--rate', '0', '--size', '64', '--duration', String(secs + 4),
      '--json', '--quiet']);
  await sleep(1500);
  const c = lab.spawn(lab.h, process.execPath, [CLI, ...args, '--duration', String(secs), '--json', '--quiet']);
  const t0 = Date.now();
  let start;
  let peak = 0;
  let end;
  let mid;
  let rx0;
  let rx1;
  let exited = false;
  c.done.then(() => { exited = true; });
  while (!exited && Date.now() - t0 < (secs + 20) * 1000) {
    await sleep(250);
    const kb = rssKb(c.pid);
    if (Number.isNaN(kb)) continue;
    const el = (Date.now() - t0) / 1000;
    if (start === undefined && el >= 3) { start = kb; rx0 = hostRx(c.pid); }
    if (start !== undefined) peak = Math.max(peak, kb);
    if (mid === undefined && el >= secs / 2) mid = kb;
    if (el <= secs - 1) { end = kb; rx1 = hostRx(c.pid); }
  }
  const code = await c.done;
  await sender.done;
  if (code !== 0 && code !== 1) throw new Error(`${name} exited ${code}: ${c.err}`);
  if (start === undefined || end === undefined || mid === undefined) throw new Error(`${name}: no RSS samples`);
  const ratio = end / mid;
  const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
  const pps = (rx1 - rx0) / Math.max(1, secs - 4);
  console.log(`${name} memory over ${secs} s at full rate: end ${ratio.toFixed(2)}× half time `
    + `(RSS ${mb(start)} at 3 s, ${mb(mid)} at ${Math.round(secs / 2)} s, ${mb(end)} at ${secs - 1} s, peak ${mb(peak)}; `
    + `${(pps / 1000).toFixed(0)} kpps in) (goal: flat over the second half, ≤ ${GOAL}×; ${ratio <= GOAL ? 'met' : 'MISSED'})`);
}

try {
  await soak('sniff',
    ['sniff', '--no-join', '--iface', 'wired0', '--filter', 'udp and dst host 239.1.2.3', '--write', path.join(dir, 'soak.pcap')]);
  rmSync(path.join(dir, 'soak.pcap'), { force: true });
  await soak('join-all', ['join-all', '239.1.2.3:5000', '--iface', 'wired0']);
} finally {
  lab.destroy();
  rmSync(dir, { recursive: true, force: true });
}
