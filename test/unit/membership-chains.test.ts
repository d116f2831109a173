// SocketChains (core/membership/chains.ts), the step of joinAll that places each membership on a
// socket: the known IPv4 limit, the ENOBUFS / ENOMEM path, and receiving sockets per port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketChains } from '../../src/core/membership/chains.js';
import { loadInterfaces, type Interface } from '../../src/core/kernel/interfaces.js';
import { isSocketError } from '../../src/core/kernel/socket-error.js';
import type { MembershipRequest } from '../../src/platform/sockets/types.js';
import { laptopState } from '../helpers/fake-platform.js';
import type { FakeSocketOptions } from '../helpers/fake-sockets.js';
import { FakeHost } from '../helpers/fake-host.js';

/** A FakeHost whose socket door has `o`'s limits: its two interfaces, and the sockets joinAll would hand SocketChains. */
async function setup(o: FakeSocketOptions = {}): Promise<{ wired: Interface; wifi: Interface; sockets: FakeHost['fakeSockets'] }> {
  const host = new FakeHost(laptopState(), { sockets: o });
  const inv = await loadInterfaces(await host.platform());
  const by = (n: string) => inv.interfaces.find((i) => i.name === n)!;
  return { wired: by('wired0'), wifi: by('wifi0'), sockets: host.fakeSockets };
}

const v4 = (i: Interface, n: number, source?: string): MembershipRequest => {
  const r: MembershipRequest = { family: 4, group: `239.1.1.${n}`, ifindex: i.index };
  if (source !== undefined) r.source = source;
  return r;
};
const heldOf = (r: MembershipRequest) => (r.source !== undefined ? { group: r.group, source: r.source } : { group: r.group });

test('a known IPv4 limit opens the next socket at the limit, before the kernel refuses', async () => {
  // The fake refuses past 3 too: a join past the limit would throw here.
  const { wired, sockets } = await setup({ maxMemberships: 3 });
  const made = new SocketChains(sockets, 3);
  const places = [1, 2, 3, 4, 5, 6, 7].map((n) => made.join(wired, v4(wired, n), heldOf(v4(wired, n))));
  assert.deepEqual(places, [0, 0, 0, 1, 1, 1, 2]);
  assert.deepEqual(made.all.map((s) => s.groups.length), [3, 3, 1]);
  assert.deepEqual(made.split, { iface: 'wired0', family: 4, errno: 'ENOBUFS' });
  assert.equal(made.longestChain(), 3);
  assert.deepEqual(sockets.open().map((s) => s.memberships.length), [3, 3, 1]);
});

test('without a known limit the kernel\'s ENOBUFS (IPv4) or ENOMEM (IPv6) grows the chain; the first refusal is kept', async () => {
  const { wired, wifi, sockets } = await setup({ maxMemberships: 2 });
  const made = new SocketChains(sockets, Infinity);
  const places = [1, 2, 3, 4, 5].map((n) => made.join(wired, v4(wired, n), heldOf(v4(wired, n))));
  assert.deepEqual(places, [0, 0, 1, 1, 2]);
  assert.deepEqual(made.split, { iface: 'wired0', family: 4, errno: 'ENOBUFS' });
  const six = (n: number): MembershipRequest => ({ family: 6, group: `ff05::${n}`, ifindex: wifi.index });
  assert.deepEqual([1, 2, 3].map((n) => made.join(wifi, six(n), heldOf(six(n)))), [0, 0, 1]);
  assert.equal(made.split?.errno, 'ENOBUFS', 'MAX_MEMBERSHIPS is said once, about the first split');
  assert.equal(made.chains.size, 2, 'one chain per (interface, family)');
  assert.equal(made.longestChain(), 3);

  const v6only = new SocketChains((await setup({ maxMemberships: 1 })).sockets, Infinity);
  v6only.join(wifi, six(1), heldOf(six(1)));
  v6only.join(wifi, six(2), heldOf(six(2)));
  assert.deepEqual(v6only.split, { iface: 'wifi0', family: 6, errno: 'ENOMEM' });
});

test('a socket holding SSM joins is not split at the count: its sources count against other limits', async () => {
  const { wired, sockets } = await setup();
  const made = new SocketChains(sockets, 2);
  const reqs = [v4(wired, 1, '198.18.9.9'), v4(wired, 2, '198.18.9.9'), v4(wired, 3, '198.18.9.9'), v4(wired, 4)];
  assert.deepEqual(reqs.map((r) => made.join(wired, r, heldOf(r))), [0, 0, 0, 0]);
  assert.equal(made.split, undefined);
});

test('a fresh socket that refuses is a failure, not a loop', async () => {
  const { wired, sockets } = await setup({ maxMemberships: 0 });
  const made = new SocketChains(sockets, Infinity);
  assert.throws(() => made.join(wired, v4(wired, 1), heldOf(v4(wired, 1))), (e) => isSocketError(e) && e.code === 'ENOBUFS');
  assert.equal(made.all.length, 1, 'one socket opened, no retry on it');
  assert.equal(made.split, undefined);
});

test('one receiving socket per (interface, family, port), opened at its first group', async () => {
  const { wired, wifi, sockets } = await setup();
  const made = new SocketChains(sockets, Infinity);
  const a = made.receiver(wired, 4, 5000);
  assert.equal(made.receiver(wired, 4, 5000), a);
  assert.notEqual(made.receiver(wired, 4, 5001), a);
  assert.notEqual(made.receiver(wired, 6, 5000), a);
  assert.notEqual(made.receiver(wifi, 4, 5000), a);
  assert.equal(made.receivers.size, 4);
  assert.deepEqual(sockets.open().filter((s) => s.bound).map((s) => `${s.device} ${s.bound!.port}`).sort(),
    ['wifi0 5000', 'wired0 5000', 'wired0 5000', 'wired0 5001']);
  assert.equal(made.all.length, 0, 'receiving sockets are not membership sockets');
});
