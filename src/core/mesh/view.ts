// Views of a mesh run (run.ts) that are pure: the interface rows of the start event and the
// document, and the stream rows measured live and at the end.
import type { Interface } from '../kernel/interfaces.js';
import { addressesOf } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import type { JoinResult } from '../membership/join.js';
import type { SendResult } from '../send-all/senders.js';
import type { ReceiveStats } from '../join-all/stats.js';
import type { StreamRow } from './build.js';
import type { MeshInterface } from './model.js';

/** One row per listed interface: its addresses, joined or not, probes sent, and why not when it did not take part. */
export function interfaceView(
  listed: readonly Interface[], joins: readonly JoinResult[], sends: readonly SendResult[], family: Family,
): MeshInterface[] {
  return listed.map((i) => {
    const j = joins.find((r) => r.iface === i.name);
    const s = sends.find((r) => r.iface === i.name);
    const v: MeshInterface = {
      name: i.name, index: i.index, addresses: addressesOf(i, family).map((a) => a.address),
      joined: j?.status === 'joined', sent: s?.sent ?? 0,
    };
    const note = j?.status === 'skipped' ? `skipped: ${j.skipReason}`
      : j?.status === 'failed' ? j.message
        : s?.status === 'failed' ? s.message : undefined;
    if (note) v.note = note;
    return v;
  });
}

/** Every peer stream seen so far, one row per (interface, stream). */
export const rowsNow = (stats: ReceiveStats): StreamRow[] =>
  stats.snapshot().flatMap((r) => r.streams.map((s) => ({ iface: r.iface, stats: s })));
