// From stop events to findings, for any kind of stream (mesh cells, join-all rows): one finding
// per event (streams of one interface that stopped together, detect.ts clusterStops), weighed by
// diagnose.ts against the membership interval, the queries heard and the causes gathered.
import type { Finding } from '../findings/model.js';
import type { Stopped } from './detect.js';
import { diagnoseStall, type MembershipIntervalView } from './diagnose.js';
import type { IfaceCauses } from './evidence.js';
import type { QuerySummary } from './queries.js';
import { defined } from '../defined.js';

export interface StopView<T> {
  /** The local interface the stream arrived on. */
  iface(item: T): string;
  /** The stream in words: "probes from web-2 (eth0)", "traffic to 239.1.2.3 from 198.18.1.1". */
  describe(item: T): string;
  /** The group of the event, when all its streams share one. */
  group(items: readonly T[]): string | undefined;
  /** Streams still arriving on iface after the event. */
  stillArriving(iface: string): number;
  membership: MembershipIntervalView;
  queries(iface: string): QuerySummary;
  causes: Map<string, IfaceCauses>;
}

export interface ExplainedStop<T> {
  finding: Finding;
  event: Stopped<T>[];
}

export function explainStopEvents<T>(events: readonly Stopped<T>[][], v: StopView<T>): ExplainedStop<T>[] {
  const out: ExplainedStop<T>[] = [];
  for (const ev of events) {
    const first = ev[0];
    if (!first) continue;
    const iface = v.iface(first.item);
    const causes = v.causes.get(iface) ?? { firewall: [], rpfDropped: [] };
    const group = v.group(ev.map((s) => s.item));
    const finding = diagnoseStall({
      iface, stoppedAtS: first.check.stoppedAtS,
      ...defined({ group }),
      streams: ev.map((s) => v.describe(s.item)),
      stillArriving: v.stillArriving(iface),
      membership: v.membership,
      queries: v.queries(iface),
      firewall: causes.firewall,
      rpfDropped: causes.rpfDropped,
    });
    out.push({ finding, event: ev });
  }
  return out;
}
