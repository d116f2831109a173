// Shared by the benchmarks: a two-namespace veth lab (198.18.1.2/24 "h" <-> 198.18.1.1/24 "p"),
// deleted on exit, on a signal and when the whole benchmark overruns its time bound. Not a
// benchmark itself (run-all.mjs skips files starting with _).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'bin', 'mcast-doctor');

const labs = [];
function destroyAll() {
  for (const l of labs.splice(0)) l.destroy();
}
process.on('exit', destroyAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { destroyAll(); process.exit(130); });

/** Ends the benchmark (lab deleted by the exit hook) if it runs longer than `seconds`. */
export function boundTime(seconds) {
  const t = setTimeout(() => { console.error(`benchmark over its ${seconds} s bound: stopping`); process.exit(3); }, seconds * 1000);
  t.unref();
}

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });

export function makeLab(tag) {
  const id = `${tag}${process.pid % 100000}`;
  const h = `mcdb-h-${id}`;
  const p = `mcdb-p-${id}`;
  const children = new Set();
  const lab = {
    h, p, hostIf: 'wired0', peerIf: 'eth0',
    nsExec: (ns, cmd, args, opts) => sh('ip', ['netns', 'exec', ns, cmd, ...args], opts),
    /** A long-running process inside a namespace; killed by pid on destroy. */
    spawn(ns, cmd, args, opts = {}) {
      const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
      children.add(c);
      c.on('exit', () => children.delete(c));
      c.out = '';
      c.err = '';
      c.stdout?.on('data', (d) => { c.out += d; });
      c.stderr?.on('data', (d) => { c.err += d; });
      c.done = new Promise((resolve) => c.on('close', (code) => resolve(code)));
      return c;
    },
    /**
     * Received packets of the peer's interface, counted by the kernel (the rx_packets counter, as
     * /proc/net/dev shows it). Read through a process that lives in the peer's namespace, so a
     * sample is one file read (microseconds), not a process start.
     */
    rxPackets(dev = 'eth0') {
      const text = readFileSync(`/proc/${lab.anchor.pid}/net/dev`, 'utf8');
      const line = text.split('\n').find((l) => l.trim().startsWith(`${dev}:`));
      if (!line) throw new Error(`${dev} not in the peer's /proc/net/dev`);
      return Number(line.split(':')[1].trim().split(/\s+/)[1]);
    },
    destroy() {
      for (const c of children) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
      for (const ns of [h, p]) { try { sh('ip', ['netns', 'del', ns]); } catch { /* not there */ } }
    },
  };
  labs.push(lab);
  try {
    sh('ip', ['netns', 'add', h]);
    sh('ip', ['netns', 'add', p]);
    for (const ns of [h, p]) sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', h, 'link', 'add', 'wired0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p]);
    sh('ip', ['-n', h, 'addr', 'add', '198.18.1.2/24', 'dev', 'wired0']);
    sh('ip', ['-n', p, 'addr', 'add', '198.18.1.1/24', 'dev', 'eth0']);
    sh('ip', ['-n', h, 'link', 'set', 'wired0', 'up']);
    sh('ip', ['-n', p, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', h, 'route', 'add', '224.0.0.0/4', 'dev', 'wired0']);
    sh('ip', ['-n', p, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
    // `ip netns exec` execs the command: the pid is the sleeper's, inside the peer's namespace.
    lab.anchor = lab.spawn(p, 'sleep', ['3600']);
  } catch (e) {
    lab.destroy();
    throw e;
  }
  return lab;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Resident set size of a pid in kB (/proc/PID/status VmRSS), or NaN once it has gone. */
export function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/**
 * Polls a counter every `everyMs` while `running()` and returns the steady rate: packets between
 * the first sample `skipS` seconds after the counter began to move and the next-to-last sample
 * that moved (both inside the stream: start-up, warm-up and the tail excluded), over the time
 * between them; and the total over the whole run.
 */
export async function steadyRate(read, running, everyMs = 50, skipS = 0) {
  const samples = [];
  const t0 = process.hrtime.bigint();
  const base = read();
  const sample = () => {
    const a = process.hrtime.bigint();
    const c = read();
    samples.push([Number((a + process.hrtime.bigint()) / 2n - t0) / 1e9, c]);
  };
  while (running()) {
    await sleep(everyMs);
    sample();
  }
  sample();
  const moving = samples.filter(([, c], i) => c > (i ? samples[i - 1][1] : base));
  const total = samples.at(-1)[1] - base;
  if (moving.length < 3) return { rate: 0, total };
  const [ta, ca] = moving.find(([t]) => t >= moving[0][0] + skipS) ?? moving[0];
  const [tb, cb] = moving.at(-2);
  return { rate: (cb - ca) / (tb - ta), total };
}
