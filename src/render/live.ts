// A block of lines on stderr redrawn in place (live tables of join-all and send-all).
// Only on an interactive stderr, never in JSON or quiet mode (Output.progressAllowed).
import type { Output } from './output.js';
import { terminalRows } from './width.js';

export class LiveArea {
  private lines = 0;
  constructor(private readonly out: Output) {}

  draw(text: string): void {
    if (!this.out.progressAllowed) return;
    const up = this.lines > 0 ? `\x1b[${this.lines}F\x1b[0J` : '';
    this.out.note(`${up}${text}`);
    // Rows, not lines: a line wider than the terminal wraps, and moving up by lines only would
    // leave the wrapped part of the old header on screen at every redraw (issue 21).
    this.lines = terminalRows(text, this.out.stderrColumns);
  }

  clear(): void {
    if (!this.out.progressAllowed || this.lines === 0) return;
    this.out.note(`\x1b[${this.lines}F\x1b[0J\x1b[1F`);
    this.lines = 0;
  }
}

export function fmtRate(pps: number): string {
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(2)} Mpps`;
  if (pps >= 1e3) return `${(pps / 1e3).toFixed(1)} kpps`;
  return `${pps.toFixed(pps >= 10 ? 0 : 1)} pps`;
}
