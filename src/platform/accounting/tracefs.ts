// The kernel's own drop reasons: the skb:kfree_skb tracepoint (reason field, Linux 5.17+) in a
// PRIVATE tracing instance, instances/mcast-doctor-PID-N, so the host's main buffer and anyone
// else's tracing stay untouched. Removed on every exit path: stop() (normal end, error, signal:
// the command's finally), a process 'exit' hook (process.exit, uncaught error), and a sweep of
// instances whose PID is dead at the next start (SIGKILL).
//
// In-kernel aggregation (a hist trigger keyed by reason) needs CONFIG_HIST_TRIGGERS; the kernels
// this was built on (6.18 here and in CI) lack it (the README has no "hist", writing a hist
// trigger gives EINVAL). So events are filtered in the kernel to IPv4/IPv6 packets and counted
// here per reason, read from the instance's trace_pipe without blocking (O_NONBLOCK: EAGAIN when
// empty, so a stop never waits on a read). What the ring overwrote before it was read is counted
// from per_cpu/cpuN/stats (overrun) and reported, never guessed.
//
// Scope: the tracepoint has no network-namespace field, so the reasons are HOST-wide (every
// namespace). The per-namespace evidence is the counters (counters.ts); reasons corroborate.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { InstanceTrace, removeInstance, type DropReasonTrace } from './trace-pipe.js';

export { countTraceLines } from './trace-pipe.js';

export const INSTANCE_PREFIX = 'mcast-doctor-';
const ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
/** ETH_P_IP and ETH_P_IPV6: the tracepoint stores ntohs(skb->protocol) (seen: protocol=2048). */
const FILTER = 'protocol == 2048 || protocol == 34525';
/**
 * Per-CPU ring of the instance. Events are consumed as they come, but the event loop also serves
 * the captures: at 26 000 drops/s, 512 KiB overran 12 % of the events, hence 2 MiB.
 */
const BUFFER_KB = 2048;
export type { DropReasonCounts, DropReasonTrace } from './trace-pipe.js';

export type DropTraceOpen = { ok: true; trace: DropReasonTrace } | { ok: false; why: string; fix?: string };

/** The mounted tracefs with instances, or undefined. */
export function tracefsRoot(roots: readonly string[] = ROOTS): string | undefined {
  return roots.find((r) => existsSync(`${r}/instances`));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes instances left by runs that were killed (their PID is gone). Returns their names. */
export function sweepStaleInstances(root = tracefsRoot()): string[] {
  if (!root) return [];
  const swept: string[] = [];
  let names: string[] = [];
  try { names = readdirSync(`${root}/instances`); } catch { return []; }
  for (const name of names) {
    const m = new RegExp(`^${INSTANCE_PREFIX}(\\d+)-\\d+$`).exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    removeInstance(`${root}/instances/${name}`);
    swept.push(name);
  }
  return swept;
}

/** Our instances still present (tests: nothing may be left enabled). */
export function listOwnInstances(root = tracefsRoot()): string[] {
  if (!root) return [];
  try { return readdirSync(`${root}/instances`).filter((n) => n.startsWith(INSTANCE_PREFIX)); } catch { return []; }
}

let serial = 0;

/** Starts counting drop reasons, or says why it cannot (the run goes on with counters alone). */
export function openDropReasonTrace(pollMs = 200): DropTraceOpen {
  return openWithMount(pollMs);
}

/**
 * tracefs not mounted (a host without systemd's sys-kernel-tracing.mount, or inside `ip netns
 * exec`, which mounts a fresh /sys): as root, mount it for the run and unmount it afterwards,
 * so the host's mount table is left as it was. Returns the root, or undefined.
 */
function mountForRun(): string | undefined {
  if (process.getuid?.() !== 0 || !existsSync(ROOTS[0] ?? '')) return undefined;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', ROOTS[0] ?? ''], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return undefined;
  }
  return tracefsRoot();
}

function unmount(root: string): void {
  try { execFileSync('umount', [root], { stdio: 'ignore', timeout: 5000 }); } catch { /* busy or gone: left mounted */ }
}

function openWithMount(pollMs: number): DropTraceOpen {
  let root = tracefsRoot();
  let mounted = false;
  if (!root) {
    root = mountForRun();
    mounted = root !== undefined;
  }
  if (!root) return { ok: false, why: 'tracefs is not mounted (and could not be mounted: not root?)',
    fix: 'mount -t tracefs nodev /sys/kernel/tracing' };
  const opened = openIn(root, pollMs);
  if (!mounted) return opened;
  if (!opened.ok) { unmount(root); return opened; }
  // Unmount with the instance: on stop, and on the exit hook's path.
  const inner = opened.trace;
  const onExit = (): void => unmount(root);
  process.once('exit', onExit);
  let done = false;
  return {
    ok: true,
    trace: {
      instance: inner.instance,
      poll: () => inner.poll(),
      stop: () => {
        const r = inner.stop();
        if (!done) { done = true; process.off('exit', onExit); unmount(root); }
        return r;
      },
    },
  };
}

function openIn(root: string, pollMs: number): DropTraceOpen {
  const unsupported = dropReasonsUnsupported(root);
  if (unsupported) return unsupported;
  sweepStaleInstances(root);
  const dir = `${root}/instances/${INSTANCE_PREFIX}${process.pid}-${++serial}`;
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, why: `cannot create a tracing instance (${code})`,
      ...(code === 'EACCES' || code === 'EPERM' ? { fix: 'run as root' } : {}) };
  }
  const fd = enableInstance(dir);
  if (typeof fd !== 'number') return fd;
  return { ok: true, trace: new InstanceTrace(dir, fd, pollMs) };
}

/** Why the tracepoint cannot give drop reasons here (unreadable, or a kernel before 5.17), or undefined. */
function dropReasonsUnsupported(root: string): DropTraceOpen | undefined {
  let format = '';
  try { format = readFileSync(`${root}/events/skb/kfree_skb/format`, 'utf8'); } catch (e) {
    return { ok: false, why: `no skb:kfree_skb tracepoint readable (${(e as NodeJS.ErrnoException).code ?? 'error'})`, fix: 'run as root' };
  }
  if (!/enum skb_drop_reason reason;/.test(format)) return { ok: false,
    why: 'this kernel\'s kfree_skb tracepoint has no drop reason (Linux 5.17+)' };
  return undefined;
}

/**
 * Sizes the instance's ring, filters the event to IP packets, opens the pipe and only then turns
 * the event on: nothing is recorded that could not be read. Returns the pipe's descriptor; on any
 * failure the instance is removed again.
 */
function enableInstance(dir: string): number | { ok: false; why: string } {
  let fd = -1;
  try {
    writeFileSync(`${dir}/buffer_size_kb`, String(BUFFER_KB));
    writeFileSync(`${dir}/events/skb/kfree_skb/filter`, FILTER);
    fd = openSync(`${dir}/trace_pipe`, constants.O_RDONLY | constants.O_NONBLOCK);
    writeFileSync(`${dir}/events/skb/kfree_skb/enable`, '1');
    return fd;
  } catch (e) {
    if (fd >= 0) try { closeSync(fd); } catch { /* closed */ }
    removeInstance(dir);
    return { ok: false, why: `cannot enable skb:kfree_skb in a private instance (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
}

