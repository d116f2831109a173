// VPN_MULTICAST on the real kernel: a layer-3 tun device held by a stand-in VPN program, next to
// the laptop lab's two veth uplinks (the healthy control: virtual links, no finding).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startTunVpn, type TunVpn } from '../helpers/tun-vpn.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping link-kind lab tests: ${skip}`);

interface Finding { id: string; iface?: string; evidence: Record<string, unknown> }
const ndjsonFindings = (stdout: string): Finding[] =>
  stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { type: string; findings?: Finding[] })
    .filter((e) => e.type === 'summary').flatMap((e) => e.findings ?? []);

describe('multicast on a VPN tunnel', { skip }, () => {
  let lp: Laptop;
  let vpn: TunVpn;
  before(async () => {
    lp = await buildLaptop();
    vpn = await startTunVpn(lp.lab, 'host', 'vpn0', '198.18.9.2/24');
  });
  after(async () => { await lp?.lab.destroy(); });

  test('interfaces: vpn0 is a tun VPN link, the veths virtual', async () => {
    const r = await lp.lab.cli('host', ['interfaces', '--json']);
    const doc = JSON.parse(r.stdout) as { interfaces: Array<{ name: string; kind: string; linkKind?: string; flags: string[] }> };
    assertMatchesSchema('interfaces.schema.json', doc);
    const vpn0 = doc.interfaces.find((i) => i.name === 'vpn0');
    assert.deepEqual([vpn0?.kind, vpn0?.linkKind], ['vpn', 'tun']);
    assert.ok(vpn0?.flags.includes('MULTICAST') && vpn0.flags.includes('POINTOPOINT'),
      'tun is created with MULTICAST: the kernel joins and sends there');
    assert.equal(doc.interfaces.find((i) => i.name === 'wired0')?.kind, 'virtual');
  });

  test('send-all: the kernel hands the group to the VPN program; VPN_MULTICAST on vpn0 only', async () => {
    const before = vpn.packets().filter((l) => l.startsWith('239.1.7.7 ')).length;
    const r = await lp.lab.cli('host', ['send-all', '239.1.7.7', '--count', '3', '--rate', '50', '--ttl', '4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = ndjsonFindings(r.stdout).filter((x) => x.id === 'VPN_MULTICAST' || x.id === 'WIFI_MULTICAST');
    assert.deepEqual(f.map((x) => `${x.id} ${x.iface}`), ['VPN_MULTICAST vpn0']);
    assert.equal(f[0]?.evidence.use, 'send');
    // The VPN read the datagrams (protocol 17) the kernel routed into the tun.
    await new Promise((res) => setTimeout(res, 300));
    assert.ok(vpn.packets().filter((l) => l === '239.1.7.7 17').length - before >= 3, vpn.packets().join(', '));
  });

  test('join-all: joined on vpn0 (its IGMP report goes into the tunnel), VPN_MULTICAST; wired0 and wifi0 quiet', async () => {
    const r = await lp.lab.cli('host', ['join-all', '239.1.7.8', '--duration', '1', '--json']);
    const f = ndjsonFindings(r.stdout);
    assert.deepEqual(f.filter((x) => x.id.endsWith('_MULTICAST')).map((x) => `${x.id} ${x.iface}`), ['VPN_MULTICAST vpn0']);
    assert.ok(!f.some((x) => x.iface === 'wired0' || x.iface === 'wifi0'), JSON.stringify(f.map((x) => `${x.id} ${x.iface}`)));
    // IGMPv3 reports go to 224.0.0.22 (protocol 2): the kernel sent its membership into the VPN.
    assert.ok(vpn.packets().some((l) => l === '224.0.0.22 2'), vpn.packets().join(', '));
  });

  test('the control: join-all on the veth uplinks alone has no link-kind finding', async () => {
    const r = await lp.lab.cli('host', ['join-all', '239.1.7.9', '--duration', '0.5', '--exclude-iface', 'vpn0', '--json']);
    assert.deepEqual(ndjsonFindings(r.stdout).filter((x) => x.id.endsWith('_MULTICAST')), []);
  });
});
