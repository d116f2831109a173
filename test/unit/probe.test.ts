import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeProbe, makeProbeBuffer, probeHeaderLength, stampProbe } from '../../src/core/probe/format.js';
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
