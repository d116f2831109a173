// ONE signal mechanism for every command that waits (issue 16): querier-check, doctor,
// rpfilter-audit --watch/--listen, mesh, send-all, sniff, join-all. The first SIGINT, SIGTERM or
// SIGHUP (and SIGQUIT, SIGUSR2, SIGALRM, which would otherwise kill the process and leave a capture
// as an empty .part, issue 14) stops the wait: the command finishes its files and prints the
// report of what was gathered, marked interrupted. A second signal exits at once, after the
// `onForcedExit` handlers (which complete files synchronously) and with the status line cleared.
//
// A signal that comes while the command is still starting (joins made, libpcap loading) is kept:
// `onStop` runs its handler at once when it is attached after the signal (a join-all lab test
// caught that window killing the process with nothing reported).
import { constants } from 'node:os';
import type { Interruption } from '../core/coverage.js';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'] as const;

export interface Interrupt {
  /** Aborted at the first signal: hand it to the core, whose waits end early. */
  readonly abort: AbortSignal;
  /** The first signal, when one came. */
  readonly caught: { signal: NodeJS.Signals; atMs: number } | undefined;
  /** Runs `fn` at the first signal (at once if one came already); returns a detach function. */
  onStop(fn: () => void): () => void;
  /** Runs `fn`, synchronously, before a second signal ends the process (complete a file). */
  onForcedExit(fn: () => void): () => void;
  /** The interruption of a wait that started at `startMs` and was asked to last `plannedMs`. */
  interruption(startMs: number, plannedMs: number | null): Interruption | null;
}

export interface SignalTarget {
  on(sig: NodeJS.Signals, fn: (sig: NodeJS.Signals) => void): unknown;
  off(sig: NodeJS.Signals, fn: (sig: NodeJS.Signals) => void): unknown;
}

export interface InstallOptions {
  /** Where signals come from (process; a fake EventEmitter in unit tests). */
  target?: SignalTarget;
  /** Ends the process at the second signal (process.exit; a recorder in unit tests). */
  exit?: (code: number) => void;
  /** Clears the status line before a forced exit. */
  clearStatus?: () => void;
  now?: () => number;
}

/** 128 + the signal's number, as a shell reports a process a signal ended. */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 0);
}

export function installSignals(o: InstallOptions = {}): Interrupt & { release(): void } {
  const target = o.target ?? process;
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const now = o.now ?? Date.now;
  const controller = new AbortController();
  const stops = new Set<() => void>();
  const savers = new Set<() => void>();
  let caught: { signal: NodeJS.Signals; atMs: number } | undefined;

  const handler = (sig: NodeJS.Signals): void => {
    if (caught === undefined) {
      caught = { signal: sig, atMs: now() };
      controller.abort(caught);
      for (const fn of [...stops]) fn();
      return;
    }
    for (const fn of [...savers]) {
      try { fn(); } catch { /* exiting anyway: the other savers still run */ }
    }
    o.clearStatus?.();
    exit(signalExitCode(sig));
  };
  for (const s of STOP_SIGNALS) target.on(s, handler);

  return {
    abort: controller.signal,
    get caught() { return caught; },
    onStop(fn) {
      if (caught !== undefined) { fn(); return () => {}; }
      stops.add(fn);
      return () => { stops.delete(fn); };
    },
    onForcedExit(fn) {
      savers.add(fn);
      return () => { savers.delete(fn); };
    },
    interruption(startMs, plannedMs) {
      if (caught === undefined) return null;
      return { signal: caught.signal, afterMs: Math.max(0, caught.atMs - startMs), plannedMs };
    },
    release() {
      for (const s of STOP_SIGNALS) target.off(s, handler);
    },
  };
}
