// The pcapng interface and statistics blocks' options read on their own (pcapngBlock's steps),
// in both byte orders: the reader must follow each section's order, not the host's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceBlock, statisticsOptions } from '../../src/core/capture-file/pcapng.js';
import { CaptureFileError } from '../../src/core/capture-file/parser.js';

/** One option: code u16, length u16, value padded to 4 (draft-ietf-opsawg-pcapng 3.5). */
function option(le: boolean, code: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  const w16 = (v: number, o: number): number => (le ? h.writeUInt16LE(v, o) : h.writeUInt16BE(v, o));
  w16(code, 0);
  w16(value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function i64(le: boolean, v: bigint): Buffer {
  const b = Buffer.alloc(8);
  if (le) b.writeBigInt64LE(v); else b.writeBigInt64BE(v);
  return b;
}

/** A whole IDB: type 1, length, link type, reserved, snaplen, options, end of options, length again. */
function idb(le: boolean, linkType: number, snaplen: number, opts: Buffer[]): Buffer {
  const body = Buffer.concat([...opts, Buffer.alloc(4)]);
  const len = 20 + body.length;
  const b = Buffer.alloc(len);
  const w32 = (v: number, o: number): void => { if (le) b.writeUInt32LE(v, o); else b.writeUInt32BE(v, o); };
  w32(1, 0);
  w32(len, 4);
  if (le) b.writeUInt16LE(linkType, 8); else b.writeUInt16BE(linkType, 8);
  w32(snaplen, 12);
  body.copy(b, 16);
  w32(len, len - 4);
  return b;
}

for (const le of [true, false]) {
  const order = le ? 'little-endian' : 'big-endian';

  test(`IDB options (${order}): if_name, if_tsresol, if_tsoffset; defaults without them`, () => {
    const data = idb(le, 1, 262144, [
      option(le, 2, Buffer.from('wired0')),
      option(le, 9, Buffer.from([9])), // 10^-9 s: nanoseconds
      option(le, 14, i64(le, -3600n)),
    ]);
    const i = interfaceBlock({ data, p: 0, len: data.length, le, at: 100 }, 2);
    assert.deepEqual(i, { name: 'wired0', linkType: 1, snaplen: 262144, tsPerSec: 1e9, tsOffsetS: -3600 });
    const bare = idb(le, 113, 65535, []);
    assert.deepEqual(interfaceBlock({ data: bare, p: 0, len: bare.length, le, at: 0 }, 2),
      { name: 'if2', linkType: 113, snaplen: 65535, tsPerSec: 1e6, tsOffsetS: 0 });
    // Bit 7 set: a power of two (2^-20 s).
    const pow2 = idb(le, 1, 0, [option(le, 9, Buffer.from([0x80 | 20]))]);
    assert.equal(interfaceBlock({ data: pow2, p: 0, len: pow2.length, le, at: 0 }, 0).tsPerSec, 2 ** 20);
  });

  test(`IDB (${order}): an unusable if_tsresol is a CaptureFileError at the block's offset`, () => {
    const data = idb(le, 1, 0, [option(le, 9, Buffer.from([19]))]);
    assert.throws(() => interfaceBlock({ data, p: 0, len: data.length, le, at: 4242 }, 0),
      (e: unknown) => e instanceof CaptureFileError && e.offset === 4242 && /if_tsresol 19/.test(e.message));
  });

  test(`ISB options (${order}): received, ifDropped, osDropped; wrong-sized values skipped`, () => {
    const u64 = (v: bigint): Buffer => i64(le, v);
    const data = Buffer.concat([
      option(le, 4, u64(1000n)),
      option(le, 5, u64(3n)),
      option(le, 6, u64(99n)), // isb_filteraccept: not reported
      option(le, 7, Buffer.alloc(4)), // 4 bytes: not a counter
      Buffer.alloc(4),
    ]);
    assert.deepEqual(statisticsOptions(data, 0, data.length, le), { received: 1000, ifDropped: 3 });
  });
}

test('an option running past its block ends the walk: the rest is ignored, nothing read beyond', () => {
  const name = option(true, 2, Buffer.from('eth1'));
  const data = idb(true, 1, 0, [name]);
  // Claim a longer value than the block holds: the name is not taken, no exception.
  data.writeUInt16LE(200, 16 + 2);
  assert.equal(interfaceBlock({ data, p: 0, len: data.length, le: true, at: 0 }, 5).name, 'if5');
});
