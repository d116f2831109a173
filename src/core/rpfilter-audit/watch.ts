// --watch: the kernel's own count of reverse-path drops over a window. TcpExt IPReversePathFilter
// (LINUX_MIB_IPRPFILTER, /proc/net/netstat) rises by one for each packet ip_rcv_finish_core()
// drops because fib_validate_source() failed. It counts per network namespace, for every
// interface, unicast and multicast alike; multicast only for groups the host has joined (a packet
// to a group nobody joined is discarded before the check, and counted nowhere).
import type { Platform } from '../../platform/types.js';
import { EnvironmentError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { WatchResult } from './model.js';

export async function readRpfCounter(p: Platform): Promise<number> {
  const v = (await p.netstat()).TcpExt?.IPReversePathFilter;
  if (v === undefined || !Number.isFinite(v)) {
    throw new EnvironmentError('NO_RPF_COUNTER',
      '/proc/net/netstat has no TcpExt IPReversePathFilter counter: --watch needs a Linux kernel that exposes it',
      { hint: 'run without --watch' });
  }
  return v;
}

export interface WatchHooks {
  /** Waits ms milliseconds (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Called about once a second with the seconds left and the drops so far (progress display). */
  onTick?: (secondsLeft: number, dropsSoFar: number) => void;
  /** Called once the first reading is taken: the window starts now. */
  onStart?: (before: number) => void;
  /** Runs between the two readings (a capture, a traffic generator in tests). */
  during?: () => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function watchRpfDrops(p: Platform, seconds: number, hooks: WatchHooks = {}): Promise<WatchResult> {
  const sleep = hooks.sleep ?? realSleep;
  const before = await readRpfCounter(p);
  hooks.onStart?.(before);
  const waiting = (async () => {
    let left = seconds * 1000;
    // Bounded: one step a second at most, ceil(seconds) steps.
    for (let step = 0; step < Math.ceil(seconds) && left > 0; step++) {
      const ms = Math.min(1000, left);
      await sleep(ms);
      left -= ms;
      if (hooks.onTick) hooks.onTick(Math.max(0, Math.round(left / 1000)), (await readRpfCounter(p)) - before);
    }
  })();
  await Promise.all([waiting, hooks.during ? hooks.during() : Promise.resolve()]);
  const after = await readRpfCounter(p);
  return { seconds, before, after, drops: Math.max(0, after - before), captured: false };
}

export function watchFindings(w: WatchResult): Finding[] {
  if (w.drops === 0) return [];
  const named = w.droppedSources?.length
    ? ' Sources seen on the wire that fail the check: ' +
      `${w.droppedSources.map((s) => `${s.source} on ${s.iface} (${s.packets})`).join(', ')}.`
    : '';
  return [makeFinding('RPF_DROPS_SEEN', {
    message:
      `The kernel dropped ${w.drops} packet${w.drops === 1 ? '' : 's'} on the reverse-path check during the ${w.seconds} s watch (TcpExt ` +
      `IPReversePathFilter ${w.before} -> ${w.after}).${named}`,
    evidence: { ...w, confirm: 'nstat -az TcpExtIPReversePathFilter' },
    ...(w.droppedSources?.[0] ? { source: w.droppedSources[0].source, iface: w.droppedSources[0].iface } : {}),
  })];
}
