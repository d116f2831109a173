import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeProbe, makeProbeBuffer, probeHeaderLength, stampProbe, SENDER_ID_MAX, IFNAME_MAX } from '../../src/core/probe/format.js';
import { hasTerminalControl } from '../../src/render/sanitize.js';
import { StreamTracker } from '../../src/core/probe/tracker.js';

test('a probe round-trips, IPv4 and IPv6, padded to the asked size', () => {
  for (const group of ['239.1.2.3', 'ff05::1:3']) {
    const buf = makeProbeBuffer({ senderId: 'lab-host-1a2b', ifname: 'wired0', ifindex: 7, group, ttl: 4 }, 200);
    assert.equal(buf.length, 200);
    stampProbe(buf, 41, 1_700_000_000_123_456);
    assert.deepEqual(decodeProbe(buf), {
      version: 1, ttl: 4, ifindex: 7, seq: 41, sentUs: 1_700_000_000_123_456, group,
      senderId: 'lab-host-1a2b', ifname: 'wired0', size: 200,
    });
  }
  assert.equal(probeHeaderLength({ senderId: 'ab', ifname: 'eth0' }), 48);
});

test('anything that is not a whole probe decodes to undefined, never throws', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    decodeProbe(bytes);
  }));
  const good = makeProbeBuffer({ senderId: 's', ifname: 'e', ifindex: 1, group: '239.0.0.1', ttl: 1 });
  for (let cut = 0; cut < good.length; cut++) assert.equal(decodeProbe(good.subarray(0, cut)), undefined);
});

test('sender ids and interface names are sanitised where they are decoded: escaped, bounded', () => {
  // A forger's id: an OSC title, a fake line, a bidi override, a C1 CSI, then 255 bytes in all.
  const evil = `\u001b]0;pwned\u0007\r\nPASS \u202eabc\u009b31m${'x'.repeat(240)}`;
  const buf = makeProbeBuffer({ senderId: evil, ifname: 'e\u001b[2Jth0\u0000', ifindex: 1, group: '239.0.0.1', ttl: 1 });
  assert.equal(buf.readUInt8(40), 255, 'the wire carries the whole 255 bytes');
  const p = decodeProbe(buf);
  assert.ok(p);
  const shown = '\\x1b]0;pwned\\x07\\r\\nPASS \\u202eabc\\x9b31m';
  assert.equal(p.senderId, `${shown}${'x'.repeat(SENDER_ID_MAX - shown.length - 1)}\u2026`);
  assert.equal(p.senderId.length, SENDER_ID_MAX);
  assert.equal(p.ifname, 'e\\x1b[2Jth0\\x00');
  for (const s of [p.senderId, p.ifname]) assert.ok(!hasTerminalControl(s), JSON.stringify(s));
  // Honest names pass unchanged, at their longest too (HOST_NAME_MAX 64 + "-xxxx"; IFNAMSIZ - 1).
  const honest = { senderId: `${'h'.repeat(64)}-1a2b`, ifname: 'enp0s31f6.4000', ifindex: 2, group: 'ff05::1', ttl: 1 };
  const q = decodeProbe(makeProbeBuffer(honest));
  assert.deepEqual({ senderId: q?.senderId, ifname: q?.ifname }, { senderId: honest.senderId, ifname: honest.ifname });
  // Whatever bytes arrive, the names stay safe and within their caps; invalid UTF-8 too.
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 255 }), fc.uint8Array({ minLength: 0, maxLength: 255 }), (id, name) => {
    const b = Buffer.alloc(42 + id.length + name.length);
    makeProbeBuffer({ senderId: '', ifname: '', ifindex: 1, group: '239.0.0.1', ttl: 1 }).copy(b, 0, 0, 42);
    b.writeUInt16BE(b.length, 6);
    b.writeUInt8(id.length, 40);
    b.writeUInt8(name.length, 41);
    b.set(id, 42);
    b.set(name, 42 + id.length);
    const d = decodeProbe(b);
    assert.ok(d);
    assert.ok(d.senderId.length <= SENDER_ID_MAX && d.ifname.length <= IFNAME_MAX, JSON.stringify(d));
    assert.ok(!hasTerminalControl(d.senderId) && !hasTerminalControl(d.ifname), JSON.stringify(d));
  }), { numRuns: 500 });
});

test('tracker counts loss, duplicates and reorder', () => {
  const t = new StreamTracker('s', 'e', '239.0.0.1', 0);
  for (const seq of [0, 1, 2, 4, 3, 3, 7]) t.add(seq, 0.5, 1);
  assert.equal(t.stats.received, 7);
  assert.equal(t.stats.unique, 6);
  assert.equal(t.stats.duplicates, 1);
  assert.equal(t.stats.reordered, 1);
  assert.equal(t.stats.lost, 2); // 5 and 6
  assert.deepEqual(t.stats.delayMs, { min: 0.5, avg: 0.5, max: 0.5 });
});
