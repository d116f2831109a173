// Colour helpers that collapse to plain text when colour is off.
import { Chalk } from 'chalk';
import type { Severity } from '../core/findings/model.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  severity(sev: Severity, s?: string): string;
}

export function makeStyle(color: boolean): Style {
  const c = new Chalk({ level: color ? 1 : 0 });
  return {
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    ok: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    bad: (s) => c.red(s),
    severity: (sev, s = sev) => (sev === 'error' ? c.red.bold(s) : sev === 'warning' ? c.yellow(s) : c.cyan(s)),
  };
}
