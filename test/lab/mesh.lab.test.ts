// mesh on five namespaces at once (test/helpers/mesh-lab.ts): a snooping bridge with an IGMPv3
// querier and a 6 s membership interval, h5 dual-homed onto a second bridge. Healthy: every host
// hears the four others past the membership interval, no loss, and the merged report and its
// HTML page agree with the per-host documents. Fault: IGMP dropped on input in h3 (nft): h3 keeps
// its membership only until the bridge ages it out, its column goes dark and mesh names
// SNOOPING_TIMEOUT with the firewall as the reason. Then the Ansible playbook runs the same mesh.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, REPO, labSkipReason, type RunResult } from '../helpers/lab.js';
import { buildMeshLab, type MeshLab } from '../helpers/mesh-lab.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { chromiumPath, dumpDom } from '../helpers/chromium.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping mesh lab tests: ${skip}`);

const GROUP = '239.255.77.1';
const MI_S = 6;

describe('mesh on five hosts of a snooping bridge', { skip, timeout: 170_000 }, () => {
  let ml: MeshLab;
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-mesh-lab-'));
  before(async () => { ml = await buildMeshLab({ membershipIntervalCs: MI_S * 100, queryIntervalCs: 200 }); });
  after(async () => { await ml?.lab.destroy(); rmSync(dir, { recursive: true, force: true }); });

  /** Every host at once, each with its own hostname (UTS namespace), like hosts started by Ansible. */
  const runOne = (h: string, durationS: number): Promise<RunResult> => ml.lab.exec(h, 'unshare', ['--uts', 'sh', '-c',
    `hostname ${h}; exec "${process.execPath}" "${CLI}" mesh ${GROUP} --duration ${durationS} --rate 5 --expect-peers 4 ` +
    `--membership-interval ${MI_S} --json`], 90_000);
  const runAll = (durationS: number): Promise<RunResult[]> => Promise.all(ml.hosts.map((h) => runOne(h, durationS)));

  const save = (tag: string, rs: RunResult[]): { files: string[]; docs: any[] } => {
    const docs = rs.map((r) => JSON.parse(r.stdout));
    const files = docs.map((d) => {
      const f = path.join(dir, `${tag}-${d.host.hostname}.json`);
      writeFileSync(f, JSON.stringify(d));
      return f;
    });
    return { files, docs };
  };

  const report = async (tag: string, files: string[]): Promise<{ r: RunResult; rep: any; html: string }> => {
    const html = path.join(dir, `${tag}.html`);
    const r = await new Promise<RunResult>((resolve) => execFile(process.execPath,
      [CLI, 'mesh-report', ...files, '--json', '--html', html, '--junit', path.join(dir, `${tag}.xml`)], (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    }));
    const rep = JSON.parse(r.stdout);
    assertMatchesSchema('mesh-report.schema.json', rep);
    return { r, rep, html };
  };

  /** The page as Chromium parsed it (or as written, without Chromium): one entry per cell with data. */
  const pageCells = async (html: string): Promise<Map<string, Record<string, string>>> => {
    const bin = chromiumPath();
    const dom = bin ? await dumpDom(bin, html) : readFileSync(html, 'utf8');
    const out = new Map<string, Record<string, string>>();
    for (const m of dom.matchAll(/<td class="cell[^"]*"([^>]*)>/g)) {
      const a = Object.fromEntries([...(m[1] ?? '').matchAll(/([a-z-]+)="([^"]*)"/g)].map((x) => [x[1] ?? '', x[2] ?? '']));
      out.set(`${a['data-from-host']}|${a['data-from-iface']}|${a['data-to-host']}|${a['data-to-iface']}`, a);
    }
    return out;
  };

  const agree = (docs: any[], cells: Map<string, Record<string, string>>): void => {
    for (const d of docs) {
      for (const c of d.cells) {
        const td = cells.get(`${c.peer}|${c.peerIface}|${d.host.id}|${c.iface}`);
        assert.ok(td, `no page cell for ${c.peer} ${c.peerIface} -> ${d.host.id} ${c.iface}`);
        assert.equal(Number(td['data-received']), c.received);
        assert.equal(Number(td['data-expected']), c.expected);
        assert.equal(Number(td['data-loss']), c.lossPct);
        assert.equal(td['data-state'], c.state);
      }
    }
  };

  test('healthy: every host hears the four others past the membership interval, no loss; report and page agree', async () => {
    const rs = await runAll(10);
    const { files, docs } = save('ok', rs);
    for (const [i, r] of rs.entries()) {
      const d = docs[i];
      assertMatchesSchema('mesh.schema.json', d);
      assert.equal(r.code, 0, `${d.host.hostname}: ${d.verdict.reasons.join('; ')} ${r.stderr}`);
      assert.equal(d.host.hostname, ml.hosts[i]);
      assert.deepEqual(d.peers.map((p: any) => p.hostname), ml.hosts.filter((h) => h !== d.host.hostname));
      for (const c of d.cells) {
        assert.equal(c.iface, 'eth0');
        assert.equal(c.lossPct, 0, JSON.stringify(c));
        assert.ok(c.received >= 35, `${c.received} probes in 10 s at 5/s`);
        assert.equal(c.ttl, 1);
        assert.equal(c.ttlSource, 'wire');
        assert.ok(c.lastSeenS > MI_S + 2, 'still arriving after the membership interval');
      }
      assert.deepEqual(d.findings.filter((f: any) => f.severity === 'error'), []);
      assert.ok(d.queries.find((q: any) => q.iface === 'eth0').answered);
    }
    // h5's second leg: joined and sending, alone on br1, so nothing heard there.
    const h5 = docs[4];
    const eth1 = h5.interfaces.find((i: any) => i.name === 'eth1');
    assert.equal(eth1.joined, true);
    assert.ok(eth1.sent >= 45, String(eth1.sent));
    const { r, rep, html } = await report('ok', files);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(rep.pairs.length, 20);
    assert.ok(rep.pairs.every((p: any) => p.status === 'pass'));
    assert.deepEqual(rep.findings, []);
    assert.deepEqual(rep.coverage.notRun, [], 'every host captured');
    assert.equal(rep.columns.length, 6);
    const cells = await pageCells(html);
    agree(docs, cells);
    assert.equal(cells.size, rep.rows.length * rep.columns.length);
    assert.equal([...cells.values()].filter((c) => c['data-to-iface'] === 'eth1' && c['data-state'] === 'none').length, 4);
  });

  test('IGMP dropped in h3: its column goes dark at the membership interval, SNOOPING_TIMEOUT names the firewall', async () => {
    await ml.lab.must('h3', 'nft', ['add', 'table', 'inet', 'mcdmesh']);
    await ml.lab.must('h3', 'nft', ['add', 'chain', 'inet', 'mcdmesh', 'input', '{ type filter hook input priority 0; }']);
    await ml.lab.must('h3', 'nft', ['add', 'rule', 'inet', 'mcdmesh', 'input', 'meta', 'l4proto', 'igmp', 'drop']);
    try {
      const rs = await runAll(14);
      const { files, docs } = save('dark', rs);
      const h3 = docs[2];
      assertMatchesSchema('mesh.schema.json', h3);
      assert.equal(rs[2]!.code, 1);
      const f = h3.findings.filter((x: any) => x.id === 'SNOOPING_TIMEOUT');
      assert.equal(f.length, 1, JSON.stringify(h3.findings.map((x: any) => x.id)));
      assert.equal(f[0].iface, 'eth0');
      assert.equal(f[0].evidence.reason, 'firewall');
      assert.match(f[0].message, /firewall rule drops IGMP/);
      assert.match(f[0].fix, /nft insert rule inet mcdmesh input (position \d+ )?meta l4proto igmp accept/);
      // The bridge lets the port go 6.9 to 9.7 s after the join with 6 s set (src/core/stall/diagnose.ts).
      assert.ok(f[0].evidence.stoppedAtS >= MI_S - 3 && f[0].evidence.stoppedAtS <= MI_S + 6, String(f[0].evidence.stoppedAtS));
      assert.equal(f[0].evidence.queriesAnswered, false);
      assert.ok(f[0].evidence.queriesHeard > 0, 'the capture sees the queries the firewall drops');
      assert.equal(h3.cells.length, 4);
      for (const c of h3.cells) {
        assert.equal(c.state, 'stalled');
        assert.equal(c.stall.finding, 'SNOOPING_TIMEOUT');
        assert.ok(c.lossPct > 30, String(c.lossPct));
      }
      // Everyone else still hears everyone, h3 included (its sending is untouched).
      for (const i of [0, 1, 3, 4]) {
        assert.equal(rs[i]!.code, 0, `${docs[i].host.hostname}: ${docs[i].verdict.reasons}`);
        assert.ok(docs[i].cells.every((c: any) => c.lossPct === 0));
      }
      const { r, rep, html } = await report('dark', files);
      assert.equal(r.code, 1);
      const failed = rep.pairs.filter((p: any) => p.status === 'fail');
      assert.deepEqual(failed.map((p: any) => p.to), Array(4).fill(h3.host.id));
      // The exit code comes from the finding (core/exit.ts), as in every command.
      const pf = rep.findings.filter((x: any) => x.id === 'MESH_PAIRS_FAILED');
      assert.equal(pf.length, 1, JSON.stringify(rep.findings));
      assert.equal(pf[0].evidence.failedPairs, 4);
      assert.deepEqual(pf[0].evidence.named.map((p: any) => p.to), Array(4).fill(h3.host.id));
      const cells = await pageCells(html);
      agree(docs, cells);
      const column = [...cells.values()].filter((c) => c['data-to-host'] === h3.host.id && c['data-state'] !== 'self');
      assert.equal(column.filter((c) => c['data-finding'] === 'SNOOPING_TIMEOUT').length, 4);
    } finally {
      await ml.lab.must('h3', 'nft', ['delete', 'table', 'inet', 'mcdmesh']);
    }
  });

  test('two hosts expecting two peers, 4 of every 10 probes from h1 dropped at its egress: ' +
    'MESH_PEERS_MISSING and MESH_LOSS, exit 1', async () => {
    // No netem in this kernel: an nft netdev egress rule on h1's eth0 (after send-all's sendmmsg).
    await ml.lab.must('h1', 'nft', ['add table netdev mcdmeshloss']);
    try {
      await ml.lab.must('h1', 'nft',
        ['add chain netdev mcdmeshloss egress { type filter hook egress device eth0 priority 0 ; policy accept ; }']);
      await ml.lab.must('h1', 'nft', ['add rule netdev mcdmeshloss egress ip daddr 239.255.77.1 numgen inc mod 10 < 4 drop']);
      const rs = await Promise.all(['h1', 'h2'].map((h) => ml.lab.exec(h, 'unshare', ['--uts', 'sh', '-c',
        `hostname ${h}; exec "${process.execPath}" "${CLI}" mesh ${GROUP} --duration 8 --rate 5 --expect-peers 2 --max-loss 5 ` +
        `--membership-interval ${MI_S} --json`], 60_000)));
      const [d1, d2] = rs.map((r) => JSON.parse(r.stdout));
      for (const [i, d] of [d1, d2].entries()) {
        assertMatchesSchema('mesh.schema.json', d);
        assert.equal(rs[i]!.code, 1);
        const missing = d.findings.filter((f: any) => f.id === 'MESH_PEERS_MISSING');
        assert.equal(missing.length, 1, JSON.stringify(d.findings.map((f: any) => f.id)));
        assert.deepEqual([missing[0].evidence.heard.length, missing[0].evidence.expected], [1, 2]);
      }
      const loss = d2.findings.filter((f: any) => f.id === 'MESH_LOSS');
      assert.equal(loss.length, 1, JSON.stringify(d2.findings.map((f: any) => [f.id, f.message])));
      assert.match(loss[0].evidence.peer, /^h1-/);
      assert.ok(loss[0].evidence.cells[0].lossPct > 30 && loss[0].evidence.cells[0].lossPct < 50, JSON.stringify(loss[0].evidence));
      assert.deepEqual(d1.findings.filter((f: any) => f.id === 'MESH_LOSS'), [], 'h2 -> h1 is clean');
      assert.deepEqual([...d1.findings, ...d2.findings].filter((f: any) => f.id === 'STREAM_STOPPED' || f.id === 'SNOOPING_TIMEOUT'), [],
        'loss, not a stop');
    } finally {
      await ml.lab.must('h1', 'nft', ['delete table netdev mcdmeshloss']);
    }
  });

  const ansible = (() => {
    try { return execFileSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).trim(); } catch { return ''; }
  })();
  if (!ansible && process.env.CI === 'true') throw new Error('CI=true but ansible-playbook is missing');

  const noAnsible = ansible ? false : 'ansible-playbook not installed';
  test('the Ansible playbook runs mesh on every host at once and merges the documents', { skip: noAnsible }, async () => {
    // Each inventory host is a namespace reached by a local connection; mesh_bin enters it.
    const results = path.join(dir, 'ansible');
    const inv = path.join(dir, 'inventory.json');
    const hostVars = (h: string): Record<string, string | boolean> => ({
      ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3', ansible_become: false,
      mesh_remote_dir: path.join(dir, `remote-${h}`),
      mesh_bin: `ip netns exec ${ml.lab.ns(h)} unshare --uts sh -c 'hostname ${h}; exec "${process.execPath}" "${CLI}" "$@"' mcast-doctor`,
    });
    // JSON is YAML: Ansible's yaml inventory plugin reads it.
    writeFileSync(inv, JSON.stringify({ mesh: { hosts: Object.fromEntries(ml.hosts.map((h) => [h, hostVars(h)])) } }));
    // Extra vars as JSON: key=value pairs would split the interpreter and the script apart.
    const extra = { mesh_group: GROUP, mesh_duration: 8, mesh_rate: 5, mesh_poll_delay: 1, mesh_membership_interval: MI_S,
      mesh_results: results, mesh_report_bin: `"${process.execPath}" "${CLI}"` };
    const r = await new Promise<RunResult>(
      (resolve) => execFile(ansible, ['-i', inv, path.join(REPO, 'docs', 'examples', 'mesh.yml'), '-e', JSON.stringify(extra)],
    { timeout: 120_000, env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOME: path.join(dir, '.ansible'),
      ANSIBLE_LOCAL_TEMP: path.join(dir, '.ansible-tmp'), ANSIBLE_HOST_KEY_CHECKING: 'False' } },
    (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /PASS: all 20 host pairs reach each other/);
    const xml = readFileSync(path.join(results, 'mesh.xml'), 'utf8');
    assert.equal((xml.match(/<testcase /g) ?? []).length, 20);
    assert.equal((xml.match(/<failure /g) ?? []).length, 0);
    for (const h of ml.hosts) assertMatchesSchema('mesh.schema.json', JSON.parse(readFileSync(path.join(results, `${h}.json`), 'utf8')));
  });
});
