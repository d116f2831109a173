// MULTICAST_ALL_LEAK's judge (issue 19 item 4) over socket views, and the ss --inet-sockopt reader
// on output recorded here (four sockets: IPv4 with the option off and on, [::] dual-stack, [::] v6only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { parseSsSockopt } from '../../src/platform/accounting/sockopt.js';
import { guessFindings, multicastAllFindings, type HeldGroup, type SocketView } from '../../src/core/doctor/checks/multicast-all.js';
import { candidates } from '../../src/core/doctor/checks/socket-views.js';

test('ss --inet-sockopt: mc_all per inode; a dual-stack socket has it off by default; v6only read', () => {
  const m = parseSsSockopt(readFileSync(path.join(REPO, 'fixtures', 'iproute2', 'ss', 'udp-inet-sockopt.txt'), 'utf8'));
  assert.deepEqual([...m.entries()], [
    [4698587, { mcAll: false }], [4698588, { mcAll: true }],
    [4698589, { mcAll: false, v6only: false }], [4698590, { mcAll: false, v6only: true }],
  ]);
});

const held: HeldGroup[] = [{ family: 4, group: '239.1.1.1', iface: 'lan0', ifindex: 2 }];
const svc = (over: Partial<SocketView> = {}): SocketView => ({
  family: 4, localAddress: '0.0.0.0', localPort: 5000, inode: 10, owners: [{ pid: 100, comm: 'syslogd' }],
  mcAll: { 4: true }, mcAllFrom: 'getsockopt', joined: new Set(), ...over,
});
const rx: SocketView = {
  family: 4, localAddress: '239.1.1.1', localPort: 5000, inode: 11, owners: [{ pid: 200, comm: 'vlc' }],
  mcAll: { 4: true }, mcAllFrom: 'getsockopt', joined: new Set(['239.1.1.1%2']),
};

test('a wildcard socket beside a group-bound receiver: named with the group and the joiner', () => {
  const [f, ...rest] = multicastAllFindings([svc(), rx], held);
  assert.equal(rest.length, 0);
  assert.equal(f?.group, '239.1.1.1');
  assert.match(f?.message ?? '', /^syslogd \(pid 100\) receives 239\.1\.1\.1 on 0\.0\.0\.0:5000 without having joined it: .* joined on lan0 by vlc \(pid 200\) \(bound to 239\.1\.1\.1:5000\)/);
  assert.equal(f?.evidence.confidence, 'certain');
});

test('quiet: the option off; the wildcard socket joined the group itself; another port; a v6only socket', () => {
  assert.deepEqual(multicastAllFindings([svc({ mcAll: { 4: false } }), rx], held), []);
  assert.deepEqual(multicastAllFindings([svc({ joined: new Set(['239.1.1.1%2']) }), rx], held), []);
  assert.deepEqual(multicastAllFindings([svc({ localPort: 5001 }), rx], held), []);
  assert.deepEqual(multicastAllFindings([svc({ family: 6, localAddress: '::', v6only: true, mcAll: {} }), rx], held), []);
});

test('a dual-stack [::] socket: IPv4 groups leak only when its IPv4 option is on (off by default)', () => {
  const v6 = svc({ family: 6, localAddress: '::', mcAll: {}, mcAllFrom: 'default', joined: undefined });
  assert.deepEqual(multicastAllFindings([v6, rx], held), []);
  const on = multicastAllFindings([{ ...v6, mcAll: { 4: true }, mcAllFrom: 'sock_diag' }, rx], held);
  assert.equal(on.length, 1);
  assert.equal(on[0]?.evidence.confidence, 'likely', 'its own memberships were not read');
  assert.match(on[0]?.message ?? '', /unless it joined it itself/);
});

test('a socket joined on one interface gets the group arriving on the other through the option', () => {
  const two: HeldGroup[] = [...held, { family: 4, group: '239.1.1.1', iface: 'lan1', ifindex: 3 }];
  const [f] = multicastAllFindings([svc({ joined: new Set(['239.1.1.1%2']) }), { ...rx, joined: new Set(['239.1.1.1%3']) }], two);
  assert.deepEqual((f?.evidence.foreign as Array<{ ifaces: string[] }>)[0]?.ifaces, ['lan1']);
});

test('nothing visible: the old guess on two wildcard sockets, never when the option is seen off', () => {
  const blind = (inode: number, mcAll: SocketView['mcAll']): SocketView => svc({ inode, mcAll, mcAllFrom: 'default', joined: undefined });
  const two: HeldGroup[] = [...held, { family: 4, group: '239.1.1.2', iface: 'lan0', ifindex: 2 }];
  const g = guessFindings([blind(1, {}), blind(2, {})], two, []);
  assert.equal(g.length, 1);
  assert.equal(g[0]?.evidence.confidence, 'guess');
  assert.deepEqual(guessFindings([blind(1, { 4: false }), blind(2, { 4: false })], two, []), []);
});

test('candidates: only ports where a wildcard socket shares the port', () => {
  const u = (localAddress: string, localPort: number, inode: number) =>
    ({ family: 4 as const, localAddress, localPort, inode, drops: 0, rxQueue: 0 });
  const all = [u('0.0.0.0', 53, 1), u('239.1.1.1', 5000, 2), u('0.0.0.0', 5000, 3), u('198.18.1.2', 6000, 4), u('198.18.1.3', 6000, 5)];
  assert.deepEqual(candidates(all).map((s) => s.inode), [2, 3]);
});
