// Benchmark: analyze on a 1-million-packet capture against `tcpdump -r FILE -nn > /dev/null` on
// the same file (goal: analyze at least as fast, ratio >= 1.0), and analyze's peak memory on that
// file against a quarter of it (goal: flat, <= 1.1x: memory must not grow with the file).
// The file: four RTP audio streams (PCMU, 160-byte payloads), one RTP/MPEG-TS stream (7 TS
// packets a datagram) every 10th packet, an IGMPv3 query every 10 000 packets; 1 % of the audio
// packets left out (loss to find). Written with sniff's own encoder into a temporary directory,
// deleted at the end. Run after `npm run build`. Takes a few minutes on 2 cores.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'mcast-doctor');
const { CaptureFileWriter } = await import(path.join(REPO, 'dist/src/core/sniff/file-format.js'));
const { ether, ipv4, udp, igmp, igmpV3Query, ROUTER_ALERT_V4 } = await import(path.join(REPO, 'dist/test/helpers/packets.js'));

const dir = mkdtempSync(path.join(tmpdir(), 'mcd-bench-analyze-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function rtp(pt, seq, ts, ssrc, body) {
  const h = Buffer.alloc(12);
  h[0] = 0x80; h[1] = pt; h.writeUInt16BE(seq & 0xffff, 2); h.writeUInt32BE(ts >>> 0, 4); h.writeUInt32BE(ssrc, 8);
  return Buffer.concat([h, body]);
}

function makeFile(file, n) {
  const fd = openSync(file, 'w', 0o600);
  const w = new CaptureFileWriter({ write: (c) => writeSync(fd, c) }, 'pcap', [{ name: 'eth0', linkType: 1, snaplen: 65535 }]);
  const audio = [0, 1, 2, 3].map((i) => ({ src: `198.18.1.${10 + i}`, seq: 0 }));
  const ts = { seq: 0, cc: 0 };
  const query = ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 },
    igmp(igmpV3Query({ code: 100, group: '0.0.0.0', qrv: 2, qqic: 125 }))));
  const pcmu = Buffer.alloc(160, 0x7f);
  let t = 1_800_000_000_000_000;
  for (let i = 0; i < n; i++) {
    t += 50; // 20 000 packets per second
    let frame;
    if (i % 10_000 === 0) frame = query;
    else if (i % 10 === 0) {
      const body = Buffer.alloc(7 * 188);
      for (let k = 0; k < 7; k++) {
        body[k * 188] = 0x47;
        body[k * 188 + 1] = 0x01;
        body[k * 188 + 3] = 0x10 | ts.cc;
        ts.cc = (ts.cc + 1) & 15;
      }
      frame = ether(0x0800, ipv4({ src: '198.18.1.20', dst: '239.1.1.100', proto: 17, ttl: 8 },
        udp(4000, 5004, rtp(33, ts.seq++, ts.seq * 3000, 0xabc, body))));
    } else {
      const a = audio[i % 4];
      const seq = a.seq++;
      if (seq % 100 === 50) continue; // 1 % loss
      frame = ether(0x0800, ipv4({ src: a.src, dst: `239.1.1.${i % 4}`, proto: 17, ttl: 8 },
        udp(4000, 5004, rtp(0, seq, seq * 160, 0x100 + (i % 4), pcmu))));
    }
    w.write(0, Math.floor(t / 1e6), t % 1e6, frame, frame.length, frame.length);
  }
  w.flush();
  closeSync(fd);
}

/** Wall seconds and peak RSS (KiB) of a command, through /usr/bin/time; stdout to /dev/null. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', `exec "$0" "$@" > /dev/null`, cmd, ...args],
    { encoding: 'utf8', timeout: 10 * 60_000 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, rss] = last.split(' ').map(Number);
  if (!(wall >= 0)) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { wall, rssKiB: rss };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const big = path.join(dir, 'big.pcap');
const quarter = path.join(dir, 'quarter.pcap');
makeFile(big, 1_000_000);
makeFile(quarter, 250_000);
console.log(`file: ${big} ${(statSync(big).size / 1e6).toFixed(0)} MB (1 000 000 records less the left-out ones)`);

// The timed runs send the document to /dev/null: check once that it says what the file holds.
const check = spawnSync(process.execPath, [CLI, 'analyze', quarter, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
const doc = JSON.parse(check.stdout);
const audio = doc.streams.filter((x) => x.rtp?.[0]?.payloadType === 0);
if (check.status !== 1 || doc.interfaces[0].packets !== 247_750 || audio.length !== 4 || !audio.every((x) => x.rtp[0].lost > 0)) {
  throw new Error(`analyze did not read the file as expected (exit ${check.status}): ${JSON.stringify(doc.interfaces)}`);
}
console.log(`check: ${doc.interfaces[0].packets} packets, ${doc.streams.length} streams, `
  + `RTP loss found (${audio.map((x) => x.rtp[0].lost).join(', ')})`);

const tcpdumpRuns = [];
const analyzeRuns = [];
const quarterRuns = [];
for (let i = 0; i < 3; i++) {
  tcpdumpRuns.push(timed('tcpdump', ['-r', big, '-nn']));
  analyzeRuns.push(timed(process.execPath, [CLI, 'analyze', big, '--json']));
  quarterRuns.push(timed(process.execPath, [CLI, 'analyze', quarter, '--json']));
}
const td = median(tcpdumpRuns.map((r) => r.wall));
const an = median(analyzeRuns.map((r) => r.wall));
const rssBig = median(analyzeRuns.map((r) => r.rssKiB));
const rssQuarter = median(quarterRuns.map((r) => r.rssKiB));
console.log(`tcpdump -r -nn: ${tcpdumpRuns.map((r) => r.wall).join(', ')} s; analyze: ${analyzeRuns.map((r) => r.wall).join(', ')} s`);
console.log(`analyze peak RSS: 1M packets ${analyzeRuns.map((r) => r.rssKiB).join(', ')} KiB; `
  + `250k packets ${quarterRuns.map((r) => r.rssKiB).join(', ')} KiB`);
const speed = td / an;
const mem = rssBig / rssQuarter;
console.log(`analyze speed vs tcpdump -r -nn: ${speed.toFixed(2)}x (${an} s vs ${td} s) (goal: >= 1.0x; ${speed >= 1 ? 'met' : 'MISSED'})`);
console.log(`analyze memory 1M vs 250k packets: ${mem.toFixed(2)}x `
  + `(${Math.round(rssBig / 1024)} MB vs ${Math.round(rssQuarter / 1024)} MB peak RSS) (goal: <= 1.1x; ${mem <= 1.1 ? 'met' : 'MISSED'})`);
