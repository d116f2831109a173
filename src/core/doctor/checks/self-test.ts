// Self-test: send the probe out of each interface (TTL 1, loopback off) and watch every other
// interface for it, so the matrix says which uplinks share a segment. Reported, not required: a
// laptop's uplinks are usually different networks, and then nothing crossing is the healthy
// answer. Uplinks that do share a segment are worth knowing: an application that joins on both
// gets every packet twice.
//
// Arrivals are seen with libpcap, not with sockets: the kernel drops a packet whose source is one
// of its own addresses before any socket sees it (fib_validate_source, "martian source", unless
// accept_local=1), and every probe here comes from this host. The groups are still joined on
// every interface so that snooping switches forward the probes.
import { makeFinding } from '../../findings/catalog.js';
import { parseGroupArg } from '../../group-args.js';
import { isEligible } from '../../kernel/eligibility.js';
import { joinAll } from '../../membership/join.js';
import { decodeProbe } from '../../probe/format.js';
import { sendAll } from '../../send-all/run.js';
import { senderIdFor } from '../../send-all/setup.js';
import { decodeFrame } from '../../wire/frame.js';
import { CaptureSet } from '../../observation/capture-set.js';
import type { DoctorCheck } from '../types.js';
import { captureRemedy } from '../../capture-remedy.js';

/** Administratively scoped, site-local (239.255/16, RFC 2365): never leaves the site. */
export const SELF_TEST_GROUP = '239.255.77.77:5077';
const PROBES = 20;
const RATE = 40;

export const selfTestCheck: DoctorCheck = {
  id: 'self-test',
  title: 'Self-test: the probe sent out of each interface, heard on which',
  linuxOnly: true,
  async run(ctx) {
    if (!ctx.opts.selfTest) return { findings: [], skipped: 'disabled (--no-self-test)' };
    if (ctx.opts.family === 6) return { findings: [], skipped: 'IPv4 only' };
    const ifaces = ctx.eligible.filter((i) => isEligible(i, 4));
    if (ifaces.length < 2) return { findings: [],
      skipped: `${ifaces.length} IPv4 interface${ifaces.length === 1 ? '' : 's'}: nothing to compare` };
    let factory;
    try {
      factory = await ctx.deps.capture();
    } catch (e) {
      return { findings: [], skipped: `capture not possible here: ${(e as Error).message}`, remedy: captureRemedy(e) };
    }
    const sockets = await ctx.deps.sockets();
    const deps = { platform: ctx.deps.platform, sockets };
    const group = parseGroupArg(SELF_TEST_GROUP, { defaultPort: 5077, allowRanges: false })[0]!;
    const senderId = senderIdFor(ctx.deps.platform.hostname());
    const heard = new Map<string, number>();
    const membership = await joinAll(deps, { groups: [group], interfaces: ifaces, receive: false });
    // One capture per interface (observation/capture-set.ts: all or none); the probes a capture
    // sees leaving its own interface are not arrivals, only those from another interface count.
    // A 1 MiB ring, not the capture default (32 MiB): the kernel zeroes every ring page when the
    // capture opens, which took ~90 ms an interface and 27 s at 300 interfaces (issue 19 item 8),
    // and 300 x 32 MiB is memory the host may not have. 1 MiB holds ~1 700 frames of 512 bytes,
    // read as they come (immediate mode): 20 probes from each of the other interfaces.
    const filter = `udp and dst host ${group.group} and dst port ${group.port}`;
    const set = new CaptureSet(factory, { filter, snaplen: 512, bufferBytes: 1 << 20,
      timeoutMs: 0 }, (iface, buf, caplen, _wire, _ms, linkType) => {
      const f = decodeFrame(buf.subarray(0, caplen), linkType);
      if (!f.udp) return;
      const probe = decodeProbe(buf, f.udp.payloadOffset, f.udp.payloadLength);
      if (!probe || probe.senderId !== senderId || probe.ifname === iface) return;
      const key = `${probe.ifname}>${iface}`;
      heard.set(key, (heard.get(key) ?? 0) + 1);
    });
    try {
      set.openAll(ifaces.map((i) => i.name));
      const tx = await sendAll(
        deps,
        { group, interfaces: ifaces, ttl: 1, loop: false, size: 64 + senderId.length, rate: RATE, count: PROBES, senderId },
      );
      const sent = await tx.done;
      // The last probes are in flight for a moment: 300 ms at least, or the capture's own settle time.
      await new Promise((r) => setTimeout(r, Math.max(0, 300 - set.settleMs)));
      await set.stop();
      const matrix = ifaces.map((from) => ({
        from: from.name,
        heardOn: Object.fromEntries(
          ifaces.filter((to) => to.name !== from.name).map((to) => [to.name, heard.get(`${from.name}>${to.name}`) ?? 0])),
      }));
      const shared = matrix.flatMap((m) => Object.entries(m.heardOn).filter(([, n]) => n > 0).map(([to, n]) => ({ from: m.from, to, n })));
      const findings = shared.length === 0 ? [] : [makeFinding('SHARED_SEGMENT', {
        message:
          `${shared.map((s) => `${s.from} -> ${s.to} (${s.n}/${PROBES})`).join(', ')}: these uplinks reach each other; ` +
          'a receiver joined on both gets every packet twice.',
        evidence: { group: group.group, probes: PROBES, shared },
      })];
      const problems =
        [...tx.findings, ...sent.findings, ...membership.findings].filter((f) => f.severity === 'error').map((f) => f.message);
      return { findings, details: { group: SELF_TEST_GROUP, probesPerInterface: PROBES, matrix, sendResults: tx.results, problems } };
    } finally {
      set.closeNow();
      membership.close();
    }
  },
};
