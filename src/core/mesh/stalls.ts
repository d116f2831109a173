// mesh's use of the stall detector: one finding per stop event (streams of one interface that
// stopped together), the cells marked with the finding that explains them.
import type { Finding } from '../findings/model.js';
import type { Stopped } from '../stall/detect.js';
import { diagnoseStall, type MembershipIntervalView } from '../stall/diagnose.js';
import type { IfaceCauses } from '../stall/evidence.js';
import type { QuerySummary } from '../stall/queries.js';
import { hostnameOf, type MeshCell } from './model.js';

export interface StallInputs {
  group: string;
  cells: readonly MeshCell[];
  membership: MembershipIntervalView;
  queries: (iface: string) => QuerySummary;
  causes: Map<string, IfaceCauses>;
}

export function explainStops(events: readonly Stopped<MeshCell>[][], inp: StallInputs): Finding[] {
  const out: Finding[] = [];
  for (const ev of events) {
    const first = ev[0];
    if (!first) continue;
    const iface = first.item.iface;
    const stoppedAtS = first.check.stoppedAtS;
    const still = inp.cells.filter((c) => c.iface === iface && c.state !== 'stalled').length;
    const causes = inp.causes.get(iface) ?? { firewall: [], rpfDropped: [] };
    const f = diagnoseStall({
      iface, group: inp.group, stoppedAtS,
      streams: ev.map((s) => `probes from ${hostnameOf(s.item.peer)} (${s.item.peerIface})`),
      stillArriving: still,
      membership: inp.membership,
      queries: inp.queries(iface),
      firewall: causes.firewall,
      rpfDropped: causes.rpfDropped,
    });
    f.evidence.peers = ev.map((s) => ({ peer: s.item.peer, peerIface: s.item.peerIface, stoppedAtS: s.check.stoppedAtS, gapS: Math.round(s.check.gapMs / 100) / 10 }));
    for (const s of ev) s.item.stall = { atS: s.check.stoppedAtS, finding: f.id as 'SNOOPING_TIMEOUT' | 'STREAM_STOPPED' };
    out.push(f);
  }
  return out;
}
