// rpfilter-audit: what the kernel's reverse-path filter will drop on this host, and why.
// Reads the configuration, asks the kernel about each source on each interface, and
// optionally counts the drops over a window or audits the sources captured on the wire.
// Returns data; never prints.
import type { Finding } from '../findings/model.js';
import { selectInterfaces, type IfaceSelection } from '../kernel/iface-filter.js';
import { addressesOf, loadInterfaces, type InterfaceInventory } from '../kernel/interfaces.js';
import { isEligible, noEligibleInterface } from '../kernel/eligibility.js';
import type { Family } from '../kernel/ip.js';
import { auditInterface, isUplink, readConfRows, strictMultihomedFindings } from './conf-audit.js';
import { checkFindings, checkSource, type CheckContext } from './checks.js';
import { ipv6Findings, ipv6Rules } from './ipv6.js';
import type { RpfAudit, SourceCheck } from './model.js';
import { listenAndCheck, watchAndName, type CaptureScope } from './observed.js';
import type { SourceSpec } from './sources.js';
import { watchFindings, type WatchHooks } from './watch.js';
import type { Loads, Uses } from '../deps.js';

export interface AuditOptions {
  selection?: IfaceSelection;
  family?: Family;
  sources?: readonly SourceSpec[];
  watchSeconds?: number;
  watchHooks?: WatchHooks;
  /** --listen: capture this long, then audit every multicast source seen. */
  listenSeconds?: number;
  /** Called once the --listen captures are open. */
  onCaptureStart?: (ifaces: string[]) => void;
  /** The whole host's inventory when the caller has loaded it already (doctor): not read twice. */
  inventory?: InterfaceInventory;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `capture`: libpcap, loaded for --watch and --listen only (absent: --watch counts only, --listen
 * impossible). `netfilter`: the rpfilter rules (src/core/firewall/rpfilter-rules.ts); absent: not read.
 */
export type AuditDeps = Uses<'platform'> & Partial<Loads<'capture' | 'netfilter'>>;

export async function auditRpFilter(deps: AuditDeps, opts: AuditOptions = {}): Promise<RpfAudit> {
  const p = deps.platform;
  // The whole host is loaded: "multi-homed" and "on another interface's subnet" are about
  // every interface, whatever --iface selects for display and checks.
  const inv = opts.inventory ?? await loadInterfaces(p);
  const selected = new Set(selectInterfaces(inv.interfaces, opts.selection ?? {}).map((i) => i.name));
  const [conf, netfilter, defaults] = await Promise.all([readConfRows(p), deps.netfilter?.(), p.defaultRoutes()]);
  const nf6 = ipv6Rules(netfilter).length;
  // Loopback never receives from outside: its rp_filter is irrelevant.
  const all = await Promise.all(inv.interfaces.filter((i) => !i.loopback).map((i) => auditInterface(p, i, nf6, conf)));
  const interfaces = all.filter((i) => selected.has(i.name));
  const targets = interfaces.filter((i) => i.eligible);
  const uplinks = inv.interfaces.filter(isUplink).map((i) => i.name);
  const v4 = opts.family !== 6;
  const findings: Finding[] = [];
  if (v4) findings.push(...strictMultihomedFindings(interfaces, uplinks, defaults.filter((d) => d.family === 4).map((d) => d.dev)));

  const ctx: CheckContext = {
    all,
    localAddresses: inv.interfaces.flatMap((i) => addressesOf(i, 4).map((a) => a.address)),
    gateways: new Map(defaults.filter((d) => d.family === 4 && d.gateway).map((d) => [d.dev, d.gateway ?? ''])),
  };
  const sources = opts.sources ?? [];
  const needsTargets = v4 && (sources.length > 0 || opts.listenSeconds !== undefined);
  if (needsTargets && targets.length === 0) {
    findings.push(noEligibleInterface(inv.interfaces.filter((i) => selected.has(i.name)), [4], 'check a source against'));
  }
  const checks: SourceCheck[] = [];
  if (v4) {
    for (const spec of sources) {
      for (const iface of targets) checks.push(await checkSource(p, spec, iface, ctx));
    }
  }
  const audit: RpfAudit = {
    conf,
    uplinks,
    multihomed: uplinks.length >= 2,
    interfaces,
    checks,
    findings,
    coverage: { notRun: [], interrupted: null },
  };
  // A tool that refused for want of privilege hides any reverse-path rule it holds; a kernel
  // without the tables' support has none to hide (not a gap).
  const refused = netfilter?.errors.find((e) => /not permitted|permission denied/i.test(e));
  if (refused !== undefined) {
    audit.coverage.notRun.push({ check: 'netfilter reverse-path rules', reason: `could not be read: ${refused}`, remedy: 'run as root (reading the rulesets needs CAP_NET_ADMIN)' });
  }
  if (netfilter) audit.netfilter = netfilter;
  const capture: CaptureScope | undefined = deps.capture
    ? { capture: deps.capture, targets, ctx, ...(opts.onCaptureStart ? { onCaptureStart: opts.onCaptureStart } : {}) }
    : undefined;

  if (v4 && opts.listenSeconds !== undefined && targets.length > 0) {
    if (!capture) throw new Error('--listen needs a capture factory');
    const l = await listenAndCheck(p, opts.listenSeconds, capture, opts.watchHooks?.sleep ?? realSleep);
    audit.listen = l.listen;
    checks.push(...l.checks);
  }
  const explicit = (opts.selection?.include ?? []).some((s) => s !== '');
  findings.push(...checkFindings(checks, interfaces, explicit));

  const ipv6Ifaces = inv.interfaces.filter((i) => selected.has(i.name) && isEligible(i, 6)).map((i) => i.name);
  findings.push(...ipv6Findings(netfilter, ipv6Ifaces, opts.family === 6));

  if (opts.watchSeconds !== undefined) {
    const w = await watchAndName(p, opts.watchSeconds, opts.watchHooks ?? {}, capture);
    audit.watch = w.watch;
    audit.coverage.notRun.push(...w.notRun);
    findings.push(...watchFindings(w.watch));
  }
  return audit;
}
