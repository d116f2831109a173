// The mesh-report HTML page rendered by headless Chromium: the DOM the browser built holds one
// cell per (sender interface, receiver interface) with the numbers of the documents, and the
// screenshot shows each cell's colour. Without Chromium (outside CI) the page is checked as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simulateMesh, type SimHost } from '../helpers/mesh-sim.js';
import { chromiumPath, countColor, dumpDom, screenshot } from '../helpers/chromium.js';
import { mergeMesh, type MeshReport } from '../../src/core/mesh/merge.js';
import { meshHtml } from '../../src/render/mesh-html.js';
import { NO_DATA_COLOR, lossColor } from '../../src/render/mesh-heat.js';

const hosts: SimHost[] = [
  { name: 'a', ifaces: { eth0: 'br1' } },
  { name: 'b', ifaces: { eth0: 'br1' } },
  { name: 'c', ifaces: { eth0: 'br1' } },
  { name: 'd', ifaces: { eth0: 'br1' } },
  { name: 'e', ifaces: { eth0: 'br1', eth1: 'br2' } },
];
const docs = simulateMesh({
  hosts, durationS: 20, rate: 5, membershipIntervalS: 8, maxLossPct: 1,
  dropEvery: { 'a>b': 10 }, darkAfterS: { 'c/eth0': 8.5 }, igmpDropRule: { 'c/eth0': 'meta l4proto igmp drop' },
});
const rep = mergeMesh(docs.map((doc) => ({ file: `${doc.host.hostname}.json`, doc })));
const dir = mkdtempSync(path.join(tmpdir(), 'mcd-mesh-html-'));
const file = path.join(dir, 'mesh.html');
const html = meshHtml(rep, new Date('2026-11-21T12:00:00Z'));
writeFileSync(file, html);

const bin = chromiumPath();
if (!bin && process.env.CI === 'true') throw new Error('CI=true but chromium is missing (.ci/run installs it)');
if (!bin) console.log('# chromium not installed: the HTML page is checked as text only (apt-get install chromium)');

interface Td { attrs: Record<string, string> }
function cellsOf(dom: string): Td[] {
  return [...dom.matchAll(/<td class="cell[^"]*"([^>]*)>/g)].map((m) => ({
    attrs: Object.fromEntries([...(m[1] ?? '').matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1] ?? '', a[2] ?? ''])),
  }));
}

function checkCells(r: MeshReport, tds: Td[]): void {
  assert.equal(tds.length, r.rows.length * r.columns.length, 'one cell per (row, column)');
  const at = (fh: string, fi: string, th: string, ti: string): Td | undefined =>
    tds.find((t) => t.attrs['data-from-host'] === fh && t.attrs['data-from-iface'] === fi && t.attrs['data-to-host'] === th &&
      t.attrs['data-to-iface'] === ti);
  for (const c of r.cells) {
    const td = at(c.from.host, c.from.iface, c.to.host, c.to.iface);
    assert.ok(td, `no cell for ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`);
    assert.equal(Number(td.attrs['data-loss']), c.lossPct);
    assert.equal(Number(td.attrs['data-received']), c.received);
    assert.equal(Number(td.attrs['data-expected']), c.expected);
    assert.equal(td.attrs['data-state'], c.state);
    assert.equal(td.attrs['data-finding'], c.stall?.finding);
    assert.equal(td.attrs.style, `background-color: ${lossColor(c.lossPct)}`);
  }
  for (const row of r.rows) {
    for (const col of r.columns) {
      const measured = r.cells.some((c) => c.from.host === row.host && c.from.iface === row.iface
        && c.to.host === col.host && c.to.iface === col.iface);
      if (row.host === col.host || measured) continue;
      const td = at(row.host, row.iface, col.host, col.iface);
      assert.equal(td?.attrs['data-state'], 'none');
      assert.equal(td?.attrs.style, `background-color: ${NO_DATA_COLOR}`);
    }
  }
}

test('the page is self-contained: no script, no external asset, inline CSS', () => {
  assert.doesNotMatch(html, /<script|<link|src=|url\(|@import/i);
  assert.match(html, /<style>/);
  checkCells(rep, cellsOf(html));
});

test('Chromium parses the page into the matrix of the documents', { skip: bin ? false : 'chromium not installed' }, async () => {
  const dom = await dumpDom(bin!, file);
  checkCells(rep, cellsOf(dom));
  assert.match(dom, /id="verdict" class="verdict fail" data-pass="false"/);
  const pairs = [...dom.matchAll(/<tr data-from="([^"]+)" data-to="([^"]+)" data-status="([^"]+)"/g)].map((m) => `${m[1]}>${m[2]}:${m[3]}`);
  assert.deepEqual(pairs.sort(), rep.pairs.map((p) => `${p.from}>${p.to}:${p.status}`).sort());
  assert.match(dom, /data-id="SNOOPING_TIMEOUT"/);
});

test('Chromium paints each cell in its colour: green healthy, ' +
  'the stopped column, grey no data', { skip: bin ? false : 'chromium not installed' }, async () => {
  const img = await screenshot(bin!, file);
  // A cell is at least 60 x 30 px; the legend swatch of a colour is smaller than one cell.
  const cellPx = 60 * 30;
  const healthy = rep.cells.filter((c) => c.lossPct === 0).length;
  assert.ok(countColor(img, lossColor(0)) > healthy * cellPx, 'the healthy cells are green');
  const stalled = rep.cells.filter((c) => c.state === 'stalled');
  assert.equal(stalled.length, 4);
  // The four stopped cells share one loss (and colour), which no legend swatch has.
  assert.ok(countColor(img, lossColor(stalled[0]!.lossPct)) > 4 * cellPx * 0.7, 'the dark column is painted');
  assert.ok(countColor(img, lossColor(10)) > cellPx, 'the lossy cell is painted');
  assert.ok(countColor(img, NO_DATA_COLOR) > 4 * cellPx, 'no-data cells are grey');
});
