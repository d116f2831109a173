// MPEG-TS continuity counters (ISO/IEC 13818-1 2.4.3.2-2.4.3.3; the CC_error of ETSI TR 101 290
// 5.2.1): a UDP or RTP payload of 188-byte packets, each starting with the sync byte 0x47. The
// 4-bit counter of a PID goes up by one with each packet that carries payload; packets with an
// adaptation field only (control 10) and the null PID 0x1FFF do not count; one duplicate packet
// (same counter, sent twice on purpose) is allowed, a second is an error; a discontinuity
// indicator in the adaptation field restarts the count. Memory: 8192 PIDs x 2 bytes per stream.
const TS = 188;
const SYNC = 0x47;
const NULL_PID = 0x1fff;

export interface TsStats {
  /** TS packets read. */
  packets: number;
  /** Counter jumps: at least one packet of the PID was lost (or reordered). */
  ccErrors: number;
  /** Duplicate packets allowed by the standard (one repeat). */
  duplicates: number;
  /** TS packets without the 0x47 sync byte where one was expected. */
  syncErrors: number;
  /** Packets flagged by transport_error_indicator (corrupt before they reached the network). */
  transportErrors: number;
  /** Distinct PIDs seen. */
  pids: number;
  /** Up to 8 PIDs with errors, most errors first. */
  worstPids: { pid: number; ccErrors: number }[];
}

export class TsTracker {
  plausible = true;
  private readonly last = new Int8Array(8192).fill(-1);
  /** 1 when the last packet of the PID was already a duplicate. */
  private readonly dupSeen = new Uint8Array(8192);
  private readonly errors = new Map<number, number>();
  private readonly st: TsStats = { packets: 0, ccErrors: 0, duplicates: 0, syncErrors: 0, transportErrors: 0, pids: 0, worstPids: [] };
  private datagrams = 0;

  /** A payload that may hold TS packets; returns false (and stops) when it does not. */
  add(buf: Uint8Array, off: number, len: number): boolean {
    if (!this.plausible) return false;
    if (len === 0 || len % TS !== 0 || buf[off] !== SYNC) {
      // The first datagram decides; a later odd one is counted as sync errors, not a verdict.
      if (this.datagrams === 0) { this.plausible = false; return false; }
      this.st.syncErrors++;
      return true;
    }
    this.datagrams++;
    for (let p = off; p + TS <= off + len; p += TS) this.packet(buf, p);
    return true;
  }

  private packet(b: Uint8Array, p: number): void {
    const s = this.st;
    if (b[p] !== SYNC) { s.syncErrors++; return; }
    s.packets++;
    const b1 = b[p + 1] ?? 0;
    if ((b1 & 0x80) !== 0) { s.transportErrors++; return; }
    const pid = ((b1 & 0x1f) << 8) | (b[p + 2] ?? 0);
    if (pid === NULL_PID) return;
    const b3 = b[p + 3] ?? 0;
    const afc = (b3 >> 4) & 3;
    const cc = b3 & 0x0f;
    const prev = this.last[pid] ?? -1;
    if (prev === -1) s.pids++;
    // No payload (adaptation field only, or the reserved 00): the counter does not move.
    if (afc === 0 || afc === 2) { if (prev === -1) this.last[pid] = cc; return; }
    const discontinuity = afc === 3 && (b[p + 4] ?? 0) > 0 && ((b[p + 5] ?? 0) & 0x80) !== 0;
    if (prev === -1 || discontinuity) { this.last[pid] = cc; this.dupSeen[pid] = 0; return; }
    if (cc === prev) {
      if (this.dupSeen[pid] === 0) { s.duplicates++; this.dupSeen[pid] = 1; return; }
      this.error(pid);
      return;
    }
    this.dupSeen[pid] = 0;
    if (cc !== ((prev + 1) & 0x0f)) this.error(pid);
    this.last[pid] = cc;
  }

  private error(pid: number): void {
    this.st.ccErrors++;
    // Bounded by the PID space (8192).
    this.errors.set(pid, (this.errors.get(pid) ?? 0) + 1);
  }

  result(): TsStats | undefined {
    if (!this.plausible || this.datagrams === 0) return undefined;
    const worstPids = [...this.errors].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([pid, ccErrors]) => ({ pid, ccErrors }));
    return { ...this.st, worstPids };
  }
}
