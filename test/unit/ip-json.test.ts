// iproute2's JSON with an interface name holding control characters (recorded from `ip -j addr
// show` in a namespace with a veth named "v ESC ]0;x BEL"): invalid JSON as printed, read with the
// name intact; output that stays unparsable is an error naming the command, never "no addresses".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { parseIpJson } from '../../src/platform/linux.js';
import { EnvironmentError } from '../../src/core/errors.js';

const recorded = readFileSync(path.join(REPO, 'fixtures', 'iproute2', 'addr-control-char-name.json'), 'utf8');

test('the recorded answer is invalid JSON, and is read with the raw name and its address', () => {
  assert.throws(() => JSON.parse(recorded), /control character/i);
  const links = parseIpJson(recorded, 'ip -j addr show') as Array<{ ifname: string; addr_info: Array<{ local: string }> }>;
  const evil = links.find((l) => l.ifname === 'v\x1b]0;x\x07');
  assert.ok(evil, 'the name is kept byte for byte');
  assert.deepEqual(evil.addr_info.map((a) => a.local), ['198.18.77.1']);
});

test('output that is still not JSON is exit 3 naming the command, not an empty answer', () => {
  assert.throws(() => parseIpJson('[{"ifname":"eth0",', 'ip -j addr show'), (e: unknown) =>
    e instanceof EnvironmentError && e.exitCode === 3 && /^`ip -j addr show` printed output that is not JSON/.test(e.message));
  assert.throws(() => parseIpJson('{"ifname":"eth0"}', 'ip -j addr show'), /JSON that is not a list/);
  assert.deepEqual(parseIpJson('', 'ip -4 -j route show default'), []);
  assert.deepEqual(parseIpJson('[]\n', 'ip -4 -j route show default'), []);
});
