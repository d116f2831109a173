// join-all's stall diagnosis on the mesh lab (test/helpers/mesh-lab.ts: a snooping bridge with an
// IGMPv3 querier every 2 s and a 6 s membership interval). h1 sends probes; h2 and h4 listen
// healthy; h3 drops IGMP on input (nft), so it never answers a query: the bridge ages its
// membership out at the membership interval and join-all names SNOOPING_TIMEOUT with the firewall
// as the reason (exit 1), while h2 and h4 stay quiet. Then the sender finishes half-way through
// the listeners' run: STREAM_STOPPED, a warning (exit 0) by default, an error with --fail-on-stop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, type RunResult } from '../helpers/lab.js';
import { buildMeshLab, type MeshLab } from '../helpers/mesh-lab.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping join-all stall lab tests: ${skip}`);

const GROUP = '239.255.78.1';
const MI_S = 6;

/** The summary event of a join-all NDJSON run. */
function summaryOf(r: RunResult): any {
  const events = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const s = events.find((e) => e.type === 'summary');
  assert.ok(s, `no summary: ${r.stdout.slice(-400)} ${r.stderr}`);
  assertMatchesSchema('join-all.schema.json', s);
  return s;
}

describe('join-all names a stream that stops', { skip, timeout: 120_000 }, () => {
  let ml: MeshLab;
  before(async () => { ml = await buildMeshLab({ membershipIntervalCs: MI_S * 100, queryIntervalCs: 200 }); });
  after(async () => { await ml?.lab.destroy(); });

  const listen = (h: string, durationS: number, extra: string[] = []): Promise<RunResult> =>
    ml.lab.cli(h, ['join-all', GROUP, '--duration', String(durationS), '--membership-interval', String(MI_S), '--json', ...extra], 60_000);
  const send = (durationS: number): Promise<RunResult> =>
    ml.lab.cli('h1', ['send-all', GROUP, '--rate', '5', '--duration', String(durationS), '--json'], 60_000);

  test('IGMP dropped in h3: SNOOPING_TIMEOUT at the membership interval, the firewall named; h2 and h4 quiet', async (t) => {
    await ml.lab.must('h3', 'nft', ['add', 'table', 'inet', 'mcdstall']);
    await ml.lab.must('h3', 'nft', ['add', 'chain', 'inet', 'mcdstall', 'input', '{ type filter hook input priority 0; }']);
    await ml.lab.must('h3', 'nft', ['add', 'rule', 'inet', 'mcdstall', 'input', 'meta', 'l4proto', 'igmp', 'drop']);
    try {
      const [tx, h2, h3, h4] = await Promise.all([send(17), listen('h2', 14), listen('h3', 14), listen('h4', 14)]);
      assert.equal(tx.code, 0, tx.stderr);
      const s3 = summaryOf(h3);
      const seen = JSON.stringify(s3.findings.map((f: any) => [
        f.id,
        f.message,
        f.evidence?.stoppedAtS,
        f.evidence?.queriesAnswered,
        f.evidence?.reportsSent,
        f.evidence?.queriesHeard,
      ]));
      t.diagnostic(`h3: ${seen}`);
      assert.equal(h3.code, 1, seen);
      const f = s3.findings.filter((x: any) => x.id === 'SNOOPING_TIMEOUT');
      assert.equal(f.length, 1, JSON.stringify(s3.findings.map((x: any) => [x.id, x.message])));
      assert.equal(f[0].iface, 'eth0');
      assert.equal(f[0].group, GROUP);
      assert.equal(f[0].severity, 'error');
      assert.equal(f[0].evidence.reason, 'firewall');
      assert.match(f[0].fix, /nft insert rule inet mcdstall input (position \d+ )?meta l4proto igmp accept/);
      // The bridge lets the port go 6.9 to 9.7 s after the join with 6 s set (src/core/stall/diagnose.ts).
      assert.ok(f[0].evidence.stoppedAtS >= MI_S - 3 && f[0].evidence.stoppedAtS <= MI_S + 6, String(f[0].evidence.stoppedAtS));
      assert.equal(f[0].evidence.queriesAnswered, false);
      assert.ok(f[0].evidence.queriesHeard > 0, 'the capture sees the queries the firewall drops');
      assert.match(f[0].evidence.stopped[0].sender, /-[0-9a-f]{4}$/);
      for (const [name, r] of [['h2', h2], ['h4', h4]] as const) {
        const s = summaryOf(r);
        assert.equal(r.code, 0, `${name}: ${JSON.stringify(s.findings.map((x: any) => [x.id, x.message]))}`);
        assert.deepEqual(s.findings.filter((x: any) => x.id === 'SNOOPING_TIMEOUT' || x.id === 'STREAM_STOPPED'), []);
        assert.ok(s.totalPackets >= 55, `${name}: ${s.totalPackets} probes in 14 s at 5/s`);
      }
    } finally {
      await ml.lab.must('h3', 'nft', ['delete', 'table', 'inet', 'mcdstall']);
    }
  });

  test('the sender finishes after 16 s of a 24 s listen: STREAM_STOPPED, a warning; --fail-on-stop makes it an error', async () => {
    const [tx, warn, strict] = await Promise.all([send(16), listen('h2', 24), listen('h4', 24, ['--fail-on-stop'])]);
    assert.equal(tx.code, 0, tx.stderr);
    const w = summaryOf(warn);
    assert.equal(warn.code, 0, JSON.stringify(w.findings.map((x: any) => [x.id, x.severity])));
    const fw = w.findings.filter((x: any) => x.id === 'STREAM_STOPPED');
    assert.equal(fw.length, 1, JSON.stringify(w.findings.map((x: any) => [x.id, x.message])));
    assert.equal(fw[0].severity, 'warning');
    assert.equal(fw[0].evidence.queriesAnswered, true, 'h2 answers the queries: not the snooping timeout');
    assert.ok(fw[0].evidence.stoppedAtS >= 13 && fw[0].evidence.stoppedAtS <= 17, String(fw[0].evidence.stoppedAtS));
    assert.match(fw[0].message, /probes from \S+ \(eth0\) to 239\.255\.78\.1 stopped on eth0 .* away from the membership interval/);
    const s = summaryOf(strict);
    assert.equal(strict.code, 1);
    const fs = s.findings.filter((x: any) => x.id === 'STREAM_STOPPED');
    assert.equal(fs.length, 1);
    assert.equal(fs[0].severity, 'error');
  });
});
