// The flood replayer (flood.c beside this file's source): crafted frames from a peer namespace
// through AF_PACKET at a paced rate, bounded in count and time. Compiled once per process with
// gcc (CI installs it with g++); the binary lives in a private temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, type Lab, type RunResult } from './lab.js';

export type FloodMode = 'sources' | 'senders' | 'probe' | 'queries';

export interface FloodOptions {
  iface: string;
  mode: FloodMode;
  /** IPv4 destination: a group, or a unicast address with `dmac`. */
  dst: string;
  port: number;
  ratePps: number;
  durationS: number;
  /** Stop after this many frames (default rate x duration). */
  count?: number;
  /** Source address (senders, probe). */
  src?: string;
  /** Group the probe payload names (default: dst). */
  claim?: string;
  sender?: string;
  senderIface?: string;
  /** First sequence number (probe mode; increments per frame). */
  seq?: number;
  /** Destination MAC, 12 hex digits (needed for unicast). */
  dmac?: string;
  ttl?: number;
  /** Probe mode: every probe sent this many times in a row (a forwarding loop's copies). */
  repeat?: number;
}

let binary: string | undefined;
let dir: string | undefined;
process.on('exit', () => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** The compiled replayer's path (compiled on the first call). */
export function floodBinary(): string {
  if (binary) return binary;
  dir = mkdtempSync(path.join(os.tmpdir(), 'mcd-flood-'));
  const out = path.join(dir, 'flood');
  execFileSync('gcc', ['-O2', '-Wall', '-o', out, path.join(REPO, 'test', 'helpers', 'flood.c')], { stdio: 'pipe' });
  binary = out;
  return out;
}

export function floodArgs(o: FloodOptions): string[] {
  const a = [o.iface, o.mode, o.dst, String(o.port), String(o.ratePps), String(o.durationS)];
  const opt = (k: string, v: string | number | undefined): void => { if (v !== undefined) a.push(k, String(v)); };
  opt('--count', o.count);
  opt('--src', o.src);
  opt('--claim', o.claim);
  opt('--sender', o.sender);
  opt('--iface-name', o.senderIface);
  opt('--seq', o.seq);
  opt('--dmac', o.dmac);
  opt('--ttl', o.ttl);
  opt('--repeat', o.repeat);
  return a;
}

/** Runs a flood in `role` to its end; resolves with how many frames it sent. */
export async function flood(lab: Lab, role: string, o: FloodOptions): Promise<{ sent: number; run: RunResult }> {
  const run = await lab.exec(role, floodBinary(), floodArgs(o), (o.durationS + 30) * 1000);
  if (run.code !== 0) throw new Error(`flood failed (${run.code}): ${run.stderr.trim()}`);
  const m = /sent (\d+)/.exec(run.stdout);
  return { sent: m ? Number(m[1]) : 0, run };
}
