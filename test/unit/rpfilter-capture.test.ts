// --watch naming the sources and --listen, with a fake capture: frames in, the kernel's verdict
// (recorded from the laptop lab, as in rpfilter-audit.test.ts) per source seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditRpFilter } from '../../src/core/rpfilter-audit/audit.js';
import { EnvironmentError } from '../../src/core/errors.js';
import { exitFor } from '../../src/core/exit.js';
import type { RouteGetResult } from '../../src/platform/types.js';
import { FakeCapture } from '../helpers/fake-capture.js';
import { FakePlatform, laptopState } from '../helpers/fake-platform.js';
import { ether, ipv4, udp } from '../helpers/packets.js';
import { assertSilent } from '../helpers/silent.js';

const EINVAL: RouteGetResult = { ok: false, error: 'RTNETLINK answers: Invalid argument' };
const MC: RouteGetResult = { ok: true, type: 'multicast', dev: 'lo', raw: {} };

function lab(): FakePlatform {
  return new FakePlatform(laptopState({
    sysctls: { 'net.ipv4.conf.wifi0.rp_filter': '1' },
    netstat: { TcpExt: { IPReversePathFilter: 100 } },
    routes: {
      '224.0.0.1 198.19.5.5 wifi0': EINVAL,
      '239.1.2.3 198.19.5.5 wifi0': EINVAL,
      '198.19.5.5  ': { ok: true, dev: 'wired0', gateway: '198.18.1.1', raw: {} },
      '224.0.0.1 198.18.2.1 wifi0': MC,
      '224.0.0.22 198.18.2.1 wifi0': MC,
      '198.18.2.1  ': { ok: true, dev: 'wifi0', raw: {} },
      '224.0.0.1 198.18.1.1 wired0': MC,
      '239.1.2.3 198.18.1.1 wired0': MC,
      '198.18.1.1  ': { ok: true, dev: 'wired0', raw: {} },
    },
  }));
}

const frame =
  (src: string, dst: string): Buffer => ether(0x0800, ipv4({ src, dst, proto: 17, ttl: 8 }, udp(40000, 5000, Buffer.from('x'))));
const igmpReport =
  (src: string): Buffer => ether(0x0800, ipv4({ src, dst: '224.0.0.22', proto: 2, ttl: 1 }, Buffer.from([0x22, 0, 0, 0, 0, 0, 0, 0])));

test('--watch with capture: the counter and the sources seen that fail the kernel check', async () => {
  const p = lab();
  const cap = new FakeCapture();
  const a = await assertSilent(() => auditRpFilter({ platform: p, capture: async () => cap }, {
    watchSeconds: 1,
    watchHooks: {
      sleep: async () => {
        for (let i = 0; i < 5; i++) cap.deliver('wifi0', frame('198.19.5.5', '239.1.2.3'), i);
        cap.deliver('wifi0', igmpReport('198.18.2.1'), 10);
        cap.deliver('wifi0', frame('198.18.2.2', '239.1.2.3'), 11); // the host's own packet: skipped
        cap.deliver('wired0', frame('198.18.1.1', '239.1.2.3'), 12);
        cap.enqueue('wifi0', frame('198.19.5.5', '239.1.2.3'), 13); // still in the ring at stop: drained
        p.state.netstat = { TcpExt: { IPReversePathFilter: 106 } };
      },
    },
  }));
  assert.deepEqual(cap.opened.map((o) => [o.iface, o.filter]), [['wired0', 'ip multicast'], ['wifi0', 'ip multicast']]);
  assert.deepEqual(cap.closed.sort(), ['wifi0', 'wired0']);
  assert.equal(a.watch!.drops, 6);
  assert.equal(a.watch!.captured, true);
  assert.deepEqual(a.watch!.droppedSources, [{ source: '198.19.5.5', iface: 'wifi0', packets: 6, group: '239.1.2.3' }]);
  const f = a.findings.find((x) => x.id === 'RPF_DROPS_SEEN')!;
  assert.equal(f.source, '198.19.5.5');
  assert.equal(f.iface, 'wifi0');
  assert.match(f.message, /198\.19\.5\.5 on wifi0 \(6\)/);
});

test('--watch where capture is not allowed: the counter alone, and why', async () => {
  const p = lab();
  const a = await auditRpFilter(
    { platform: p, capture: async () => { throw new EnvironmentError('PERMISSION', 'capturing on wired0 needs CAP_NET_RAW'); } }, {
    watchSeconds: 1,
    watchHooks: { sleep: async () => { p.state.netstat = { TcpExt: { IPReversePathFilter: 103 } }; } },
  });
  assert.equal(a.watch!.drops, 3);
  assert.equal(a.watch!.captured, false);
  assert.match(a.watch!.captureNote!, /no capture, the counter alone: capturing on wired0 needs CAP_NET_RAW/);
  assert.equal(exitFor(a.findings), 1);
});

test('--listen: every source seen is checked on the interface it arrived on; a seen drop is an error', async () => {
  const cap = new FakeCapture();
  const started: string[][] = [];
  const a = await auditRpFilter({ platform: lab(), capture: async () => cap }, {
    listenSeconds: 2,
    onCaptureStart: (ifaces) => started.push(ifaces),
    watchHooks: {
      sleep: async (ms) => {
        assert.equal(ms, 2000);
        for (let i = 0; i < 3; i++) cap.deliver('wifi0', frame('198.19.5.5', '239.1.2.3'), i);
        cap.deliver('wifi0', frame('198.19.5.5', '239.9.9.9'), 4);
        cap.deliver('wifi0', igmpReport('198.18.2.1'), 5);
        cap.deliver('wifi0', igmpReport('0.0.0.0'), 6); // never reverse-path checked
        cap.deliver('wired0', frame('198.18.1.1', '239.1.2.3'), 7);
      },
    },
  });
  assert.deepEqual(started, [['wired0', 'wifi0']]);
  assert.deepEqual(a.listen, { seconds: 2, interfaces: ['wired0', 'wifi0'], packets: 6, sources: 3 });
  const byKey = Object.fromEntries(a.checks.map((c) => [`${c.source}@${c.iface}`, c]));
  assert.deepEqual(Object.keys(byKey).sort(), ['198.18.1.1@wired0', '198.18.2.1@wifi0', '198.19.5.5@wifi0']);
  const spoof = byKey['198.19.5.5@wifi0']!;
  assert.deepEqual([spoof.accepted, spoof.group, spoof.seen], [false, '239.1.2.3', { packets: 4, groups: ['239.1.2.3', '239.9.9.9'] }]);
  assert.equal(byKey['198.18.2.1@wifi0']!.accepted, true);
  assert.deepEqual(a.findings.filter((f) => f.severity === 'error').map((f) => `${f.id}:${f.source}@${f.iface}`),
    ['RPF_WOULD_DROP:198.19.5.5@wifi0']);
});

test('--listen without libpcap is an environment error (exit 3), not a silent empty audit', async () => {
  const capture = async (): Promise<never> => { throw new EnvironmentError('PCAP_MISSING', 'packet capture needs libpcap'); };
  await assert.rejects(auditRpFilter({ platform: lab(), capture }, { listenSeconds: 1 }), EnvironmentError);
});
