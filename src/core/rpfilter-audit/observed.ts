// The capture-based parts: --watch naming the sources it saw dropped, and --listen auditing
// every multicast source on the wire. The verdict for each source is still the kernel's.
import type { Platform } from '../../platform/types.js';
import { isMcastError } from '../errors.js';
import { captureRemedy } from '../capture-remedy.js';
import type { NotRun } from '../coverage.js';
import { checkSource, type CheckContext } from './checks.js';
import { SourceCollector, type SeenSource } from './listen.js';
import type { ListenResult, RpfInterface, SourceCheck, WatchResult } from './model.js';
import { watchRpfDrops, type WatchHooks } from './watch.js';
import type { Loads } from '../deps.js';

/** libpcap (loaded on first use) and what to capture for. */
export interface CaptureScope extends Loads<'capture'> {
  /** Interfaces to capture on (eligible and selected). */
  targets: readonly RpfInterface[];
  ctx: CheckContext;
  /** Called once the captures are open (a --verbose note; tests start their traffic then). */
  onCaptureStart?: (ifaces: string[]) => void;
}

async function checkSeen(p: Platform, seen: readonly SeenSource[], deps: CaptureScope): Promise<SourceCheck[]> {
  const out: SourceCheck[] = [];
  for (const s of seen) {
    const iface = deps.targets.find((t) => t.name === s.iface);
    if (!iface) continue;
    const spec = s.groups[0] !== undefined ? { source: s.source, group: s.groups[0] } : { source: s.source };
    const c = await checkSource(p, spec, iface, deps.ctx);
    c.seen = { packets: s.packets, groups: s.groups };
    out.push(c);
  }
  return out;
}

/** The coverage name of --watch's capture: without it the drops are counted but not named. */
export const WATCH_SOURCES_CHECK = 'dropped sources (capture during --watch)';

/**
 * --watch with capture where it is allowed: the counter always; the sources only when libpcap
 * loads and the capture opens (no CAP_NET_RAW, no libpcap: said in captureNote, not an error,
 * and returned as a coverage gap: the drops could not be named).
 */
export async function watchAndName(
  p: Platform,
  seconds: number,
  hooks: WatchHooks,
  deps?: CaptureScope,
): Promise<{ watch: WatchResult; notRun: NotRun[] }> {
  let collector: SourceCollector | undefined;
  let note: string | undefined;
  const notRun: NotRun[] = [];
  if (deps && deps.targets.length > 0) {
    try {
      collector = new SourceCollector(await deps.capture(), deps.targets.map((t) => t.name), new Set(deps.ctx.localAddresses));
    } catch (e) {
      if (!isMcastError(e)) throw e;
      note = `no capture, the counter alone: ${e.message}`;
      notRun.push({ check: WATCH_SOURCES_CHECK, reason: `no capture: ${e.message}`, remedy: captureRemedy(e) });
    }
  }
  let w: WatchResult;
  try {
    w = await watchRpfDrops(p, seconds, hooks);
  } catch (e) {
    await collector?.stop();
    throw e;
  }
  if (!collector) return { watch: note ? { ...w, captureNote: note } : w, notRun };
  const seen = await collector.stop();
  const checks = deps ? await checkSeen(p, seen, deps) : [];
  w.captured = true;
  w.droppedSources = checks.filter((c) => !c.accepted).map((c) => ({
    source: c.source, iface: c.iface, packets: c.seen?.packets ?? 0, ...(c.group ? { group: c.group } : {}),
  }));
  return { watch: w, notRun };
}

/** --listen: capture for `seconds`, then ask the kernel about every (source, interface) seen. */
export async function listenAndCheck(
  p: Platform,
  seconds: number,
  deps: CaptureScope,
  sleep: (ms: number) => Promise<void>,
): Promise<{ listen: ListenResult; checks: SourceCheck[] }> {
  const collector = new SourceCollector(await deps.capture(), deps.targets.map((t) => t.name), new Set(deps.ctx.localAddresses));
  deps.onCaptureStart?.(deps.targets.map((t) => t.name));
  let seen: SeenSource[];
  try {
    await sleep(seconds * 1000);
  } finally {
    seen = await collector.stop();
  }
  const checks = await checkSeen(p, seen, deps);
  return {
    listen: {
      seconds,
      interfaces: deps.targets.map((t) => t.name),
      packets: seen.reduce((n, s) => n + s.packets, 0),
      sources: seen.length,
    },
    checks,
  };
}
