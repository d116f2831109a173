// `send-all`: NDJSON events (sending, send_failed, stats, summary) or a progress line and a
// per-interface table followed by the findings.
import type { Finding } from '../core/findings/model.js';
import type { SendResult } from '../core/send-all/senders.js';
import type { Output } from './output.js';
import { termSafe as t$ } from './sanitize.js';
import { renderFindings } from './findings.js';
import { LiveArea, fmtRate } from './live.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';

export interface SendAllHeader {
  group: string;
  port: number;
  family: 4 | 6;
  ttl: number;
  loop: boolean;
  size: number;
  rate: number;
  count: number | null;
  durationMs: number | null;
  senderId: string;
}

export interface SendAllSummary {
  results: SendResult[];
  findings: Finding[];
  elapsedMs: number;
  exitCode: number;
}

const skipText = {
  loopback: 'skipped: loopback', down: 'skipped: down', 'no-carrier': 'skipped: no carrier',
  'no-multicast': 'skipped: no MULTICAST flag', 'no-address': 'skipped: no address',
} as const;

export class SendAllReporter {
  private readonly live: LiveArea;
  private readonly failuresSent = new Set<Finding>();
  constructor(private readonly out: Output, private readonly h: SendAllHeader) {
    this.live = new LiveArea(out);
  }

  start(results: readonly SendResult[], findings: readonly Finding[]): void {
    const o = this.out;
    if (o.json) {
      for (const r of results.filter((x) => x.status === 'sent')) {
        o.event('sending', { iface: r.iface, ifindex: r.ifindex, family: r.family, group: this.h.group, port: this.h.port, ttl: this.h.ttl,
          loop: this.h.loop, size: this.h.size, rate: this.h.rate, senderId: this.h.senderId });
      }
      this.failures(findings);
      return;
    }
    const on = results.filter((r) => r.status === 'sent').map((r) => r.iface);
    const what = this.h.count !== null ? `${this.h.count} packet${this.h.count === 1 ? '' : 's'}`
      : this.h.durationMs !== null ? `${this.h.durationMs / 1000} s` : 'until Ctrl-C';
    o.line(`Sending to ${this.h.group}:${this.h.port} on ${on.join(', ') || 'no interface'}: ` +
      `TTL ${this.h.ttl}, ${this.h.size} bytes, ${this.h.rate ? fmtRate(this.h.rate) : 'as fast as possible'}, ${what} per interface.`);
  }

  /** send_failed events for failures not yet reported. */
  failures(findings: readonly Finding[]): void {
    if (!this.out.json) return;
    for (const f of findings) {
      if (f.id !== 'SEND_FAILED' || this.failuresSent.has(f)) continue;
      this.failuresSent.add(f);
      this.out.event('send_failed', { iface: f.iface, group: f.group, errno: f.evidence.errno, finding: f });
    }
  }

  stats(results: readonly SendResult[], elapsedMs: number): void {
    const rows = results.filter((r) => r.status !== 'skipped').map((r) => ({ iface: r.iface, sent: r.sent, status: r.status }));
    if (this.out.json) {
      this.out.event('stats', { elapsedMs: Math.round(elapsedMs), interfaces: rows });
      return;
    }
    this.live.draw(`${(elapsedMs / 1000).toFixed(1)} s  ` +
      `${rows.map((r) => `${t$(r.iface)}: ${r.sent}${r.status === 'failed' ? ' (failed)' : ''}`).join('  ')}`);
  }

  summary(s: SendAllSummary): void {
    const o = this.out;
    if (o.json) {
      this.failures(s.findings);
      o.event('summary', { group: this.h.group, port: this.h.port, ttl: this.h.ttl, senderId: this.h.senderId,
        elapsedMs: Math.round(s.elapsedMs), results: s.results, findings: s.findings, exitCode: s.exitCode });
      return;
    }
    this.live.clear();
    const st = makeStyle(o.opts.color);
    const t = makeTable(['interface', 'result', 'sent', 'rate', 'detail'], o.opts.color, { width: o.tableWidth });
    for (const r of s.results) {
      const result =
        r.status === 'sent' ? st.ok('sent') : r.status === 'failed' ? st.bad('FAILED') : st.dim(skipText[r.skipReason ?? 'down']);
      t.push([r.iface, result, String(r.sent), r.status === 'skipped' ? '-' : fmtRate(r.rate), r.message ?? (r.errno ?? '')]);
    }
    if (s.results.length) o.line(t.toString());
    o.line(st.dim(`${(s.elapsedMs / 1000).toFixed(2)} s, sender id ${this.h.senderId}`));
    o.line();
    // The egress note matters when a plain socket would have missed an interface.
    const missed =
      (f: Finding): boolean => f.id === 'DEFAULT_ROUTE_EGRESS' && Array.isArray(f.evidence.missed) && f.evidence.missed.length > 0;
    const shown = s.findings.filter((f) => o.verbose || f.severity !== 'info' || missed(f));
    renderFindings(shown, o);
  }
}
