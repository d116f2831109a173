import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import { Chalk } from 'chalk';
import { drawTable } from '../../src/render/table-draw.js';
import { makeTable } from '../../src/render/table.js';
import { termSafeStyled } from '../../src/render/sanitize.js';

const CliTable = createRequire(import.meta.url)('cli-table3') as typeof Table;
const chalk = new Chalk({ level: 1 });

/** What cli-table3 itself draws with render/table.ts's options. */
function reference(head: string[], rows: string[][]): string {
  const t = new CliTable({ head, style: { head: [], border: [], compact: true }, wordWrap: true });
  t.push(...rows);
  return t.toString();
}

/** A small deterministic generator (mulberry32): the same tables on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['', 'a', 'up', '198.18.0.1/24', 'off (0; all=0 if=0)', '204 groups (201 IPv4, 3 IPv6)', '-', 'V3', 'x'.repeat(40)];
const STYLES: Array<(s: string) => string> = [
  (s) => s, chalk.green, chalk.bold, chalk.dim, chalk.bgRed, chalk.red.bold, chalk.underline.inverse, chalk.strikethrough.italic,
];

function cell(r: () => number): string {
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
  const lines = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(STYLES)(pick(WORDS)));
  // Sometimes one style spans the line break, which cli-table3 closes and reopens per line.
  return r() < 0.2 ? pick(STYLES)(lines.join('\n')) : r() < 0.1 ? `\x1b[1m${lines.join('\n')}` : lines.join('\n');
}

test('drawTable draws what cli-table3 draws, byte for byte, on 400 generated tables', () => {
  const r = rng(19);
  for (let k = 0; k < 400; k++) {
    const cols = 1 + Math.floor(r() * 6);
    const head = Array.from({ length: cols }, () => (r() < 0.5 ? chalk.bold(cell(r)) : cell(r)));
    const rows = Array.from({ length: Math.floor(r() * 7) }, () => Array.from({ length: cols }, () => cell(r)));
    assert.equal(drawTable(head, rows), reference(head, rows), JSON.stringify({ head, rows }));
  }
});

test('drawTable declines what it cannot measure as cli-table3 does; makeTable then draws with cli-table3', () => {
  for (const odd of ['é', '漢字', '\x1b]8;;http://x\x07link\x1b]8;;\x07', 'a\tb', '\x1b[38;5;1;2;3;4;5;6mx\x1b[0m']) {
    assert.equal(drawTable(['h'], [[odd]]), undefined, JSON.stringify(odd));
    const t = makeTable(['h'], false);
    t.push([odd]);
    assert.equal(t.toString(), reference(['h'], [[termSafeStyled(odd)]]), JSON.stringify(odd));
  }
  assert.equal(drawTable(['a', 'b'], [['1']]), undefined, 'a short row: cli-table3 fills it with spanning cells');
  assert.equal(drawTable([], []), undefined);
});

test('makeTable draws an interfaces-like 300-row table as cli-table3 does', () => {
  const head = ['#', 'name', 'addresses', 'groups'];
  const rows = Array.from({ length: 300 }, (_v, i) =>
    [String(i), `d${i}`, `198.18.${i & 255}.1/24\nfe80::${i.toString(16)}/64`,
      `204 groups (201 IPv4, 3 IPv6)\n239.77.0.200, 239.77.0.199, ...`]);
  const t = makeTable(head, false);
  t.push(...rows);
  assert.equal(t.toString(), reference(head, rows));
});
