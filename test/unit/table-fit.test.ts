import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitColumns, makeTable } from '../../src/render/table.js';
import { terminalRows, visibleWidth, wrapText } from '../../src/render/width.js';

test('visible width ignores colour and hyperlinks; rows count the wrapped lines', () => {
  assert.equal(visibleWidth('\x1b[32mup\x1b[39m'), 2);
  assert.equal(visibleWidth('\x1b]8;;http://x\x07link\x1b]8;;\x07'), 4);
  assert.equal(terminalRows(`${'x'.repeat(80)}\n${'y'.repeat(81)}\n`, 80), 1 + 2 + 1);
  assert.equal(terminalRows('a\nb', undefined), 2);
});

test('wrapText breaks after a space, else cuts; colour dropped only on lines it breaks', () => {
  assert.equal(wrapText('off (0; all=0 if=0)', 12), 'off (0;\nall=0 if=0)');
  assert.equal(wrapText('fe80::fc:ff:fe00:1/64', 12), 'fe80::fc:ff:\nfe00:1/64');
  assert.equal(wrapText('\x1b[32mup\x1b[39m', 4), '\x1b[32mup\x1b[39m');
});

test('fitColumns drops in the given order, then narrows the widest', () => {
  const natural = [2, 10, 40, 17, 30];
  assert.deepEqual(fitColumns(natural, 200), { keep: [0, 1, 2, 3, 4], widths: undefined });
  assert.deepEqual(fitColumns(natural, 100, [3, 0]), { keep: [0, 1, 2, 4], widths: undefined });
  const { keep, widths } = fitColumns(natural, 60, [3, 0]);
  assert.deepEqual(keep, [1, 2, 4]);
  assert.ok(widths && widths.reduce((a, w) => a + w + 3, 1) <= 60, JSON.stringify(widths));
});

test('a table given a width fits it and names what it left out', () => {
  const t = makeTable(['#', 'name', 'addresses', 'mac', 'groups'], false, { width: 50, drop: [3, 0] });
  t.push(
    ['12', 'enp0s31f6', '198.18.1.2/24\nfe80::1234:5678:9abc:def0/64', '3c:a9:f4:12:34:56', '239.1.1.1 239.1.1.2 239.1.1.3 239.1.1.4']);
  const lines = t.toString().split('\n');
  assert.deepEqual(lines.filter((l) => visibleWidth(l) > 50), [], lines.join('\n'));
  assert.match(lines.slice(-2).join(' '), /#, mac left out; --wide shows every column/);
  assert.ok(lines.some((l) => l.includes('enp0s31f6')));
  const wide = makeTable(['#', 'name'], false, { width: undefined });
  wide.push(['1', 'x'.repeat(200)]);
  assert.ok(wide.toString().split('\n').some((l) => l.length > 200), 'no width: nothing fitted');
});
