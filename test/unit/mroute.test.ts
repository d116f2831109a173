// The multicast routing tables as the kernel prints them (fixtures recorded with smcroute).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { parseMrouteCache, parseMrouteVifs } from '../../src/platform/procfs/mroute.js';

const fixture = (name: string): string => readFileSync(path.join(REPO, 'fixtures', 'proc', 'mroute', name), 'utf8');

test('ip_mr_vif: one VIF per routed interface with its counters', () => {
  assert.deepEqual(parseMrouteVifs(fixture('ip_mr_vif')), [
    { vif: 0, device: 'up0', bytesIn: 5120, pktsIn: 40, bytesOut: 0, pktsOut: 0, flags: 8 },
    { vif: 1, device: 'dn0', bytesIn: 0, pktsIn: 0, bytesOut: 2560, pktsOut: 20, flags: 8 },
  ]);
  assert.equal(parseMrouteVifs(fixture('ip6_mr_vif'))[1]?.pktsOut, 10);
});

test('ip_mr_cache: group and origin in host byte order, oifs with their TTL threshold', () => {
  assert.deepEqual(parseMrouteCache(fixture('ip_mr_cache'), 4), [
    { group: '239.1.9.9', origin: '198.18.1.2', iif: 0, pkts: 40, bytes: 5120, wrongIf: 0, oifs: [{ vif: 1, threshold: 3 }] },
  ]);
});

test('ip6_mr_cache: full IPv6 addresses become their compressed form', () => {
  assert.deepEqual(parseMrouteCache(fixture('ip6_mr_cache'), 6), [
    { group: 'ff05::99', origin: '2001:db8:1::2', iif: 0, pkts: 20, bytes: 2960, wrongIf: 0, oifs: [{ vif: 1, threshold: 1 }] },
  ]);
});

test('garbage lines are skipped, not misread', () => {
  assert.deepEqual(parseMrouteCache('Group Origin\nzz yy 0 1 2 3\n090901EF 020112C6 x 1 2 3 1:1\n', 4), []);
  assert.deepEqual(parseMrouteVifs('Interface BytesIn\n x y\n'), []);
});

// The judgement over the tables (core/kernel/mroute.ts, core/sniff/router-findings.ts).
import { readRouterState, streamAtRouter, type RouterState } from '../../src/core/kernel/mroute.js';
import { trafficFindings } from '../../src/core/sniff/findings.js';
import type { FlowStats } from '../../src/core/sniff/flows.js';
import { FakePlatform } from '../helpers/fake-platform.js';

const vifs = (inUp: number, outDn: number) => [
  { vif: 0, device: 'up0', bytesIn: 0, pktsIn: inUp, bytesOut: 0, pktsOut: 0, flags: 8 },
  { vif: 1, device: 'dn0', bytesIn: 0, pktsIn: 0, bytesOut: 0, pktsOut: outDn, flags: 8 },
];
const entry = (pkts: number, threshold: number,
  origin = '198.18.1.2') => ({ group: '239.1.9.9', origin, iif: 0, pkts, bytes: 0, wrongIf: 0, oifs: [{ vif: 1, threshold }] });
const state = (
  forwarding: boolean,
  inUp: number,
  outDn: number,
  cache: ReturnType<typeof entry>[],
): RouterState => ({ 4: { forwarding, vifs: vifs(inUp, outDn), cache } });

function flow(ttl: number, over: Partial<FlowStats> = {}): FlowStats {
  return {
    iface: 'up0', group: '239.1.9.9', source: '198.18.1.2', family: 4, packets: 20, bytes: 2560, packetsPerSec: 50, bitsPerSec: 0,
    ttlMin: ttl, ttlMax: ttl, dscp: [0], srcMac: null, ports: {
      sport: 1,
      dport: 5000,
    }, firstUs: 0, lastUs: 1, probes: [], probesOmitted: 0, ...over,
  };
}

test('readRouterState: tables and mc_forwarding per family; a kernel without them has none', async () => {
  const p = new FakePlatform(
    { interfaces: [], sysctls: { 'net.ipv4.conf.all.mc_forwarding': '1' }, mroute: { 4: { vifs: vifs(0, 0), cache: [] } } });
  const s = await readRouterState(p);
  assert.equal(s[4]?.forwarding, true);
  assert.equal(s[6], undefined);
});

test('TTL 1 on a VIF with an entry: TTL_NOT_FORWARDED with the kernel counts during the capture', () => {
  const before = state(true, 0, 5, []);
  const after = state(true, 20, 5, [entry(20, 1)]);
  const [f] = trafficFindings([flow(1)], { router: { before, after } });
  assert.equal(f?.id, 'TTL_NOT_FORWARDED');
  assert.equal(f?.severity, 'error');
  assert.match(f?.message ?? '',
    /TTL 1 and never crosses this router to dn0 \(threshold 1\).*20 packets matched \(198\.18\.1\.2, 239\.1\.9\.9\) on up0; dn0 sent 0/);
  assert.deepEqual((f?.evidence as { oifs: unknown }).oifs, [{ vif: 1, device: 'dn0', threshold: 1, pktsOutDelta: 0 }]);
});

test('threshold: TTL at it is stopped, above it crosses (quiet); a (*,G) entry counts as the route', () => {
  const at = streamAtRouter(state(true, 0, 0, []), state(true, 20, 0, [entry(20, 3, '0.0.0.0')]), flow(3));
  assert.equal(at?.entry?.origin, '0.0.0.0');
  assert.equal(trafficFindings([flow(3)], { router: { before: {}, after: state(true, 20, 0, [entry(20, 3)]) } })[0]?.id,
    'TTL_NOT_FORWARDED');
  assert.deepEqual(trafficFindings([flow(4)], { router: { before: {}, after: state(true, 20, 20, [entry(20, 3)]) } }), []);
});

test('TTL 1 on a VIF without a route entry is still an error; not a VIF, or no router: TTL_ONE info', () => {
  assert.equal(trafficFindings([flow(1)], { router: { before: {}, after: state(true, 20, 0, []) } })[0]?.id, 'TTL_NOT_FORWARDED');
  assert.deepEqual(trafficFindings([flow(2)], { router: { before: {}, after: state(true, 20, 0, []) } }), []);
  for (const after of [state(false, 0, 0, []), {}]) {
    const [f] = trafficFindings([flow(1)], { router: { before: {}, after } });
    assert.equal(f?.id, 'TTL_ONE');
    assert.equal(f?.severity, 'info');
  }
  assert.equal(trafficFindings([flow(1, { iface: 'eth9' })], { router: { before: {}, after: state(true, 0, 0, [entry(0, 1)]) } })[0]?.id,
    'TTL_ONE');
});

test('IPv6 says hop limit, never TTL; the host\'s own stream is leaving, a warning', () => {
  const v6: RouterState =
    { 6: { forwarding: true, vifs: vifs(10, 0), cache: [{ ...entry(10, 1), group: 'ff05::99', origin: '2001:db8:1::2' }] } };
  const [f] = trafficFindings([flow(1, { family: 6, group: 'ff05::99', source: '2001:db8:1::2' })], { router: { before: {}, after: v6 } });
  assert.match(f?.message ?? '', /hop limit 1 and never crosses.*ip6_mr_cache/);
  assert.doesNotMatch(`${f?.message} ${f?.fix}`, /\bTTL\b/);
  const [plain] = trafficFindings([flow(1, { family: 6, group: 'ff05::99' })]);
  assert.match(plain?.message ?? '', /hop limit 1 \(20 packets, hop limit 1\)/);
  const [own] = trafficFindings([flow(1, { outgoing: true })], { router: { before: {}, after: state(true, 0, 0, [entry(0, 1)]) } });
  assert.equal(own?.id, 'TTL_ONE');
  assert.equal(own?.severity, 'warning');
  assert.match(own?.message ?? '', /^This host sends 239\.1\.9\.9 from 198\.18\.1\.2 out of up0 with TTL 1/);
});
