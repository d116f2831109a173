import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stormFinding, STORM_DISTINCT } from '../../src/core/join-all/health.js';

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
