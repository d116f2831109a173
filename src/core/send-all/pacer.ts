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
  const state: RoundState = { blocked: false, nextDueS: Infinity };
  let stopped = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let resolveDone!: (v: { elapsedMs: number; findings: Finding[] }) => void;
  const done = new Promise<{ elapsedMs: number; findings: Finding[] }>((r) => { resolveDone = r; });

  const round = (): void => {
    timer = undefined;
    const el = elapsedS();
    const over = stopped || (o.durationMs !== undefined && el * 1000 >= o.durationMs);
    sendRound(senders, el, over, o, findings, state);
    o.onRound?.();
    if (allDone(senders)) {
      const end = elapsedS();
      setRates(senders, end, o.rate);
      resolveDone({ elapsedMs: end * 1000, findings });
      return;
    }
    timer = scheduleRound(round, o, state, elapsedS());
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

/**
 * What a round leaves for the next: whether a socket refused packets (its buffer is full) and when
 * the next paced packet is due. One object per pace(), overwritten each round: nothing per round.
 */
interface RoundState {
  blocked: boolean;
  nextDueS: number;
}

/** One turn over the senders: each sends what is due (paced) or a few batches (full speed). */
function sendRound(senders: readonly Sender[], el: number, over: boolean, o: PaceOptions, findings: Finding[], r: RoundState): void {
  r.blocked = false;
  r.nextDueS = Infinity;
  const cap = o.count ?? Infinity;
  for (const s of senders) {
    if (s.done) continue;
    if (over || s.result.sent >= cap) { s.done = true; continue; }
    // Paced: packets due by now, one at t=0, then one every 1/rate seconds.
    const blocked = o.rate > 0
      ? sendDue(s, Math.min(cap, Math.floor(el * o.rate) + 1), o.group, findings)
      : sendFullSpeed(s, cap, o.group, findings);
    if (blocked) r.blocked = true;
    if (s.result.sent >= cap) s.done = true;
    else if (o.rate > 0) r.nextDueS = Math.min(r.nextDueS, s.result.sent / o.rate);
  }
}

/** Sends until `due` packets are out on s; true when the kernel took none of a burst (blocked or failed). */
function sendDue(s: Sender, due: number, group: string, findings: Finding[]): boolean {
  while (s.result.sent < due && !s.done) {
    if (burst(s, due - s.result.sent, group, findings) === 0) return true;
  }
  return false;
}

/** Up to ROUNDS_FULL_SPEED batches on s, then the event loop's turn; true as sendDue. */
function sendFullSpeed(s: Sender, cap: number, group: string, findings: Finding[]): boolean {
  for (let b = 0; b < ROUNDS_FULL_SPEED && s.result.sent < cap && !s.done; b++) {
    if (burst(s, cap - s.result.sent, group, findings) === 0) return true;
  }
  return false;
}

/** Sends up to `want` packets on s (one sendmmsg); returns how many the kernel took. A socket error ends s. */
function burst(s: Sender, want: number, group: string, findings: Finding[]): number {
  const slots = s.batch.slots;
  const n = Math.min(slots.length, want);
  const t = nowUs();
  for (let i = 0; i < n; i++) stampProbe(slots[i] as Buffer, s.seq + i, t);
  let k: number;
  try {
    k = s.batch.send(n);
  } catch (e) {
    if (!isSocketError(e)) throw e;
    findings.push(sendFailure(s.result, e, group));
    s.done = true;
    return 0;
  }
  s.seq += k;
  s.result.sent += k;
  return k;
}

function allDone(senders: readonly Sender[]): boolean {
  for (const s of senders) if (!s.done) return false;
  return true;
}

/**
 * When the next round runs. Full speed: at once, or after a millisecond when a socket buffer was
 * full (give the NIC a moment rather than spin). Paced: when the next packet is due, and never
 * past the end of --duration.
 */
function scheduleRound(round: () => void, o: PaceOptions, r: RoundState, elS: number): NodeJS.Timeout | NodeJS.Immediate {
  if (o.rate === 0) return r.blocked ? setTimeout(round, 1) : setImmediate(round);
  const waitMs = r.blocked ? 1 : Math.max(0, (r.nextDueS - elS) * 1000);
  const endMs = o.durationMs !== undefined ? Math.max(0, o.durationMs - elS * 1000) : Infinity;
  return setTimeout(round, Math.min(waitMs, endMs));
}

/** The rate each sender kept: paced packets go out at 0, 1/rate, 2/rate...: n packets span n - 1 intervals. */
function setRates(senders: readonly Sender[], elS: number, rate: number): void {
  for (const s of senders) s.result.rate = elS > 0 && s.result.sent > 1 ? (s.result.sent - (rate > 0 ? 1 : 0)) / elS : 0;
}
