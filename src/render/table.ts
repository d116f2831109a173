// cli-table3 with a compact style; no colour codes in borders so output pipes cleanly.
// Loaded on first use (issue 9, start-up): a command that prints no table does not pay for it.
// cli-table3 is CommonJS, so a synchronous require keeps makeTable synchronous.
import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import { makeStyle } from './style.js';

let TableCtor: typeof Table | undefined;

export function makeTable(head: string[], color: boolean): Table.Table {
  TableCtor ??= createRequire(import.meta.url)('cli-table3') as typeof Table;
  return new TableCtor({
    // Headers styled through chalk, not cli-table3's own colour library (its own detection).
    head: head.map(makeStyle(color).bold),
    style: { head: [], border: [], compact: true },
    wordWrap: true,
  });
}
