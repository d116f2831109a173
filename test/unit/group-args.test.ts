import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLinkLocalGroup, parseGroupArgs, parsePort, parseTtl, splitGroupText, splitSource } from '../../src/core/group-args.js';
import { UsageError } from '../../src/core/errors.js';

const p = (args: string[], extra = {}) => parseGroupArgs(args, { defaultPort: 5000, ...extra });

test('plain, S,G, G:PORT and S,G:PORT forms, both families', () => {
  assert.deepEqual(p(['239.1.2.3']), [{ group: '239.1.2.3', family: 4, port: 5000 }]);
  assert.deepEqual(p(['239.1.2.3:6000']), [{ group: '239.1.2.3', family: 4, port: 6000 }]);
  assert.deepEqual(p(['198.18.1.1,232.1.1.1']), [{ group: '232.1.1.1', family: 4, port: 5000, source: '198.18.1.1' }]);
  assert.deepEqual(p(['198.18.1.1,232.1.1.1:7000']), [{ group: '232.1.1.1', family: 4, port: 7000, source: '198.18.1.1' }]);
  assert.deepEqual(p(['ff05::1']), [{ group: 'ff05::1', family: 6, port: 5000 }]);
  assert.deepEqual(p(['[ff05::1]:5001']), [{ group: 'ff05::1', family: 6, port: 5001 }]);
  assert.deepEqual(p(['FF05:0:0::0001']), [{ group: 'ff05::1', family: 6, port: 5000 }]);
  assert.deepEqual(p(['fd00::1,[ff3e::1]:5002']), [{ group: 'ff3e::1', family: 6, port: 5002, source: 'fd00::1' }]);
  assert.deepEqual(p(['232.1.1.1'], { source: '198.18.1.1' }), [{ group: '232.1.1.1', family: 4, port: 5000, source: '198.18.1.1' }]);
});

test('G+N gives N consecutive groups; G/LEN the whole prefix; duplicates once', () => {
  assert.deepEqual(p(['239.1.1.254+4']).map((g) => g.group), ['239.1.1.254', '239.1.1.255', '239.1.2.0', '239.1.2.1']);
  assert.deepEqual(p(['239.1.1.1+2:6000']).map((g) => `${g.group}:${g.port}`), ['239.1.1.1:6000', '239.1.1.2:6000']);
  const net = p(['239.2.0.77/24']);
  assert.equal(net.length, 256);
  assert.equal(net[0]?.group, '239.2.0.0');
  assert.equal(net[255]?.group, '239.2.0.255');
  assert.deepEqual(p(['ff05::fe+3']).map((g) => g.group), ['ff05::fe', 'ff05::ff', 'ff05::100']);
  assert.equal(p(['ff05::/112']).length, 65536);
  assert.equal(p(['239.1.1.1', '239.1.1.1+2']).length, 2);
  assert.equal(p(['239.1.0.0/16']).length, 65536);
});

test('bad input is a UsageError that names the argument', () => {
  const cases: Array<[string[], RegExp, object?]> = [
    [['10.0.0.1'], /'10\.0\.0\.1': not a multicast address/],
    [['fd00::1'], /not a multicast address/],
    [['nonsense'], /'nonsense'.*not an IP address/],
    [['239.1.1.1:0'], /out of range/],
    [['239.1.1.1:70000'], /out of range/],
    [['239.0.0.0/8'], /more than the limit/],
    [['239.1.1.1+70000'], /more than the limit/],
    [['239.255.255.250+10'], /runs past/],
    [['239.1.1.1+0'], /at least one/],
    [['239.1.1.1/33'], /longer than 32/],
    [['fd00::1,239.1.1.1'], /different families/],
    [['239.1.1.1,239.1.1.2'], /is a multicast address/],
    [[''], /empty group/],
    [['239.1.1.1+2'], /not allowed/, { allowRanges: false }],
    [[], /at least one group/],
  ];
  for (const [args, re, extra] of cases) {
    assert.throws(() => p(args, extra), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message), args.join(' '));
  }
  assert.throws(() => p(['239.1.0.0/20', '239.2.0.0/20'], { maxGroups: 5000 }), /more than 5000 groups/);
});

test('port and TTL ranges', () => {
  assert.equal(parsePort('1'), 1);
  assert.equal(parsePort(65535), 65535);
  for (const bad of ['0', '65536', 'x', '-1', '1.5']) assert.throws(() => parsePort(bad), UsageError);
  assert.equal(parseTtl(0), 0);
  assert.equal(parseTtl('255'), 255);
  for (const bad of [256, -1, 1.5, 'x']) assert.throws(() => parseTtl(bad), /TTL .* out of range/);
});

test('link-local groups: 224.0.0.0/24, ff01::, ff02::', () => {
  assert.equal(isLinkLocalGroup('224.0.0.251'), true);
  assert.equal(isLinkLocalGroup('224.0.1.1'), false);
  assert.equal(isLinkLocalGroup('239.1.1.1'), false);
  assert.equal(isLinkLocalGroup('ff02::fb'), true);
  assert.equal(isLinkLocalGroup('ff12::1'), true);
  assert.equal(isLinkLocalGroup('ff05::1'), false);
});

test('splitSource: the source is what precedes the first comma, brackets dropped', () => {
  assert.deepEqual(splitSource('239.1.2.3:5000'), { group: '239.1.2.3:5000' });
  assert.deepEqual(splitSource('198.18.1.1,232.1.1.1'), { source: '198.18.1.1', group: '232.1.1.1' });
  assert.deepEqual(splitSource('[fd00::1],[ff3e::1]:5002'), { source: 'fd00::1', group: '[ff3e::1]:5002' });
  // Only the first comma splits: the rest is the group's to refuse.
  assert.deepEqual(splitSource(',a,b'), { source: '', group: 'a,b' });
});

test('splitGroupText: address, port, +N and /LEN taken apart without judging them', () => {
  const t = (addr: string, port?: string, plus?: string, len?: string) => ({ addr, port, plus, len });
  assert.deepEqual(splitGroupText('239.1.2.3'), t('239.1.2.3'));
  assert.deepEqual(splitGroupText('239.1.2.3:6000'), t('239.1.2.3', '6000'));
  assert.deepEqual(splitGroupText('239.1.1.1+2:6000'), t('239.1.1.1', '6000', '2'));
  assert.deepEqual(splitGroupText('239.2.0.77/24'), t('239.2.0.77', undefined, undefined, '24'));
  assert.deepEqual(splitGroupText('[ff05::fe]+3:5001'), t('ff05::fe', '5001', '3'));
  assert.deepEqual(splitGroupText('ff05::/112'), t('ff05::', undefined, undefined, '112'));
  assert.deepEqual(splitGroupText('[ff05::1]:5001'), t('ff05::1', '5001'));
  // An unbracketed IPv6 address keeps its colons: no port is guessed out of it.
  assert.deepEqual(splitGroupText('ff05::1'), t('ff05::1'));
  // Not an address: handed back whole, for parseGroupArg to refuse by name.
  assert.deepEqual(splitGroupText('bogus+x'), t('bogus+x'));
});
