// The facts trace reads after its window (core/accounting/facts.ts), steps of runTrace on their
// own: which sockets are of interest, and one socket's drops during the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketFact, socketsOfInterest } from '../../src/core/accounting/facts.js';
import type { UdpSocket } from '../../src/platform/procfs/udp.js';

const sock = (localAddress: string, localPort: number, inode: number, drops = 0): UdpSocket =>
  ({ family: 4, localAddress, localPort, inode, drops, rxQueue: 0 });

test('sockets of interest: on the port or bound to the group first, then wildcard sockets above 1023; bounded at 64', () => {
  const all = [
    sock('0.0.0.0', 9999, 1), sock('0.0.0.0', 5000, 2), sock('239.1.1.1', 6000, 3),
    sock('0.0.0.0', 53, 4), sock('198.18.1.2', 7000, 5), sock('::', 5001, 6),
  ];
  assert.deepEqual(socketsOfInterest(all, 5000, '239.1.1.1').map((s) => s.inode), [2, 3, 1, 6],
    'the well-known port 53 and a unicast-bound socket are left out');
  assert.deepEqual(socketsOfInterest(all, undefined, '239.1.1.1').map((s) => s.inode), [3, 1, 2, 6],
    'no port seen: the group\'s, then wildcards');
  const many = Array.from({ length: 100 }, (_, i) => sock('0.0.0.0', 5000, i));
  assert.equal(socketsOfInterest(many, 5000, '239.1.1.1').length, 64);
});

test('socketFact: drops during the window from the reading before; a socket new in the window counts none; rcvbuf when known', () => {
  const owners = { owners: new Map([[2, [{ pid: 42, comm: 'app', fd: 3 }]]]), complete: true } as unknown as
    Parameters<typeof socketFact>[1];
  const before = new Map([[2, 10]]);
  const f = socketFact(sock('0.0.0.0', 5000, 2, 25), owners, new Map([[2, { rcvbuf: 212992 }]]) as Parameters<typeof socketFact>[2],
    before);
  assert.equal(f.dropsDuring, 15);
  assert.equal(f.rcvbuf, 212992);
  assert.deepEqual(f.owners, [{ pid: 42, comm: 'app' }]);
  const fresh = socketFact(sock('0.0.0.0', 5000, 7, 5), owners, undefined, before);
  assert.equal(fresh.dropsDuring, 0);
  assert.equal(fresh.rcvbuf, undefined);
  assert.deepEqual(fresh.owners, []);
});
