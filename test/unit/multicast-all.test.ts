// MULTICAST_ALL_LEAK's judge (issue 19 item 4) over socket views, and the ss --inet-sockopt reader
// on output recorded here (four sockets: IPv4 with the option off and on, [::] dual-stack, [::] v6only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { parseSsSockopt } from '../../src/platform/accounting/sockopt.js';
import { guessFindings, multicastAllFindings, undecidedPorts, type HeldGroup,
  type SocketView } from '../../src/core/doctor/checks/multicast-all.js';
import { candidates, socketViews } from '../../src/core/doctor/checks/socket-views.js';
import type { AccountingPlatform } from '../../src/platform/accounting/types.js';
import type { DoctorCheck } from '../../src/core/doctor/types.js';
import { runDoctor } from '../../src/core/doctor/run.js';
import { doctorDeps } from '../../src/core/doctor/default.js';
import { FakeHost } from '../helpers/fake-host.js';

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

const held6: HeldGroup[] = [{ family: 6, group: 'ff15::1:1', iface: 'lan0', ifindex: 2 }];
const v6svc = (over: Partial<SocketView> = {}): SocketView =>
  svc({ family: 6, localAddress: '::', v6only: false, mcAll: { 4: false, 6: true }, ...over });
const rx6: SocketView =
  { ...rx, family: 6, localAddress: 'ff15::1:1', v6only: true, mcAll: { 4: false, 6: true }, joined: new Set(['ff15::1:1%2']) };

test('IPv6: named with IPV6_MULTICAST_ALL, never the IPv4 option; quiet when IPV6_MULTICAST_ALL is seen off', () => {
  const [f, ...rest] = multicastAllFindings([v6svc(), rx6], held6);
  assert.equal(rest.length, 0);
  assert.match(f?.message ?? '', /^syslogd \(pid 100\) receives ff15::1:1 on \[::\]:5000 without having joined it: .*with IPV6_MULTICAST_ALL on, and ff15::1:1 is joined on lan0 by vlc/);
  assert.doesNotMatch(f?.message ?? '', /\bIP_MULTICAST_ALL/);
  assert.match(f?.fix ?? '', /setsockopt\(IPV6_MULTICAST_ALL, 0\)/);
  assert.deepEqual([f?.evidence.option, f?.evidence.mcAllFrom, f?.evidence.confidence], ['IPV6_MULTICAST_ALL', 'getsockopt', 'certain']);
  assert.deepEqual(multicastAllFindings([v6svc({ mcAll: { 4: false, 6: false } }), rx6], held6), []);
});

test('IPv6 without ptrace rights: sock_diag\'s bit is the IPv4 option, so IPV6_MULTICAST_ALL is the default, said as a condition', () => {
  // What an unprivileged run sees: sock_diag's mc_all (the IPv4 bit) only, no owner, no memberships.
  const blind = v6svc({ owners: [], mcAll: { 4: false }, mcAllFrom: 'sock_diag', joined: undefined });
  const [f] = multicastAllFindings([blind, { ...rx6, owners: [], mcAll: { 4: false }, mcAllFrom: 'sock_diag', joined: undefined }], held6);
  assert.equal(f?.evidence.confidence, 'likely');
  assert.equal(f?.evidence.mcAllFrom, 'default', 'the IPv6 option was not read');
  assert.match(f?.message ?? '', /^a socket \(inode 10, owner not found\) receives ff15::1:1 on \[::\]:5000 unless it joined it itself or turned IPV6_MULTICAST_ALL off \(neither is visible without ptrace rights\): its socket is bound to the wildcard address where IPV6_MULTICAST_ALL is on by default/);
  // IPv4 with sock_diag's bit read: only the memberships are a condition.
  const [g] = multicastAllFindings([svc({ mcAllFrom: 'sock_diag', joined: undefined }), rx], held);
  assert.match(g?.message ?? '', /receives 239\.1\.1\.1 on 0\.0\.0\.0:5000 unless it joined it itself \(its memberships are not visible without ptrace rights\): .*with IP_MULTICAST_ALL on/);
});

test('undecided: two wildcard sockets on a port, memberships unread, nothing said: the port is open; decided or said: none', () => {
  const blind = (inode: number, over: Partial<SocketView> = {}): SocketView =>
    v6svc({ inode, owners: [], mcAll: { 4: false }, mcAllFrom: 'sock_diag', joined: undefined, ...over });
  assert.deepEqual(undecidedPorts([blind(1), blind(2)], held6, []), [5000]);
  // Each socket's memberships read (root): decided, whatever the verdict.
  const seen = (inode: number): SocketView => v6svc({ inode, joined: new Set() });
  assert.deepEqual(undecidedPorts([seen(1), seen(2)], held6, []), []);
  // Alone on its port; the option seen off on the only wildcard socket; another port said already.
  assert.deepEqual(undecidedPorts([blind(1)], held6, []), []);
  assert.deepEqual(undecidedPorts([blind(1, { mcAll: { 4: false, 6: false } }), blind(2, { localAddress: 'fd00::2' })], held6, []), []);
  const said = multicastAllFindings([v6svc(), rx6], held6);
  assert.deepEqual(undecidedPorts([blind(1), blind(2)], held6, said), []);
  // No IPv6 group held: a dual-stack socket's IPv4 option is off by default, nothing to receive.
  assert.deepEqual(undecidedPorts([blind(1, { mcAll: {} }), blind(2, { mcAll: {} })], held, []), []);
});

test('socketViews without ptrace rights: owners hidden or the duplicate refused count as unread, with the reason', async () => {
  const u = (localAddress: string, inode: number) => ({ family: 6 as const, localAddress, localPort: 5000, inode, drops: 0, rxQueue: 0 });
  const opts = new Map([[1, { mcAll: false, v6only: false }], [2, { mcAll: false, v6only: false }]]);
  const acc = (owned: boolean): AccountingPlatform => ({
    counters: async () => ({}), udpSockets: async () => [], skmem: async () => undefined,
    openDropReasons: () => ({ ok: false, why: 'fake' }) as ReturnType<AccountingPlatform['openDropReasons']>,
    owners: async (inodes) =>
      ({ owners: new Map(owned ? [...inodes].map((i) => [i, [{ pid: 10 + i, comm: 'rx', fd: 3 }]]) : []), complete: true }),
    sockopts: async () => opts,
    peek: async () => ({ ok: false, errno: 1, why: 'not permitted (ptrace rights over the process are needed: root or CAP_SYS_PTRACE)' }),
  });
  const hidden = await socketViews([u('::', 1), u('::', 2)], held6, acc(false));
  assert.deepEqual([hidden.peeked, hidden.notPeeked], [0, 2]);
  assert.match(hidden.peekWhy ?? '', /owning process is not visible/);
  assert.deepEqual(hidden.views.map((v) => [v.mcAll, v.mcAllFrom, v.joined]),
    [[{ 4: false }, 'sock_diag', undefined], [{ 4: false }, 'sock_diag', undefined]]);
  assert.deepEqual(undecidedPorts(hidden.views, held6, []), [5000]);
  const refused = await socketViews([u('::', 1), u('::', 2)], held6, acc(true));
  assert.deepEqual([refused.peeked, refused.notPeeked], [0, 2]);
  assert.match(refused.peekWhy ?? '', /^not permitted/);
});

test('runDoctor: a check\'s gaps join the coverage and make the verdict incomplete, not healthy', async () => {
  const host = new FakeHost();
  const gap = { check: 'sockets: IP_MULTICAST_ALL leaks', reason: 'on UDP port 5000 ...', remedy: 'run doctor as root' };
  const check: DoctorCheck = { id: 'sockets', title: 'Sockets', run: async () => ({ findings: [], gaps: [gap] }) };
  const opts = { querierWait: 0, selfTest: false, expectQuerier: [], expectReceive: [], maxLossPct: 0 };
  const rep = await runDoctor(await doctorDeps(host), [check], opts, {});
  assert.equal(rep.checks[0]?.status, 'pass', 'what it saw was fine');
  assert.deepEqual(rep.coverage.notRun, [gap]);
  assert.equal(rep.verdict, 'incomplete');
});
