// The kernel is the oracle: interfaces on the two-uplink laptop lab.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping interfaces lab tests: ${skip}`);

interface Doc { interfaces: Array<Record<string, any>>; findings: Array<Record<string, any>> }

describe('interfaces on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const inventory = async (...extra: string[]): Promise<Doc> => {
    const r = await lp.lab.cli('host', ['interfaces', '--json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assertMatchesSchema('interfaces.schema.json', doc);
    return doc;
  };
  const byName = (d: Doc, n: string) => d.interfaces.find((i) => i.name === n)!;

  test('both uplinks with all their addresses, MULTICAST flag, rp_filter and the default route', async () => {
    const doc = await inventory();
    const wired = byName(doc, 'wired0');
    const wifi = byName(doc, 'wifi0');
    assert.ok(wired && wifi);
    assert.ok(wired.addresses.some((a: any) => a.cidr === '198.18.1.2/24'));
    assert.ok(wired.addresses.some((a: any) => a.cidr === 'fd00:198:18:1::2/64'));
    assert.ok(wired.addresses.some((a: any) => a.scope === 'link' && a.family === 6));
    assert.ok(wifi.addresses.some((a: any) => a.cidr === '198.18.2.2/24'));
    assert.equal(wired.multicast, true);
    assert.equal(wifi.multicast, true);
    assert.deepEqual(wired.defaultRoute, { ipv4: true, ipv6: true });
    assert.deepEqual(wifi.defaultRoute, { ipv4: false, ipv6: false });
    assert.equal(typeof wired.rpFilter.effective, 'number');
    assert.equal(wired.igmp.querierVersion, 'V3');
    assert.ok(wired.groups.some((g: any) => g.group === '224.0.0.1'));
    assert.deepEqual(doc.findings.filter((f) => f.severity !== 'info'), [], 'a healthy lab is quiet');
    // veths: created in software, no bus device; /sys says so without systeminformation.
    assert.equal(wired.kind, 'virtual');
    assert.equal(byName(doc, 'lo').kind, 'loopback');
  });

  test('a tun device is a VPN link, a tap a virtual one (/sys tun_flags)', async () => {
    await lp.lab.ip('host', 'tuntap', 'add', 'mode', 'tun', 'name', 'vpn0');
    await lp.lab.ip('host', 'tuntap', 'add', 'mode', 'tap', 'name', 'tap0');
    try {
      const doc = await inventory();
      assert.deepEqual([byName(doc, 'vpn0').kind, byName(doc, 'vpn0').linkKind], ['vpn', 'tun']);
      assert.deepEqual([byName(doc, 'tap0').kind, byName(doc, 'tap0').linkKind], ['virtual', 'tap']);
    } finally {
      await lp.lab.ip('host', 'link', 'del', 'vpn0');
      await lp.lab.ip('host', 'link', 'del', 'tap0');
    }
  });

  test('a secondary address shows up', async () => {
    await lp.lab.addr('host', 'wifi0', '198.18.2.3/24');
    const wifi = byName(await inventory(), 'wifi0');
    assert.ok(wifi.addresses.some((a: any) => a.cidr === '198.18.2.3/24'), JSON.stringify(wifi.addresses));
    await lp.lab.ip('host', 'addr', 'del', '198.18.2.3/24', 'dev', 'wifi0');
  });

  test('multicast off shows as a flag and a finding', async () => {
    await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'off');
    try {
      const doc = await inventory();
      assert.equal(byName(doc, 'wifi0').multicast, false);
      assert.ok(doc.findings.some((f) => f.id === 'IFACE_NO_MULTICAST' && f.iface === 'wifi0'));
      assert.ok(!doc.findings.some((f) => f.iface === 'wired0'));
    } finally {
      await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'on');
    }
  });

  test('rp_filter all=1 with iface=0 reads as strict; all=0 iface=2 as loose', async () => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 1);
    await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 0);
    await lp.lab.sysctl('host', 'net.ipv4.conf.wired0.rp_filter', 2);
    try {
      const doc = await inventory();
      assert.deepEqual(byName(doc, 'wifi0').rpFilter,
        { all: 1, default: byName(doc, 'wifi0').rpFilter.default, iface: 0, effective: 1, mode: 'strict' });
      assert.equal(byName(doc, 'wired0').rpFilter.mode, 'loose');
    } finally {
      await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 0);
    }
  });

  test('a downed uplink gives IFACE_DOWN; an address-less one IFACE_NO_ADDRESS', async () => {
    await lp.lab.ip('host', 'link', 'set', 'wifi0', 'down');
    await lp.lab.ip('host', 'addr', 'flush', 'dev', 'wired0', 'scope', 'global');
    try {
      const doc = await inventory();
      assert.ok(doc.findings.some((f) => f.id === 'IFACE_DOWN' && f.iface === 'wifi0' && f.severity === 'warning'));
      assert.ok(doc.findings.some((f) => f.id === 'IFACE_NO_ADDRESS' && f.iface === 'wired0'));
    } finally {
      await lp.lab.ip('host', 'link', 'set', 'wifi0', 'up');
      await lp.lab.addr('host', 'wired0', '198.18.1.2/24');
    }
  });

  test('--iface with eth+/glob forms and --exclude-iface', async () => {
    assert.deepEqual((await inventory('--iface', 'w+')).interfaces.map((i) => i.name).sort(), ['wifi0', 'wired0']);
    assert.deepEqual((await inventory('--iface', 'wi*', '--exclude-iface', 'wired0')).interfaces.map((i) => i.name), ['wifi0']);
  });

  test('bad input: exit 2 with one line, no stack trace', async () => {
    for (const args of [['interfaces', '--iface', 'nope0'], ['interfaces', '--bogus'], ['no-such-command'], ['interfaces', '--iface']]) {
      const r = await lp.lab.cli('host', args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^mcast-doctor: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
