// The namespace lab every lab test uses: network namespaces joined by veth pairs and bridges,
// addresses from 198.18.0.0/15 (RFC 2544 benchmarking) and groups from 239.0.0.0/8.
// Nothing is created in, or sent on, the host's own namespace: veth pairs are created inside
// a lab namespace and their far end moved straight into another lab namespace.
// Everything created is deleted by destroy(), by a process exit hook, and by a sweep of
// namespaces left behind by dead test processes.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(REPO, 'bin', 'mcast-doctor');
const PREFIX = 'mcd';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Why lab tests cannot run here, or undefined. Under CI=true a missing root is a failure, not a skip. */
export function labSkipReason(): string | undefined {
  const root = process.getuid?.() === 0;
  if (root) return undefined;
  const why = 'lab tests need root (network namespaces); run as root or in CI';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  return why;
}

function execP(cmd: string, args: readonly string[], timeoutMs = 30_000, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function must(cmd: string, args: readonly string[]): Promise<string> {
  const r = await execP(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

const live = new Set<Lab>();
process.on('exit', () => {
  for (const lab of live) lab.destroySync();
});

/** Deletes namespaces of earlier test processes that died before cleaning up. */
function sweepStale(): void {
  if (!existsSync('/var/run/netns')) return;
  for (const ns of readdirSync('/var/run/netns')) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    let alive = true;
    try { process.kill(pid, 0); } catch { alive = false; }
    if (!alive) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
}

let labCounter = 0;

export class Lab {
  readonly id: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();

  private constructor(id: string) {
    this.id = id;
  }

  static async create(): Promise<Lab> {
    sweepStale();
    const lab = new Lab(`${PREFIX}${process.pid}-${++labCounter}`);
    live.add(lab);
    return lab;
  }

  /** Full namespace name of a role ("host", "peer-a"). */
  ns(role: string): string {
    return `${this.id}-${role}`;
  }

  async addNs(role: string): Promise<string> {
    const name = this.ns(role);
    await must('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    await must('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** Runs a command inside a namespace; never throws on a non-zero exit. */
  exec(role: string, cmd: string, args: readonly string[] = [], timeoutMs = 30_000, input?: string): Promise<RunResult> {
    return execP('ip', ['netns', 'exec', this.ns(role), cmd, ...args], timeoutMs, input);
  }

  /** Like exec, but throws with the command's stderr when it fails. */
  async must(role: string, cmd: string, args: readonly string[] = []): Promise<string> {
    const r = await this.exec(role, cmd, args);
    if (r.code !== 0) throw new Error(`[${role}] ${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** `ip ARGS` in the role's namespace. */
  ip(role: string, ...args: string[]): Promise<string> {
    return must('ip', ['-n', this.ns(role), ...args]);
  }

  /** A veth pair with one end in each namespace, both up. */
  async veth(roleA: string, ifA: string, roleB: string, ifB: string): Promise<void> {
    await this.ip(roleA, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', this.ns(roleB));
    await this.ip(roleA, 'link', 'set', ifA, 'up');
    await this.ip(roleB, 'link', 'set', ifB, 'up');
    // The carrier (operstate UP) follows `link set up` by a moment (linkwatch, up to ~1 s on a busy
    // machine), and an interface without a carrier is not eligible (core/kernel/eligibility.ts):
    // a command started in that moment would say NO_ELIGIBLE_INTERFACE. Wait for it, bounded.
    for (const [role, dev] of [[roleA, ifA], [roleB, ifB]] as const) {
      for (let i = 0; i < 50 && !(await this.ip(role, '-j', 'link', 'show', dev)).includes('"operstate":"UP"'); i++) await sleep(100);
    }
  }

  async addr(role: string, iface: string, cidr: string): Promise<void> {
    const v6 = cidr.includes(':');
    await this.ip(role, ...(v6 ? ['-6'] : []), 'addr', 'add', cidr, 'dev', iface, ...(v6 ? ['nodad'] : []));
  }

  async sysctl(role: string, key: string, value: string | number): Promise<void> {
    await this.must(role, 'sysctl', ['-qw', `${key}=${value}`]);
  }

  async readSysctl(role: string, key: string): Promise<string> {
    return (await this.must(role, 'sysctl', ['-n', key])).trim();
  }

  /** Runs mcast-doctor inside the role's namespace. */
  cli(role: string, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    return this.exec(role, process.execPath, [CLI, ...args], timeoutMs);
  }

  /** Starts a long-running process in the namespace; it is ended by destroy() if still running. */
  spawn(role: string, cmd: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns(role), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * tcpdump in a namespace, ready when it says it is listening. stop() ends it (SIGINT, by its
   * own pid) and returns its lines (-n -v -l, one packet a line with -v headers folded).
   */
  async tcpdump(role: string, iface: string, filter: string[], extra: string[] = []): Promise<{ stop: () => Promise<string[]> }> {
    const child = this.spawn(role, 'tcpdump', ['-i', iface, '-n', '-l', '-v', '--immediate-mode', ...extra, ...filter]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    await tcpdumpListening(child);
    return {
      stop: () =>
        new Promise<string[]>((resolve) => {
          const done = (): void => resolve(foldTcpdump(out));
          if (child.exitCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }),
    };
  }

  async destroy(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
    for (const ns of this.namespaces.splice(0).reverse()) await execP('ip', ['netns', 'del', ns]);
    live.delete(this);
  }

  destroySync(): void {
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0)) {
      try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* already gone */ }
    }
  }
}

/** tcpdump -v prints IP header details on the first line and the payload summary indented below. */
function foldTcpdump(text: string): string[] {
  const lines: string[] = [];
  for (const l of text.split('\n')) {
    if (l === '') continue;
    if (/^\s/.test(l) && lines.length) lines[lines.length - 1] += ` ${l.trim()}`;
    else lines.push(l);
  }
  return lines;
}

/** Resolves when tcpdump says it listens (on stderr); rejects when it exits or says nothing in 10 s. */
export function tcpdumpListening(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`tcpdump exited: ${err}`)); });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls fn every stepMs until it returns truthy or timeoutMs passes; returns the last value. */
export async function waitFor<T>(fn: () => Promise<T>, timeoutMs: number, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await fn();
  while (!v && Date.now() < end) {
    await sleep(stepMs);
    v = await fn();
  }
  return v;
}

/**
 * Resolves with the child's first stdout line that starts with "ready" (a holder prints it once
 * its sockets are bound and joined); rejects, with its stderr, when it exits first or says
 * nothing in timeoutMs. A scene is built when the kernel has it, not when a sleep has passed.
 */
export function readyLine(child: ChildProcess, timeoutMs = 10_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const done = (f: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.off('exit', onExit);
      f();
    };
    const onOut = (d: Buffer): void => {
      out += d.toString();
      const line = /^ready.*$/m.exec(out)?.[0];
      if (line !== undefined) done(() => resolve(line));
    };
    const onExit = (code: number | null): void => done(() => reject(new Error(`exited (${code}) before it was ready: ${err.trim()}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`not ready in ${timeoutMs} ms: ${err.trim()}`))), timeoutMs);
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', onExit);
  });
}

/**
 * Ends a child and resolves once it has exited, SIGKILL after boundMs. A kill alone returns at
 * once: under load the process may still hold its sockets and memberships while the next test's
 * command reads the kernel's state (a leftover socket whose owner exits mid-read is "owner not
 * found"). By the exit event its descriptors are closed (exit_files runs before the zombie).
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', boundMs = 3000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill(signal);
  });
}
