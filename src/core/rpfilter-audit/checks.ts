// Would the kernel accept S arriving on DEV? The verdict is the kernel's own (rpf-check.ts);
// this file only explains a refusal and writes the exact commands that would change it.
import type { Platform } from '../../platform/types.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { inPrefix } from '../kernel/ip.js';
import { checkReversePath } from '../kernel/rpf-check.js';
import type { DropReason, RpfInterface, SourceCheck } from './model.js';
import type { SourceSpec } from './sources.js';
import { defined } from '../defined.js';

export interface CheckContext {
  /** Every interface of the host (for on-subnet and own-address tests), not only the selected ones. */
  all: readonly RpfInterface[];
  /** Own IPv4 addresses of the host. */
  localAddresses: readonly string[];
  /** IPv4 default gateways by device: a route to S via DEV can then name its router. */
  gateways: ReadonlyMap<string, string>;
}

function onSubnetOf(source: string, ifaces: readonly RpfInterface[], except: string): string | undefined {
  return ifaces.find((i) => i.name !== except && i.prefixes.some((p) => {
    const [net = '', len = '32'] = p.split('/');
    return inPrefix(source, net, Number(len));
  }))?.name;
}

function classify(c: SourceCheck, iface: RpfInterface, ctx: CheckContext): DropReason {
  if (ctx.localAddresses.includes(c.source) && !iface.acceptLocal.effective) return 'local-source';
  if (c.routeBackDev === undefined) return 'no-route-back';
  if (c.mode === 'strict' && c.routeBackDev !== c.iface) return 'strict-route-elsewhere';
  return 'other';
}

function routeFix(source: string, dev: string, ctx: CheckContext): string {
  const gw = ctx.gateways.get(dev);
  return gw ? `ip route add ${source}/32 via ${gw} dev ${dev}` : `ip route add ${source}/32 dev ${dev}`;
}

function fixesFor(reason: DropReason, c: SourceCheck, ctx: CheckContext): string[] {
  const route = routeFix(c.source, c.iface, ctx);
  const loose = `sysctl -w net.ipv4.conf.${c.iface}.rp_filter=2`;
  switch (reason) {
    case 'strict-route-elsewhere': return [loose, route];
    // Loose mode needs *some* route back (fib_validate_source with rpf=2 still fails on
    // "no route"): only a route helps, or turning the check off.
    case 'no-route-back': return [route, `sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.${c.iface}.rp_filter=0`];
    case 'local-source': return [`sysctl -w net.ipv4.conf.${c.iface}.accept_local=1`];
    case 'other': return [route];
  }
}

export async function checkSource(p: Platform, spec: SourceSpec, iface: RpfInterface, ctx: CheckContext): Promise<SourceCheck> {
  const v = await checkReversePath(p, spec.source, iface.name);
  const c: SourceCheck = {
    source: spec.source,
    iface: iface.name,
    mode: iface.rpFilter.mode,
    accepted: v.accepted,
    fixes: [],
    confirm: `ip route get 224.0.0.1 from ${spec.source} iif ${iface.name}`,
  };
  if (spec.group !== undefined) c.group = spec.group;
  if (v.kernelError !== undefined) c.kernelError = v.kernelError;
  if (v.routeBackDev !== undefined) c.routeBackDev = v.routeBackDev;
  const sub = onSubnetOf(spec.source, ctx.all, iface.name);
  if (sub !== undefined) c.onSubnetOf = sub;
  if (spec.group !== undefined) {
    // The same lookup towards G also needs the host to be a member of G on DEV
    // (ip_route_input_rcu: ip_check_mc_rcu), so it tells "not joined" apart from "filtered".
    const g = await p.routeGet({ family: 4, dst: spec.group, from: spec.source, iif: iface.name });
    c.groupAccepted = g.ok;
  }
  if (!v.accepted) {
    c.reason = classify(c, iface, ctx);
    c.fixes = fixesFor(c.reason, c, ctx);
  }
  return c;
}

function dropMessage(c: SourceCheck, iface: RpfInterface): string {
  const rp = iface.rpFilter;
  const head = `The kernel would drop packets from ${c.source}${c.group ? ` to ${c.group}` : ''} arriving on ${c.iface}`;
  switch (c.reason) {
    case 'strict-route-elsewhere':
      return `${head}: strict mode (rp_filter all=${rp.all}, ` +
        `${c.iface}=${rp.iface}) and the route back to ${c.source} leaves by ${c.routeBackDev}.`;
    case 'no-route-back':
      return `${head}: there is no route back to ${c.source} at all, ` +
        `and ${rp.mode} mode drops such sources too (loose mode only needs some route, and there is none).`;
    case 'local-source':
      return `${head}: ${c.source} is this host's own address and accept_local is off.`;
    default:
      return `${head}: the kernel refuses the source (${c.kernelError ?? 'no reason given'}).`;
  }
}

/**
 * RPF_WOULD_DROP for each refusal. A source inside another interface's connected subnet,
 * refused on an interface the user did not name, is anti-spoofing doing its job: info only.
 */
export function checkFindings(checks: readonly SourceCheck[], ifaces: readonly RpfInterface[], explicitIfaces: boolean): Finding[] {
  const out: Finding[] = [];
  for (const c of checks) {
    if (c.accepted) continue;
    const iface = ifaces.find((i) => i.name === c.iface);
    if (!iface) continue;
    // A source captured arriving here (--listen) is no hypothesis: its drop is an error.
    const expected = !explicitIfaces && c.onSubnetOf !== undefined && c.seen === undefined;
    const fix = c.fixes.length > 1 ? `${c.fixes[0]}  or  ${c.fixes.slice(1).join('  or  ')}` : (c.fixes[0] ?? '');
    const note = c.reason === 'strict-route-elsewhere'
      ? ` (effective mode is max(all, ${c.iface}); conf.all.rp_filter=${iface.rpFilter.all} must stay <= 2)` : '';
    const f = makeFinding('RPF_WOULD_DROP', {
      iface: c.iface,
      source: c.source,
      message: expected
        ? `${dropMessage(c, iface)} Expected: ${c.source} is on ${c.onSubnetOf}'s subnet, ` +
          `so it arrives on ${c.iface} only if spoofed or mis-cabled.`
        : dropMessage(c, iface),
      fix: `${fix}${note}`,
      evidence: {
        ...(c.seen ? { seen: c.seen } : {}),
        confirm: c.confirm,
        kernelError: c.kernelError,
        routeBackDev: c.routeBackDev ?? null,
        mode: c.mode,
        reason: c.reason,
        fixes: c.fixes,
      },
      ...(expected ? { severity: 'info' as const } : {}),
      ...defined({ group: c.group }),
    });
    out.push(f);
  }
  return out;
}
