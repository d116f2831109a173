// How many processes `interfaces` and `doctor --querier-wait 0` start, and how long they take, on
// a host with many interfaces (issue 21: systeminformation started ~60 processes on a small host
// and 7 224 `cat`s at 301 interfaces). One namespace with N veth interfaces (peers in a second
// namespace), each up (and its peer) with its own 198.18.x.y/24; processes counted with
// `strace -f -e trace=execve` (successful execs only), time measured without strace.
// Usage: node scripts/bench/interfaces-processes.mjs [IFACES]; MCD_CLI=path/to/bin/mcast-doctor
// measures another build (for a before/after).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { CLI, boundTime } from './_lab.mjs';

const IFACES = Number(process.argv[2] ?? 300);
if (!(IFACES >= 1 && IFACES <= 500)) throw new Error('IFACES 1..500');
const cli = process.env.MCD_CLI ?? CLI;
boundTime(5 * 60);

const ns = `mcdb-procs-${process.pid % 100000}`;
const peer = `${ns}-p`;
const trace = `/tmp/${ns}.strace`;
const sh = (args, input) => execFileSync('ip', args, { input, encoding: 'utf8', stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
process.on('exit', () => {
  for (const n of [ns, peer]) try { sh(['netns', 'del', n]); } catch { /* not there */ }
  rmSync(trace, { force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

sh(['netns', 'add', ns]);
sh(['netns', 'add', peer]);
const batch = ['link set lo up'];
for (let i = 0; i < IFACES; i++) {
  batch.push(`link add d${i} type veth peer name p${i} netns ${peer}`, `link set d${i} up`,
    `addr add 198.${18 + (i >> 8)}.${i & 255}.1/24 dev d${i}`);
}
sh(['-n', ns, '-batch', '-'], `${batch.join('\n')}\n`);
// Peers up too: with carrier, every interface is RUNNING, as on a real host (libuv, hence
// systeminformation, lists only interfaces that are UP and RUNNING).
sh(['-n', peer, '-batch', '-'], `${Array.from({ length: IFACES }, (_, i) => `link set p${i} up`).join('\n')}\n`);

function measure(label, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, cli, ...args],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  spawnSync('ip', ['netns', 'exec', ns, 'strace', '-f', '-qq', '-e', 'trace=execve', '-o', trace, process.execPath, cli, ...args],
    { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  // Successful execs only: a PATH search tries several directories for each command.
  const execs = readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('execve(') && / = 0$/.test(l));
  const ok = r.status === 0 || r.status === 1;
  console.log(`${label}: ${ok ? `${s.toFixed(2)} s` : `failed (exit ${r.status})`}, ${execs.length - 1} processes (${IFACES} ifaces)`);
}

measure('interfaces processes', ['interfaces', '--no-color']);
measure('doctor --querier-wait 0 processes', ['doctor', '--querier-wait', '0', '--no-color']);
