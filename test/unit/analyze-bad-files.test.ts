// Bad capture files: what was read before the damage is reported, then one line and exit 2.
// The reader is fuzzed: whatever the bytes and however they are split into chunks, it ends
// with packets or a CaptureFileError, never another exception, and chunking never changes what it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { CaptureFileError, CaptureParser } from '../../src/core/capture-file/parser.js';
import { analyzeFiles } from '../../src/core/analyze/run.js';
import { openCaptureSource } from '../../src/platform/capture-file-source.js';
import { CLI, REPO } from '../helpers/lab.js';

const DIR = path.join(REPO, 'fixtures', 'analyze');
const NANO = readFileSync(path.join(DIR, 'nano.pcap'));
const MULTI = gunzipSync(readFileSync(path.join(DIR, 'multi.pcapng.gz')));
const SLL2 = readFileSync(path.join(DIR, 'sll2.pcap'));

function fromBuffer(b: Buffer, chunk = 4096) {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += chunk) parts.push(b.subarray(i, i + chunk));
  return openCaptureSource('-', Readable.from(parts));
}

async function read(b: Buffer) {
  return (await analyzeFiles([fromBuffer(b)], { prefixes: [] })).files[0]!;
}

test('truncated pcap: the whole records before the cut are read, the cut is named', async () => {
  const f = await read(NANO.subarray(0, NANO.length - 10));
  assert.equal(f.complete, false);
  assert.equal(f.packets, 41);
  assert.match(f.error ?? '', /^truncated: the last record is cut short/);
});

test('truncated pcapng and gzip', async () => {
  const f = await read(MULTI.subarray(0, MULTI.length - 7));
  assert.match(f.error ?? '', /^truncated: the last block/);
  const gz = gzipSync(NANO);
  const g = await read(gz.subarray(0, gz.length - 30));
  assert.match(g.error ?? '', /gzip data truncated|truncated/);
});

test('wrong magic, empty file, absurd lengths, undeclared interface', async () => {
  assert.match((await read(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).error ?? '', /^not a pcap or pcapng file \(magic 0x20544547\)/);
  assert.equal((await read(Buffer.alloc(0))).error, 'empty file');
  const big = Buffer.from(NANO);
  big.writeUInt32LE(0x7fffffff, 24 + 8); // first record's caplen
  const a = await read(big);
  assert.equal(a.packets, 0);
  assert.match(a.error ?? '', /claims 2147483647 bytes \(absurd length/);
  const ng = Buffer.from(MULTI);
  const shbLen = ng.readUInt32LE(4);
  ng.writeUInt32LE(0xfffffff0, shbLen + 4); // the block after the SHB
  assert.match((await read(ng)).error ?? '', /absurd length/);
  // An EPB naming interface 9 in a section that declares 2.
  const epb = Buffer.from(MULTI);
  let o = 0;
  while (epb.readUInt32LE(o) !== 6) o += epb.readUInt32LE(o + 4);
  epb.writeUInt32LE(9, o + 8);
  assert.match((await read(epb)).error ?? '', /names interface 9, but the section declares 2/);
});

test('CLI: report of what was read, then one line on stderr and exit 2', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-bad-'));
  try {
    const file = path.join(dir, 'cut.pcap');
    writeFileSync(file, SLL2.subarray(0, SLL2.length - 50));
    const r = spawnSync(process.execPath, [CLI, 'analyze', file, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.source, 'file');
    assert.equal(doc.files[0].complete, false);
    assert.ok(doc.streams.length > 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^mcast-doctor: .*cut\.pcap: truncated: .* \(after \d+ packets\)$/);
    const missing = spawnSync(process.execPath, [CLI, 'analyze', path.join(dir, 'nope.pcap')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
    // sniff -r is the same path.
    const s = spawnSync(process.execPath, [CLI, 'sniff', '-r', path.join(DIR, 'raw.pcap'), '--json'], { encoding: 'utf8' });
    assert.equal(s.status, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).files[0].packets, 21);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every packet the parser hands out, as [iface, ts, caplen, wire, first byte]. */
function parseAll(b: Buffer, cuts: number[]): { packets: number[][]; error?: string } {
  const packets: number[][] = [];
  const p = new CaptureParser((i, ts, d, cap, wire) => { packets.push([i, ts, cap, wire, d[0] ?? -1]); });
  let last = 0;
  try {
    for (const c of [...cuts.map((x) => x % (b.length + 1)).sort((x, y) => x - y), b.length]) {
      p.push(b.subarray(last, Math.max(last, c)));
      last = Math.max(last, c);
    }
    p.end();
    return { packets };
  } catch (e) {
    assert.ok(e instanceof CaptureFileError, `not a CaptureFileError: ${(e as Error).stack}`);
    return { packets, error: e.message };
  }
}

test('fuzz: mutated files end in packets or a CaptureFileError, whatever the chunking', () => {
  fc.assert(fc.property(
    fc.constantFrom(NANO, MULTI, SLL2), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    fc.nat(), fc.array(fc.nat(), { maxLength: 6 }),
    (seed, flips, cut, chunks) => {
      const b = Buffer.from(seed.subarray(0, Math.max(1, cut % (seed.length + 1))));
      // Mutations near the headers are the interesting ones: half of them land in the first 64 bytes.
      for (const [at, v] of flips) b[(at % 2 === 0 ? at % 64 : at) % b.length] = v;
      const whole = parseAll(b, []);
      const split = parseAll(b, chunks);
      assert.deepEqual(split, whole);
    }), { numRuns: 400 });
});

test('fuzz: random bytes behind each magic', () => {
  const magics = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a]];
  fc.assert(fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 400 }), (m, rest) => {
    parseAll(Buffer.concat([Buffer.from(m), Buffer.from(rest)]), [7, 30]);
  }), { numRuns: 2000 });
});

test('tshark reads what the fuzz seeds are', () => {
  // The seeds are real files: tshark agrees on their packet counts (guards the fixtures themselves).
  const n = execFileSync('tshark', ['-r', path.join(DIR, 'nano.pcap')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').length;
  assert.equal(n, parseAll(NANO, []).packets.length);
});
