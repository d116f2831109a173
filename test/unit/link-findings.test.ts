import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';
import { linkKindFindings } from '../../src/core/kernel/link-findings.js';
import { startJoinAll } from '../../src/core/join-all/run.js';
import { sendAll } from '../../src/core/send-all/run.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { parseWifiConnections } from '../../src/platform/wifi-info.js';
import { FakePlatform, laptopState, rawIface } from '../helpers/fake-platform.js';
import { FakeHost } from '../helpers/fake-host.js';
import { resolve } from '../../src/host.js';

// The Wi-Fi interface as the platform reports it: kind from /sys, the network from
// systeminformation's recorded answer (fixtures/si/wifi-connections-wpa.json).
const wifi =
  parseWifiConnections(JSON.parse(readFileSync(path.join(REPO, 'fixtures', 'si', 'wifi-connections-wpa.json'), 'utf8'))).get('wlp2s0');
const state = () => laptopState({
  interfaces: [
    rawIface('lo', 1, ['127.0.0.1/8'], { flags: 0x1 | 0x8, operstate: 'unknown', linkType: 772, kind: 'loopback' }),
    rawIface('wired0', 2, ['198.18.1.2/24'], { kind: 'wired' }),
    rawIface('wlp2s0', 3, ['198.18.2.2/24'], { kind: 'wifi', linkKind: 'wlan', ...(wifi ? { wifi } : {}) }),
    // tun: POINTOPOINT, NOARP, MULTICAST; no link layer (as /sys showed it for `ip tuntap add mode tun`).
    rawIface('tun0', 4, ['198.18.9.2/24'],
      { flags: 0x1 | 0x10 | 0x80 | 0x1000, operstate: 'unknown', linkType: 65534, kind: 'vpn', linkKind: 'tun' }),
    rawIface('veth0', 5, ['198.18.5.2/24'], { kind: 'virtual' }),
  ],
});

test('joined on Wi-Fi and on a tun: one finding each, naming the network; wired and virtual quiet', async () => {
  const inv = await loadInterfaces(new FakePlatform(state()));
  const uses = ['wired0', 'wlp2s0', 'tun0', 'veth0'].flatMap((iface) => ['239.1.1.1', '239.1.1.2'].map((group) => ({ iface, group })));
  const f = linkKindFindings(inv.interfaces, uses, 'join');
  assert.deepEqual(f.map((x) => `${x.id} ${x.iface} ${x.severity}`), ['WIFI_MULTICAST wlp2s0 warning', 'VPN_MULTICAST tun0 warning']);
  assert.match(f[0]!.message, /wlp2s0 is Wi-Fi \("lab-5g", 5 GHz\): 239\.1\.1\.1, 239\.1\.1\.2 arrives as group-addressed frames/);
  assert.deepEqual(f[0]!.evidence.wifi, { ssid: 'lab-5g', bssid: 'aa:bb:cc:00:11:22', channel: 36, frequencyMHz: 5180, band: '5 GHz' });
  assert.match(f[1]!.message, /tun0 is a VPN tunnel \(tun\)/);
  assert.equal(f[0]!.docs, 'docs/findings/WIFI_MULTICAST.md');
});

test('bounded: a thousand groups on Wi-Fi keep 32 in the evidence and name three', async () => {
  const inv = await loadInterfaces(new FakePlatform(state()));
  const uses = Array.from({ length: 1000 }, (_, k) => ({ iface: 'wlp2s0', group: `239.2.${k >> 8}.${k & 255}` }));
  const [f] = linkKindFindings(inv.interfaces, uses, 'send');
  assert.equal((f!.evidence.groups as string[]).length, 32);
  assert.equal(f!.evidence.groupCount, 1000);
  assert.match(f!.message, /and 997 more goes to the access point/);
});

test('join-all and send-all carry the findings for the interfaces they used', async () => {
  const groups = parseGroupArgs(['239.1.1.1'], { defaultPort: 5000 });
  const run = await startJoinAll(new FakeHost(state()).deps(),
    { groups, selection: {}, assumeSynced: false, intervalMs: 20, durationMs: 10, expect: [] }, { joined: () => {}, stats: () => {} });
  const joinIds = (await run.done).findings.filter((f) => f.id.endsWith('_MULTICAST')).map((f) => `${f.id} ${f.iface}`);
  assert.deepEqual(joinIds, ['WIFI_MULTICAST wlp2s0', 'VPN_MULTICAST tun0']);

  const host = new FakeHost(state());
  const inv = await loadInterfaces(host.fakePlatform, { selection: { include: ['wired0'] } });
  const tx = await sendAll(await resolve(host, 'platform', 'sockets'),
    { group: groups[0]!, interfaces: inv.interfaces, ttl: 4, loop: false, size: 64, rate: 10, count: 1, senderId: 'h' });
  await tx.done;
  assert.deepEqual(tx.findings.filter((f) => f.id.endsWith('_MULTICAST')), [], 'wired only: quiet');
});
