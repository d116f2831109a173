// `join-all`: NDJSON events (joined, join_skipped, join_failed, packet with --verbose, stats,
// summary) or the join table, a live stats table on a TTY, and the final table with findings.
import type { Finding } from '../core/findings/model.js';
import type { JoinResult, Packet } from '../core/membership/join.js';
import type { Probe } from '../core/probe/format.js';
import type { RowStats } from '../core/join-all/stats.js';
import type { JoinAllOutcome, StatsTick } from '../core/join-all/run.js';
import { lossSentence } from '../core/join-all/health.js';
import type { ChurnEvent } from '../core/membership/churn.js';
import { churnLine } from './churn.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { LiveArea, fmtRate } from './live.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';

/** Above this many rows the human tables summarise per interface. */
const FULL_TABLE_ROWS = 64;

const skipText = {
  loopback: 'skipped: loopback', down: 'skipped: down', 'no-carrier': 'skipped: no carrier',
  'no-multicast': 'skipped: no MULTICAST flag', 'no-address': 'skipped: no address',
} as const;

/** What join-all's run returns is what the summary shows. */
export type JoinAllSummary = JoinAllOutcome;

function where(r: { group: string; source?: string; port: number }): string {
  return `${r.source ? `${r.source},` : ''}${r.group.includes(':') ? `[${r.group}]` : r.group}:${r.port}`;
}

/** iperf2's form: `0.021 ms`. */
function jitter(ms: number | null): string {
  return ms === null ? '-' : `${ms.toFixed(3)} ms`;
}

/** iperf2's form: `0/89 (0%)`, lost of the probes the streams span. */
export function loss(lost: number, expected: number): string {
  if (expected <= 0) return `${lost}/0`;
  const pct = (lost / expected) * 100;
  const shown = pct === 0 ? '0' : pct < 0.1 ? pct.toPrecision(1) : pct < 10 ? pct.toFixed(1) : pct.toFixed(0);
  return `${lost}/${expected} (${shown}%)`;
}

function delay(d: RowStats['delayMs']): string {
  return d ? `${d.min.toFixed(2)}/${d.avg.toFixed(2)}/${d.max.toFixed(2)}` : '-';
}

export class JoinAllReporter {
  private readonly live: LiveArea;
  constructor(private readonly out: Output) {
    this.live = new LiveArea(out);
  }

  joined(results: readonly JoinResult[], findings: readonly Finding[]): void {
    const o = this.out;
    if (o.json) {
      for (const r of results) {
        const base = {
          iface: r.iface,
          ifindex: r.ifindex,
          family: r.family,
          group: r.group,
          port: r.port,
          ...(r.source ? { source: r.source } : {}),
        };
        if (r.status === 'joined') o.event('joined', { ...base, socket: r.socket ?? 0 });
        else if (r.status === 'skipped') o.event('join_skipped', { ...base, reason: r.skipReason });
        else o.event('join_failed',
          { ...base, errno: r.errno, finding: findings.find((f) => f.id === 'JOIN_FAILED' && f.iface === r.iface && f.group === r.group) });
      }
      return;
    }
    const s = makeStyle(o.opts.color);
    if (results.length === 0) return;
    if (results.length <= FULL_TABLE_ROWS) {
      const t = makeTable(['interface', 'group', 'result', 'detail'], o.opts.color, { width: o.tableWidth });
      for (const r of results) {
        const res =
          r.status === 'joined' ? s.ok('joined') : r.status === 'failed' ? s.bad('FAILED') : s.dim(skipText[r.skipReason ?? 'down']);
        t.push(
          [r.iface, where(r), res, r.message ?? (r.status === 'joined' && (r.socket ?? 0) > 0 ? `socket ${(r.socket ?? 0) + 1}` : '')]);
      }
      o.line(t.toString());
    } else {
      const t = makeTable(['interface', 'joined', 'failed', 'skipped', 'sockets'], o.opts.color, { width: o.tableWidth });
      const ifaces = [...new Set(results.map((r) => r.iface))];
      for (const i of ifaces) {
        const mine = results.filter((r) => r.iface === i);
        const n = (st: JoinResult['status']): number => mine.filter((r) => r.status === st).length;
        const socks = new Set(mine.filter((r) => r.status === 'joined').map((r) => `${r.family}/${r.port}/${r.socket}`)).size;
        t.push([i, String(n('joined')), n('failed') ? s.bad(String(n('failed'))) : '0', String(n('skipped')), String(socks)]);
      }
      o.line(t.toString());
    }
  }

  packet(p: Packet, probe: Probe | undefined): void {
    if (!this.out.json || !this.out.verbose) return;
    this.out.event('packet', {
      // The group is the kernel's destination (PKTINFO); a probe's own claim is shown apart.
      iface: p.iface, group: p.group ?? null, dst: p.dst, kind: p.kind,
      source: p.from.address, sourcePort: p.from.port, size: p.size, ttl: p.ttl, atMs: p.atMs,
      probe: probe ? {
        senderId: probe.senderId,
        senderIface: probe.ifname,
        seq: probe.seq,
        ttl: probe.ttl,
        claimedGroup: probe.group,
      } : null,
    });
  }

  /** iface_down / iface_up: an NDJSON event, or one line above the live table. */
  churn(e: ChurnEvent): void {
    const { type, ...body } = e;
    if (this.out.json) { this.out.event(type, body); return; }
    this.live.clear();
    this.out.line(churnLine(e, makeStyle(this.out.opts.color)));
  }

  /**
   * The stats event carries the summary and the changed rows only (core/join-all/stats-feed.ts);
   * the live table is drawn from every row of the tick.
   */
  stats(t: StatsTick): void {
    const o = this.out;
    const { seq, counts, totals, top, changed, pending } = t.change;
    if (o.json) {
      o.event('stats', {
        elapsedMs: Math.round(t.elapsedMs), totalPackets: t.totalPackets, seq, counts, totals, top,
        changed: changed.map(({ streams: _s, ...r }) => r), pending,
      });
      return;
    }
    if (!o.progressAllowed) return;
    const head =
      `${(t.elapsedMs / 1000).toFixed(0)} s, ${t.totalPackets} packets; pairs: ` +
      `${counts.receiving} receiving, ${counts.stalled} stalled, ${counts.silent} silent`;
    this.live.draw(`${head}\n${this.table(t.rows, 20, false, o.liveTableWidth)}`);
  }

  /** `width`: the terminal's (stdout's for the final table, stderr's for the live one). */
  private table(rows: readonly RowStats[], limit: number, final = false, width = this.out.tableWidth): string {
    // Too wide for the terminal: first ms, delay, ttl, reorder, duplicates, last source and
    // jitter go, in that order; interface, group, packets, rate and loss stay.
    const t = makeTable(['interface', 'group', 'packets', 'rate', 'jitter', 'lost/total', 'dup', 'reord', 'first ms',
      'delay ms min/avg/max', 'last source', 'ttl'], this.out.opts.color,
      { width, drop: [8, 9, 11, 7, 6, 10, 4] });
    const shown = rows.length > limit ? rows.filter((r) => r.packets > 0).slice(0, limit) : rows;
    for (const r of shown) {
      // Loss, duplicates and reorder exist for probe streams only: '-' for other traffic, not 0.
      const probes = r.jitterMs !== null;
      t.push([r.iface, r.group, String(r.packets), fmtRate(final ? r.avgRate : r.rate), jitter(r.jitterMs),
        probes ? loss(r.lost, r.expected) : '-', probes ? String(r.duplicates) : '-', probes ? String(r.reordered) : '-',
        r.firstPacketMs === null ? '-' : String(r.firstPacketMs), delay(r.delayMs), r.lastSource ?? '-',
        r.lastTtl === null ? '-' : String(r.lastTtl)]);
    }
    const hidden = rows.length - shown.length;
    if (shown.length === 0) return `(${rows.length} interface x group pairs, none received anything)`;
    return `${t.toString()}${hidden > 0 ? `\n(${hidden} more pairs not shown: silent, or past the first ${limit})` : ''}`;
  }

  /** exitCode: exitFor(findings, coverage), for the summary event. */
  summary(s: JoinAllSummary, exitCode: number): void {
    const o = this.out;
    if (o.json) {
      o.event('summary', {
        elapsedMs: Math.round(s.elapsedMs), totalPackets: s.totalPackets, sockets: s.sockets,
        joined: s.results.filter((r) => r.status === 'joined').length,
        failed: s.results.filter((r) => r.status === 'failed').length,
        skipped: s.results.filter((r) => r.status === 'skipped').length,
        rows: s.rows, ifaces: s.ifaces, ownDrops: s.ownDrops, loss: s.loss, churn: s.churn, findings: s.findings, exitCode,
      });
      return;
    }
    this.live.clear();
    const st = makeStyle(o.opts.color);
    o.line();
    o.line(st.bold(`Received in ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.totalPackets} packets`));
    if (s.rows.length) o.line(this.table(s.rows, FULL_TABLE_ROWS, true));
    for (const l of s.loss) {
      if (l.socket === 0 && l.beforeHost === 0) continue;
      o.line(`${l.iface}: ${lossSentence(l)}`);
    }
    for (const x of s.ifaces) {
      if (x.unicast === 0 && x.otherGroups === 0) continue;
      const other =
        x.otherGroupNames.length ? ` (${x.otherGroupNames.join(', ')}${x.otherGroups > x.otherGroupNames.length ? ', ...' : ''})` : '';
      o.line(st.dim(
        `${x.iface}: not counted above: ${x.unicast} unicast, ${x.otherGroups} of groups this run did not join on this port${other}`));
    }
    o.line();
    renderFindings(s.findings.filter((f) => o.verbose || f.severity !== 'info' || f.id === 'MAX_MEMBERSHIPS'), o);
  }
}
