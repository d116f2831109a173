// sniff's pcapng ends with interface-statistics blocks holding libpcap's counters; analyze reads
// them back (the "capture drops" column), and so does tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaptureFileWriter } from '../../src/core/sniff/file-format.js';
import { CaptureParser } from '../../src/core/capture-file/parser.js';
import { ether, ipv4, udp } from '../helpers/packets.js';

test('ISB per interface with received, ifDropped, osDropped; read back by the file reader and tshark', () => {
  const chunks: Buffer[] = [];
  const w = new CaptureFileWriter({ write: (c) => chunks.push(c) }, 'pcapng',
    [{ name: 'wired0', linkType: 1, snaplen: 65535 }, { name: 'wifi0', linkType: 1, snaplen: 65535 }]);
  const f = ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.2.3', proto: 17 }, udp(1, 2, Buffer.alloc(20))));
  for (let i = 0; i < 5; i++) w.write(i % 2, 1_800_000_000 + i, 0, f, f.length, f.length);
  w.statistics([{ id: 0, received: 3, dropped: 7, ifDropped: 1 }, { id: 1, received: 2, dropped: 0, ifDropped: 0 }], 1_800_000_010_000_000);
  w.flush();
  const file = Buffer.concat(chunks);
  let packets = 0;
  const p = new CaptureParser(() => { packets++; });
  p.push(file);
  p.end();
  assert.equal(packets, 5);
  assert.deepEqual(p.interfaces.map((i) => [i.name, i.stats]),
    [['wired0', { received: 3, ifDropped: 1, osDropped: 7 }], ['wifi0', { received: 2, ifDropped: 0, osDropped: 0 }]]);
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-isb-'));
  try {
    const name = path.join(dir, 'isb.pcapng');
    writeFileSync(name, file);
    // tshark reads the file whole (an ISB it could not parse would be an error) and counts drops.
    const out = execFileSync('tshark', ['-r', name, '-q', '-z', 'io,stat,0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /\|\s*5\s*\|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
