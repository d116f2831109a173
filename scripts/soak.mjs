#!/usr/bin/env node
// Soak: join-all, sniff and send-all together for --seconds N (default 600) at a steady rate in a
// two-namespace lab this script builds (198.18.10.0/24, group 239.1.6.1) and deletes. Prints one
// JSON line: the RSS of each process near the start and at the end (from /proc/PID/status), the
// probes sent, received by join-all and captured by sniff, and the loss. Needs root.
//   node scripts/soak.mjs --seconds 600 [--rate 100]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mcast-doctor');
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const seconds = arg('seconds', 600);
const rate = arg('rate', 100);
if (!(seconds >= 5 && seconds <= 86400) || !(rate > 0 && rate <= 10000)) {
  console.error('soak: --seconds 5..86400, --rate 1..10000');
  process.exit(2);
}
const id = `soak${process.pid}`;
const SND = `${id}-snd`;
const RCV = `${id}-rcv`;
const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'pipe', 'pipe'] });
const cleanup = () => { for (const n of [SND, RCV]) { try { ip('netns', 'del', n); } catch { /* gone */ } } };

function rssKb(pid) {
  try { return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN); } catch { return NaN; }
}

function run(ns, args) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
  return { child, done };
}

const lastSummary = (out) => out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).reverse()
  .find((e) => e.type === 'summary');

try {
  ip('netns', 'add', SND);
  ip('netns', 'add', RCV);
  ip('link', 'add', 's0', 'netns', SND, 'type', 'veth', 'peer', 'name', 'r0', 'netns', RCV);
  ip('-n', SND, 'addr', 'add', '198.18.10.1/24', 'dev', 's0');
  ip('-n', RCV, 'addr', 'add', '198.18.10.2/24', 'dev', 'r0');
  for (const [n, d] of [[SND, 's0'], [RCV, 'r0'], [SND, 'lo'], [RCV, 'lo']]) ip('-n', n, 'link', 'set', d, 'up');
  // The kernel reports the carrier (operstate UP) a moment after `link set up` (linkwatch); an
  // interface without a carrier is not eligible (core/kernel/eligibility.ts). Wait for it, bounded.
  for (const [n, d] of [[SND, 's0'], [RCV, 'r0']]) {
    for (let i = 0; i < 50 && !ip('-n', n, '-j', 'link', 'show', d).includes('"operstate":"UP"'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const tail = seconds + 4;
  const join = run(RCV, ['join-all', '239.1.6.1:5000', '--iface', 'r0', '--duration', String(tail), '--json']);
  const sniff = run(RCV, ['sniff', '239.1.6.1:5000', '--iface', 'r0', '--duration', String(tail), '--json', '--quiet']);
  await new Promise((r) => setTimeout(r, 2000));
  const send = run(SND, ['send-all', '239.1.6.1:5000', '--iface', 's0', '--rate', String(rate), '--duration', String(seconds), '--json']);
  await new Promise((r) => setTimeout(r, 2000));
  const procs = { 'join-all': join, sniff, 'send-all': send };
  const start = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, rssKb(p.child.pid)]));
  // The end sample is taken just before send-all stops.
  await new Promise((r) => setTimeout(r, Math.max(0, (seconds - 3) * 1000)));
  const end = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, rssKb(p.child.pid)]));
  const [j, s, t] = await Promise.all([join.done, sniff.done, send.done]);
  const js = lastSummary(j.out);
  const ss = lastSummary(s.out);
  const ts = lastSummary(t.out);
  const sent = JSON.stringify(ts ?? {}).match(/"sent":(\d+)/)?.[1];
  const row = js?.rows?.find?.((r) => r.iface === 'r0') ?? js?.results?.find?.((r) => r.iface === 'r0');
  const flow = ss?.flows?.find((f) => f.group === '239.1.6.1');
  const result = {
    seconds, rate, exit: { 'join-all': j.code, sniff: s.code, 'send-all': t.code },
    rssKb: Object.fromEntries(Object.keys(procs).map((k) => [k, { start: start[k], end: end[k], growth: end[k] - start[k] }])),
    probes: {
      sent: sent === undefined ? null : Number(sent),
      joinAll: row?.packets ?? null,
      joinAllLost: row?.lost ?? null,
      sniff: flow?.packets ?? null,
    },
  };
  console.log(JSON.stringify(result));
  if ([j.code, s.code, t.code].some((c) => c !== 0)) {
    console.error(`soak: exit codes ${JSON.stringify(result.exit)}\n${j.err}${s.err}${t.err}`);
  }
} finally {
  cleanup();
}
