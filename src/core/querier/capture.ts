// From the platform's capture (libpcap) to the IGMP/MLD packets the observer wants: decode each
// frame with the shared wire decoders, keep queries, reports and leaves.
import type { CaptureFactory } from '../../platform/capture/types.js';
import { decodeFrame, type DecodedFrame } from '../wire/index.js';
import { hasCurrentState } from '../wire/group-records.js';
import type { OpenControlCapture } from './listen.js';
import type { HeardPacket } from './observe.js';

/** A decoded frame as a HeardPacket, or undefined when it is not an IGMP/MLD message. */
export function toHeard(f: DecodedFrame, timeMs: number): HeardPacket | undefined {
  const l3 = f.l3;
  const msg = f.igmp ?? f.mld;
  if (!l3 || !msg) return undefined;
  const p: HeardPacket = { timeMs, family: l3.family, src: l3.src, dst: l3.dst, ttl: l3.ttl, routerAlert: l3.routerAlert, checksumOk: msg.checksumOk };
  if (f.srcMac) p.srcMac = f.srcMac;
  if (msg.kind === 'query') {
    const q: HeardPacket['query'] = { version: msg.version, group: msg.group, general: msg.general, maxRespMs: msg.maxRespMs, sources: msg.sources };
    if (msg.suppress !== undefined) q.suppress = msg.suppress;
    if (msg.qrv !== undefined) q.qrv = msg.qrv;
    if (msg.qqic !== undefined) q.qqic = msg.qqic;
    if (msg.qqiSec !== undefined) q.qqiSec = msg.qqiSec;
    p.query = q;
  } else if ('records' in msg) {
    // Only state-change records: an unsolicited report (a join or its retransmission), never an answer.
    const stateChangeOnly = msg.records.length > 0 && !hasCurrentState(msg.records);
    p.report = { version: msg.version, groups: msg.records.map((r) => r.group), leave: false, stateChangeOnly };
  } else {
    p.report = { version: msg.version, groups: [msg.group], leave: msg.kind !== 'report' };
  }
  return p;
}

/** The opener listen.ts needs, over the platform's capture factory. */
export function controlCaptureOver(factory: CaptureFactory): OpenControlCapture {
  return async (iface, filter, onPacket, onMalformed) => {
    // Immediate mode: control packets are few, and the interval between queries is measured.
    const h = factory.open({ iface, filter, snaplen: 2048, bufferBytes: 1 << 20, timeoutMs: 0 }, (buf, caplen, wireLen, sec, usec) => {
      const f = decodeFrame(buf.subarray(0, caplen), h.linkType, wireLen);
      // Counted, never believed: a query the decoders refuse is one the kernel drops too.
      if (f.malformed !== undefined) { onMalformed?.(f.malformed); return; }
      const heard = toHeard(f, sec * 1000 + usec / 1000);
      if (heard) onPacket(heard);
    });
    return {
      close: async () => {
        await new Promise((r) => setTimeout(r, h.settleMs));
        h.drain();
        h.close();
        if (h.failure !== undefined) throw h.failure;
      },
    };
  };
}
