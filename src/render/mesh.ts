// mesh: a live matrix on an interactive stderr while it runs, then the matrix, the verdict and
// the findings (or one JSON document with --json). Rows: peer x peer interface; columns: this
// host's interfaces; cells: received/expected, loss, TTL seen, one-way delay.
import type { MeshStart } from '../core/mesh/run.js';
import { hostnameOf, type MeshCell, type MeshDocument } from '../core/mesh/model.js';
import type { Output } from './output.js';
import { LiveArea } from './live.js';
import { renderFindings } from './findings.js';
import { makeStyle, type Style } from './style.js';
import { makeTable } from './table.js';
import { termSafe as t$ } from './sanitize.js';

function cellText(c: MeshCell | undefined, s: Style, max: number): string {
  if (!c) return s.dim('-');
  const ttl = c.ttl !== null ? ` ttl ${c.ttl}` : '';
  const delay = c.delayMs ? ` ${c.delayMs.avg.toFixed(2)} ms` : '';
  const head = `${c.received}/${c.expected} ${c.lossPct}%`;
  if (c.state === 'stalled' || c.stall) return s.bad(`${head} STOP ${(c.stall?.atS ?? c.lastSeenS).toFixed(0)}s`) + s.dim(ttl);
  return (c.lossPct > max ? s.bad(head) : c.lossPct > 0 ? s.warn(head) : s.ok(head)) + s.dim(`${ttl}${delay}`);
}

export function matrixTable(cells: readonly MeshCell[], ifaces: readonly string[], color: boolean, max: number): string {
  const s = makeStyle(color);
  const rows = [...new Set(cells.map((c) => `${c.peer}\u0000${c.peerIface}`))].sort();
  const t = makeTable(['peer (interface) \\ here', ...ifaces.map((i) => t$(i))], color);
  for (const r of rows) {
    const [peer = '', peerIface = ''] = r.split('\u0000');
    // Peer ids and their interface names come from the probes: anyone on the segment can send them.
    t.push([`${t$(hostnameOf(peer))} (${t$(peerIface)})`,
      ...ifaces.map((i) => cellText(cells.find((c) => c.peer === peer && c.peerIface === peerIface && c.iface === i), s, max))]);
  }
  return t.toString();
}

export class MeshReporter {
  private readonly live: LiveArea;
  private ifaces: string[] = [];

  constructor(private readonly out: Output, private readonly info: { group: string; port: number; durationS: number; maxLossPct: number }) {
    this.live = new LiveArea(out);
  }

  started(s: MeshStart): void {
    this.ifaces = s.interfaces.filter((i) => i.joined || i.sent > 0).map((i) => i.name);
    if (this.out.json) return;
    if (s.captureUnavailable && this.out.verbose) this.out.note(`mesh: no capture (${s.captureUnavailable}): ` +
      'TTL as sent, queries not observed');
  }

  tick(cells: MeshCell[], elapsedMs: number): void {
    if (!this.out.progressAllowed) return;
    const peers = new Set(cells.map((c) => c.peer)).size;
    const head =
      `mesh ${this.info.group}:${this.info.port}  ${(elapsedMs / 1000).toFixed(0)}/${this.info.durationS} s  ${peers} ` +
      `peer${peers === 1 ? '' : 's'} heard`;
    this.live.draw(`${head}\n${matrixTable(cells, this.ifaces, this.out.opts.color, this.info.maxLossPct)}`);
  }

  summary(doc: MeshDocument): void {
    this.live.clear();
    if (this.out.json) {
      const { schemaVersion: _v, command: _c, ...body } = doc;
      this.out.document('mesh', body);
      return;
    }
    const s = makeStyle(this.out.opts.color);
    const gaps = doc.coverage?.notRun.length ?? 0;
    const heard =
      `${doc.verdict.peersHeard} peer${doc.verdict.peersHeard === 1 ? '' : 's'} heard, no pair over ${doc.settings.maxLossPct}% loss`;
    // The words follow the exit code's rule (core/exit.ts): an error fails; else a gap is no pass.
    const head = !doc.verdict.pass ? s.bad(`FAIL: ${t$(doc.verdict.reasons.join('; ') || 'see the findings')}`)
      : gaps > 0 ? s.warn(`INCOMPLETE: ${heard}, but ${gaps} check${gaps > 1 ? 's' : ''} did not run (below)`)
        : s.ok(`PASS: ${heard}`);
    const title = s.bold(`mesh ${doc.settings.group}:${doc.settings.port} from ${t$(doc.host.hostname)}`);
    this.out.line(`${title} (${t$(doc.host.id)}, ${doc.elapsedS} s): ${head}`, true);
    if (!this.out.quiet) {
      const ifaces = doc.interfaces.filter((i) => i.joined || i.sent > 0).map((i) => i.name);
      this.out.line(doc.cells.length ? matrixTable(doc.cells, ifaces, this.out.opts.color, doc.settings.maxLossPct)
        : s.dim('no peer heard on any interface'));
      const idle = doc.interfaces.filter((i) => i.note);
      for (const i of idle) this.out.line(s.dim(`${t$(i.name)}: ${t$(i.note)}`));
      this.out.line(s.dim('cells: received/expected loss % (STOP n s: stopped n s after the join), TTL seen, one-way delay; ' +
        `membership interval ${doc.settings.membershipIntervalS} s (${doc.settings.membershipIntervalSource})`));
    }
    const shown = doc.findings.filter((f) => this.out.verbose || f.severity !== 'info');
    if (shown.length) renderFindings(shown, this.out, 'What to fix');
  }
}
