// The habits of tcpdump, ip and smcroute users (issue 21): short flags, `-` for standard input,
// `--iface any`, a hint for an interface typed where a group goes, a suggestion for a misspelt option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from '../helpers/lab.js';

const cli = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000, input });
const names = (stdout: string): string[] => (JSON.parse(stdout) as { interfaces: { name: string }[] }).interfaces.map((x) => x.name);

test('-j is --json and -i is --iface, alone or grouped', () => {
  const long = cli(['mac-map', '239.1.2.3', '--json']);
  assert.equal(long.status, 0, long.stderr);
  assert.equal(cli(['mac-map', '239.1.2.3', '-j']).stdout, long.stdout);
  const i = cli(['interfaces', '-i', 'lo', '-j']);
  assert.equal(i.status, 0, i.stderr);
  assert.deepEqual(names(i.stdout), ['lo']);
  const grouped = cli(['interfaces', '-qj', '-i', 'lo']);
  assert.equal(grouped.status, 0, grouped.stderr);
  assert.deepEqual(names(grouped.stdout), ['lo']);
});

test('-c is --count on join-all, send-all and sniff; -w is sniff --write', () => {
  for (const c of ['join-all', 'send-all', 'sniff']) assert.match(cli([c, '--help']).stdout, /-c, --count/, c);
  assert.match(cli(['sniff', '--help']).stdout, /-w, --write/);
  assert.match(cli(['--help']).stdout, /-i, --iface/);
  assert.match(cli(['--help']).stdout, /-j, --json/);
});

test('--iface any is every interface, as tcpdump -i any', () => {
  const all = cli(['interfaces', '--json']);
  const any = cli(['interfaces', '-i', 'any', '--json']);
  assert.equal(any.status, 0, any.stderr);
  assert.deepEqual(names(any.stdout), names(all.stdout));
});

test('--file - reads standard input', () => {
  const r = cli(['mac-map', '--file', '-', '--json'], '# two groups on one MAC\n224.1.2.3\n239.129.2.3\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { report: { groups: { total: number } } }).report.groups.total, 2);
});

test('an interface name where a group is expected: exit 2 with a hint to use -i', () => {
  const r = cli(['join-all', 'lo', '239.1.2.3']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /'lo' is an interface: name it with -i lo/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  // A word that is no interface gets no such hint.
  assert.doesNotMatch(cli(['join-all', 'nosuchifacezz', '239.1.2.3']).stderr, /-i /);
});

test('a misspelt option gets the option it is closest to; a stray word does not', () => {
  const r = cli(['sniff', '--ifac', 'lo', '--durtion', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--ifac: did you mean --iface\?/);
  assert.match(r.stderr, /--durtion: did you mean --duration\?/);
  const stray = cli(['interfaces', 'iface']);
  assert.equal(stray.status, 2);
  assert.doesNotMatch(stray.stderr, /did you mean/);
  assert.doesNotMatch(cli(['interfaces', '--zzzzzz']).stderr, /did you mean/);
});

test('interfaces -4 lists no IPv6 address or group, -6 no IPv4 one', () => {
  type Doc = { interfaces: { name: string; addresses: { family: number }[]; groups: { family: number }[] }[] };
  const fams = (args: string[]): Set<number> => {
    const r = cli(['interfaces', '--json', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return new Set((JSON.parse(r.stdout) as Doc).interfaces.flatMap((i) => [...i.addresses, ...i.groups].map((a) => a.family)));
  };
  const all = fams(['-i', 'lo']);
  // lo carries 127.0.0.1 and, where IPv6 is on, ::1: the filter then has something to remove.
  assert.ok(all.has(4), 'lo has an IPv4 address');
  assert.deepEqual([...fams(['-i', 'lo', '-4'])], [4]);
  if (all.has(6)) assert.deepEqual([...fams(['-i', 'lo', '-6'])], [6]);
});

test('a finding links its page: `docs` in JSON, `see:` with the path on this machine under --verbose', () => {
  const groups = ['mac-map', '--collisions', '224.1.2.3', '239.129.2.3'];
  const j = cli([...groups, '--json']);
  const f = (JSON.parse(j.stdout) as { findings: { id: string; docs: string }[] }).findings.find((x) => x.id === 'MAC_COLLISION');
  assert.equal(f?.docs, 'docs/findings/MAC_COLLISION.md');
  const see = /see: (\S+)/.exec(cli([...groups, '--verbose']).stdout)?.[1];
  assert.ok(see && existsSync(see) && see.endsWith(f.docs), `see: ${see}`);
  assert.doesNotMatch(cli(groups).stdout, /see: /);
});
