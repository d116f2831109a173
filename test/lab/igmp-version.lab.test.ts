// The kernel's IGMP version state (issue 19 item 2), the kernel as the oracle: one IGMPv2 query
// from peer-b flips the host's wifi0 to IGMPv2 (/proc/net/igmp Querier column V2, read directly
// beside the verdict); an S,G join then leaves as a v2 report without its source (tcpdump on
// peer-b), and join-all says SSM_NOT_SIGNALLED; querier-check with a 1 s window and doctor
// without a listen take the kernel's state as evidence. The control runs first, on the same
// interface in V3: the same commands say nothing of versions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, sleep } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { sendQueries } from '../helpers/igmp-query.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping IGMP version lab tests: ${skip}`);

const SSM = '232.1.1.1';

interface Finding { id: string; iface?: string; message: string; evidence: Record<string, any> }

describe('kernel IGMP version state: SSM not signalled in IGMPv2 mode', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const column = async (): Promise<string> => {
    const text = (await lp.lab.exec('host', 'cat', ['/proc/net/igmp'])).stdout;
    return /\twifi0\s*:\s*\d+\s+(V\d)/.exec(text)?.[1] ?? '?';
  };
  const joinAll = async (): Promise<{ code: number; findings: Finding[]; reports: string[] }> => {
    const td = await lp.lab.tcpdump('peer-b', 'eth0', ['igmp'], []);
    const r = await lp.lab.cli('host', ['join-all', `${lp.addr.peerB},${SSM}`, '-4', '-i', 'wifi0', '--duration', '1', '--json'], 30_000);
    const reports = (await td.stop()).filter((l) => l.includes(`${lp.addr.hostWifi} >`));
    const summary =
      r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; findings?: Finding[] }).find((e) => e.type === 'summary');
    return { code: r.code, findings: summary?.findings ?? [], reports };
  };
  const versionIds =
    (fs: Finding[]): string[] => fs.filter((f) => f.id === 'SSM_NOT_SIGNALLED' || f.id === 'QUERIER_VERSION_MISMATCH').map((f) => f.id);

  test('control (V3): the S,G join leaves as an IGMPv3 report with its source; nothing said of versions', async () => {
    assert.equal(await column(), 'V3');
    const j = await joinAll();
    assert.ok(j.reports.some((l) => /v3 report/.test(l)), j.reports.join('\n'));
    assert.deepEqual(versionIds(j.findings), []);
    const q = await lp.lab.cli('host', ['querier-check', '-4', '-i', 'wifi0', '--timeout', '1', '--json']);
    assert.deepEqual(versionIds((JSON.parse(q.stdout) as { findings: Finding[] }).findings), []);
    const d = await lp.lab.cli('host', ['doctor', '-4', '-i', 'wifi0', '--querier-wait', '0', '--json']);
    assert.deepEqual(versionIds((JSON.parse(d.stdout) as { findings: Finding[] }).findings), []);
  });

  test('one IGMPv2 query flips wifi0 to V2: join-all S,G says SSM_NOT_SIGNALLED (the report leaves as v2, no source); ' +
    'querier-check 1 s and doctor take the kernel\'s word', async () => {
    await sendQueries(lp.lab, 'peer-b', { iface: 'eth0', source: lp.addr.peerB, version: 2, count: 1, maxResp: 5 });
    await sleep(300);
    assert.equal(await column(), 'V2', 'the kernel flipped to IGMPv2');
    const j = await joinAll();
    assert.ok(j.reports.length > 0 && j.reports.every((l) => !/v3 report/.test(l)), `the host reported in v2: ${j.reports.join('\n')}`);
    assert.equal(j.code, 1);
    const ssm = j.findings.find((f) => f.id === 'SSM_NOT_SIGNALLED');
    assert.ok(ssm, JSON.stringify(j.findings.map((f) => f.id)));
    assert.equal(ssm.iface, 'wifi0');
    assert.equal(ssm.evidence.querierColumn, 'V2');
    assert.match(ssm.message, /\(198\.18\.2\.1, 232\.1\.1\.1\).*IGMPv2.*260 s/);

    const q = await lp.lab.cli('host', ['querier-check', '-4', '-i', 'wifi0', '--timeout', '1', '--json']);
    const qf = (JSON.parse(q.stdout) as { findings: Finding[] }).findings.find((f) => f.id === 'QUERIER_VERSION_MISMATCH');
    assert.ok(qf, q.stdout);
    assert.equal(qf.evidence.source, 'kernel');
    assert.match(qf.message, /none fell in this/);

    const d = await lp.lab.cli('host', ['doctor', '-4', '-i', 'wifi0', '--querier-wait', '0', '--json']);
    const df = (JSON.parse(d.stdout) as { findings: Finding[] }).findings.find((f) => f.id === 'QUERIER_VERSION_MISMATCH');
    assert.ok(df, d.stdout.slice(0, 2000));
    assert.equal(df.evidence.querierColumn, 'V2');
  });
});
