// `rpfilter-audit`: the configuration per interface, the kernel's verdict per source and
// interface, the drop counter, then the findings.
import type { RpfAudit } from '../core/rpfilter-audit/model.js';
import type { Output } from './output.js';
import { termSafe as t$ } from './sanitize.js';
import { renderFindings } from './findings.js';
import { makeStyle, type Style } from './style.js';
import { makeTable } from './table.js';

export function watchProgress(out: Output): (left: number, drops: number) => void {
  return (left, drops) => out.progress(`watching reverse-path drops: ${left} s left, ${drops} so far`);
}

/** With --verbose, a note on stderr when the window opens (scripts and tests can start traffic then). */
export function watchStarted(out: Output, seconds: number): (before: number) => void {
  return (before) => { if (out.verbose) out.note(`watching TcpExt IPReversePathFilter for ${seconds} s (now ${before})`); };
}

export function listenStarted(out: Output, seconds: number): (ifaces: string[]) => void {
  return (ifaces) => {
    if (out.verbose) out.note(`listening for IPv4 multicast for ${seconds} s on ${t$(ifaces.join(', '))}`);
    out.progress(`listening for ${seconds} s on ${t$(ifaces.join(', '))}...`);
  };
}

export function renderRpfAudit(a: RpfAudit, out: Output): void {
  if (out.json) {
    out.document('rpfilter-audit', { generatedAt: new Date().toISOString(), ...a });
    return;
  }
  const s = makeStyle(out.opts.color);
  renderConfiguration(a, out, s);
  if (a.listen) {
    const l = a.listen;
    out.line();
    out.line(`listened ${l.seconds} s on ${l.interfaces.join(', ')}: ` +
      `${l.packets} multicast packet(s) from ${l.sources} source(s) other than this host`);
  }
  if (a.checks.length > 0) renderChecks(a, out, s);
  if (a.watch) renderWatch(a.watch, out, s);
  renderNetfilter(a, out, s);
  out.line();
  renderFindings(a.findings, out);
}

/** conf.all and conf.default, the uplinks, then one row per interface. */
function renderConfiguration(a: RpfAudit, out: Output, s: Style): void {
  const { all, default: def } = a.conf;
  out.line(`conf.all: rp_filter=${all.rpFilter} src_valid_mark=${all.srcValidMark} accept_local=${all.acceptLocal}   ` +
    `conf.default: rp_filter=${def.rpFilter} (interfaces created from now on start with it)`);
  out.line(`uplinks (up, global IPv4): ${a.uplinks.join(', ') || 'none'}${a.multihomed ? ' -> multi-homed' : ''}`);
  const t =
    makeTable(['interface', 'rp_filter (all/if)', 'mode', 'src_valid_mark', 'accept_local', 'default', 'prefixes', 'IPv6'], out.opts.color);
  for (const i of a.interfaces) {
    const rp = i.rpFilter;
    // Strict mode is a warning only where it bites: an eligible interface of a multi-homed host.
    const mode = rp.mode === 'strict' ? (a.multihomed && i.eligible ? s.warn('strict') : 'strict') : rp.mode;
    t.push([
      i.up ? i.name : `${i.name} ${s.dim('(down)')}`,
      `${rp.all}/${rp.iface} -> ${rp.effective}`,
      mode,
      i.srcValidMark.effective ? 'on' : 'off',
      i.acceptLocal.effective ? 'on' : 'off',
      i.defaultRoute ? 'v4' : '-',
      i.prefixes.join('\n') || s.dim('none'),
      i.ipv6.netfilterRules ? `no rp_filter; ${i.ipv6.netfilterRules} nf rule(s)` : 'no rp_filter',
    ]);
  }
  out.line(t.toString());
}

/** The kernel's verdict per source and interface, with the fixes. */
function renderChecks(a: RpfAudit, out: Output, s: Style): void {
  out.line();
  const c = makeTable(['source', 'group', 'arrives on', 'mode', 'kernel', 'route back via', 'fix'], out.opts.color);
  for (const k of a.checks) {
    const verdict = k.accepted ? s.ok('accept') : s.bad(`DROP${k.reason ? ` (${k.reason})` : ''}`);
    const group = k.group ? `${k.group}${k.groupAccepted === false ? s.dim('\n(not joined here)') : ''}` : '-';
    const src = k.seen ? `${k.source}\n${s.dim(`seen: ${k.seen.packets} pkt(s)`)}` : k.source;
    c.push([src, group, k.iface, k.mode, verdict, k.routeBackDev ?? s.bad('no route'), k.fixes.join('\n') || '-']);
  }
  out.line(c.toString());
  out.line(s.dim(`The verdict is the kernel's: ip route get 224.0.0.1 from SOURCE iif IFACE`));
}

/** --watch: the drop counter over the window, and the captured sources that fail the check. */
function renderWatch(w: NonNullable<RpfAudit['watch']>, out: Output, s: Style): void {
  out.line();
  const drops = w.drops === 0 ? s.ok('0') : s.bad(String(w.drops));
  out.line(`reverse-path drops in ${w.seconds} s: ${drops} (TcpExt IPReversePathFilter ${w.before} -> ${w.after})`, w.drops > 0);
  for (const d of w.droppedSources ?? []) out.line(
    `  ${d.source}${d.group ? ` -> ${d.group}` : ''} on ${t$(d.iface)}: ${d.packets} packet(s) seen, fails the kernel's check`, true);
  if (w.captured && w.drops > 0 && !w.droppedSources?.length) out.line(
    s.dim('  no multicast source seen on the selected interfaces fails the check: the drops were unicast, or on another interface'));
  if (w.captureNote) out.line(s.dim(`  ${w.captureNote}`));
}

/** Reverse-path rules of iptables/nftables; with --verbose, why a ruleset could not be read. */
function renderNetfilter(a: RpfAudit, out: Output, s: Style): void {
  if (a.netfilter && a.netfilter.rules.length > 0) {
    out.line();
    out.line('netfilter reverse-path rules:');
    for (const r of a.netfilter.rules) out.line(
      `  ${r.tool} ${r.family} ${r.table}/${r.chain}: ${r.rule}${r.packets !== undefined ? ` [${r.packets} pkts]` : ''}`);
  }
  if (a.netfilter && a.netfilter.errors.length > 0 && out.verbose) {
    for (const e of a.netfilter.errors) out.line(s.dim(`netfilter ruleset unreadable: ${e}`));
  }
}
