// cli-table3 with a compact style; no colour codes in borders so output pipes cleanly.
// Loaded on first use (issue 9, start-up): a command that prints no table does not pay for it.
// cli-table3 is CommonJS, so a synchronous require keeps makeTable synchronous.
// Tables fit the terminal (issue 21): given a width, low-value columns are dropped first (named
// under the table, `--wide` shows them), then the widest columns wrap.
import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import { makeStyle } from './style.js';
import { termSafeStyled } from './sanitize.js';
import { visibleWidth, wrapText } from './width.js';
import { drawTable } from './table-draw.js';

let TableCtor: typeof Table | undefined;

export interface TableFit {
  /** Columns of the terminal the table must fit; undefined: any width (a pipe, a file, --wide). */
  width?: number | undefined;
  /** Column indexes that may go when the table is too wide, the least useful first. */
  drop?: readonly number[];
}

/** Narrowest a wrapped column gets (content characters). */
const MIN_COLUMN = 6;

function ctor(): typeof Table {
  TableCtor ??= createRequire(import.meta.url)('cli-table3') as typeof Table;
  return TableCtor;
}

const isText = (c: unknown): c is string => typeof c === 'string';

function build(head: readonly string[], color: boolean): Table.Table {
  const Ctor = ctor();
  const t = new Ctor({
    // Headers styled through chalk, not cli-table3's own colour library (its own detection).
    head: head.map((h) => makeStyle(color).bold(termSafeStyled(h))),
    style: { head: [], border: [], compact: true },
    wordWrap: true,
  });
  // Drawn by table-draw.ts where it can (the same bytes, without cli-table3's cost per line:
  // issue 19 item 8), by cli-table3 itself otherwise (cells that are objects, wide characters).
  const plain = t.toString.bind(t);
  t.toString = (): string => {
    const rows = Array.from(t as unknown as unknown[]);
    const heads = (t.options.head ?? []) as unknown[];
    if (heads.every(isText) && rows.every((r): r is string[] => Array.isArray(r) && r.every(isText))) {
      return drawTable(heads, rows) ?? plain();
    }
    return plain();
  };
  return t;
}

/** Content width of each column: its widest line, header included. */
function naturalWidths(head: readonly string[], rows: readonly string[][]): number[] {
  return head.map((h, c) => Math.max(...[h, ...rows.map((r) => r[c] ?? '')].flatMap((cell) => cell.split('\n').map(visibleWidth))));
}

/** The whole table's width with these content widths: padding 1+1 per cell, one border each, one more. */
const tableWidth = (ws: readonly number[]): number => ws.reduce((a, w) => a + w + 3, 1);

/**
 * Which columns to keep and how wide to make them so the table fits `width`: drop in order,
 * then take characters from the widest column until it fits or every column is at MIN_COLUMN.
 */
export function fitColumns(
  natural: readonly number[],
  width: number,
  drop: readonly number[] = [],
): { keep: number[]; widths: number[] | undefined } {
  let keep = natural.map((_w, i) => i);
  const fits = (): boolean => tableWidth(keep.map((i) => natural[i]!)) <= width;
  for (const d of drop) {
    if (fits() || keep.length <= 1) break;
    keep = keep.filter((i) => i !== d);
  }
  if (fits()) return { keep, widths: undefined };
  const ws = keep.map((i) => natural[i]!);
  while (tableWidth(ws) > width) {
    const widest = ws.indexOf(Math.max(...ws));
    if (ws[widest]! <= MIN_COLUMN) break;
    ws[widest]! -= 1;
  }
  return { keep, widths: ws };
}

export function makeTable(head: string[], color: boolean, fit: TableFit = {}): Table.Table {
  const t = build(head, color);
  // Safety net: cells hold interface names and other names from outside; whatever a renderer
  // forgot to pass through termSafe, no cursor movement, title or hyperlink reaches the terminal.
  const push = t.push.bind(t);
  t.push = (...rows: Parameters<typeof push>): number => push(...(rows.map(
    (r) => (Array.isArray(r) ? r.map((c) => (typeof c === 'string' ? termSafeStyled(c) : c)) : r)) as Parameters<typeof push>));
  const width = fit.width;
  if (width === undefined) return t;
  const plain = t.toString.bind(t);
  t.toString = (): string => {
    const rows = Array.from(t as unknown as unknown[]);
    // Cells that are objects (colSpan...) keep cli-table3's own layout.
    if (!rows.every((r) => Array.isArray(r) && r.every((c) => typeof c === 'string'))) return plain();
    const cells = rows as string[][];
    const { keep, widths } = fitColumns(naturalWidths(head, cells), width, fit.drop);
    if (keep.length === head.length && !widths) return plain();
    // Wrapped here rather than by cli-table3's colWidths: its hard wrap cuts colour codes in
    // half and its word wrap cuts long words with an ellipsis; an address split over two lines
    // is still all there.
    const wrap = (text: string, j: number): string => (widths ? wrapText(text, widths[j]!) : text);
    const out = build(keep.map((i, j) => wrap(head[i]!, j)), color);
    for (const r of cells) out.push(keep.map((i, j) => wrap(r[i] ?? '', j)));
    const dropped = head.filter((_h, i) => !keep.includes(i));
    if (dropped.length === 0) return out.toString();
    const note = wrapText(`(${width} columns: ${dropped.join(', ')} left out; --wide shows every column)`, width);
    return `${out.toString()}\n${makeStyle(color).dim(note)}`;
  };
  return t;
}
