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
import type { RpfAudit, RpfInterface, SourceCheck } from './model.js';
import type { NetfilterRpfReport } from '../firewall/rpfilter-rules.js';
import type { Interface } from '../kernel/interfaces.js';
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
  const host = await readHost(deps, opts.selection ?? {}, opts.inventory);
  const { interfaces, targets, uplinks, netfilter } = host;
  const v4 = opts.family !== 6;
  const sources = opts.sources ?? [];
  const findings: Finding[] = [];
  if (v4) findings.push(...strictMultihomedFindings(interfaces, uplinks, host.defaultDevs4));
  if (v4 && (sources.length > 0 || opts.listenSeconds !== undefined) && targets.length === 0) {
    findings.push(noEligibleInterface(host.selected, [4], 'check a source against'));
  }
  const checks = v4 ? await checkSources(p, sources, targets, host.ctx) : [];
  const audit: RpfAudit = {
    conf: host.conf, uplinks, multihomed: uplinks.length >= 2, interfaces, checks, findings, coverage: { notRun: [], interrupted: null },
  };
  if (netfilter) {
    const gap = netfilterGap(netfilter);
    if (gap) audit.coverage.notRun.push(gap);
    audit.netfilter = netfilter;
  }
  const capture: CaptureScope | undefined = deps.capture
    ? { capture: deps.capture, targets, ctx: host.ctx, ...(opts.onCaptureStart ? { onCaptureStart: opts.onCaptureStart } : {}) }
    : undefined;
  if (v4 && opts.listenSeconds !== undefined && targets.length > 0) {
    if (!capture) throw new Error('--listen needs a capture factory');
    const l = await listenAndCheck(p, opts.listenSeconds, capture, opts.watchHooks?.sleep ?? realSleep);
    audit.listen = l.listen;
    checks.push(...l.checks);
  }
  const explicit = (opts.selection?.include ?? []).some((s) => s !== '');
  findings.push(...checkFindings(checks, interfaces, explicit));
  findings.push(...ipv6Findings(netfilter, host.ipv6Ifaces, opts.family === 6));
  if (opts.watchSeconds !== undefined) {
    const w = await watchAndName(p, opts.watchSeconds, opts.watchHooks ?? {}, capture);
    audit.watch = w.watch;
    audit.coverage.notRun.push(...w.notRun);
    findings.push(...watchFindings(w.watch));
  }
  return audit;
}

/** The host as the audit sees it: every interface's rp_filter, the selection, uplinks, routes back. */
interface HostView {
  conf: RpfAudit['conf'];
  netfilter: NetfilterRpfReport | undefined;
  /** The selected interfaces (loopback left out), audited. */
  interfaces: RpfInterface[];
  /** Of those, the ones a source can be checked against. */
  targets: RpfInterface[];
  /** The selected interfaces as loaded, for NO_ELIGIBLE_INTERFACE. */
  selected: Interface[];
  uplinks: string[];
  /** Devices of the IPv4 default routes. */
  defaultDevs4: string[];
  ipv6Ifaces: string[];
  ctx: CheckContext;
}

async function readHost(deps: AuditDeps, selection: IfaceSelection, inventory?: InterfaceInventory): Promise<HostView> {
  const p = deps.platform;
  // The whole host is loaded: "multi-homed" and "on another interface's subnet" are about
  // every interface, whatever --iface selects for display and checks.
  const inv = inventory ?? await loadInterfaces(p);
  const names = new Set(selectInterfaces(inv.interfaces, selection).map((i) => i.name));
  const [conf, netfilter, defaults] = await Promise.all([readConfRows(p), deps.netfilter?.(), p.defaultRoutes()]);
  const nf6 = ipv6Rules(netfilter).length;
  // Loopback never receives from outside: its rp_filter is irrelevant.
  const all = await Promise.all(inv.interfaces.filter((i) => !i.loopback).map((i) => auditInterface(p, i, nf6, conf)));
  const interfaces = all.filter((i) => names.has(i.name));
  const selected = inv.interfaces.filter((i) => names.has(i.name));
  return {
    conf,
    netfilter,
    interfaces,
    targets: interfaces.filter((i) => i.eligible),
    selected,
    uplinks: inv.interfaces.filter(isUplink).map((i) => i.name),
    defaultDevs4: defaults.filter((d) => d.family === 4).map((d) => d.dev),
    ipv6Ifaces: selected.filter((i) => isEligible(i, 6)).map((i) => i.name),
    ctx: {
      all,
      localAddresses: inv.interfaces.flatMap((i) => addressesOf(i, 4).map((a) => a.address)),
      gateways: new Map(defaults.filter((d) => d.family === 4 && d.gateway).map((d) => [d.dev, d.gateway ?? ''])),
    },
  };
}

/** Each --source on each target interface, asked of the kernel one after the other. */
async function checkSources(p: AuditDeps['platform'], sources: readonly SourceSpec[], targets: RpfInterface[],
  ctx: CheckContext): Promise<SourceCheck[]> {
  const checks: SourceCheck[] = [];
  for (const spec of sources) {
    for (const iface of targets) checks.push(await checkSource(p, spec, iface, ctx));
  }
  return checks;
}

/**
 * A tool that refused for want of privilege hides any reverse-path rule it holds: a gap in the
 * audit. A kernel without the tables' support has none to hide (not a gap).
 */
function netfilterGap(netfilter: NetfilterRpfReport): RpfAudit['coverage']['notRun'][number] | undefined {
  const refused = netfilter.errors.find((e) => /not permitted|permission denied/i.test(e));
  if (refused === undefined) return undefined;
  return { check: 'netfilter reverse-path rules', reason: `could not be read: ${refused}`,
    remedy: 'run as root (reading the rulesets needs CAP_NET_ADMIN)' };
}
