// Escape injection into human output, asserted byte by byte: a probe's sender id and interface
// name, and interface names themselves, carry an OSC title, a clear screen, a fake green "PASS"
// line and an OSC 8 hyperlink. What reaches the terminal holds no control byte (colour off, as on a
// pipe), and the escapes are shown as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Output } from '../../src/render/output.js';
import { ReceiveStats } from '../../src/core/join-all/stats.js';
import { explainJoinAllStops, findStops } from '../../src/core/join-all/stalls.js';
import { makeProbeBuffer, stampProbe } from '../../src/core/probe/format.js';
import type { Packet } from '../../src/core/membership/join.js';
import { JoinAllReporter } from '../../src/render/join-all.js';
import { packetLine } from '../../src/render/sniff-text.js';
import { MeshReporter } from '../../src/render/mesh.js';
import { makeTable } from '../../src/render/table.js';
import { useColour } from '../../src/render/style.js';
import { simulateMesh } from '../helpers/mesh-sim.js';

const EVIL_ID = 'cam\x1b]0;owned\x07\x1b[2J\x1b[H-ab12';
const EVIL_IF = 'eth0\r\n\x1b[32mPASS\x1b[0m\x1b]8;;http://evil.example/\x1b\\x\x1b]8;;\x1b\\';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

function capture(): { out: Output; text: () => string } {
  const chunks: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  const out = new Output({ json: false, color: false, quiet: false, verbose: true }, sink, sink);
  return { out, text: () => chunks.join('') };
}

test('join-all: STREAM_STOPPED names the forged sender and interface as escapes', async () => {
  const T0 = 1_000_000;
  const s = new ReceiveStats({ joinedAtMs: T0, localHost: 'me', assumeSynced: false });
  for (let seq = 0, t = 100; t <= 6000; t += 200, seq++) {
    const data = makeProbeBuffer({ senderId: EVIL_ID, ifname: EVIL_IF, ifindex: 2, group: '239.1.2.3', ttl: 1 });
    stampProbe(data, seq, 0);
    const p: Packet = { iface: 'wifi0', ifindex: 2, family: 4, port: 5000, dst: '239.1.2.3', kind: 'group', group: '239.1.2.3', data,
      size: data.length, ttl: 1, from: { address: '198.18.1.1', port: 5000, size: data.length }, atMs: T0 + t };
    s.add(p);
  }
  const streams = s.streams();
  const findings = explainJoinAllStops(findStops(streams, { joinedAtMs: T0, endMs: T0 + 20_000 }), {
    streams, queries: (iface) => ({ iface, captured: true, queries: 0, queriers: [], answered: false, reportsSent: 1 }),
    causes: new Map(), failOnStop: false, membership: { intervalS: 260, source: 'default' },
  });
  assert.equal(findings[0]?.id, 'STREAM_STOPPED');
  // The decoder sanitised the id and name where they entered (src/core/probe/format.ts): the
  // core, its JSON and every renderer hold the escaped, bounded text (the name cut at IFNAME_MAX).
  assert.doesNotMatch(findings[0]?.message ?? '', CONTROL);
  assert.ok(findings[0]?.message.includes('cam\\x1b]0;owned\\x07\\x1b[2J\\x1b[H'), findings[0]?.message);
  const { out, text } = capture();
  new JoinAllReporter(out).summary(
    {
      results: [],
      rows: s.snapshot(T0 + 20_000),
      findings,
      sockets: 1,
      elapsedMs: 20_000,
      totalPackets: 30,
      churn: [],
      ifaces: [],
      ownDrops: [],
      loss: [],
      coverage: { notRun: [], interrupted: null },
    },
    0,
  );
  const shown = text();
  assert.doesNotMatch(shown, CONTROL);
  assert.ok(shown.includes('probes from cam\\x1b]0;owned\\x07\\x1b[2J\\x1b[H (eth0\\r\\n\\x1b[32mPASS\\x1b[0m\\x1b\u2026)'), shown);
});

test('sniff --verbose: a probe line shows the sender id and interface as escapes, byte for byte', () => {
  const line = packetLine({
    type: 'packet', iface: 'wired\x1b[1A', tsUs: Date.UTC(2026, 0, 1, 12, 0, 0) * 1000, src: '198.18.1.1', dst: '239.1.2.3', sport: 5000,
      dport: 5001,
    ttl: 1, dscp: 0, len: 120, probe: { sender: EVIL_ID, senderIface: EVIL_IF, seq: 7, delayMs: 0.25 } as never,
  });
  assert.equal(line, '12:00:00.000 wired\\x1b[1A 198.18.1.1:5000 > 239.1.2.3:5001 ttl 1 dscp 0 len 120 probe seq 7 from '
    + 'cam\\x1b]0;owned\\x07\\x1b[2J\\x1b[H-ab12/eth0\\r\\n\\x1b[32mPASS\\x1b[0m\\x1b]8;;http://evil.example/\\x1b\\x\\x1b]8;;\\x1b\\ ' +
      'delay 0.25ms');
});

test('mesh: the matrix and the verdict show forged peer names and interface names as escapes', () => {
  const [doc] = simulateMesh({
    hosts: [{ name: 'here', ifaces: { 'eth\x1b[2J': 's' } }, { name: 'peer\x1b]0;owned\x07', ifaces: { [EVIL_IF]: 's' } }],
    durationS: 10, rate: 2, maxLossPct: 0, dropEvery: { 'peer\x1b]0;owned\x07>here': 4 },
  });
  assert.ok(doc);
  doc.verdict.reasons.push(`peer ${EVIL_ID} failed`);
  const { out, text } = capture();
  new MeshReporter(out, { group: '239.9.9.9', port: 5000, durationS: 10, maxLossPct: 0 }).summary(doc);
  const shown = text();
  assert.doesNotMatch(shown, CONTROL);
  assert.match(shown, /FAIL: .*peer cam\\x1b\]0;owned\\x07\\x1b\[2J\\x1b\[H-ab12 failed/);
  assert.ok(shown.includes('peer\\x1b]0;owned\\x07 (eth0\\r\\n\\x1b[32mPASS'), shown);
  assert.ok(shown.includes('eth\\x1b[2J'), 'this host\'s interface name in the header');
});

test('tables: a cell no renderer escaped still cannot move the cursor; colour stays', async () => {
  await useColour(1);
  const t = makeTable(['interface', 'state'], true);
  t.push(['eth\x1b[2J\x1b]0;x\x07', '\x1b[32mok\x1b[39m']);
  const text = t.toString();
  assert.ok(text.includes('eth\x1b[2J'.replace('\x1b', '\\x1b')), text);
  assert.ok(text.includes('\\x1b]0;x\\x07'));
  assert.ok(text.includes('\x1b[32mok\x1b[39m'), 'our own colour is kept');
});
