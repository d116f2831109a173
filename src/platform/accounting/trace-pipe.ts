// One private tracing instance of skb:kfree_skb while it runs (tracefs.ts opens it): its
// trace_pipe read without blocking on a timer and counted per drop reason, then removed by stop()
// or, if the process ends first, by an 'exit' hook. Split from tracefs.ts, which finds tracefs,
// checks the kernel and creates the instance.
import { closeSync, existsSync, readdirSync, readFileSync, readSync, rmdirSync, writeFileSync } from 'node:fs';

export interface DropReasonCounts {
  /** Drops per kernel reason name (NO_SOCKET, IP_RPFILTER, NETFILTER_DROP...), host-wide. */
  reasons: Record<string, number>;
  /** Drops per "REASON@function" where the kernel freed the packet. */
  locations: Record<string, number>;
  /** Events the ring overwrote before they were read (not in the counts). */
  overruns: number;
  /** Always 'host': the tracepoint cannot be filtered by network namespace. */
  scope: 'host';
  /** In-kernel hist triggers available (CONFIG_HIST_TRIGGERS); user-space counting is used either way. */
  histTriggers: boolean;
  instance: string;
}

export interface DropReasonTrace {
  readonly instance: string;
  /** Reads what is queued now (also runs on its own timer). */
  poll(): void;
  /** Disables the event, reads the rest, removes the instance. Idempotent. */
  stop(): DropReasonCounts;
}


/** Bytes read per poll: a drop storm cannot hold the event loop; the rest waits or overruns. */
const READ_BUDGET = 4 << 20;
/** Distinct (reason, function) keys kept; beyond, counted under their reason only. */
const MAX_LOCATIONS = 256;

export function removeInstance(dir: string): void {
  try { writeFileSync(`${dir}/events/skb/kfree_skb/enable`, '0'); } catch { /* gone or not ours */ }
  try { rmdirSync(dir); } catch { /* already removed */ }
}

/** Pure: counts trace_pipe lines ("... location=FUNC+0x25b/0x470 reason: NO_SOCKET"). */
export function countTraceLines(text: string, into: Pick<DropReasonCounts, 'reasons' | 'locations'>): void {
  for (const line of text.split('\n')) {
    const r = / reason: ([A-Z0-9_]+)\s*$/.exec(line);
    if (!r) continue;
    const reason = r[1] ?? '';
    into.reasons[reason] = (into.reasons[reason] ?? 0) + 1;
    const loc = /location=([A-Za-z0-9_.]+)/.exec(line);
    const key = `${reason}@${loc?.[1] ?? '?'}`;
    if (into.locations[key] !== undefined || Object.keys(into.locations).length < MAX_LOCATIONS) {
      into.locations[key] = (into.locations[key] ?? 0) + 1;
    }
  }
}

function overrunsOf(dir: string): number {
  let total = 0;
  let cpus: string[] = [];
  try { cpus = readdirSync(`${dir}/per_cpu`); } catch { return 0; }
  for (const cpu of cpus) {
    try {
      const m = /^overrun: (\d+)/m.exec(readFileSync(`${dir}/per_cpu/${cpu}/stats`, 'utf8'));
      total += Number(m?.[1] ?? 0);
    } catch { /* cpu went away */ }
  }
  return total;
}

/** A running instance: its pipe read on a timer and counted per reason, until stop() removes it. */
export class InstanceTrace implements DropReasonTrace {
  private readonly counts = { reasons: {} as Record<string, number>, locations: {} as Record<string, number> };
  private readonly buf = Buffer.alloc(256 * 1024);
  /** The start of a line the last read cut in two. */
  private carry = '';
  private result: DropReasonCounts | undefined;
  private readonly histTriggers: boolean;
  private readonly timer: NodeJS.Timeout;
  /** process.exit or an uncaught error: the instance must not outlive us, enabled. */
  private readonly onExit = (): void => {
    if (this.fd >= 0) try { closeSync(this.fd); } catch { /* closed */ }
    removeInstance(this.instance);
  };

  constructor(readonly instance: string, private fd: number, pollMs: number) {
    process.once('exit', this.onExit);
    this.histTriggers = existsSync(`${instance}/events/skb/kfree_skb/hist`);
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  poll(): void {
    if (this.fd < 0) return;
    for (let got = 0; got < READ_BUDGET;) {
      let n = 0;
      try { n = readSync(this.fd, this.buf, 0, this.buf.length, null); } catch { break; /* EAGAIN: empty */ }
      if (n <= 0) break;
      got += n;
      const text = this.carry + this.buf.toString('latin1', 0, n);
      const cut = text.lastIndexOf('\n');
      countTraceLines(text.slice(0, cut + 1), this.counts);
      this.carry = text.slice(cut + 1).slice(-4096);
    }
  }

  stop(): DropReasonCounts {
    if (this.result) return this.result;
    const dir = this.instance;
    clearInterval(this.timer);
    try { writeFileSync(`${dir}/events/skb/kfree_skb/enable`, '0'); } catch { /* removed under us */ }
    this.poll();
    const overruns = overrunsOf(dir);
    if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; }
    removeInstance(dir);
    process.off('exit', this.onExit);
    this.result = { ...this.counts, overruns, scope: 'host', histTriggers: this.histTriggers, instance: dir.split('/').pop() ?? dir };
    return this.result;
  }
}
