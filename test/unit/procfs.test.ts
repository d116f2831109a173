import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { hex32ToIpv6, igmpHexToAddress, parseProcNetIgmp, parseProcNetIgmp6,
  parseProcNetMcfilter } from '../../src/platform/procfs/igmp.js';
import { parseNetstat, parseSnmp6 } from '../../src/platform/procfs/netstat.js';

const fixture = (name: string): string => readFileSync(path.join(REPO, 'fixtures', 'proc', name), 'utf8');

test('/proc/net/igmp group hex is the network-order value printed on a little-endian host', () => {
  assert.equal(igmpHexToAddress('030201EF'), '239.1.2.3');
  assert.equal(igmpHexToAddress('EF010203', false), '239.1.2.3');
});

test('/proc/net/igmp recorded on this kernel: devices, querier version, groups', () => {
  const devs = parseProcNetIgmp(fixture('igmp.txt'));
  const wired = devs.find((d) => d.device === 'wired0');
  assert.ok(wired);
  assert.equal(wired.querier, 'V3');
  assert.equal(wired.count, 5);
  assert.deepEqual(wired.groups.map((g) => g.group).sort(), ['224.0.0.1', '232.1.1.1', '239.1.2.3', '239.129.2.3', '239.255.0.1']);
  assert.equal(devs.find((d) => d.device === 'lo')?.groups[0]?.group, '224.0.0.1');
});

test('/proc/net/igmp timer and reporter columns', () => {
  const text =
    'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n3\twired     :     2      ' +
    'V2\n\t\t\t\t030201EF     1 1:00000295\t\t1\n';
  const [d] = parseProcNetIgmp(text);
  assert.equal(d?.querier, 'V2');
  assert.deepEqual(d?.groups[0], { group: '239.1.2.3', users: 1, timerRunning: true, timerTicks: 0x295, reporter: true });
});

test('/proc/net/igmp: a group on many devices keeps each device\'s own columns; lines before a device are ignored', () => {
  const text = '\t\t\t\t030201EF     9 0:00000000\t\t0\n' +
    'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n' +
    '2\td0        :     2      V3\n\t\t\t\t030201EF     1 0:00000000\t\t0\n\t\t\t\t010000E0     1 0:00000000\t\t0\n' +
    '3\td1        :     1      V2\n\t\t\t\t030201EF     2 1:0000000A\t\t1\n';
  const devs = parseProcNetIgmp(text);
  assert.deepEqual(devs.map((d) => [d.index, d.device, d.count, d.querier, d.groups.map((g) => [g.group, g.users, g.timerTicks])]), [
    [2, 'd0', 2, 'V3', [['239.1.2.3', 1, 0], ['224.0.0.1', 1, 0]]],
    [3, 'd1', 1, 'V2', [['239.1.2.3', 2, 10]]],
  ]);
});

/** The parser as it was (one regular expression per line): the reference the scanner must equal. */
function referenceIgmp(text: string, littleEndian = true): ReturnType<typeof parseProcNetIgmp> {
  const deviceLine = /^(\d+)\s+(\S+)\s*:\s*(\d+)\s+(\S+)\s*$/;
  const groupLine = /^\s+([0-9A-Fa-f]{8})\s+(\d+)\s+(\d+):([0-9A-Fa-f]+)\s+(\d+)\s*$/;
  const devices: ReturnType<typeof parseProcNetIgmp> = [];
  let current: (typeof devices)[number] | undefined;
  for (const line of text.split('\n')) {
    const d = deviceLine.exec(line);
    if (d) {
      devices.push(current = { index: Number(d[1]), device: d[2] ?? '', count: Number(d[3]), querier: d[4] ?? '', groups: [] });
      continue;
    }
    const g = groupLine.exec(line);
    if (g && current) {
      current.groups.push({ group: igmpHexToAddress(g[1] ?? '', littleEndian), users: Number(g[2]), timerRunning: g[3] === '1',
        timerTicks: parseInt(g[4] ?? '0', 16), reporter: g[5] === '1' });
    }
  }
  return devices;
}

test('/proc/net/igmp read in place equals the regular expressions on real and mangled lines', () => {
  let seed = 8;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => pick([...'0123456789ABCDEFabcdef'])).join('');
  const good = (): string => `\t\t\t\t${hex(8)} ${String(Math.floor(r() * 99999)).padStart(5)} `
    + `${pick(['0', '1'])}:${hex(8)}\t\t${pick(['0', '1'])}`;
  const noise = [...'0123456789aAfFgG :\t\r\v\u00a0\u2003\ufeffx-+.'];
  const mangle = (l: string): string => {
    const chars = [...l];
    for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) {
      const at = Math.floor(r() * (chars.length + 1));
      const op = r();
      if (op < 0.4) chars.splice(at, 0, pick(noise));
      else if (op < 0.7) chars.splice(at, 1);
      else chars[Math.min(at, chars.length - 1)] = pick(noise);
    }
    return chars.join('');
  };
  for (let t = 0; t < 300; t++) {
    const lines = ['Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter'];
    for (let d = 0; d < 1 + Math.floor(r() * 4); d++) {
      lines.push(`${d + 1}\td${d}        :     3      V${pick(['1', '2', '3'])}`);
      for (let g = 0; g < 1 + Math.floor(r() * 5); g++) lines.push(r() < 0.5 ? good() : mangle(good()));
    }
    const text = `${lines.join('\n')}${pick(['\n', '', '\n\n'])}`;
    for (const le of [true, false]) assert.deepEqual(parseProcNetIgmp(text, le), referenceIgmp(text, le), JSON.stringify(text));
  }
});

test('/proc/net/igmp6 recorded on this kernel', () => {
  const entries = parseProcNetIgmp6(fixture('igmp6.txt'));
  const wired = entries.filter((e) => e.device === 'wired0').map((e) => e.group);
  assert.ok(wired.includes('ff05::1:3'), wired.join(' '));
  assert.ok(wired.includes('ff02::1'));
});

test('IPv6 hex is compressed as RFC 5952 says', () => {
  assert.equal(hex32ToIpv6('ff020000000000000000000000000001'), 'ff02::1');
  assert.equal(hex32ToIpv6('ff0200000000000000000001ff000002'), 'ff02::1:ff00:2');
  assert.equal(hex32ToIpv6('20010db8000000010000000000000001'), '2001:db8:0:1::1');
});

test('/proc/net/mcfilter recorded on this kernel (readable order)', () => {
  const [e] = parseProcNetMcfilter(fixture('mcfilter.txt'));
  assert.deepEqual(e, { index: 3, device: 'wired0', group: '232.1.1.1', source: '198.18.1.1', include: 1, exclude: 0 });
});

test('/proc/net/netstat and snmp6 recorded on this kernel', () => {
  const c = parseNetstat(fixture('netstat.txt'));
  assert.equal(typeof c.TcpExt?.IPReversePathFilter, 'number');
  assert.equal(typeof c.IpExt?.InMcastPkts, 'number');
  const s6 = parseSnmp6(fixture('snmp6.txt'));
  assert.equal(typeof s6.Icmp6InGroupMembQueries, 'number');
});

test('parsers never throw on garbage', () => {
  for (const junk of ['', '\0\0\0', 'Idx\n\t\t\tzz', 'TcpExt: a b\nTcpExt: 1']) {
    parseProcNetIgmp(junk);
    parseProcNetIgmp6(junk);
    parseProcNetMcfilter(junk);
    parseNetstat(junk);
    parseSnmp6(junk);
  }
});
