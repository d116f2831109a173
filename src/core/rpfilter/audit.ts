// rpfilter-audit: what the kernel's reverse-path filter will drop on this host, and why.
// Reads the configuration, asks the kernel about each source on each interface, and
// optionally counts the drops over a window. Returns data; never prints.
import type { Platform } from '../../platform/types.js';
import type { NetfilterRpfReport } from '../../platform/netfilter.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { selectInterfaces, type IfaceSelection } from '../iface-filter.js';
import { addressesOf, isEligible, loadInterfaces } from '../interfaces.js';
import type { Family } from '../ip.js';
import { auditInterface, isUplink, readConfRows, strictMultihomedFindings } from './conf-audit.js';
import { checkFindings, checkSource, type CheckContext } from './checks.js';
import { ipv6Findings, ipv6Rules } from './ipv6.js';
import type { RpfAudit, SourceCheck } from './model.js';
import type { SourceSpec } from './sources.js';
import { watchFindings, watchRpfDrops, type WatchHooks } from './watch.js';

export interface AuditOptions {
  selection?: IfaceSelection;
  family?: Family;
  sources?: readonly SourceSpec[];
  watchSeconds?: number;
  watchHooks?: WatchHooks;
  /** Reads the netfilter rpfilter rules (src/platform/netfilter.ts); absent: not read. */
  readNetfilter?: () => Promise<NetfilterRpfReport>;
}

export async function auditRpFilter(p: Platform, opts: AuditOptions = {}): Promise<RpfAudit> {
  // The whole host is loaded: "multi-homed" and "on another interface's subnet" are about
  // every interface, whatever --iface selects for display and checks.
  const inv = await loadInterfaces(p);
  const selected = new Set(selectInterfaces(inv.interfaces, opts.selection ?? {}).map((i) => i.name));
  const [conf, netfilter, defaults] = await Promise.all([readConfRows(p), opts.readNetfilter?.(), p.defaultRoutes()]);
  const nf6 = ipv6Rules(netfilter).length;
  // Loopback never receives from outside: its rp_filter is irrelevant.
  const all = await Promise.all(inv.interfaces.filter((i) => !i.loopback).map((i) => auditInterface(p, i, nf6)));
  const interfaces = all.filter((i) => selected.has(i.name));
  const uplinks = inv.interfaces.filter(isUplink).map((i) => i.name);
  const v4 = opts.family !== 6;
  const findings: Finding[] = [];
  if (v4) findings.push(...strictMultihomedFindings(interfaces, uplinks, defaults.filter((d) => d.family === 4).map((d) => d.dev)));

  const checks: SourceCheck[] = [];
  const sources = opts.sources ?? [];
  if (v4 && sources.length > 0) {
    const targets = interfaces.filter((i) => i.eligible);
    if (targets.length === 0) {
      findings.push(makeFinding('NO_ELIGIBLE_INTERFACE', {
        message: 'No selected interface is up with an IPv4 address and the MULTICAST flag: no source can be checked.',
        evidence: { selected: [...selected] },
      }));
    }
    const ctx: CheckContext = {
      all,
      localAddresses: inv.interfaces.flatMap((i) => addressesOf(i, 4).map((a) => a.address)),
      gateways: new Map(defaults.filter((d) => d.family === 4 && d.gateway).map((d) => [d.dev, d.gateway ?? ''])),
    };
    for (const spec of sources) {
      for (const iface of targets) checks.push(await checkSource(p, spec, iface, ctx));
    }
    const explicit = (opts.selection?.include ?? []).some((s) => s !== '');
    findings.push(...checkFindings(checks, interfaces, explicit));
  }

  const audit: RpfAudit = { conf, uplinks, multihomed: uplinks.length >= 2, interfaces, checks, findings };
  if (netfilter) audit.netfilter = netfilter;
  const ipv6Ifaces = inv.interfaces.filter((i) => selected.has(i.name) && isEligible(i, 6)).map((i) => i.name);
  findings.push(...ipv6Findings(netfilter, ipv6Ifaces, opts.family === 6));

  if (opts.watchSeconds !== undefined) {
    audit.watch = await watchRpfDrops(p, opts.watchSeconds, opts.watchHooks);
    findings.push(...watchFindings(audit.watch));
  }
  return audit;
}
