// The 30-second soak (scripts/soak.mjs): join-all, sniff and send-all together at 100 probes/s on
// a lab link. Every probe sent arrives in join-all and in sniff, none lost, and no process grows
// by 30 MB or more between a sample 2 s after the start and one just before the end.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO, labSkipReason } from '../helpers/lab.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping soak lab test: ${skip}`);
const SECONDS = 30;
const RATE = 100;

describe('soak', { skip }, () => {
  test(`${SECONDS} s of join-all + sniff + send-all: no probe lost, RSS growth < 30 MB`, async (t) => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [path.join(REPO, 'scripts', 'soak.mjs'), '--seconds', String(SECONDS), '--rate', String(RATE)],
        { timeout: (SECONDS + 40) * 1000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message} ${stderr}`)) : resolve(stdout)));
    });
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    t.diagnostic(out.trim());
    assert.deepEqual(r.exit, { 'join-all': 0, sniff: 0, 'send-all': 0 });
    assert.ok(r.probes.sent >= SECONDS * RATE * 0.9, JSON.stringify(r.probes));
    assert.equal(r.probes.joinAll, r.probes.sent);
    assert.equal(r.probes.joinAllLost, 0);
    assert.equal(r.probes.sniff, r.probes.sent);
    for (const [name, m] of Object.entries(r.rssKb as Record<string, { start: number; end: number; growth: number }>)) {
      assert.ok(Number.isFinite(m.growth) && m.growth < 30 * 1024, `${name} grew ${m.growth} kB`);
    }
  });
});
