// TTL_NOT_FORWARDED: a stream arrives on an interface this host routes multicast on, with a TTL
// (IPv6: hop limit) at or below the threshold of the outgoing interfaces: the kernel counts it in
// the route entry and sends nothing. On a router this is the reason receivers behind it see
// nothing, so it is an error there (the same TTL on a host that does not route is fine, TTL_ONE).
import { makeFinding } from '../findings/catalog.js';
import type { Finding } from '../findings/model.js';
import { blockedOifs, type StreamAtRouter } from '../kernel/mroute.js';
import type { FlowStats } from './flows.js';

export function ttlWord(family: 4 | 6): string {
  return family === 4 ? 'TTL' : 'hop limit';
}

export function ttlRange(f: Pick<FlowStats, 'ttlMin' | 'ttlMax'>): string {
  return f.ttlMin === f.ttlMax ? String(f.ttlMin) : `${f.ttlMin}-${f.ttlMax}`;
}

export function routerTtlFinding(f: FlowStats, at: StreamAtRouter): Finding | undefined {
  const blocked = blockedOifs(at, f.ttlMax);
  const noEntry = at.oifs.length === 0;
  if (noEntry ? f.ttlMax > 1 : blocked.length === 0) return undefined;
  const word = ttlWord(f.family);
  const table = f.family === 4 ? 'ip_mr' : 'ip6_mr';
  const where = `${f.iface} is ${f.family === 4 ? 'VIF' : 'MIF'} ${at.vif.vif} of this multicast router`;
  const outs = blocked.map((o) => `${o.device} (threshold ${o.threshold})`).join(', ');
  const sent = blocked.map((o) => `${o.device} sent ${o.pktsOutDelta}`).join(', ');
  const counts = at.entry
    ? ` (${table}_cache: ${at.entryPktsDelta} packets matched ` +
      `(${at.entry.origin === '0.0.0.0' || at.entry.origin === '::' ? '*' : at.entry.origin}, ${f.group}) on ${f.iface}; ${sent})`
    : '';
  const message = noEntry
    ? `${f.group} from ${f.source} arrives on ${f.iface} with ${word} 1 and never crosses this router: ` +
      `${where}, and a router forwards only packets whose ${word} is above an outgoing interface's threshold (1 at least).`
    : `${f.group} from ${f.source} arrives on ${f.iface} with ${word} ${ttlRange(f)} and never crosses this router to ${outs}: ` +
      `${where}, and it forwards only packets whose ${word} is above the threshold${counts}.`;
  const need = Math.max(1, ...blocked.map((o) => o.threshold)) + 1;
  const option = f.family === 4 ? 'IP_MULTICAST_TTL' : 'IPV6_MULTICAST_HOPS';
  const lower = blocked.some((o) => o.threshold > 1)
    ? `, or lower the threshold (smcroute.conf: phyint ${blocked.find((o) => o.threshold > 1)?.device} enable ttl-threshold 1)` : '';
  return makeFinding('TTL_NOT_FORWARDED', {
    iface: f.iface, group: f.group, source: f.source,
    message,
    fix:
      `Send with a ${word} of ${need} or more plus one for each router further on (${option}; send-all --ttl N; ` +
      `VLC --ttl N, ffmpeg ?ttl=N, GStreamer udpsink ttl-mc=N)${lower}.`,
    evidence: {
      ttlMin: f.ttlMin, ttlMax: f.ttlMax, packets: f.packets,
      vif: { vif: at.vif.vif, device: at.vif.device, pktsIn: at.vif.pktsIn, pktsInDelta: at.pktsInDelta },
      entry: at.entry ? {
        origin: at.entry.origin,
        group: at.entry.group,
        iif: at.entry.iif,
        pkts: at.entry.pkts,
        pktsDelta: at.entryPktsDelta,
        wrongIf: at.entry.wrongIf,
      } : null,
      oifs: at.oifs,
      command: `cat /proc/net/${table}_vif /proc/net/${table}_cache`,
    },
  });
}
