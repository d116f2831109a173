// An interface whose name holds terminal escapes (the kernel allows any byte but '/', ':' and
// whitespace): iproute2's JSON is then invalid, which read as "no addresses". Here the name and
// its address are read, JSON output carries the name as it is, and human output shows the escapes
// as text: no byte of it reaches the terminal as a control character.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason } from '../helpers/lab.js';
import { buildHostPeer } from '../helpers/topologies.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping hostile interface name lab tests: ${skip}`);
const EVIL = 'v\x1b]0;x\x07';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('an interface name with control characters', { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create();
    await buildHostPeer(lab, '198.18.77', { hostIface: EVIL });
  });
  after(async () => { await lab?.destroy(); });

  test('interfaces: the address is read; JSON keeps the name, the terminal sees it escaped', async () => {
    const j = await lab.cli('host', ['interfaces', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    const it = doc.interfaces.find((i: { name: string }) => i.name === EVIL);
    assert.ok(it, 'the interface is listed under its real name');
    assert.ok(JSON.stringify(it).includes('198.18.77.2'), 'its address was read (not "no addresses")');
    assert.ok(!(doc.findings ?? []).some((f: { id: string; iface?: string }) => f.id === 'IFACE_NO_ADDRESS' && f.iface === EVIL));
    const h = await lab.cli('host', ['interfaces']);
    assert.equal(h.code, 0, h.stderr);
    assert.doesNotMatch(h.stdout + h.stderr, CONTROL);
    assert.ok(h.stdout.includes('v\\x1b]0;x\\x07'), h.stdout);
  });

  test('join-all: the join table and findings show the name escaped', async () => {
    const r = await lab.cli('host', ['join-all', '239.1.9.9', '--duration', '1']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, CONTROL);
    assert.ok(r.stdout.includes('v\\x1b]0;x\\x07'), r.stdout);
  });
});
