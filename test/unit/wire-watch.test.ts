// The stall diagnosis' IGMP watch (src/core/stall/wire-watch.ts): a 2 MB ring with an IGMP-only
// filter for join-all, and a fresh capture when an interface comes back from a down (libpcap's
// socket delivers nothing more after a flap), keeping what was heard before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterFor, startWireWatch } from '../../src/core/stall/wire-watch.js';
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

test('the watch\'s gaps: not asked is no gap, libpcap missing is one, an interface that would not open is one by name', async () => {
  const off = await startWireWatch(undefined, [{ iface: 'wifi0', addresses: [] }], 4);
  assert.equal(off.unavailable, 'capture not requested');
  assert.deepEqual(off.notRun('IGMP watch'), []);
  assert.equal(off.queries.summary('wifi0').queries, 0);
  let loads = 0;
  const v6 = await startWireWatch(async () => { loads++; return new FakeCapture(); }, [{ iface: 'wifi0', addresses: [] }], 6);
  assert.equal(loads, 0, 'IPv6: libpcap stays unloaded (MLD hides behind the Hop-by-Hop header)');
  assert.deepEqual(v6.notRun('IGMP watch'), []);
  const missing = await startWireWatch(async () => { throw new Error('libpcap.so.0.8: cannot open shared object file'); },
    [{ iface: 'wifi0', addresses: [] }], 4);
  assert.deepEqual(missing.notRun('IGMP watch').map((n) => [n.check, n.reason]),
    [['IGMP watch', 'no capture: libpcap.so.0.8: cannot open shared object file']]);
  const fake = new FakeCapture();
  fake.failOn = { iface: 'wifi0', error: new Error('wifi0: You don\'t have permission to perform this capture on that device') };
  const partial = await startWireWatch(async () => fake, [{ iface: 'wired0', addresses: [] }, { iface: 'wifi0', addresses: [] }], 4);
  const [gap] = partial.notRun('IGMP watch');
  assert.equal(gap?.check, 'IGMP watch on wifi0');
  assert.match(gap?.reason ?? '', /^the capture could not open: .*permission/);
  assert.match(partial.unavailable ?? '', /permission/);
  assert.deepEqual(fake.opened.map((o) => o.iface), ['wired0'], 'the other interface is watched');
  partial.close();
});

test('the watch\'s filter: IGMP alone for join-all; mesh adds its probes (IPv6: the probes only)', () => {
  assert.equal(filterFor(4), 'igmp');
  assert.equal(filterFor(4, { group: '239.1.1.1', port: 5000 }), 'igmp or (udp and dst host 239.1.1.1 and dst port 5000)');
  assert.equal(filterFor(6, { group: 'ff05::1', port: 5000 }), 'ip6 and udp and dst host ff05::1 and dst port 5000');
});
