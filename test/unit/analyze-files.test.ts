// The capture-file readers against files recorded on this kernel with tcpdump, dumpcap and
// editcap (scripts/record-analyze-fixtures.sh), checked against what tshark read in the same
// files (fixtures/analyze/expected.json): packets, link types, interface names, first and last
// timestamps, and RTP loss per SSRC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, createReadStream } from 'node:fs';
import path from 'node:path';
import { analyzeFiles } from '../../src/core/analyze/run.js';
import { openCaptureSource } from '../../src/platform/capture-file-source.js';
import { REPO } from '../helpers/lab.js';

const DIR = path.join(REPO, 'fixtures', 'analyze');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, {
  packets: number; interfaceNames: string[]; firstEpoch: string; lastEpoch: string;
  rtp: { src: string; dst: string; ssrc: string; packets: number; lost: number; maxJitterMs: number }[];
}>;

/** tshark's epoch text ("1795978877.579134707") in microseconds, as a number. */
function epochUs(text: string): number {
  const [s, frac = ''] = text.split('.');
  return Number(s) * 1e6 + Number(`${frac.padEnd(9, '0').slice(0, 6)}.${frac.padEnd(9, '0').slice(6)}`);
}

const LINK: Record<string, number> =
  { 'sll.pcap': 113, 'sll2.pcap': 276, 'nano.pcap': 1, 'nano.pcapng': 1, 'raw.pcap': 101, 'multi.pcapng.gz': 1 };

for (const [file, want] of Object.entries(expected)) {
  test(`${file}: what tshark reads`, async () => {
    const r = await analyzeFiles([openCaptureSource(path.join(DIR, file))], { prefixes: [] });
    const f = r.files[0]!;
    assert.equal(f.complete, true, f.error);
    assert.equal(f.packets, want.packets);
    assert.equal(f.compressed, file.endsWith('.gz'));
    assert.deepEqual([...new Set(f.interfaces.map((i) => i.linkType))], [LINK[file]]);
    // tshark calls an IDB without if_name "unknown", this reader "if0": only named ones compare.
    if (file.startsWith('multi')) assert.deepEqual(f.interfaces.map((i) => i.name).sort(), want.interfaceNames);
    if (file.startsWith('nano')) assert.equal(f.interfaces[0]!.tsPerSec, 1e9);
    // Timestamps to the microsecond (nanosecond files keep the fraction).
    assert.ok(Math.abs(r.analysis.firstUs! - epochUs(want.firstEpoch)) < 1, `${r.analysis.firstUs} vs ${want.firstEpoch}`);
    assert.ok(Math.abs(r.analysis.lastUs! - epochUs(want.lastEpoch)) < 1, `${r.analysis.lastUs} vs ${want.lastEpoch}`);
    for (const w of want.rtp) {
      const s = r.analysis.streams.find((x) => x.source === w.src && x.group === w.dst && x.rtp?.some((y) => y.ssrc === w.ssrc));
      assert.ok(s, `no RTP stream ${w.ssrc} from ${w.src}`);
      const rtp = s.rtp!.find((y) => y.ssrc === w.ssrc)!;
      assert.equal(rtp.packets, w.packets);
      assert.equal(rtp.lost, w.lost);
      assert.ok(Math.abs(rtp.maxJitterMs - w.maxJitterMs) < 0.5, `max jitter ${rtp.maxJitterMs} vs tshark ${w.maxJitterMs}`);
      // The sender put 7 TS packets in each datagram and left out 2 datagrams on b0: 2 CC jumps.
      assert.equal(s.mpegts?.ccErrors, w.lost > 0 ? 2 : 0);
      assert.equal(r.findings.some((x) => x.id === 'RTP_LOSS' && x.source === w.src), w.lost > 0);
    }
  });
}

test('standard input ("-") reads the same as the file, gzip included', async () => {
  const file = path.join(DIR, 'multi.pcapng.gz');
  const a = await analyzeFiles([openCaptureSource('-', createReadStream(file, { highWaterMark: 977 }))], { prefixes: [] });
  const b = await analyzeFiles([openCaptureSource(file)], { prefixes: [] });
  assert.equal(a.files[0]!.packets, expected['multi.pcapng.gz']!.packets);
  assert.equal(a.files[0]!.compressed, true);
  assert.deepEqual(a.analysis.streams.map((s) => [s.iface, s.packets]), b.analysis.streams.map((s) => [s.iface, s.packets]));
});

test('two files: interfaces told apart by file name, one time axis', async () => {
  const r = await analyzeFiles(['nano.pcap', 'raw.pcap'].map((f) => openCaptureSource(path.join(DIR, f))), { prefixes: [] });
  assert.deepEqual(r.analysis.interfaces.map((i) => i.iface), ['nano.pcap', 'raw.pcap']);
  assert.ok(r.analysis.firstUs! <= r.analysis.interfaces[1]!.firstUs!);
});

test('--json document matches docs/schemas/analyze.schema.json', async () => {
  const { assertMatchesSchema } = await import('../helpers/schema.js');
  const { spawnSync } = await import('node:child_process');
  const { CLI } = await import('../helpers/lab.js');
  const r = spawnSync(process.execPath, [CLI, 'analyze', path.join(DIR, 'multi.pcapng.gz'), path.join(DIR, 'raw.pcap'), '--json'],
    { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr); // RTP_LOSS is an error
  const doc = JSON.parse(r.stdout);
  assertMatchesSchema('analyze.schema.json', doc);
  assert.equal(doc.source, 'file');
  assert.deepEqual(doc.interfaces.map((i: any) => i.iface), ['multi.pcapng.gz:b0', 'multi.pcapng.gz:b1', 'raw.pcap']);
});
