// mesh's interface rows (core/mesh/view.ts), a step of startMesh on its own: every listed
// interface gets a row, and one that took no part says why (skipped, join or send failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceView } from '../../src/core/mesh/view.js';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';
import type { JoinResult } from '../../src/core/membership/join.js';
import type { SendResult } from '../../src/core/send-all/senders.js';
import { FakePlatform, laptopState, rawIface } from '../helpers/fake-platform.js';

test('interfaceView: addresses of the family, joined, sent, and the first reason an interface took no part', async () => {
  const state = laptopState({
    interfaces: [
      rawIface('wired0', 2, ['198.18.1.2/24', 'fd00:198:18:1::2/64']),
      rawIface('wifi0', 3, ['198.18.2.2/24']),
      rawIface('dock0', 4, []),
      rawIface('vpn0', 5, ['198.18.5.2/24']),
    ],
  });
  const listed = (await loadInterfaces(new FakePlatform(state))).interfaces;
  const join = (iface: string, status: JoinResult['status'], more: Partial<JoinResult> = {}): JoinResult =>
    ({ iface, ifindex: 0, family: 4, group: '239.1.1.1', port: 5000, status, ...more });
  const send = (iface: string, status: SendResult['status'], sent: number, more: Partial<SendResult> = {}): SendResult =>
    ({ iface, ifindex: 0, family: 4, status, sent, rate: 0, ...more });
  const joins = [
    join('wired0', 'joined'),
    join('wifi0', 'failed', { message: 'wifi0 cannot take the membership' }),
    join('dock0', 'skipped', { skipReason: 'no IPv4 address' as JoinResult['skipReason'] }),
    join('vpn0', 'joined'),
  ];
  const sends = [send('wired0', 'sent', 40), send('wifi0', 'sent', 40), send('vpn0', 'failed', 0, { message: 'no route out of vpn0' })];
  assert.deepEqual(interfaceView(listed, joins, sends, 4), [
    { name: 'wired0', index: 2, addresses: ['198.18.1.2'], joined: true, sent: 40 },
    { name: 'wifi0', index: 3, addresses: ['198.18.2.2'], joined: false, sent: 40, note: 'wifi0 cannot take the membership' },
    { name: 'dock0', index: 4, addresses: [], joined: false, sent: 0, note: 'skipped: no IPv4 address' },
    { name: 'vpn0', index: 5, addresses: ['198.18.5.2'], joined: true, sent: 0, note: 'no route out of vpn0' },
  ]);
  assert.deepEqual(interfaceView(listed.slice(0, 1), [], [], 6),
    [{ name: 'wired0', index: 2, addresses: ['fd00:198:18:1::2'], joined: false, sent: 0 }],
    'nothing joined or sent: a row without a note');
});
