// The Linux implementation of Platform: /proc, /sys, os.networkInterfaces(), iproute2's JSON
// output, and systeminformation for the Wi-Fi network only (platform/wifi-info.ts). The only module that reads the OS for the core.
import { adjacencyOf, parseLinkDetails, type RawLink } from './link-roles.js';
import { EnvironmentError } from '../core/errors.js';
import { readFile } from 'node:fs/promises';
import { listDir, readAttr } from './kernel-files.js';
import os from 'node:os';
import { parseProcNetIgmp, parseProcNetIgmp6, parseProcNetMcfilter } from './procfs/igmp.js';
import { parseNetstat, parseSnmp6 } from './procfs/netstat.js';
import { parseMrouteCache, parseMrouteVifs } from './procfs/mroute.js';
import { run } from './exec.js';
import { classifyLink, readLinkFacts, readLinkSpeed } from './link-kind.js';
import type { DefaultRoute, MrouteTables, Platform, RawAddress, RawInterface, RouteGetQuery, RouteGetResult,
  RoutePrefix } from './types.js';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readSys(name: string, attr: string): string {
  return (readAttr(`/sys/class/net/${name}/${attr}`) ?? '').trim();
}

const littleEndian = os.endianness() === 'LE';

/**
 * Every address of every interface, from `ip -j addr show`. os.networkInterfaces() is not
 * enough: libuv leaves out interfaces that are not both UP and RUNNING, so a downed uplink or
 * one without carrier would look address-less (docs/decisions.md). It is the fallback when
 * iproute2 is missing; it also names labelled secondaries "eth0:1", mapped back to the device.
 */
async function addressesByDevice(devices: readonly string[],
  links: Map<string, Omit<RawLink, 'lowers' | 'uppers'>>): Promise<Map<string, RawAddress[]>> {
  const out = new Map<string, RawAddress[]>();
  // -d: the same process also gives each link's kind and master (link-roles.ts).
  const r = await run('ip', ['-d', '-j', 'addr', 'show']);
  if (r.code === 0) {
    const entries = parseIpJson(r.stdout, 'ip -d -j addr show');
    for (const [name, d] of parseLinkDetails(entries)) links.set(name, d);
    for (const link of entries as Array<{
      ifname?: string;
      ifindex?: number;
      addr_info?: Array<{ family?: string; local?: string; prefixlen?: number; scope?: string }>;
    }>) {
      if (!link.ifname) continue;
      out.set(link.ifname, (link.addr_info ?? []).filter((a) => a.local && (a.family === 'inet' || a.family === 'inet6')).map((a) => ({
        family: a.family === 'inet' ? 4 : 6,
        address: a.local ?? '',
        prefixLen: a.prefixlen ?? 0,
        scopeId: a.family === 'inet6' && a.scope === 'link' ? (link.ifindex ?? 0) : 0,
      })));
    }
    return out;
  }
  const byLength = [...devices].sort((a, b) => b.length - a.length);
  for (const [label, infos] of Object.entries(os.networkInterfaces())) {
    const dev = devices.includes(label) ? label : byLength.find((d) => label.startsWith(`${d}:`));
    if (!dev || !infos) continue;
    const list = out.get(dev) ?? [];
    for (const info of infos) {
      list.push({
        family: info.family === 'IPv4' ? 4 : 6,
        address: info.address,
        prefixLen: Number((info.cidr ?? '/0').split('/')[1] ?? 0),
        scopeId: info.family === 'IPv6' ? (info.scopeid ?? 0) : 0,
      });
    }
    out.set(dev, list);
  }
  return out;
}

export class LinuxPlatform implements Platform {
  readonly os = process.platform;

  async listInterfaces(opts: { details?: boolean } = {}): Promise<RawInterface[]> {
    const names = listDir('/sys/class/net').sort();
    const details = new Map<string, Omit<RawLink, 'lowers' | 'uppers'>>();
    const addrs = await addressesByDevice(names, details);
    // Each interface's /sys directory listed once: its adjacency (lower_*, upper_*) and what
    // kind of device it is (wireless/, device, tun_flags) both come from the names in it.
    const listings = new Map(names.map((n) => [n, listDir(`/sys/class/net/${n}`)]));
    const adjacency = adjacencyOf(listings);
    const list = names.map((name) => readInterface(name, addrs, opts.details ?? false, listings.get(name) ?? []))
      .filter((i): i is RawInterface => i !== undefined).sort((a, b) => a.index - b.index);
    for (const i of list) i.link = { ...details.get(i.name), ...(adjacency.get(i.name) ?? { lowers: [], uppers: [] }) };
    // systeminformation only where it adds something: a Wi-Fi interface, in the reports.
    if (opts.details && list.some((i) => i.kind === 'wifi')) {
      const { wifiLinks } = await import('./wifi-info.js');
      const wifi = await wifiLinks();
      for (const i of list) {
        const w = i.kind === 'wifi' ? wifi.get(i.name) : undefined;
        if (w) i.wifi = w;
      }
    }
    return list;
  }

  async sysctl(key: string): Promise<string | undefined> {
    // Interface names may contain dots (eth0.100): only the fixed prefix is split.
    const m = /^net\.(ipv4|ipv6)\.conf\.(.+)\.([a-z_0-9]+)$/.exec(key);
    const path = m ? `/proc/sys/net/${m[1]}/conf/${m[2]}/${m[3]}` : `/proc/sys/${key.replaceAll('.', '/')}`;
    return readAttr(path)?.trim();
  }

  // The membership tables are read synchronously although they can be large: the kernel hands
  // them out one page per read(2), restarting its walk each time, so 60 000 memberships take
  // ~500 reads. Through the thread pool each is a round trip, 1.2 s in all on a busy 2-core
  // machine; in one thread the same reads take 0.2 s of kernel time (issue 19 item 8). The event
  // loop stalls that long at that size, which no caller minds more than the wait.
  async igmp() { return parseProcNetIgmp(readAttr('/proc/net/igmp') ?? '', littleEndian); }
  async igmp6() { return parseProcNetIgmp6(readAttr('/proc/net/igmp6') ?? ''); }
  async mcfilter() { return parseProcNetMcfilter(readAttr('/proc/net/mcfilter') ?? ''); }
  async netstat() { return parseNetstat((await readText('/proc/net/netstat')) ?? ''); }
  async snmp6() { return parseSnmp6((await readText('/proc/net/snmp6')) ?? ''); }

  async mroute(family: 4 | 6): Promise<MrouteTables | undefined> {
    const p = family === 4 ? 'ip' : 'ip6';
    const [vif, cache] = await Promise.all([readText(`/proc/net/${p}_mr_vif`), readText(`/proc/net/${p}_mr_cache`)]);
    if (vif === undefined || cache === undefined) return undefined;
    return { vifs: parseMrouteVifs(vif), cache: parseMrouteCache(cache, family, littleEndian) };
  }

  async defaultRoutes(): Promise<DefaultRoute[]> {
    const out: DefaultRoute[] = [];
    // Both processes at once; IPv4's routes first in the answer.
    const answers = await Promise.all(([4, 6] as const).map(async (family) =>
      ({ family, r: await run('ip', [`-${family}`, '-j', 'route', 'show', 'default']) })));
    for (const { family, r } of answers) {
      if (r.code !== 0) continue;
      for (const route of parseIpJson(r.stdout, `ip -${family} -j route show default`)) {
        const rt = route as { dev?: string; gateway?: string; metric?: number };
        if (!rt.dev) continue;
        const d: DefaultRoute = { family, dev: rt.dev };
        if (rt.gateway) d.gateway = rt.gateway;
        if (rt.metric !== undefined) d.metric = rt.metric;
        out.push(d);
      }
    }
    return out;
  }

  async routeGet(q: RouteGetQuery): Promise<RouteGetResult> {
    const r = await run('ip', [`-${q.family}`, '-j', ...routeGetWords(q)]);
    if (r.code !== 0) return { ok: false, error: (r.stderr.trim() || `ip exited ${r.code}`).split('\n')[0] ?? '' };
    return routeAnswer(r.stdout, `ip -${q.family} -j ${routeGetWords(q).join(' ')}`);
  }

  async routeGetMany(qs: readonly RouteGetQuery[]): Promise<RouteGetResult[]> {
    const out: RouteGetResult[] = [];
    // One process per family and per 256 lookups: -force goes on past a failed line.
    for (const family of [4, 6] as const) {
      const idx = qs.map((q, i) => (q.family === family ? i : -1)).filter((i) => i >= 0);
      for (let k = 0; k < idx.length; k += 256) {
        const part = idx.slice(k, k + 256);
        const answers = await routeBatch(family, part.map((i) => qs[i]!));
        part.forEach((i, j) => { out[i] = answers[j] ?? { ok: false, error: 'no answer' }; });
      }
    }
    return out;
  }

  async routePrefixes(family: 4 | 6): Promise<RoutePrefix[]> {
    const r = await run('ip', [`-${family}`, '-j', 'route', 'show', 'table', 'all']);
    if (r.code !== 0) return [];
    return parseIpJson(r.stdout, `ip -${family} -j route show table all`).flatMap((x) => {
      const rt = x as { dst?: unknown; table?: unknown; type?: unknown; dev?: unknown };
      if (typeof rt.dst !== 'string') return [];
      const p: RoutePrefix = { dst: rt.dst };
      if (typeof rt.table === 'string') p.table = rt.table;
      if (typeof rt.type === 'string') p.type = rt.type;
      if (typeof rt.dev === 'string') p.dev = rt.dev;
      return [p];
    });
  }

  hostname(): string {
    return os.hostname();
  }
}

function routeGetWords(q: RouteGetQuery): string[] {
  const w = ['route', 'get', q.dst];
  if (q.from) w.push('from', q.from);
  if (q.iif) w.push('iif', q.iif);
  if (q.oif) w.push('oif', q.oif);
  return w;
}

function routeAnswer(stdout: string, command: string): RouteGetResult {
  const first = parseIpJson(stdout, command)[0] as { type?: string; dev?: string; prefsrc?: string; gateway?: string } | undefined;
  if (!first) return { ok: false, error: 'no route in the answer' };
  const res: RouteGetResult = { ok: true, raw: first };
  if (first.type) res.type = first.type;
  if (first.dev) res.dev = first.dev;
  if (first.prefsrc) res.prefsrc = first.prefsrc;
  if (first.gateway) res.gateway = first.gateway;
  return res;
}

/**
 * `ip -j -force -batch -`: a line of JSON on stdout per lookup that succeeds, in order, and for
 * one that fails its error then "Command failed -:N" on stderr (iproute2 6.1, seen here). When
 * the counts do not add up, each lookup is asked alone.
 */
async function routeBatch(family: 4 | 6, qs: readonly RouteGetQuery[]): Promise<RouteGetResult[]> {
  if (qs.length === 0) return [];
  // Words are addresses and interface names: a newline in one would start another command.
  if (qs.some((q) => routeGetWords(q).some((w) => /\s/.test(w)))) throw new Error('routeGetMany: whitespace in a lookup');
  const r =
    await run('ip', [`-${family}`, '-j', '-force', '-batch', '-'], 15_000, qs.map((q) => routeGetWords(q).join(' ')).join('\n') + '\n');
  const failed = new Map<number, string>();
  let last = '';
  for (const line of r.stderr.split('\n')) {
    const m = /^Command failed -:(\d+)$/.exec(line.trim());
    if (m) failed.set(Number(m[1]) - 1, last || 'ip: command failed');
    else if (line.trim() !== '') last = line.trim();
  }
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length + failed.size !== qs.length) {
    const p = new LinuxPlatform();
    return Promise.all(qs.map((q) => p.routeGet(q)));
  }
  let next = 0;
  return qs.map((_q, i) => {
    const err = failed.get(i);
    return err !== undefined ? { ok: false, error: err }
      : routeAnswer(lines[next++] ?? '', `ip -${family} -j -batch: ${routeGetWords(qs[i]!).join(' ')}`);
  });
}

/**
 * iproute2's JSON. It writes interface names raw: a name holding a control character (the kernel
 * allows any byte but '/', ':' and whitespace) makes the whole answer invalid JSON, which was read
 * as "no addresses". Such characters can only stand inside strings (whitespace is not allowed in a
 * name), so they are escaped as JSON would and the answer parsed again; anything still unparsable
 * is an error that says so, never an empty answer. The names stay raw: renderers escape them.
 */
export function parseIpJson(text: string, command: string): unknown[] {
  if (text.trim() === '') return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    // eslint-disable-next-line no-control-regex
    const repaired = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, escape);
    try {
      v = JSON.parse(repaired);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message)?.[1];
      throw new EnvironmentError('IP_OUTPUT',
        `\`${command}\` printed output that is not JSON${at ? ` (at byte ${at})` : ''}: cannot read the interfaces' addresses and routes`,
        { hint: 'check `ip -V` (iproute2 with -j support) and the interface names (`ip -o link | cat -v`)' });
    }
  }
  if (!Array.isArray(v)) throw new EnvironmentError('IP_OUTPUT', `\`${command}\` printed JSON that is not a list`);
  return v;
}

function readInterface(
  name: string, addrs: Map<string, RawAddress[]>, details: boolean, entries: readonly string[],
): RawInterface | undefined {
  const index = Number(readSys(name, 'ifindex'));
  if (!Number.isFinite(index) || index <= 0) return undefined;
  const linkType = Number(readSys(name, 'type')) || 0;
  const iface: RawInterface = {
    name,
    index,
    flags: parseInt(readSys(name, 'flags') || '0', 16),
    operstate: readSys(name, 'operstate') || 'unknown',
    mtu: Number(readSys(name, 'mtu')) || 0,
    mac: readSys(name, 'address'),
    linkType,
    addresses: addrs.get(name) ?? [],
  };
  const cls = classifyLink(readLinkFacts(name, linkType, entries));
  iface.kind = cls.kind;
  if (cls.linkKind) iface.linkKind = cls.linkKind;
  if (details && cls.kind === 'wired') Object.assign(iface, readLinkSpeed(name));
  return iface;
}

let instance: Platform | undefined;
/** The process-wide platform; tests pass fakes to the core instead. */
export function platform(): Platform {
  // Every command but mac-map and mesh-report reads Linux's /proc, /sys and `ip`: elsewhere, one
  // clear line and exit 3 (DESIGN.md), not an ENOENT from deep inside.
  if (process.platform !== 'linux') {
    throw new EnvironmentError('NOT_LINUX',
      `this command reads Linux's /proc, /sys and iproute2; this system is ${process.platform} (mac-map and mesh-report run anywhere)`);
  }
  instance ??= new LinuxPlatform();
  return instance;
}
