import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopFinding, stormFinding, LOOP_FACTOR, LOOP_MIN_DUPLICATES, STORM_DISTINCT } from '../../src/core/join-all/health.js';
import type { RowStats } from '../../src/core/join-all/stats.js';

test('TRAFFIC_STORM names what was counted: sources (join-all, mesh) or source x group flows (sniff)', () => {
  const bySources = stormFinding('wired0', { sources: 5000 }, 3, 4.96);
  assert.ok(bySources);
  assert.match(bySources.message, /^A flood of 5000 source addresses in 5\.0 s on wired0:/);
  assert.deepEqual(bySources.evidence, { sources: 5000, senders: 3, seconds: 5, estimated: true });

  const byFlows = stormFinding('wired0', { flows: 5000 }, 0, 2);
  assert.ok(byFlows);
  assert.match(byFlows.message, /^A flood of 5000 source x group flows in 2\.0 s on wired0:/);
  assert.doesNotMatch(byFlows.message, /source addresses/);
  assert.deepEqual(byFlows.evidence, { flows: 5000, senders: 0, seconds: 2, estimated: true });

  // Sender ids first when both are past the bound; nothing at the bound itself.
  assert.match(stormFinding('e', { flows: 9000 }, 2000, 1)?.message ?? '', /A flood of 2000 probe sender ids/);
  assert.equal(stormFinding('e', { flows: STORM_DISTINCT }, STORM_DISTINCT, 1), undefined);
  assert.equal(stormFinding('e', { sources: 10 }, 1, 1), undefined);
});

test('TRAFFIC_STORM by repetition: duplicates ten times the distinct probes (a loop), never a few copies', () => {
  const row =
    (unique: number, duplicates: number): RowStats => ({ iface: 'wired0', duplicates, streams: [{ unique }] }) as unknown as RowStats;
  const loop = loopFinding('wired0', [row(400, 7600)], 2);
  assert.ok(loop);
  assert.match(loop.message,
    /^A flood of 7600 duplicate probes in 2\.0 s on wired0, 19 times the 400 distinct probes they repeat: a forwarding loop or a replay/);
  assert.deepEqual(loop.evidence, { duplicates: 7600, unique: 400, seconds: 2 });
  // Summed over the interface's rows.
  assert.ok(loopFinding('wired0', [row(50, 600), row(50, 600)], 1));
  // A redundant path doubling every probe, or a short burst of copies: not a storm.
  assert.equal(loopFinding('wired0', [row(5000, 5000)], 10), undefined);
  assert.equal(loopFinding('wired0', [row(10, 900)], 1), undefined, `below ${LOOP_MIN_DUPLICATES} duplicates`);
  assert.equal(loopFinding('wired0', [row(200, 1999)], 1), undefined, `below ${LOOP_FACTOR} x`);
});
