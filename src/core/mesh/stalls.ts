// mesh's use of the stall detector: one finding per stop event (streams of one interface that
// stopped together), the cells marked with the finding that explains them.
import type { Finding } from '../findings/model.js';
import type { Stopped } from '../stall/detect.js';
import type { MembershipIntervalView } from '../stall/diagnose.js';
import type { IfaceCauses } from '../stall/evidence.js';
import { explainStopEvents } from '../stall/explain.js';
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
  return explainStopEvents(events, {
    iface: (c) => c.iface,
    describe: (c) => `probes from ${hostnameOf(c.peer)} (${c.peerIface})`,
    group: () => inp.group,
    stillArriving: (iface) => inp.cells.filter((c) => c.iface === iface && c.state !== 'stalled').length,
    membership: inp.membership, queries: inp.queries, causes: inp.causes,
  }).map(({ finding: f, event: ev }) => {
    f.evidence.peers = ev.map((s) => ({
      peer: s.item.peer,
      peerIface: s.item.peerIface,
      stoppedAtS: s.check.stoppedAtS,
      gapS: Math.round(s.check.gapMs / 100) / 10,
    }));
    for (const s of ev) s.item.stall = { atS: s.check.stoppedAtS, finding: f.id as 'SNOOPING_TIMEOUT' | 'STREAM_STOPPED' };
    return f;
  });
}
