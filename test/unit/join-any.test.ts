// Which route decided where a join without an interface landed (issue 19 item 5): a route about
// multicast (224.0.0.0/4 or longer) is someone's choice, a shorter one is the accident.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupRouteVia } from '../../src/core/doctor/checks/join-any.js';

// As `ip -4 -j route show table all` lists them on the laptop lab after the fix (dst fields only).
const routes = [
  { dst: 'default', dev: 'wired0' },
  { dst: '198.18.1.0/24', dev: 'wired0' },
  { dst: '198.18.2.0/24', dev: 'wifi0' },
  { dst: '239.1.9.9', dev: 'wifi0' },
  { dst: '239.2.0.0/16', dev: 'wired0' },
  { dst: '128.0.0.0/1', dev: 'tun0' },
  { dst: '224.0.0.0/4', dev: 'eth9' },
];

test('a host route to the group out of the interface is found; the default route is not one', () => {
  assert.equal(groupRouteVia('239.1.9.9', 'wifi0', routes), '239.1.9.9');
  assert.equal(groupRouteVia('239.1.9.9', 'wired0', routes), undefined);
  assert.equal(groupRouteVia('239.1.9.8', 'wifi0', routes), undefined);
});

test('a range route and 224.0.0.0/4 count; a VPN half-default (128.0.0.0/1) does not', () => {
  assert.equal(groupRouteVia('239.2.3.4', 'wired0', routes), '239.2.0.0/16');
  assert.equal(groupRouteVia('239.9.9.9', 'eth9', routes), '224.0.0.0/4');
  assert.equal(groupRouteVia('239.9.9.9', 'tun0', routes), undefined);
});
