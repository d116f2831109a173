// Benchmark (issue 9): join 4096 groups on every interface of a two-uplink lab host, sockets
// split at the kernel's 20 memberships per socket, against a plain Python loop of setsockopt
// calls (the seed article's way) for the same set. Three measures, RUNS times interleaved:
// the join phase timed inside each process (the goal), and the whole command (`join-all ... --duration 0.1`,
// Node start-up and the membership check included) against the whole Python run.
// Run as root after `npm run build`: node scripts/bench/join-all-python.mjs [GROUPS=4096] [RUNS=5]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { boundTime, CLI, makeLab, median, REPO } from './_lab.mjs';

const count = Number(process.argv[2] ?? 4096);
const runs = Number(process.argv[3] ?? 5);
boundTime(runs * 75 + 30);
const FIRST = '239.2.0.0';
const lab = makeLab('join');
// A second uplink: the host side of another veth pair (198.18.2.2/24), as on the laptop lab.
lab.nsExec(lab.h, 'ip', ['link', 'add', 'wifi0', 'type', 'veth', 'peer', 'name', 'wifi0p']);
lab.nsExec(lab.h, 'ip', ['addr', 'add', '198.18.2.2/24', 'dev', 'wifi0']);
lab.nsExec(lab.h, 'ip', ['link', 'set', 'wifi0', 'up']);
lab.nsExec(lab.h, 'ip', ['link', 'set', 'wifi0p', 'up']);
// wifi0p, the peer end, has no address: join-all skips it (no-address), so the loop does too.
const IFACES = ['wired0', 'wifi0'];

/**
 * Each side starts from the same kernel state. When the previous run's sockets close, IGMPv3 keeps
 * every left group on the device's "tomb" list until its leave reports have been retransmitted
 * (robustness 2 x up to 1 s, net/ipv4/igmp.c igmpv3_add_delrec), and each new join walks that list
 * (igmpv3_del_delrec): a run that follows another within ~2 s pays for 8192 tombs. Seen: the
 * Python loop alternating between 75 and 300 ms depending on what ran before it.
 */
function settle() {
  spawnSync('sleep', ['3']);
}

function timed(cmd, args, okCodes = [0]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('ip', ['netns', 'exec', lab.h, cmd, ...args], { encoding: 'utf8', timeout: 50_000, maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status} ${r.stderr}`);
  const m = /joined (\d+) sockets (\d+) seconds ([\d.]+)/.exec(r.stdout);
  return { wall, out: r.stdout, ...(m ? { joined: Number(m[1]), sockets: Number(m[2]), s: Number(m[3]) } : {}) };
}

const py = [];
const node = [];
const members = [];
const cli = [];
try {
  for (let i = 0; i < runs; i++) {
    settle();
    py.push(timed('python3', [path.join(REPO, 'scripts/bench/_join-python.py'), FIRST, String(count), ...IFACES]));
    settle();
    node.push(timed(process.execPath, [path.join(REPO, 'scripts/bench/_join-node.mjs'), FIRST, String(count), 'receive']));
    settle();
    members.push(timed(process.execPath, [path.join(REPO, 'scripts/bench/_join-node.mjs'), FIRST, String(count), 'members']));
    settle();
    cli.push(timed(process.execPath, [CLI, 'join-all', `${FIRST}+${count}`, '-4', '--duration', '0.1', '--json'], [0, 1]));
  }
} finally {
  lab.destroy();
}
const want = count * IFACES.length;
for (const [name, xs] of [['python', py], ['join-all core', node], ['memberships only', members]]) {
  if (xs.some((x) => x.joined !== want)) throw new Error(`${name} joined ${xs.map((x) => x.joined).join(',')} of ${want}`);
}
const joinedCli = cli.map((c) => c.out.split('\n').filter((l) => l.includes('"joined"')).length);
const ms = (x) => `${(x * 1000).toFixed(0)} ms`;
const pyS = median(py.map((x) => x.s));
const nodeS = median(node.map((x) => x.s));
console.log(`  ${want} memberships (${count} groups × ${IFACES.length} interfaces); `
  + `sockets: python ${py[0].sockets}, join-all ${node[0].sockets}; CLI joined events per run: ${joinedCli.join(', ')}`);
console.log(`  join phase runs: python ${py.map((x) => ms(x.s)).join(', ')}; join-all core ${node.map((x) => ms(x.s)).join(', ')}; `
  + `memberships only (no bind, no receivers) ${members.map((x) => ms(x.s)).join(', ')}`);
console.log(`  whole run (process start to exit): python ${ms(median(py.map((x) => x.wall)))}, `
  + `mcast-doctor join-all --duration 0.1 --json ${ms(median(cli.map((x) => x.wall)))} (median)`);
const ratio = nodeS / pyS;
console.log(`join-all ${count} groups on ${IFACES.length} interfaces: ${ratio.toFixed(2)}× the Python setsockopt loop's time `
  + `(${ms(nodeS)} vs ${ms(pyS)}, join phase, median of ${runs}) (goal: ≤ 1.0×; ${ratio <= 1 ? 'met' : 'MISSED'})`);
