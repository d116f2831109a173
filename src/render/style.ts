// Colour helpers that collapse to plain text when colour is off.
// The SGR codes are written here rather than through chalk (issue 9, start-up): chalk's six ESM
// modules cost ~15 ms of CPU on every run, colour or not, for five 16-colour styles. The output is
// byte for byte what chalk 5 prints at level 1 (ECMA-48 SGR: 1/22 bold, 2/22 dim, 31-36/39 colours),
// including its two rules: a close code inside the text is followed by a re-open, and a style is closed
// before each line break and re-opened after it.
import type { Severity } from '../core/findings/model.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  severity(sev: Severity, s?: string): string;
}

type Sgr = readonly [open: number, close: number];
const BOLD: Sgr = [1, 22];
const DIM: Sgr = [2, 22];
const RED: Sgr = [31, 39];
const GREEN: Sgr = [32, 39];
const YELLOW: Sgr = [33, 39];
const CYAN: Sgr = [36, 39];

const esc = (n: number): string => `\u001B[${n}m`;

/** chalk's applyStyle for a chain of styles, outermost first (c.red.bold = [RED, BOLD]). */
function apply(chain: readonly Sgr[], text: string): string {
  if (!text) return text;
  let s = text;
  if (s.includes('\u001B')) {
    for (let i = chain.length - 1; i >= 0; i--) s = s.split(esc(chain[i]![1])).join(esc(chain[i]![1]) + esc(chain[i]![0]));
  }
  const openAll = chain.map((c) => esc(c[0])).join('');
  const closeAll = chain.map((c) => esc(c[1])).reverse().join('');
  if (s.includes('\n')) s = s.replace(/(\r?)\n/g, (_m, cr: string) => `${closeAll}${cr}\n${openAll}`);
  return openAll + s + closeAll;
}

export function makeStyle(color: boolean): Style {
  const c = color ? (chain: readonly Sgr[]) => (s: string) => apply(chain, s) : () => (s: string) => s;
  const bold = c([BOLD]);
  const dim = c([DIM]);
  const ok = c([GREEN]);
  const warn = c([YELLOW]);
  const bad = c([RED]);
  const error = c([RED, BOLD]);
  const info = c([CYAN]);
  return {
    bold,
    dim,
    ok,
    warn,
    bad,
    severity: (sev, s = sev) => (sev === 'error' ? error(s) : sev === 'warning' ? warn(s) : info(s)),
  };
}
