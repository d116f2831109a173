// Interface roles on the kernel (issue 19 item 6): a Docker/KVM-like host. br0 is a bridge whose
// port vethA leads to a "container" namespace; up1 is a veth to a switch namespace and the parent
// of the macvlan mv0, which carries the address. The ports and the lower have no IPv4 address by
// design: IFACE_NO_ADDRESS must not name them. Fault: br0 itself without an address is named, with
// its port. The kernel's own evidence (/sys/class/net/vethA/master, brport/, up1's upper_mv0) is
// asserted beside the verdict. Bonds, VRFs, ipvlans, VLANs and GRE: this kernel lacks the modules,
// see test/unit/roles.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason } from '../helpers/lab.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping roles lab tests: ${skip}`);

interface Doc {
  interfaces: Array<{ name: string; role?: { role: string; l3: string[]; needsAddress: boolean } }>;
  findings: Array<{ id: string; iface?: string; message: string; fix: string }>;
}

describe('interface roles: bridge ports and macvlan lowers are layer 2', { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create();
    await lab.addNs('host');
    await lab.addNs('ctr');
    await lab.addNs('sw');
    await lab.ip('host', 'link', 'add', 'br0', 'type', 'bridge');
    await lab.veth('host', 'vethA', 'ctr', 'eth0');
    await lab.ip('host', 'link', 'set', 'vethA', 'master', 'br0');
    await lab.veth('host', 'up1', 'sw', 'eth0');
    await lab.ip('host', 'link', 'add', 'mv0', 'link', 'up1', 'type', 'macvlan', 'mode', 'bridge');
    for (const d of ['br0', 'mv0']) await lab.ip('host', 'link', 'set', d, 'up');
    await lab.addr('host', 'br0', '198.18.40.1/24');
    await lab.addr('host', 'mv0', '198.18.41.2/24');
    await lab.addr('ctr', 'eth0', '198.18.40.2/24');
    await lab.addr('sw', 'eth0', '198.18.41.1/24');
  });
  after(async () => { await lab?.destroy(); });

  const inventory = async (): Promise<Doc> => {
    const r = await lab.cli('host', ['interfaces', '--json', '-4']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Doc;
  };
  const noAddress = (d: Doc): string[] => d.findings.filter((f) => f.id === 'IFACE_NO_ADDRESS').map((f) => f.iface ?? '').sort();

  test('healthy: the port and the lower have no address and are not named; their roles point at br0 and mv0', async () => {
    // The kernel's view: vethA is enslaved to br0, up1 sits under mv0, neither has an IPv4 address.
    assert.match(await lab.must('host', 'readlink', ['/sys/class/net/vethA/master']), /br0$/m);
    assert.equal((await lab.exec('host', 'test', ['-d', '/sys/class/net/vethA/brport'])).code, 0);
    assert.equal((await lab.exec('host', 'test', ['-e', '/sys/class/net/up1/upper_mv0'])).code, 0);
    assert.equal((await lab.ip('host', '-4', 'addr', 'show', 'dev', 'vethA')).trim(), '');
    assert.equal((await lab.ip('host', '-4', 'addr', 'show', 'dev', 'up1')).trim(), '');
    const d = await inventory();
    const role = (n: string) => d.interfaces.find((i) => i.name === n)?.role;
    assert.deepEqual([role('vethA')?.role, role('vethA')?.l3, role('vethA')?.needsAddress], ['bridge-port', ['br0'], false]);
    assert.deepEqual([role('up1')?.role, role('up1')?.l3, role('up1')?.needsAddress], ['lower', ['mv0'], false]);
    assert.deepEqual(noAddress(d), [], JSON.stringify(d.findings.map((f) => [f.id, f.iface])));
  });

  test('fault: the bridge itself without an address is named, with its port and where the address goes', async () => {
    await lab.ip('host', 'addr', 'flush', 'dev', 'br0');
    assert.equal((await lab.ip('host', '-4', 'addr', 'show', 'dev', 'br0')).trim(), '');
    const d = await inventory();
    assert.deepEqual(noAddress(d), ['br0']);
    const f = d.findings.find((x) => x.id === 'IFACE_NO_ADDRESS');
    assert.match(f?.message ?? '', /br0 \(bridge of vethA\) has no IPv4 address/);
    assert.match(f?.fix ?? '', /ip addr add ADDR\/LEN dev br0 \(on the bridge, not on its ports\)/);
  });
});
