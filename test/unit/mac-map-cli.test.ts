// mac-map through the built CLI: bad input exits 2 with one line; JSON matches its schema;
// no native module is loaded. Plus --host on a fake platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI } from '../helpers/lab.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { FakePlatform } from '../helpers/fake-platform.js';
import { macMap } from '../../src/core/mac-map/index.js';
import { parseItem } from '../../src/core/mac-map/input.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcd-macmap-'));
// Every native addon is loaded through process.dlopen: the hook reports each one on stderr.
const hook = path.join(dir, 'dlopen-hook.cjs');
writeFileSync(hook, "const o = process.dlopen; process.dlopen = function (...a) { process.stderr.write('DLOPEN ' + a[1] + '\\n'); " +
  "return o.apply(this, a); };\n");

function cli(args: string[], nodeArgs: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, CLI, ...args], { timeout: 30_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const bad: Array<[string[], RegExp]> = [
  [['198.18.0.1'], /198\.18\.0\.1 is not a multicast address/],
  [['fe80::1'], /fe80::1 is not a multicast address \(IPv6 multicast is ff00::\/8\)/],
  [['239.1.2'], /239\.1\.2 is not an IPv4 address/],
  [['01:00:5e:01:02'], /malformed MAC/],
  [['01:00:5e:zz:02:03'], /malformed MAC/],
  [['00:11:22:33:44:55'], /not an IP multicast MAC/],
  [['01:00:5e:80:00:01'], /not an IP multicast MAC/],
  [['hello'], /not a multicast group, a range or a MAC/],
  [['--collisions', '239.0.0.0/33'], /prefix length out of range/],
  [['--collisions', '239.0.0.0/3'], /prefix length out of range/],
  [['--collisions', '10.0.0.0/8'], /10\.0\.0\.0 is not a multicast address/],
  [['--collisions', '239.255.255.0+512'], /runs past 239\.255\.255\.255/],
  [['--collisions', '239.1.0.0+0'], /count must be between 1/],
  [['--collisions', 'ff05::/64'], /limited to 65536 groups/],
  [['239.1.0.0/16'], /ranges are analysed with --collisions/],
  [['--collisions', '01:00:5e:01:02:03'], /is a MAC: --collisions takes groups and ranges/],
  [['--file', path.join(dir, 'missing.txt')], /cannot read .*missing\.txt: no such file/],
  [['--limit', '0', '239.1.2.3'], /--limit '0' out of range: wants a whole number >= 1/],
  [[], /name at least one group or MAC/],
];

test('bad input: exit 2, one line on stderr, no stack trace', async () => {
  const results = await Promise.all(bad.map(([args]) => cli(['mac-map', ...args])));
  results.forEach((r, i) => {
    const [args, want] = bad[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0]!, /^mcast-doctor: /);
    assert.match(lines[0]!, want, args.join(' '));
    assert.equal(r.stdout, '');
  });
});

test('--file: comments and blank lines skipped; a bad line is named by file and line', async () => {
  const good = path.join(dir, 'groups.txt');
  writeFileSync(good, '# our groups\n239.1.2.3\n\n224.1.2.3   # the old one\n239.2.0.0/24\n');
  const r = await cli(['mac-map', '--file', good, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assertMatchesSchema('mac-map.schema.json', doc);
  assert.equal(doc.report.groups.total, 258);
  assert.deepEqual(doc.report.collisions.map((c: any) => c.groups), [['224.1.2.3', '239.1.2.3']]);
  const badFile = path.join(dir, 'bad.txt');
  writeFileSync(badFile, '239.1.2.3\n198.18.0.1\n');
  const b = await cli(['mac-map', '--file', badFile]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /198\.18\.0\.1 \(.*bad\.txt:2\) is not a multicast address/);
});

test('JSON documents match the schema: lookups of groups and MACs, collisions over a /8', async () => {
  const look = await cli(['mac-map', '--json', '239.1.2.3', 'ff02::1:ff00:2', '01:00:5e:01:02:03', '33:33:00:00:00:fb', '224.0.0.251']);
  assert.equal(look.code, 0, look.stderr);
  const d1 = JSON.parse(look.stdout);
  assertMatchesSchema('mac-map.schema.json', d1);
  assert.equal(d1.results[0].mac, '01:00:5e:01:02:03');
  assert.equal(d1.results[1].mac, '33:33:ff:00:00:02');
  assert.equal(d1.results[2].groups.length, 32);
  assert.equal(d1.results[4].name, 'mDNS');
  assert.ok(
    d1.findings.some((f: any) => f.id === 'LINK_LOCAL_GROUP' && f.evidence.count === 2 && f.evidence.groups.includes('224.0.0.251')));
  const coll = await cli(['mac-map', '--json', '--collisions', '239.0.0.0/8', '--limit', '3']);
  assert.equal(coll.code, 0, coll.stderr);
  const d2 = JSON.parse(coll.stdout);
  assertMatchesSchema('mac-map.schema.json', d2);
  assert.equal(d2.report.macs.shared, 2 ** 23);
  assert.equal(d2.report.collisions.length, 3);
  assert.equal(d2.report.flooded.count, 512);
  assert.ok(d2.findings.every((f: any) => f.severity !== 'error'), 'warnings only: exit 0');
});

test('human output names the shared MAC and the flooded group', async () => {
  const r = await cli(['mac-map', '--collisions', '224.1.2.3', '239.129.2.3', '239.128.0.251', '--no-color']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 groups on 2 MACs; 1 MAC shared by 2 groups; 1 group on a 224\.0\.0\.x MAC/);
  assert.match(r.stdout, /MAC_COLLISION \[224\.1\.2\.3\]: 2 groups share 01:00:5e:01:02:03: 224\.1\.2\.3, 239\.129\.2\.3/);
  assert.match(r.stdout, /FLOODED_MAC \[239\.128\.0\.251\]: .*224\.0\.0\.251 \(mDNS\)/);
});

test('mac-map loads no native module (lookup, collisions, --host)', async () => {
  for (const args of [['239.1.2.3'], ['--collisions', '239.1.0.0/16'], ['--host']]) {
    const r = await cli(['mac-map', ...args], ['-r', hook]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /DLOPEN/, `${args.join(' ')} loaded a native addon`);
  }
  // The hook does see native addons: koffi loads through it.
  const control = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['-r', hook, '-e', "try { require('koffi') } catch {}"], { cwd: path.dirname(path.dirname(CLI)) },
      (_e, _o, stderr) => resolve(stderr));
  });
  assert.match(control, /DLOPEN .*koffi/);
});

test('--host on a fake platform: colliding joined groups per interface; scope variants are not collisions', async () => {
  const fake = new FakePlatform({
    interfaces: [],
    igmp: [
      { index: 2, device: 'eth0', count: 3, querier: 'V3', groups: ['224.0.0.1', '239.1.2.3', '239.129.2.3'].map(
        (group) => ({ group, users: 1, timerRunning: false, timerTicks: 0, reporter: false })) },
      { index: 3, device: 'eth1', count: 2, querier: 'V3',
        groups: ['224.0.0.1', '239.1.2.3'].map((group) => ({ group, users: 1, timerRunning: false, timerTicks: 0, reporter: false })) },
    ],
    igmp6: ['ff02::1', 'ff01::1', 'ff02::1:ff00:2'].flatMap(
      (group) => ['eth0', 'eth1'].map((device) => ({ index: 0, device, group, users: 1, flags: 0, timer: 0 }))),
  });
  const r = await macMap({ items: [], collisions: false, host: true, limit: 10, platform: fake });
  assert.equal(r.mode, 'collisions');
  const ids = r.findings.map((f) => `${f.id} ${f.iface} ${f.group}`);
  assert.deepEqual(ids, ['MAC_COLLISION eth0 239.1.2.3']);
  // With a given group, eth1 now collides too; -4 leaves IPv6 out.
  const r2 = await macMap({ items: [parseItem('224.1.2.3')], collisions: false, host: true, limit: 10, platform: fake, family: 4,
    selection: { include: ['eth1'] } });
  assert.deepEqual(r2.findings.map((f) => `${f.id} ${f.iface ?? ''} ${f.group}`), ['MAC_COLLISION eth1 224.1.2.3']);
  assert.ok(r2.mode === 'collisions' && r2.interfaces?.[0]?.joined.every((g) => !g.includes(':')));
  assertMatchesSchema('mac-map.schema.json', { schemaVersion: 1, command: 'mac-map', ...r2 });
});
