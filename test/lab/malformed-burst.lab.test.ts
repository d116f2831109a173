// A burst of malformed IGMP, MLD and UDP from peer-a while sniff and querier-check listen on the
// host's wired0: both keep going; sniff counts every malformed frame (and nothing else) as
// malformed; neither takes the forged queries for a querier; both still report the good query,
// MLD query and UDP stream sent after the burst.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli } from '../helpers/cli-bg.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { udpSender } from '../helpers/inject.js';
import { sendQueries } from '../helpers/igmp-query.js';
import { listenWhile } from '../helpers/querier-lab.js';
import { BURST_KINDS, malformedBurst } from '../helpers/malformed-burst.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping malformed burst lab tests: ${skip}`);

const GROUP = '239.1.4.1';
const REPEAT = 30;

describe('a malformed burst on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  test('sniff and querier-check keep going, count the burst as malformed, and report the good packets after it', async () => {
    const ll = (await lp.lab.ip(lp.peerA, '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link')).match(/inet6 (fe80::[0-9a-f:]+)/)?.[1];
    assert.ok(ll);
    const sniff = startCli(lp.lab, 'host', ['sniff', GROUP, '--iface', 'wired0', '--duration', '16', '--json']);
    await sniff.waitForEvent((e) => e.type === 'start', 20_000);
    const q = await listenWhile(lp.lab, 'host', ['querier-check', '--iface', 'wired0', '--timeout', '10', '--json'], async () => {
      await lp.lab.must(lp.peerA, 'python3', malformedBurst('eth0', lp.addr.peerA, GROUP, REPEAT));
      await sendQueries(lp.lab, lp.peerA, { iface: 'eth0', source: lp.addr.peerA, version: 3, count: 2, intervalS: 0.5, maxResp: 5 });
      await sendQueries(lp.lab, lp.peerA, { iface: 'eth0', source: ll, mld: true, version: 2, count: 1, maxResp: 500 });
      await lp.lab.must(lp.peerA, 'python3', udpSender(GROUP, 5001, 20));
    });
    const r = await sniff.exit(30_000);

    // sniff: every frame of the burst malformed, the stream after it whole.
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
    const events = sniff.events();
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    const summary = events.at(-1);
    assert.equal(summary.type, 'summary');
    const wired = summary.interfaces.find((i: { iface: string }) => i.iface === 'wired0');
    assert.equal(wired.malformed, BURST_KINDS * REPEAT, JSON.stringify(wired));
    const flow = summary.flows.find((f: { group: string; source: string }) => f.group === GROUP && f.source === lp.addr.peerA);
    assert.equal(flow?.packets, 20, JSON.stringify(summary.flows));
    const queries = events.filter((e) => (e.type === 'igmp' || e.type === 'mld') && e.message.kind === 'query');
    assert.deepEqual([...new Set(queries.map((e) => e.src))].sort(), [lp.addr.peerA, ll].sort(), 'only the good queries decoded');

    // querier-check: the good queriers, never the forged sources.
    assert.ok(q.code === 0 || q.code === 1, q.stderr);
    assert.doesNotMatch(q.stderr, /\n\s+at |internal error/);
    const doc = JSON.parse(q.stdout);
    assertMatchesSchema('querier-check.schema.json', doc);
    const iface = doc.interfaces.find((i: { name: string }) => i.name === 'wired0');
    assert.equal(iface.igmp.elected, lp.addr.peerA);
    assert.equal(iface.mld.elected, ll);
    // A query whose checksum fails is counted against its source and never makes it a querier
    // (no version heard): the kernel drops it too.
    const igmpQ = iface.igmp.queriers.find((x: { address: string }) => x.address === lp.addr.peerA);
    assert.deepEqual([igmpQ.generalQueries, igmpQ.badChecksums, igmpQ.versions], [2, REPEAT, [3]]);
    const forged = iface.mld.queriers.find((x: { address: string }) => x.address === 'fe80::66');
    assert.deepEqual([forged.badChecksums, forged.versions, forged.generalQueries], [REPEAT, [], 0]);
    assert.deepEqual(iface.mld.queriers.map((x: { address: string }) => x.address).sort(), [ll, 'fe80::66'].sort());
    // The control frames the decoders refuse are counted: of the ten kinds, the UDP ones never
    // pass the IGMP/MLD filter and the two bad checksums are counted against their source above;
    // the other five (IGMP cut short, 50 sources that are not there, a Router Alert past the
    // header, MLDv2 records that are not there, a Hop-by-Hop option past its header) are malformed.
    assert.equal(iface.malformed.count, 5 * REPEAT, JSON.stringify(iface.malformed));
    assert.ok(iface.malformed.reasons.length >= 1 && iface.malformed.reasons.length <= 5);
  });
});
