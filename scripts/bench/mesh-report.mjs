// Benchmark (issue 17): mesh-report over N host documents written as `mesh --json` writes them
// (2 interfaces each, every host hearing every other on both: 4 cells per ordered pair, one pair
// in a hundred lossy), end to end through the CLI: read, schema check, merge, render. Prints per
// N the seconds and peak RSS (GNU time's maximum resident set size) of `--json` (and the size of
// the document it printed) and of the human table with `--html` and `--junit` (and their sizes),
// then the hostile case of issue 17: one 13 MB document naming 30 000 peers.
// The documents go to a temporary directory (about 1.7 GB at 1000 hosts), removed at the end.
//   npm run build && node scripts/bench/mesh-report.mjs [HOSTS...]   (default: 100 300 1000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, boundTime } from './_lab.mjs';

if (!existsSync('/usr/bin/time')) { console.error('needs GNU time (/usr/bin/time): apt-get install time'); process.exit(3); }
const sizes = process.argv.slice(2).map(Number).filter((n) => n >= 2);
const HOSTS = sizes.length ? sizes : [100, 300, 1000];
boundTime(1800);
const IFACES = ['eth0', 'eth1'];
const idOf = (i) => `host-${String(i).padStart(4, '0')}-${(i % 65536).toString(16).padStart(4, '0')}`;

function cell(peer, peerIface, iface, lossy) {
  return { peer, peerIface, iface, received: lossy ? 50 : 60, duplicates: 0, reordered: 0, expected: 60, lossPct: lossy ? 16.67 : 0,
    ttl: 1, ttlSource: 'sent', delayMs: null, firstSeenS: 0.1, lastSeenS: 30, state: lossy ? 'loss' : 'ok' };
}

function doc(id, peers, cells) {
  return {
    schemaVersion: 1, command: 'mesh', toolVersion: '0.1.0', host: { id, hostname: id.slice(0, 9) },
    startedAt: '2026-01-01T00:00:00Z', elapsedS: 30,
    settings: {
      group: '239.9.9.9', port: 5000, family: 4, rate: 2, ttl: 1, durationS: 30, expectPeers: null, maxLossPct: 5,
      membershipIntervalS: 260, membershipIntervalSource: 'default', assumeSynced: false,
    },
    interfaces: IFACES.map((name, k) => ({ name, index: k + 2, addresses: [`198.18.${k}.1`], joined: true, sent: 60 })),
    peers, cells, queries: [], verdict: { pass: true, peersHeard: peers.length, reasons: [] }, findings: [],
  };
}

/** Host i's document: what it heard from every other host, pretty-printed as mesh prints it. */
function hostDoc(i, n) {
  const cells = [];
  const peers = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const lossy = (i * 31 + j) % 100 === 0;
    for (const peerIface of IFACES) for (const iface of IFACES) cells.push(cell(idOf(j), peerIface, iface, lossy));
    peers.push({
      id: idOf(j), hostname: idOf(j).slice(0, 9), interfaces: IFACES, heardOn: IFACES, received: 240, expected: 240,
      worstLossPct: lossy ? 16.67 : 0, status: lossy ? 'fail' : 'pass', reasons: [],
    });
  }
  return `${JSON.stringify(doc(idOf(i), peers, cells), null, 2)}\n`;
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

/** Runs the CLI under GNU time: wall seconds, CPU seconds (user + system), peak RSS in MB, exit code. */
function timed(args, stdoutFile) {
  const timeFile = path.join(dir, 'time.txt');
  let code = 0;
  try {
    execFileSync('/usr/bin/time',
      ['-o', timeFile, '-f', '%e %U %S %M', 'sh', '-c', `exec "$0" "$@" > "${stdoutFile}"`, process.execPath, CLI, ...args],
      { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20 });
  } catch (e) {
    code = e.status ?? -1;
  }
  const [secs, user, sys, kb] = execFileSync('tail', ['-1', timeFile], { encoding: 'utf8' }).trim().split(' ').map(Number);
  return { secs, cpu: user + sys, rssMb: kb / 1024, code };
}

const dir = mkdtempSync(path.join(tmpdir(), 'mcd-mesh-bench-'));
try {
  for (const n of HOSTS) {
    const files = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const f = path.join(dir, `${idOf(i)}.json`);
      const text = hostDoc(i, n);
      writeFileSync(f, text);
      bytes += text.length;
      files.push(f);
    }
    const json = timed(['mesh-report', ...files, '--json'], path.join(dir, 'report.json'));
    const human = timed(['mesh-report', ...files, '--html', path.join(dir, 'report.html'), '--junit', path.join(dir, 'report.xml')],
      path.join(dir, 'report.txt'));
    const size = (f) => mb(statSync(path.join(dir, f)).size);
    console.log(`${n} hosts x ${IFACES.length} interfaces (${n * (n - 1) * 4} cells, ${mb(bytes)} MB of documents): `
      + `--json ${json.secs.toFixed(1)} s (CPU ${json.cpu.toFixed(1)} s), peak RSS ${json.rssMb.toFixed(0)} MB, exit ${json.code}, `
      + `document ${size('report.json')} MB; `
      + `table + --html + --junit ${human.secs.toFixed(1)} s (CPU ${human.cpu.toFixed(1)} s), peak RSS ${human.rssMb.toFixed(0)} MB, `
      + `exit ${human.code}, HTML ${size('report.html')} MB, JUnit ${size('report.xml')} MB`);
    for (const f of files) rmSync(f);
  }
  // Issue 17: "one 13 MB document with 30 k peers hangs". Written compact (11 MB: under the
  // 16 MiB an input may hold; pretty-printed it would be refused at once, exit 2).
  const peers = [];
  const cells = [];
  for (let j = 0; j < 30_000; j++) {
    const id = `peer-${j}-${(j % 65536).toString(16).padStart(4, '0')}`;
    peers.push({
      id, hostname: `peer-${j}`, interfaces: ['eth0'], heardOn: ['eth0'], received: 60, expected: 60, worstLossPct: 0, status: 'pass',
      reasons: [],
    });
    cells.push(cell(id, 'eth0', 'eth0', j % 100 === 0));
  }
  const big = path.join(dir, 'big.json');
  writeFileSync(big, `${JSON.stringify(doc('victim-0001', peers, cells))}\n`);
  const sizeOf = (f) => (existsSync(path.join(dir, f)) ? `${mb(statSync(path.join(dir, f)).size)} MB` : 'none');
  const r = timed(['mesh-report', big, '--json'], path.join(dir, 'big-report.json'));
  const h = timed(['mesh-report', big, '--html', path.join(dir, 'big.html')], path.join(dir, 'big.txt'));
  console.log(`one ${mb(statSync(big).size)} MB document naming 30000 peers: --json ${r.secs.toFixed(1)} s (CPU ${r.cpu.toFixed(1)} s), `
    + `peak RSS ${r.rssMb.toFixed(0)} MB, exit ${r.code}, document ${sizeOf('big-report.json')}; `
    + `table + --html ${h.secs.toFixed(1)} s (CPU ${h.cpu.toFixed(1)} s), peak RSS ${h.rssMb.toFixed(0)} MB, exit ${h.code}, `
    + `HTML ${sizeOf('big.html')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
