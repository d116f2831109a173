// A Platform made of plain data, for unit tests of the core without root or a kernel.
import type { DefaultRoute, MrouteTables, Platform, RawInterface, RouteGetQuery, RouteGetResult,
  RoutePrefix } from '../../src/platform/types.js';
import type { IgmpDevice, Igmp6Entry, McFilterEntry } from '../../src/platform/procfs/igmp.js';
import type { Counters } from '../../src/platform/procfs/netstat.js';

export interface FakeState {
  interfaces: RawInterface[];
  sysctls?: Record<string, string>;
  igmp?: IgmpDevice[];
  igmp6?: Igmp6Entry[];
  mcfilter?: McFilterEntry[];
  netstat?: Counters;
  snmp6?: Record<string, number>;
  defaultRoutes?: DefaultRoute[];
  /** Answers keyed by "dst from iif" (missing parts empty). */
  routes?: Record<string, RouteGetResult>;
  /** Multicast routing tables per family (absent: a kernel without multicast routing). */
  mroute?: { 4?: MrouteTables; 6?: MrouteTables };
  /** The routing tables, for prefix matching (routePrefixes). */
  routePrefixes?: RoutePrefix[];
}

export class FakePlatform implements Platform {
  readonly os = 'linux';
  constructor(public state: FakeState) {}
  async listInterfaces() { return structuredClone(this.state.interfaces); }
  async sysctl(key: string) { return this.state.sysctls?.[key]; }
  async igmp() { return this.state.igmp ?? []; }
  async igmp6() { return this.state.igmp6 ?? []; }
  async mcfilter() { return this.state.mcfilter ?? []; }
  async netstat() { return this.state.netstat ?? {}; }
  async snmp6() { return this.state.snmp6 ?? {}; }
  async defaultRoutes() { return this.state.defaultRoutes ?? []; }
  async routeGet(q: RouteGetQuery): Promise<RouteGetResult> {
    const key = `${q.dst} ${q.from ?? ''} ${q.iif ?? ''}`;
    return this.state.routes?.[key] ?? { ok: false, error: `no fake route for "${key}"` };
  }
  /** How many batched lookups were asked, and in how many batches (route-check bounds). */
  batches: number[] = [];
  async routeGetMany(qs: readonly RouteGetQuery[]): Promise<RouteGetResult[]> {
    this.batches.push(qs.length);
    return Promise.all(qs.map((q) => this.routeGet(q)));
  }
  async routePrefixes(family: 4 | 6): Promise<RoutePrefix[]> {
    return (this.state.routePrefixes ?? []).filter((r) => (family === 4) === !r.dst.includes(':'));
  }
  async mroute(family: 4 | 6) { return structuredClone(this.state.mroute?.[family]); }
  hostname() { return 'fakehost'; }
}

/** A raw interface with sensible defaults: up, broadcast, multicast, Ethernet. */
export function rawIface(name: string, index: number, addrs: string[], over: Partial<RawInterface> = {}): RawInterface {
  return {
    name,
    index,
    flags: 0x1 | 0x2 | 0x1000,
    operstate: 'up',
    mtu: 1500,
    mac: `02:00:00:00:00:${index.toString(16).padStart(2, '0')}`,
    linkType: 1,
    addresses: addrs.map((cidr) => {
      const [address = '', len = '0'] = cidr.split('/');
      return { family: address.includes(':') ? 6 : 4, address, prefixLen: Number(len), scopeId: 0 };
    }),
    ...over,
  };
}

/** The "laptop" of the lab as plain data: wired0 (default route) and wifi0. */
export function laptopState(over: Partial<FakeState> = {}): FakeState {
  return {
    interfaces: [
      rawIface('lo', 1, ['127.0.0.1/8', '::1/128'], { flags: 0x1 | 0x8, operstate: 'unknown', linkType: 772 }),
      rawIface('wired0', 2, ['198.18.1.2/24', 'fd00:198:18:1::2/64']),
      rawIface('wifi0', 3, ['198.18.2.2/24', 'fd00:198:18:2::2/64']),
    ],
    defaultRoutes: [{ family: 4, dev: 'wired0', gateway: '198.18.1.1' }],
    sysctls: {},
    ...over,
  };
}
