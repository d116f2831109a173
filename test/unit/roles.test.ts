// Interface roles (issue 19 item 6): which interface carries layer 3, and IFACE_NO_ADDRESS only there.
// The first scene is recorded from this kernel (`ip -d -j addr show` and /sys/class/net/*/lower_*,
// upper_* in a namespace with a bridge and its veth port, a macvlan on a veth, a vxlan on the same
// veth and a tun). Bonds, teams, VRFs, VLANs, ipvlans, GRE and OVS cannot be built here (the
// kernel lacks their modules: `ip link add x type bond` -> "Unknown device type"), so their scene
// is written in the same shape: the keys iproute2 prints for every kind (ifname, master,
// linkinfo.info_kind / info_slave_kind, as recorded for the bridge port) with each driver's kind name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { FakePlatform, rawIface } from '../helpers/fake-platform.js';
import { parseAdjacency, parseLinkDetails } from '../../src/platform/link-roles.js';
import type { RawInterface } from '../../src/platform/types.js';
import { rolesOf } from '../../src/core/kernel/roles.js';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';

const fx = (name: string): unknown => JSON.parse(readFileSync(path.join(REPO, 'fixtures', 'iproute2', 'link-roles', name), 'utf8'));

/** Raw interfaces as the platform builds them: iproute2's details plus the /sys adjacency. */
function scene(entries: unknown[], sys: Record<string, string[]>): RawInterface[] {
  const details = parseLinkDetails(entries);
  return (entries as Array<{
    ifname: string;
    ifindex: number;
    flags: string[];
    addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
  }>).map((e) =>
    rawIface(e.ifname, e.ifindex, (e.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`), {
      flags: (e.flags.includes('LOOPBACK') ? 0x8 : 0x1002) | (e.flags.includes('UP') ? 0x1 : 0),
      link: { ...details.get(e.ifname), ...parseAdjacency(sys[e.ifname] ?? []) },
    }));
}

test('recorded: a bridge port is layer 2 (its bridge carries layer 3), a macvlan lower too, tunnels are layer 3', () => {
  const raw =
    scene(fx('bridge-macvlan-vxlan-tun.addr.json') as unknown[], fx('bridge-macvlan-vxlan-tun.sys.json') as Record<string, string[]>);
  const roles = rolesOf(raw);
  assert.deepEqual(roles.get('vethA'), { kind: 'veth', role: 'bridge-port', needsAddress: false, l3: ['br0'], master: 'br0' });
  assert.deepEqual(roles.get('br0'), { kind: 'bridge', role: 'bridge', needsAddress: true, l3: ['br0'], members: ['vethA'] });
  // up1 is the macvlan's parent but also the vxlan's underlay: the vxlan sends from up1's address.
  assert.equal(roles.get('up1')?.role, 'lower');
  assert.equal(roles.get('up1')?.needsAddress, true);
  assert.deepEqual(roles.get('vx0'), { kind: 'vxlan', role: 'tunnel', needsAddress: true, l3: ['vx0'], members: ['up1'] });
  assert.equal(roles.get('tun0')?.role, 'tunnel');
  assert.equal(roles.get('mv0')?.role, 'plain');
  assert.equal(roles.get('vethB')?.role, 'plain', 'a veth\'s iproute2 "link" is its peer, not a lower');
});

// Not buildable here: written in the recorded shape (see the file comment).
const unbuildable: unknown[] = [
  { ifindex: 2, ifname: 'eth1', flags: ['UP'], master: 'bond0', linkinfo: { info_kind: 'e1000', info_slave_kind: 'bond' } },
  { ifindex: 3, ifname: 'eth2', flags: ['UP'], master: 'bond0', linkinfo: { info_slave_kind: 'bond' } },
  { ifindex: 4, ifname: 'bond0', flags: ['UP'], master: 'brlan', linkinfo: { info_kind: 'bond', info_slave_kind: 'bridge' } },
  { ifindex: 5, ifname: 'brlan', flags: ['UP'], linkinfo: { info_kind: 'bridge' },
    addr_info: [{ family: 'inet', local: '198.18.5.1', prefixlen: 24 }] },
  { ifindex: 6, ifname: 'eth0', flags: ['UP'] },
  { ifindex: 7, ifname: 'eth0.100', flags: ['UP'], link: 'eth0', linkinfo: { info_kind: 'vlan' },
    addr_info: [{ family: 'inet', local: '198.18.6.2', prefixlen: 24 }] },
  { ifindex: 8, ifname: 'red', flags: ['UP'], linkinfo: { info_kind: 'vrf' } },
  { ifindex: 9, ifname: 'eth3', flags: ['UP'], master: 'red', linkinfo: { info_slave_kind: 'vrf' } },
  { ifindex: 10, ifname: 'eth4', flags: ['UP'] },
  { ifindex: 11, ifname: 'ipvl0', flags: ['UP'], link: 'eth4', linkinfo: { info_kind: 'ipvlan' },
    addr_info: [{ family: 'inet', local: '198.18.7.2', prefixlen: 24 }] },
  { ifindex: 12, ifname: 'gre1', flags: ['UP'], linkinfo: { info_kind: 'gre' } },
  { ifindex: 13, ifname: 'ovs-system', flags: [], linkinfo: { info_kind: 'openvswitch' } },
  { ifindex: 14, ifname: 'eth5', flags: ['UP'], master: 'ovs-system', linkinfo: { info_slave_kind: 'openvswitch' } },
];
const unbuildableSys: Record<string, string[]> = {
  eth1: ['upper_bond0'], eth2: ['upper_bond0'], bond0: ['lower_eth1', 'lower_eth2', 'upper_brlan'], brlan: ['lower_bond0'],
  eth0: ['upper_eth0.100'], 'eth0.100': ['lower_eth0'], red: ['lower_eth3'], eth3: ['upper_red'],
  eth4: ['upper_ipvl0'], ipvl0: ['lower_eth4'], eth5: ['upper_ovs-system'], 'ovs-system': ['lower_eth5'],
};

test('shaped: bond slaves in a bridged bond hand layer 3 to the bridge; VLAN and ipvlan lowers to the devices on top', () => {
  const roles = rolesOf(scene(unbuildable, unbuildableSys));
  assert.deepEqual(roles.get('eth1'), { kind: 'e1000', role: 'bond-slave', needsAddress: false, l3: ['brlan'], master: 'bond0' });
  assert.equal(roles.get('bond0')?.role, 'bridge-port');
  assert.deepEqual(roles.get('bond0')?.l3, ['brlan']);
  assert.deepEqual(roles.get('eth0'), { role: 'lower', needsAddress: false, l3: ['eth0.100'], members: ['eth0.100'] });
  assert.deepEqual(roles.get('eth4')?.l3, ['ipvl0']);
  assert.equal(roles.get('eth5')?.role, 'ovs-port');
  assert.deepEqual(roles.get('eth5')?.l3, [], 'the OVS internal port is not named by the kernel here');
});

test('shaped: a VRF member keeps layer 3; the VRF device needs no address; GRE is a tunnel', () => {
  const roles = rolesOf(scene(unbuildable, unbuildableSys));
  assert.deepEqual(roles.get('eth3'), { role: 'vrf-member', needsAddress: true, l3: ['eth3'], master: 'red' });
  assert.equal(roles.get('red')?.needsAddress, false);
  assert.equal(roles.get('gre1')?.role, 'tunnel');
});

test('IFACE_NO_ADDRESS: never on ports and lowers; on the bridge, naming its ports; on a VRF member and a tunnel', async () => {
  const raw = [
    ...scene(fx('bridge-macvlan-vxlan-tun.addr.json') as unknown[], fx('bridge-macvlan-vxlan-tun.sys.json') as Record<string, string[]>),
    ...scene(unbuildable, unbuildableSys).map((r) => ({ ...r, index: r.index + 100 })),
  ];
  const inv = await loadInterfaces(new FakePlatform({ interfaces: raw }));
  const named = inv.findings.filter((f) => f.id === 'IFACE_NO_ADDRESS').map((f) => f.iface).sort();
  assert.deepEqual(named, ['br0', 'eth3', 'gre1', 'tun0', 'up1', 'vethB', 'vx0']);
  const br = inv.findings.find((f) => f.id === 'IFACE_NO_ADDRESS' && f.iface === 'br0');
  assert.match(br?.message ?? '', /br0 \(bridge of vethA\) has no IPv4 address/);
  assert.match(br?.fix ?? '', /dev br0 \(on the bridge, not on its ports\)/);
  // A selection of one port still knows its master (roles come from every interface).
  const one = await loadInterfaces(new FakePlatform({ interfaces: raw }), { selection: { include: ['vethA'] } });
  assert.deepEqual(one.interfaces.map((i) => [i.name, i.role?.role, i.role?.l3]), [['vethA', 'bridge-port', ['br0']]]);
  assert.deepEqual(one.findings.filter((f) => f.severity !== 'info'), []);
});
