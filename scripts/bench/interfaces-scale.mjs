// `interfaces` and `doctor --querier-wait 0` on a host with many interfaces and many groups
// (issue 19 item 8: 300 interfaces x 200 groups, target under 2 s each). Builds one namespace
// with N veth interfaces (each up with carrier, its own 198.18.x.y/24; their peers up in a second namespace, as
// this kernel has no dummy driver) and a python3 process
// that joins G groups on every one of them (igmp_max_memberships raised in that namespace only),
// then times the commands inside the namespace, beside reference readers of the same kernel state
// (`ip -o addr`, `cat /proc/net/igmp`, `node -e 0`) run in the same namespace. Usage:
// node scripts/bench/interfaces-scale.mjs [IFACES] [GROUPS] [--runs N] [--hold] [--baseline DIR]
// (--runs: median of N runs per command, interleaved; --hold: build the scene, print the
// namespace's name and keep it until SIGINT or the time bound, for profiling by hand;
// --baseline: also run DIR/bin/mcast-doctor, an older build, in the same scene and rounds,
// so that before and after meet the same load).
// The joins' IGMP reports go only to the peer namespace.
// Figures (docs/performance.md): doctor --querier-wait 0 at 300 x 200 with its self-test, one
// packet socket instead of a capture per interface (session 6): medians 16.9-20.6 s -> 3.1-4.3 s
// wall at load 9-17 on 2 cores (fastest runs 1.87 s --json, 2.08 s human); CPU 1.7-2.1 -> 1.3-1.5 s.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { CLI, boundTime } from './_lab.mjs';

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args.splice(i, name === '--hold' ? 1 : 2).at(1) ?? ''; };
const HOLD = flag('--hold') !== undefined;
const BASELINE = flag('--baseline');
const RUNS = Number(flag('--runs') ?? 1);
const IFACES = Number(args[0] ?? 300);
const GROUPS = Number(args[1] ?? 200);
if (!(RUNS >= 1 && RUNS <= 9)) throw new Error('--runs 1..9');
if (!(IFACES >= 1 && IFACES <= 500 && GROUPS >= 1 && GROUPS <= 1000)) throw new Error('IFACES 1..500, GROUPS 1..1000');
boundTime(15 * 60);

const ns = `mcdb-scale-${process.pid % 100000}`;
const peer = `${ns}-p`;
const sh = (args, input) => execFileSync('ip', args, { input, encoding: 'utf8', stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
let joiner;
const cleanup = () => {
  if (joiner?.pid) try { process.kill(joiner.pid, 'SIGKILL'); } catch { /* gone */ }
  for (const n of [ns, peer]) try { sh(['netns', 'del', n]); } catch { /* not there */ }
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

sh(['netns', 'add', ns]);
sh(['netns', 'add', peer]);
const batch = [];
for (let i = 0; i < IFACES; i++) {
  batch.push(`link add d${i} type veth peer name p${i} netns ${peer}`, `link set d${i} up`,
    `addr add 198.${18 + (i >> 8)}.${i & 255}.1/24 dev d${i}`);
}
sh(['-n', ns, '-batch', '-'], `${batch.join('\n')}\n`);
// The peers up too: an interface without carrier is not eligible, and doctor would judge none.
sh(['-n', peer, '-batch', '-'], `${Array.from({ length: IFACES }, (_, i) => `link set p${i} up`).join('\n')}\n`);
execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.igmp_max_memberships=${IFACES * GROUPS + 10}`]);

const JOIN = `
import socket, struct, sys, time
n, g = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    # A socket per interface: 60 000 memberships on one socket pass optmem_max (ENOBUFS).
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    socks.append(s)
    idx = socket.if_nametoindex("d%d" % i)
    for k in range(g):
        grp = socket.inet_aton("239.77.%d.%d" % (k // 250, 1 + k % 250))
        # struct ip_mreqn: group, local address (any), ifindex.
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("=4s4si", grp, bytes(4), idx))
print("joined", flush=True)
time.sleep(900)
`;
joiner = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', JOIN, String(IFACES), String(GROUPS)],
  { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  joiner.stdout.on('data', (d) => { if (String(d).includes('joined')) resolve(); });
  joiner.on('exit', (c) => reject(new Error(`joiner exited ${c}`)));
});
const igmpLines = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/igmp'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  .split('\n').length;

const nsRun = (cmd) => spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 180_000, maxBuffer: 256 * 1024 * 1024 });

/**
 * CPU seconds (user + system) of this process's waited-for children so far: /proc/self/stat
 * cutime and cstime, in clock ticks (100 a second). `ip netns exec` execs the command in place,
 * so a run's difference is the command's own CPU time, its children's included. On a machine
 * that others share, wall time says how loaded it was; CPU time says what the command costs.
 */
function childCpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, cutime 16 and cstime 17 (proc(5)), so indexes 13 and 14 here.
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** One timed run inside the namespace: seconds, CPU seconds, exit code and the size of what it printed. */
function once(cmd) {
  const c0 = childCpu();
  const t0 = process.hrtime.bigint();
  const r = nsRun(cmd);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, cpu: childCpu() - c0, status: r.status, signal: r.signal, kib: (r.stdout?.length ?? 0) / 1024 | 0 };
}

console.error(`${IFACES} interfaces, ${GROUPS} groups each; /proc/net/igmp has ${igmpLines} lines`);
if (HOLD) {
  console.log(`scene ready: ip netns exec ${ns} ...  (Ctrl-C to delete it)`);
  await new Promise(() => {});
}
const commands = (cli, tag) => [
  [`interfaces (human)${tag}`, [process.execPath, cli, 'interfaces', '--no-color']],
  [`interfaces --json${tag}`, [process.execPath, cli, 'interfaces', '--json']],
  [`doctor --querier-wait 0 (human)${tag}`, [process.execPath, cli, 'doctor', '--querier-wait', '0', '--no-color']],
  [`doctor --querier-wait 0 --json${tag}`, [process.execPath, cli, 'doctor', '--querier-wait', '0', '--json']],
  // Without the self-test (its packet socket and probes are measured apart): the inventory, the
  // other checks and the rendering.
  [`doctor --querier-wait 0 --no-self-test (human)${tag}`,
    [process.execPath, cli, 'doctor', '--querier-wait', '0', '--no-self-test', '--no-color']],
  [`doctor --querier-wait 0 --no-self-test --json${tag}`,
    [process.execPath, cli, 'doctor', '--querier-wait', '0', '--no-self-test', '--json']],
];
const cases = [
  ['ip -o addr (reference)', ['ip', '-o', 'addr']],
  ['cat /proc/net/igmp (reference)', ['cat', '/proc/net/igmp']],
  ['node -e 0 (reference)', [process.execPath, '-e', '0']],
  ...(BASELINE ? commands(`${BASELINE}/bin/mcast-doctor`, ' [baseline]') : []),
  ...commands(CLI, ''),
];
const runs = new Map(cases.map(([label]) => [label, []]));
// Interleaved (A, B, C, A, B, C...) so that load from elsewhere hits every command alike.
for (let k = 0; k < RUNS; k++) for (const [label, cmd] of cases) runs.get(label).push(once(cmd));
// Wall times mean little on a loaded machine: say how loaded it was (2 cores here, shared).
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`);
for (const [label] of cases) {
  const rs = runs.get(label);
  const bad = rs.find((r) => !(r.status === 0 || r.status === 1));
  const med = [...rs].sort((a, b) => a.s - b.s)[Math.floor(rs.length / 2)];
  const cpu = [...rs].sort((a, b) => a.cpu - b.cpu)[Math.floor(rs.length / 2)].cpu;
  const goal = /reference|baseline/.test(label) ? '' : `; goal < 2 s: ${bad ? 'FAILED' : med.s < 2 ? 'met' : 'MISSED'}`;
  const all = rs.length > 1 ? ` [${rs.map((r) => r.s.toFixed(2)).join(', ')}]` : '';
  const took = bad
    ? `failed (exit ${bad.status}${bad.signal ? ` ${bad.signal}` : ''}) after ${bad.s.toFixed(1)} s`
    : `${med.s.toFixed(2)} s`;
  console.log(`${label}: ${took}${all}, CPU ${cpu.toFixed(2)} s (${IFACES} ifaces x ${GROUPS} groups, ${med.kib} KiB out${goal})`);
}
// The joiner's pipe would keep this process alive until the time bound: end now (the exit hook
// kills the joiner and deletes the namespaces).
process.exit(0);
