// `trace`: per interface the path of the group's packets (wire -> membership -> IP -> socket ->
// application), the namespace's counters, the sockets on the port, then the break in one
// sentence (the findings). Process names and wire-derived text pass through termSafe.
import type { TraceReport } from '../core/accounting/run.js';
import type { Output } from './output.js';
import { renderFindings } from './findings.js';
import { termSafe } from './sanitize.js';
import { makeStyle } from './style.js';
import { makeTable } from './table.js';

export function traceStarted(out: Output, seconds: number, target: string): (ifaces: string[]) => void {
  return (ifaces) => {
    if (out.verbose) out.note(`tracing ${target} for ${seconds} s on ${ifaces.join(', ')}`);
    out.progress(`tracing ${target} for ${seconds} s on ${ifaces.join(', ')}...`);
  };
}

export function renderTrace(r: TraceReport, out: Output): void {
  if (out.json) {
    out.document('trace', { generatedAt: new Date().toISOString(), ...r });
    return;
  }
  const s = makeStyle(out.opts.color);
  const target = `${r.family === 6 ? `[${r.group}]` : r.group}:${r.port ?? '?'}`;
  const ev = r.evidence;
  const noReasons = ev.dropReasonsUnavailable;
  out.line(`${target} for ${r.seconds} s${r.interrupted ? ' (interrupted)' : ''}` +
    `${r.joined ? ', joined by trace' : ', observed without joining'}; ` +
    `evidence: ${ev.level === 'counters' ? 'wire + this namespace\'s counters' : 'wire + counters + kernel drop reasons (host-wide)'}` +
    (noReasons ? s.dim(` (no drop reasons: ${noReasons.why}${noReasons.fix ? `; ${noReasons.fix}` : ''})`) : ''));
  const t = makeTable(['interface', 'wire', 'membership', 'ip', 'socket', 'application'], out.opts.color);
  for (const p of r.interfaces) {
    const cell = (step: string): string => {
      const st = p.steps.find((x) => x.step === step);
      if (!st) return s.dim('-');
      const text = termSafe(st.detail);
      return st.status === 'broken' ? s.severity('error', text) : text;
    };
    t.push([p.iface, cell('wire'), cell('membership'), cell('ip'), cell('socket'), cell('application')]);
  }
  out.line(t.toString());
  const st = r.stages;
  out.line(`counters (this namespace): received ${st.received ?? '?'}, accepted by IP ${st.ipAccepted ?? '?'}, ` +
    `delivered ${st.delivered ?? '?'}, ` +
    `no socket ${st.noSocketMulticast ?? '?'}, socket overflows ${st.rcvbufErrors ?? '?'}, read by applications ${st.udpRead ?? '?'}` +
    (st.rpfDrops !== null ? `, reverse-path drops ${st.rpfDrops}` : ''));
  if (ev.dropReasons) {
    const top = Object.entries(ev.dropReasons.reasons).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v}`);
    out.line('kernel drop reasons (host-wide, all namespaces): ' +
      `${top.join(', ') || 'none'}${ev.dropReasons.overruns ? ` (${ev.dropReasons.overruns} events lost)` : ''}`);
  }
  if (r.sockets.length > 0) {
    const ts = makeTable(['socket', 'process', 'receives', 'queued', 'drops (run)', 'rcvbuf'], out.opts.color);
    for (const k of r.sockets) {
      const who = k.owners.length ? k.owners.slice(0, 3).map((o) => `${termSafe(o.comm)} (${o.pid})`).join(', ') : s.dim('?');
      ts.push([`${k.family === 6 ? `[${k.localAddress}]` : k.localAddress}:${k.localPort}`, who, k.receives ? 'yes' : 'no',
        String(k.rxQueue), `${k.drops} (+${k.dropsDuring})`, k.rcvbuf !== undefined ? String(k.rcvbuf) : '?']);
    }
    out.line(ts.toString());
    if (r.rmemMax !== null) out.line(s.dim(`net.core.rmem_max = ${r.rmemMax}`));
  }
  renderFindings(r.findings.map((f) => ({ ...f, message: termSafe(f.message) })), out);
}
