// cli-table3 with a compact style; no colour codes in borders so output pipes cleanly.
// Loaded on first use (issue 9, start-up): a command that prints no table does not pay for it.
// cli-table3 is CommonJS, so a synchronous require keeps makeTable synchronous.
import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import { makeStyle } from './style.js';
import { termSafeStyled } from './sanitize.js';

let TableCtor: typeof Table | undefined;

export function makeTable(head: string[], color: boolean): Table.Table {
  TableCtor ??= createRequire(import.meta.url)('cli-table3') as typeof Table;
  const t = new TableCtor({
    // Headers styled through chalk, not cli-table3's own colour library (its own detection).
    head: head.map((h) => makeStyle(color).bold(termSafeStyled(h))),
    style: { head: [], border: [], compact: true },
    wordWrap: true,
  });
  // Safety net: cells hold interface names and other names from outside; whatever a renderer
  // forgot to pass through termSafe, no cursor movement, title or hyperlink reaches the terminal.
  const push = t.push.bind(t);
  t.push = (...rows: Parameters<typeof push>): number => push(...(rows.map((r) => (Array.isArray(r) ? r.map((c) => (typeof c === 'string' ? termSafeStyled(c) : c)) : r)) as Parameters<typeof push>));
  return t;
}
