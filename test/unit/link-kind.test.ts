import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLink, type LinkFacts } from '../../src/platform/link-kind.js';

const facts = (over: Partial<LinkFacts>): LinkFacts => ({ type: 1, devtype: '', wireless: false, hasDevice: false, ...over });

// /sys as this kernel (6.18) showed it for each device, created with iproute2 in a namespace
// (type, DEVTYPE of uevent, device/, tun_flags); Wi-Fi, WireGuard, PPP, GRE and wwan from their
// drivers (cfg80211 sets DEVTYPE=wlan and phy80211; wireguard DEVTYPE=wireguard, ARPHRD_NONE).
test('each kind of link as /sys shows it', () => {
  const cases: Array<[string, LinkFacts, string, string | undefined]> = [
    ['lo', facts({ type: 772 }), 'loopback', undefined],
    ['eth0 (virtio PCI)', facts({ hasDevice: true }), 'wired', undefined],
    ['wlp2s0', facts({ devtype: 'wlan', wireless: true, hasDevice: true }), 'wifi', 'wlan'],
    ['tun0 (ip tuntap mode tun)', facts({ type: 65534, tunFlags: 0x1801 }), 'vpn', 'tun'],
    ['tap0 (ip tuntap mode tap)', facts({ tunFlags: 0x1802 }), 'virtual', 'tap'],
    ['wg0', facts({ type: 65534, devtype: 'wireguard' }), 'vpn', 'wireguard'],
    ['ppp0', facts({ type: 512 }), 'vpn', 'ppp'],
    ['gre1', facts({ type: 778 }), 'tunnel', 'gre'],
    ['sit1', facts({ type: 776 }), 'tunnel', 'sit'],
    ['wwan0 (raw IP)', facts({ type: 65534, devtype: 'wwan', hasDevice: true }), 'cellular', 'wwan'],
    ['veth', facts({}), 'virtual', undefined],
    ['br0', facts({ devtype: 'bridge' }), 'virtual', 'bridge'],
    ['eth0.100', facts({ devtype: 'vlan' }), 'virtual', 'vlan'],
    ['ib0 (IPoIB)', facts({ type: 32, hasDevice: true }), 'other', undefined],
  ];
  for (const [name, f, kind, linkKind] of cases) {
    assert.deepEqual(classifyLink(f), linkKind ? { kind, linkKind } : { kind }, name);
  }
});
