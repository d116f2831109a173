// The send loop: every sender keeps to `rate` packets per second measured from the start
// (so timer jitter is caught up, not accumulated), in sendmmsg batches of the packets due.
// Rate 0 sends as fast as the kernel takes them, yielding to the event loop between rounds
// so that Ctrl-C and timers still run. Nothing is allocated per packet: slots are stamped in place.
import { isSocketError } from '../kernel/socket-error.js';
import type { Finding } from '../findings/model.js';
import { nowUs, stampProbe } from '../probe/format.js';
import { sendFailure, type Sender } from './senders.js';

export interface PaceOptions {
  /** Packets per second per interface; 0 = as fast as possible. */
  rate: number;
  /** Packets per interface; undefined = until duration or stop(). */
  count?: number;
  durationMs?: number;
  group: string;
  /** Called after each round with the senders (for progress). */
  onRound?: () => void;
}

export interface PaceHandle {
  /** Resolves when every sender is done (count reached, duration over, failed or stopped). */
  done: Promise<{ elapsedMs: number; findings: Finding[] }>;
  stop(): void;
}

/** Batches per sender per round at full speed before yielding (about 16k packets). */
const ROUNDS_FULL_SPEED = 16;

export function pace(senders: readonly Sender[], o: PaceOptions): PaceHandle {
  const start = process.hrtime.bigint();
  const elapsedS = (): number => Number(process.hrtime.bigint() - start) / 1e9;
  const findings: Finding[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let resolveDone!: (v: { elapsedMs: number; findings: Finding[] }) => void;
  const done = new Promise<{ elapsedMs: number; findings: Finding[] }>((r) => { resolveDone = r; });

  const finish = (): void => {
    const el = elapsedS();
    // Paced packets go out at 0, 1/rate, 2/rate...: n packets span n - 1 intervals.
    for (const s of senders) s.result.rate = el > 0 && s.result.sent > 1 ? (s.result.sent - (o.rate > 0 ? 1 : 0)) / el : 0;
    resolveDone({ elapsedMs: el * 1000, findings });
  };

  /** Sends up to `want` packets on s; returns how many the kernel took. */
  const burst = (s: Sender, want: number): number => {
    const slots = s.batch.slots;
    const n = Math.min(slots.length, want);
    const t = nowUs();
    for (let i = 0; i < n; i++) stampProbe(slots[i] as Buffer, s.seq + i, t);
    let k: number;
    try {
      k = s.batch.send(n);
    } catch (e) {
      if (!isSocketError(e)) throw e;
      findings.push(sendFailure(s.result, e, o.group));
      s.done = true;
      return 0;
    }
    s.seq += k;
    s.result.sent += k;
    return k;
  };

  const round = (): void => {
    timer = undefined;
    const el = elapsedS();
    const over = stopped || (o.durationMs !== undefined && el * 1000 >= o.durationMs);
    let blocked = false;
    let nextDueS = Infinity;
    for (const s of senders) {
      if (s.done) continue;
      if (over || (o.count !== undefined && s.result.sent >= o.count)) { s.done = true; continue; }
      const cap = o.count ?? Infinity;
      if (o.rate > 0) {
        // Packets due by now: one at t=0, then one every 1/rate seconds.
        const due = Math.min(cap, Math.floor(el * o.rate) + 1);
        while (s.result.sent < due && !s.done) {
          if (burst(s, due - s.result.sent) === 0) { blocked = true; break; }
        }
        if (s.result.sent >= cap) s.done = true;
        else nextDueS = Math.min(nextDueS, s.result.sent / o.rate);
      } else {
        for (let b = 0; b < ROUNDS_FULL_SPEED && s.result.sent < cap && !s.done; b++) {
          if (burst(s, cap - s.result.sent) === 0) { blocked = true; break; }
        }
        if (s.result.sent >= cap) s.done = true;
      }
    }
    o.onRound?.();
    if (senders.every((s) => s.done)) { finish(); return; }
    if (o.rate === 0) {
      // Full socket buffer: give the NIC a millisecond rather than spinning.
      timer = blocked ? setTimeout(round, 1) : setImmediate(round);
      return;
    }
    const waitMs = blocked ? 1 : Math.max(0, (nextDueS - elapsedS()) * 1000);
    const endMs = o.durationMs !== undefined ? Math.max(0, o.durationMs - elapsedS() * 1000) : Infinity;
    timer = setTimeout(round, Math.min(waitMs, endMs));
  };

  timer = setImmediate(round);
  return {
    done,
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) {
        clearTimeout(timer as NodeJS.Timeout);
        clearImmediate(timer as NodeJS.Immediate);
      }
      timer = setImmediate(round);
    },
  };
}
