// What a run covered (issue 16): a verdict never says "healthy" about what it did not see. A check
// that could not run for a reason of the environment (no permission, no libpcap, a kernel feature,
// not Linux) or that a signal cut short is listed here with what would let it run; a check the
// user turned off (--no-self-test, --querier-wait 0) is not: that was a choice, not a gap.
import type { Finding } from './findings/model.js';
import { hasError } from './findings/model.js';

export interface NotRun {
  /** The check, as the command names it ("querier", "capture on eth0"). */
  check: string;
  /** Why it did not run, one sentence. */
  reason: string;
  /** What would let it run: a command, a privilege, a package. */
  remedy: string;
}

/** A wait a signal ended: which signal, after how long, of how long asked (null: open-ended). */
export interface Interruption {
  signal: string;
  afterMs: number;
  plannedMs: number | null;
}

export interface Coverage {
  notRun: NotRun[];
  interrupted: Interruption | null;
}

export function fullCoverage(): Coverage {
  return { notRun: [], interrupted: null };
}

export function isComplete(c: Coverage): boolean {
  return c.notRun.length === 0;
}

export type Verdict = 'problems' | 'incomplete' | 'warnings' | 'healthy';

/**
 * The verdict of findings over what was covered: an error finding is a problem whatever else
 * did not run; without one, a gap makes the verdict incomplete, never healthy.
 */
export function verdictOf(findings: readonly Finding[], coverage: Coverage): Verdict {
  if (hasError(findings)) return 'problems';
  if (!isComplete(coverage)) return 'incomplete';
  return findings.some((f) => f.severity === 'warning') ? 'warnings' : 'healthy';
}

/** The check a signal cut short, as a gap: what was asked, what ran, and to let it run out. */
export function cutShort(check: string, i: Interruption, flag: string): NotRun {
  const asked = i.plannedMs === null ? '' : ` of the ${Math.round(i.plannedMs / 1000)} s asked`;
  return {
    check,
    reason: `${i.signal} ended it after ${(i.afterMs / 1000).toFixed(1)} s${asked}: an absence over a shorter wait proves nothing`,
    remedy: `let it run the whole ${flag}`,
  };
}

/** The run's own gaps with the wait's interruption, and the check the cut made meaningless (if any). */
export function withInterruption(c: Coverage | undefined, interrupted: Interruption | null, cut?: (i: Interruption) => NotRun): Coverage {
  return { notRun: [...c?.notRun ?? [], ...(interrupted && cut ? [cut(interrupted)] : [])], interrupted };
}
