// querier-check --planned on the two-uplink laptop: the kernel is the oracle. The per-mode
// predictions (strict iff the route back leaves by DEV, loose iff any route back) are held to
// the kernel by flipping rp_filter in the namespace and sending a real query from each address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { sendQueries } from '../helpers/igmp-query.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping querier-check --planned lab tests: ${skip}`);

const OFF_SUBNET = '198.19.7.1';

interface Planned {
  verdict: string; reason: string; onSubnet: boolean; ownAddress: boolean; suggestion?: string;
  modes?: { off: boolean; strict: boolean; loose: boolean }; kernel?: { accepted: boolean };
  usable: Array<{ prefix: string; ranges: string[]; excluded: string[] }>;
}
interface Doc { planned: Planned; findings: Array<{ id: string; severity: string; source?: string }> }

describe('querier-check --planned on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const rp = async (all: number, wifi: number): Promise<void> => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', all);
    await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', wifi);
  };
  const planned = async (addr: string, iface = 'wifi0', expectCode?: number): Promise<Doc> => {
    const r = await lp.lab.cli('host', ['querier-check', '--planned', addr, '--iface', iface, '--json']);
    const doc = JSON.parse(r.stdout) as Doc;
    assertMatchesSchema('querier-check.schema.json', doc);
    if (expectCode !== undefined) assert.equal(r.code, expectCode, `${addr}: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, doc.planned.verdict === 'dropped' ? 1 : 0, 'exit code follows the verdict');
    return doc;
  };
  const rpCounter = async (): Promise<number> => {
    const text = await lp.lab.must('host', 'cat', ['/proc/net/netstat']);
    const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = (lines[0] ?? '').split(/\s+/);
    return Number((lines[1] ?? '').split(/\s+/)[names.indexOf('IPReversePathFilter')]);
  };

  test('strict rp_filter, off-subnet address routed back via wired0: dropped, exit 1, the fix names the range', async () => {
    await rp(1, 0);
    const d = await planned(OFF_SUBNET, 'wifi0', 1);
    assert.equal(d.planned.verdict, 'dropped');
    assert.equal(d.planned.onSubnet, false);
    assert.deepEqual(d.planned.modes, { off: true, strict: false, loose: true });
    assert.match(d.planned.reason, /leaves by wired0/);
    assert.deepEqual(d.findings.map((f) => f.id).sort(), ['QUERIER_OFF_SUBNET', 'QUERIER_RPF_DROP']);
    assert.equal(d.planned.usable[0]?.prefix, '198.18.2.0/24');
    assert.deepEqual(d.planned.usable[0]?.excluded, ['198.18.2.2']);
    assert.deepEqual(d.planned.usable[0]?.ranges, ['198.18.2.1', '198.18.2.3-198.18.2.254']);
    const human = await lp.lab.cli('host', ['querier-check', '--planned', OFF_SUBNET, '--iface', 'wifi0', '--no-color']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /DROPPED/);
    assert.match(human.stdout, /by mode: +off accepted, strict dropped, loose accepted/);
  });

  test('the peer\'s own on-subnet address is accepted in every mode, exit 0, no finding', async () => {
    await rp(1, 0);
    const d = await planned(lp.addr.peerB, 'wifi0', 0);
    assert.deepEqual(d.planned.modes, { off: true, strict: true, loose: true });
    assert.deepEqual(d.findings, []);
  });

  test('loose rp_filter accepts the off-subnet address: off-subnet warning only, exit 0', async () => {
    await rp(0, 2);
    const d = await planned(OFF_SUBNET, 'wifi0', 0);
    assert.equal(d.planned.verdict, 'accepted');
    assert.deepEqual(d.findings.map((f) => [f.id, f.severity]), [['QUERIER_OFF_SUBNET', 'warning']]);
  });

  test('predictions per mode match the kernel: flip rp_filter, ask again, and send a real query from each address', async () => {
    await rp(0, 0);
    const cases = [OFF_SUBNET, lp.addr.peerB, lp.addr.peerA];
    const predicted = new Map<string, NonNullable<Planned['modes']>>();
    for (const a of cases) predicted.set(a, (await planned(a)).planned.modes!);
    for (const [mode, value] of [['off', 0], ['strict', 1], ['loose', 2]] as const) {
      await rp(0, value);
      for (const a of cases) {
        const want = predicted.get(a)![mode];
        const d = await planned(a);
        assert.equal(d.planned.kernel?.accepted, want, `${a} under ${mode}: kernel answer vs prediction`);
        // The packet path: one real query from a; the kernel counts a reverse-path drop.
        const before = await rpCounter();
        await sendQueries(lp.lab, 'peer-b', { iface: 'eth0', source: a, version: 3 });
        const rose = await waitFor(async () => (await rpCounter()) > before, want ? 700 : 3000);
        assert.equal(rose, !want, `${a} under ${mode}: IPReversePathFilter ${rose ? 'rose' : 'stayed'}`);
      }
    }
  });

  test('no route back at all: loose drops too', async () => {
    await lp.lab.ip('host', 'route', 'del', 'default');
    try {
      await rp(0, 2);
      const d = await planned(OFF_SUBNET, 'wifi0', 1);
      assert.deepEqual(d.planned.modes, { off: true, strict: false, loose: false });
      assert.match(d.planned.reason, /no route back/);
    } finally {
      await lp.lab.ip('host', 'route', 'add', 'default', 'via', lp.addr.peerA, 'dev', 'wired0');
    }
  });

  test('the host\'s own address is refused in every mode', async () => {
    await rp(0, 0);
    const d = await planned(lp.addr.hostWifi, 'wifi0', 1);
    assert.equal(d.planned.ownAddress, true);
    assert.deepEqual(d.planned.modes, { off: false, strict: false, loose: false });
  });

  test('MLD: a link-local querier is accepted, a global one is not (RFC 3810 6.2)', async () => {
    const ok = await planned('fe80::1', 'wifi0', 0);
    assert.equal(ok.planned.usable[0]?.prefix, 'fe80::/64');
    const bad = await planned(lp.addr.peerB6, 'wifi0', 1);
    assert.deepEqual(bad.findings.map((f) => f.id), ['MLD_QUERIER_NOT_LINK_LOCAL']);
  });

  test('bad input exits 2 with one line', async () => {
    for (const args of [['--planned', '239.1.1.1', '--iface', 'wifi0'], ['--planned', 'nope', '--iface', 'wifi0'],
      ['--planned', lp.addr.peerB], ['--planned', lp.addr.peerB, '--iface', 'nope0'], ['--planned', lp.addr.peerB, '--iface', 'w+']]) {
      const r = await lp.lab.cli('host', ['querier-check', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
