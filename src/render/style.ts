// Colour helpers through chalk, collapsing to plain text when colour is off. chalk is loaded once,
// by useColour() before a command renders anything, and only when colour is on (render/colour.ts
// says why: start-up); a run without colour never imports it.
import type { ChalkInstance } from 'chalk';
import type { Severity } from '../core/findings/model.js';
import type { ColourLevel } from './colour.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  severity(sev: Severity, s?: string): string;
}

let chalk: ChalkInstance | undefined;

/** Loads chalk at this level (0: nothing to load). Returns whether colour is on. */
export async function useColour(level: ColourLevel): Promise<boolean> {
  if (level === 0) return false;
  const { Chalk } = await import('chalk');
  chalk = new Chalk({ level });
  return true;
}

const same = (s: string): string => s;
const PLAIN: Style = { bold: same, dim: same, ok: same, warn: same, bad: same, severity: (sev, s = sev) => s };

export function makeStyle(color: boolean): Style {
  if (!color) return PLAIN;
  // A renderer asked for colour that useColour() never turned on: a bug in the caller.
  if (!chalk) throw new Error('colour requested before useColour()');
  const c = chalk;
  return {
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    ok: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    bad: (s) => c.red(s),
    severity: (sev, s = sev) => (sev === 'error' ? c.red.bold(s) : sev === 'warning' ? c.yellow(s) : c.cyan(s)),
  };
}
