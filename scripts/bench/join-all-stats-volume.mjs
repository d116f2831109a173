// Benchmark (issue 19 item 8): bytes per second of join-all's NDJSON `stats` events with many
// memberships, before (every row in every event) and after (summary + changed rows). "Before" is
// the reference revision built from `git archive` into a temporary folder (no worktree, no stash):
// by default the parent of the commit that added src/core/join-all/stats-feed.ts.
// Three traffic scenes, each run on both builds, interleaved: no traffic; 100 groups at 10 pps
// each; every group of wired0 at 1 pps (every wired0 row changes every second).
// Run as root after `npm run build`:
//   node scripts/bench/join-all-stats-volume.mjs [MEMBERSHIPS=15000] [SECONDS=8] [RUNS=3] [REF=rev]
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { boundTime, CLI, makeLab, median, REPO, sleep } from './_lab.mjs';
import { buildReference } from './_reference.mjs';

const memberships = Number(process.argv[2] ?? 15000);
const seconds = Number(process.argv[3] ?? 8);
const runs = Number(process.argv[4] ?? 3);
const IFACES = ['wired0', 'wifi0'];
const groups = Math.ceil(memberships / IFACES.length);
const FIRST = '239.3.0.0';
const PORT = 5000;
boundTime(runs * 6 * (seconds + 60) + 240);

const git = (...args) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();

/** The revision before the stats events changed: the parent of the commit that added stats-feed.ts. */
function referenceRev() {
  if (process.argv[5]) return git('rev-parse', '--verify', `${process.argv[5]}^{commit}`);
  const added = git('log', '--diff-filter=A', '--format=%H', '--', 'src/core/join-all/stats-feed.ts').split('\n').filter(Boolean).at(-1);
  if (!added) throw new Error('stats-feed.ts is in no commit here: name the reference revision (4th argument)');
  return git('rev-parse', `${added}^`);
}


/** join-all runs still going: killed by pid if the benchmark ends early (their namespace goes with the lab). */
const running = new Set();
process.on('exit', () => { for (const c of running) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } } });

const lab = makeLab('stv');
// A second uplink as on the laptop lab: the host side of another veth pair (198.18.2.2/24).
lab.nsExec(lab.h, 'ip', ['link', 'add', 'wifi0', 'type', 'veth', 'peer', 'name', 'wifi0p']);
lab.nsExec(lab.h, 'ip', ['addr', 'add', '198.18.2.2/24', 'dev', 'wifi0']);
lab.nsExec(lab.h, 'ip', ['link', 'set', 'wifi0', 'up']);
lab.nsExec(lab.h, 'ip', ['link', 'set', 'wifi0p', 'up']);

/**
 * One join-all run; its stdout is read line by line as it comes (a summary of 15 000 rows is
 * megabytes): bytes per event type, the stats events' count and largest, rows carried per event.
 */
async function runOnce(cli, scene) {
  const args = [cli, 'join-all', `${FIRST}+${groups}`, '-4', ...IFACES.flatMap((i) => ['-i', i]), '--port', String(PORT),
    '--duration', String(seconds), '--interval', '1', '--json'];
  const m = { joined: 0, statsBytes: 0, statsEvents: 0, statsMax: 0, rowsCarried: 0, rowsMax: 0, otherBytes: 0, elapsedMs: 0,
    totalPackets: 0 };
  let sender;
  let rest = '';
  const child = spawn('ip', ['netns', 'exec', lab.h, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const line = (l) => {
    const bytes = Buffer.byteLength(l) + 1;
    if (l.startsWith('{"schemaVersion":1,"type":"stats"')) {
      m.statsBytes += bytes;
      m.statsEvents++;
      m.statsMax = Math.max(m.statsMax, bytes);
      const e = JSON.parse(l);
      const rows = (e.changed ?? e.rows).length;
      m.rowsCarried += rows;
      m.rowsMax = Math.max(m.rowsMax, rows);
      return;
    }
    m.otherBytes += bytes;
    if (l.includes('"type":"joined"')) {
      if (++m.joined === memberships && scene.pps > 0) {
        sender = lab.spawn(lab.p, process.execPath, [path.join(REPO, 'scripts/bench/_send-groups.mjs'),
          FIRST, String(scene.groups), String(scene.pps), String(seconds), '198.18.1.1', String(PORT)]);
      }
    } else if (l.includes('"type":"summary"')) {
      const s = JSON.parse(l);
      m.elapsedMs = s.elapsedMs;
      m.totalPackets = s.totalPackets;
    }
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    for (const l of parts) if (l) line(l);
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((resolve) => child.on('close', resolve));
  await sender?.done;
  if (code !== 0 && code !== 1) throw new Error(`join-all exit ${code}: ${err.slice(-500)}`);
  if (m.joined !== memberships) throw new Error(`${m.joined} joined events, ${memberships} wanted: ${err.slice(-300)}`);
  return { ...m, bytesPerS: m.statsBytes / (m.elapsedMs / 1000) };
}

const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const fmt = (b) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : kib(b));
/** Goals: quiet rows cost nothing, busy rows cost what they carry, and no event passes the 1000-row bound. */
const scenes = [
  { name: 'no traffic', groups: 0, pps: 0, goal: 'under 1 KiB/s', met: (x) => x.bytesPerS < 1024 },
  { name: '100 groups at 10 pps each', groups: 100, pps: 1000, goal: 'under 64 KiB/s', met: (x) => x.bytesPerS < 64 * 1024 },
  {
    name: `all ${groups} wired0 groups at 1 pps each`, groups, pps: groups, goal: 'at most 1000 rows an event',
    met: (x) => x.rowsMax <= 1000,
  },
];

const rev = referenceRev();
const ref = buildReference(rev);
const results = scenes.map(() => ({ before: [], after: [] }));
try {
  for (let r = 0; r < runs; r++) {
    for (const [i, scene] of scenes.entries()) {
      for (const side of r % 2 ? ['after', 'before'] : ['before', 'after']) {
        // The previous run's left groups sit on the IGMP tomb list for ~2 s (join-all-python.mjs).
        await sleep(3000);
        results[i][side].push(await runOnce(side === 'before' ? ref.cli : CLI, scene));
      }
    }
  }
} finally {
  lab.destroy();
}

console.log(`  ${memberships} memberships (${groups} groups × ${IFACES.length} interfaces), ${seconds} s runs, --interval 1, `
  + `median of ${runs}; before = ${rev.slice(0, 12)} (${ref.dir})`);
for (const [i, scene] of scenes.entries()) {
  for (const side of ['before', 'after']) {
    const xs = results[i][side];
    const x = xs[0];
    console.log(`  ${scene.name}, ${side}: stats ${fmt(median(xs.map((y) => y.bytesPerS)))}/s `
      + `(runs ${xs.map((y) => fmt(y.bytesPerS)).join(', ')}); first run: `
      + `${x.statsEvents} events, largest ${fmt(x.statsMax)}, `
      + `${(x.rowsCarried / Math.max(1, x.statsEvents)).toFixed(0)} rows an event (at most ${x.rowsMax}); `
      + `packets counted ${x.totalPackets}; joined events + summary ${fmt(x.otherBytes)} once`);
  }
}
for (const [i, scene] of scenes.entries()) {
  const before = median(results[i].before.map((y) => y.bytesPerS));
  const afters = results[i].after;
  const after = median(afters.map((y) => y.bytesPerS));
  const met = afters.every(scene.met);
  // One result line for run-all.mjs (its pattern: no comma before the colon).
  console.log(`join-all stats events at ${memberships} memberships with ${scene.name}: ${fmt(after)}/s, `
    + `at most ${Math.max(...afters.map((y) => y.rowsMax))} rows an event `
    + `(before ${fmt(before)}/s: ${(before / Math.max(1, after)).toFixed(0)}× less) (goal: ${scene.goal}; ${met ? 'met' : 'MISSED'})`);
}
