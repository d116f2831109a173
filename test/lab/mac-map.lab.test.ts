// mac-map --host against the kernel: a process joins groups that share a MAC, `ip maddr`
// shows the shared link address with users 2, and mac-map names the collision.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { joinGroups } from '../helpers/group-joiner.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping mac-map lab tests: ${skip}`);

describe('mac-map --host on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const hostMap = async (...extra: string[]) => {
    const r = await lp.lab.cli('host', ['mac-map', '--host', '--json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertMatchesSchema('mac-map.schema.json', doc);
    return doc;
  };
  /** Waits until `ip maddr` on the device lists the link address with at least `users` users. */
  const maddrUsers = async (dev: string, mac: string, users: number): Promise<string> => {
    let last = '';
    await waitFor(async () => {
      last = await lp.lab.ip('host', 'maddr', 'show', 'dev', dev);
      const m = new RegExp(`link\\s+${mac}\\s+users\\s+(\\d+)`).exec(last);
      return m !== null && Number(m[1]) >= users;
    }, 5000);
    return last;
  };

  test('healthy: the kernel\'s own memberships (224.0.0.1, ff02::1 and ff01::1) are quiet', async () => {
    const doc = await hostMap();
    const names = doc.interfaces.map((i: any) => i.iface);
    assert.ok(names.includes('wired0') && names.includes('wifi0'), names.join(' '));
    const wired = doc.interfaces.find((i: any) => i.iface === 'wired0');
    assert.ok(wired.joined.includes('224.0.0.1') && wired.joined.includes('ff02::1') && wired.joined.includes('ff01::1'),
      wired.joined.join(' '));
    assert.deepEqual(doc.findings, []);
  });

  test('two IPv4 groups on one MAC: ip maddr shows users 2, mac-map reports MAC_COLLISION on that interface only', async () => {
    const j = await joinGroups(lp.lab, 'host', 'wired0', lp.addr.hostWired, ['239.1.2.3', '239.129.2.3']);
    try {
      const maddr = await maddrUsers('wired0', '01:00:5e:01:02:03', 2);
      assert.match(maddr, /inet\s+239\.129\.2\.3/);
      assert.match(maddr, /link\s+01:00:5e:01:02:03\s+users 2/, maddr);
      const doc = await hostMap();
      const mc = doc.findings.filter((f: any) => f.id === 'MAC_COLLISION');
      assert.equal(mc.length, 1, JSON.stringify(doc.findings));
      assert.equal(mc[0].iface, 'wired0');
      assert.deepEqual(mc[0].evidence.groups, ['239.1.2.3', '239.129.2.3']);
      assert.equal(mc[0].evidence.mac, '01:00:5e:01:02:03');
      const human = await lp.lab.cli('host', ['mac-map', '--host', '--no-color']);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /MAC_COLLISION \[wired0 239\.1\.2\.3\]: 2 groups share 01:00:5e:01:02:03: 239\.1\.2\.3, 239\.129\.2\.3/);
      // A group about to be joined on wifi0 is checked against what wifi0 holds: nothing shared.
      const planned = await hostMap('239.1.2.3', '--iface', 'wifi0');
      assert.deepEqual(planned.findings, []);
    } finally {
      await j.stop();
    }
  });

  test('a group on the MAC of 224.0.0.1: FLOODED_MAC (and the collision with all-hosts)', async () => {
    const j = await joinGroups(lp.lab, 'host', 'wifi0', lp.addr.hostWifi, ['239.128.0.1']);
    try {
      await maddrUsers('wifi0', '01:00:5e:00:00:01', 2);
      const doc = await hostMap('--iface', 'wifi0');
      const ids = doc.findings.map((f: any) => `${f.id} ${f.iface} ${f.group}`).sort();
      assert.deepEqual(ids, ['FLOODED_MAC wifi0 239.128.0.1', 'MAC_COLLISION wifi0 224.0.0.1']);
      assert.match(doc.findings.find((f: any) => f.id === 'FLOODED_MAC').message,
        /the MAC of link-local 224\.0\.0\.1 \(all systems \(all hosts\)\)/);
    } finally {
      await j.stop();
    }
  });

  test('IPv6: two groups with the same low 32 bits share a 33:33 MAC', async () => {
    const j = await joinGroups(lp.lab, 'host', 'wired0', lp.addr.hostWired, ['ff0e::1:2:3', 'ff05::9:2:3']);
    try {
      await maddrUsers('wired0', '33:33:00:02:00:03', 2);
      const doc = await hostMap('-6');
      const mc = doc.findings.filter((f: any) => f.id === 'MAC_COLLISION');
      assert.equal(mc.length, 1, JSON.stringify(doc.findings));
      assert.equal(mc[0].iface, 'wired0');
      assert.equal(mc[0].evidence.mac, '33:33:00:02:00:03');
      assert.deepEqual(mc[0].evidence.groups, ['ff05::9:2:3', 'ff0e::1:2:3']);
      assert.ok(doc.interfaces.every((i: any) => i.joined.every((g: string) => g.includes(':'))), '-6 reads igmp6 only');
    } finally {
      await j.stop();
    }
  });

  test('a link-local group named on the command line is LINK_LOCAL_GROUP (info, exit 0)', async () => {
    const doc = await hostMap('224.0.0.251', '--iface', 'wired0');
    assert.deepEqual(doc.findings.map((f: any) => `${f.id} ${f.severity} ${f.group}`), ['LINK_LOCAL_GROUP info 224.0.0.251']);
  });
});
