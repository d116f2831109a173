// The stall diagnosis' IGMP watch (src/core/stall/wire-watch.ts): a 2 MB ring with an IGMP-only
// filter for join-all, and a fresh capture when an interface comes back from a down (libpcap's
// socket delivers nothing more after a flap), keeping what was heard before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWireWatch } from '../../src/core/stall/wire-watch.js';
import { FakeCapture } from '../helpers/fake-capture.js';
import { ROUTER_ALERT_V4, ether, igmpV3Query, ipv4 } from '../helpers/packets.js';

const query = (): Buffer => ether(0x0800, ipv4({ src: '198.18.2.1', dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 },
  igmpV3Query({ code: 10, group: '0.0.0.0', qrv: 2, qqic: 2 })));

test('join-all\'s watch: IGMP only, 2 MB ring; reopen() after a down gives a new capture and keeps the queries heard', async () => {
  const fake = new FakeCapture();
  const w = await startWireWatch(async () => fake, [{ iface: 'wifi0', addresses: ['198.18.2.2'] }], 4);
  assert.deepEqual(fake.opened.map((o) => [o.iface, o.filter, o.bufferBytes]), [['wifi0', 'igmp', 2 << 20]]);
  fake.deliver('wifi0', query(), 1_000_000);
  assert.equal(w.queries.summary('wifi0').queries, 1);
  w.reopen('wifi0');
  assert.deepEqual(fake.closed, ['wifi0']);
  assert.equal(fake.opened.length, 2);
  fake.deliver('wifi0', query(), 3_000_000);
  assert.equal(w.queries.summary('wifi0').queries, 2, 'heard on the new capture, the old count kept');
  w.reopen('eth9'); // not watched: nothing happens
  assert.equal(fake.opened.length, 2);
  w.close();
  assert.deepEqual(fake.closed, ['wifi0', 'wifi0']);
});
