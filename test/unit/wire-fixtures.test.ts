// Decoders on IGMP/MLD captured from this kernel (scripts/record-pcap-fixtures.sh): a Linux
// bridge querier and a member joining and leaving 239.1.2.3, 232.1.1.1 from 198.18.10.9, ff05::1:3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { readCapture } from '../helpers/pcap-read.js';
import { decodeFrame, type DecodedFrame } from '../../src/core/wire/index.js';

function decodeAll(name: string): DecodedFrame[] {
  const f = readCapture(readFileSync(path.join(REPO, 'fixtures', 'pcap', name)));
  const link = f.interfaces[0]?.linkType ?? -1;
  return f.packets.map((p) => decodeFrame(p.data, link, p.wireLen));
}

test('IGMPv3 and MLDv2 from a Linux bridge querier and a member', () => {
  const frames = decodeAll('igmpv3-mldv2.pcap');
  assert.ok(frames.length > 20);
  assert.deepEqual(frames.filter((f) => f.malformed), []);
  const igmp = frames.flatMap((f) => (f.igmp ? [{ ...f.igmp, l3: f.l3 }] : []));
  const mld = frames.flatMap((f) => (f.mld ? [{ ...f.mld, l3: f.l3 }] : []));
  assert.ok(igmp.every((m) => m.checksumOk && m.l3?.routerAlert && m.l3.ttl === 1));
  assert.ok(mld.every((m) => m.checksumOk && m.l3?.routerAlert && m.l3.ttl === 1));
  const general = igmp.filter((m) => m.kind === 'query' && m.general);
  assert.ok(general.length > 0);
  for (const q of general) {
    assert.ok(q.kind === 'query');
    assert.equal(q.version, 3);
    assert.equal(q.l3?.src, '198.18.10.1');
    assert.equal(q.maxRespMs, 500); // mcast_query_response_interval 50 cs
    assert.equal(q.qrv, 2);
    assert.equal(q.qqiSec, 1); // mcast_query_interval 100 cs
  }
  const records = igmp.flatMap((m) => (m.kind === 'report' && m.version === 3 ? m.records : []));
  assert.ok(records.some((r) => r.group === '239.1.2.3' && r.recordName === 'CHANGE_TO_EXCLUDE_MODE'));
  assert.ok(records.some((r) => r.group === '232.1.1.1' && r.sources.includes('198.18.10.9')));
  assert.ok(records.some((r) => r.group === '239.1.2.3' && r.recordName === 'CHANGE_TO_INCLUDE_MODE')); // the leave
  const mq = mld.filter((m) => m.kind === 'query');
  assert.ok(mq.some((q) => q.kind === 'query' && q.version === 2 && q.general && q.maxRespMs === 500 && q.qrv === 2));
  assert.ok(mq.some((q) => q.kind === 'query' && q.group === 'ff05::1:3')); // group-specific, after the leave
  assert.ok(mq.every((q) => q.l3?.src.startsWith('fe80:')));
  const mrec = mld.flatMap((m) => (m.kind === 'report' && m.version === 2 ? m.records : []));
  assert.ok(mrec.some((r) => r.group === 'ff05::1:3' && r.recordName === 'CHANGE_TO_EXCLUDE_MODE'));
});

test('IGMPv2 and MLDv1: queries, reports, leave and done', () => {
  const frames = decodeAll('igmpv2-mldv1.pcap');
  assert.deepEqual(frames.filter((f) => f.malformed), []);
  const igmp = frames.flatMap((f) => (f.igmp ? [{ ...f.igmp, l3: f.l3 }] : []));
  const mld = frames.flatMap((f) => (f.mld ? [{ ...f.mld, l3: f.l3 }] : []));
  assert.ok(igmp.some((m) => m.kind === 'query' && m.version === 2 && m.maxRespMs === 500 && m.l3?.src === '198.18.10.1'));
  assert.ok(igmp.some((m) => m.kind === 'report' && m.version === 2 && m.group === '239.1.2.3' && m.l3?.dst === '239.1.2.3'));
  assert.ok(igmp.some((m) => m.kind === 'leave' && m.group === '239.1.2.3' && m.l3?.dst === '224.0.0.2'));
  assert.ok(mld.some((m) => m.kind === 'query' && m.version === 1 && m.general && m.maxRespMs === 500));
  assert.ok(mld.some((m) => m.kind === 'report' && m.version === 1 && m.group === 'ff05::1:3'));
  assert.ok(mld.some((m) => m.kind === 'done' && m.group === 'ff05::1:3' && m.l3?.dst === 'ff02::2'));
});
