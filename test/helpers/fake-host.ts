// One fake of the whole host (src/host.ts): the fake platform, sockets, capture, packet socket and
// link watch, files in memory, a clock the test sets. Each part can be swapped for a failing one
// (`captureError`, `socketsError`) to exercise the paths where the OS says no.
import type { Files, Host, Privileges } from '../../src/host.js';
import type { FirewallReader, FirewallSnapshot } from '../../src/platform/firewall.js';
import type { NetfilterRpfReport } from '../../src/core/firewall/rpfilter-rules.js';
import type { UdpSocket } from '../../src/platform/procfs/udp.js';
import type { AccountingPlatform } from '../../src/platform/accounting/types.js';
import { FakeCapture } from './fake-capture.js';
import { FakeLinkWatch } from './fake-link-watch.js';
import { FakePackets } from './fake-packets.js';
import { FakePlatform, laptopState, type FakeState } from './fake-platform.js';
import { FakeSockets, type FakeSocketOptions } from './fake-sockets.js';
import { loaders } from '../../src/host.js';

export class FakeHost implements Host {
  readonly fakePlatform: FakePlatform;
  readonly fakeSockets: FakeSockets;
  readonly fakeCapture = new FakeCapture();
  /** The one packet socket (doctor's self-test); its `error` stands for no CAP_NET_RAW. */
  readonly fakePackets = new FakePackets();
  /** Its events are stamped on the host's clock, as the real watcher's are on the real host's. */
  readonly fakeLinks = new FakeLinkWatch(() => this.nowMs);
  /** Files written, by name. */
  readonly written = new Map<string, string | Uint8Array>();
  /** Files readListFile returns, by name. */
  readonly readable = new Map<string, string>();
  firewallSnapshot: FirewallSnapshot = { unreadable: [] };
  netfilterReport: NetfilterRpfReport = { tools: { nft: 'missing', ip6tables: 'missing' }, rules: [], errors: [] };
  udp: UdpSocket[] = [];
  /** When set, capture() rejects with it (no libpcap, no CAP_NET_RAW). */
  captureError: Error | undefined;
  /** When set, sockets() rejects with it (no koffi). */
  socketsError: Error | undefined;
  nowMs = 1_700_000_000_000;
  readonly clock = { now: (): number => this.nowMs };

  /** `sockets`: the fake socket door's limits and failures (maxMemberships, failures by call). */
  constructor(state: FakeState = laptopState(), o: { sockets?: FakeSocketOptions } = {}) {
    this.fakePlatform = new FakePlatform(state);
    this.fakeSockets = new FakeSockets(o.sockets);
  }

  /**
   * The slice most core entry points take (`startJoinAll(host.deps(), ...)`), built as a command
   * builds it (src/core/deps.ts) but without awaiting: the fakes themselves, capture through the
   * getter (so `captureError` applies), the test's clock. Link churn is not followed unless
   * `links: true`.
   */
  deps(o: { links?: boolean } = {}) {
    return {
      platform: this.fakePlatform,
      sockets: this.fakeSockets,
      firewall: { snapshot: async () => this.firewallSnapshot } as FirewallReader,
      ...loaders(this, 'capture'),
      clock: this.clock,
      ...(o.links ? { links: this.fakeLinks.watch } : {}),
    };
  }

  async platform() { return this.fakePlatform; }
  async sockets() { if (this.socketsError) throw this.socketsError; return this.fakeSockets; }
  async capture() { if (this.captureError) throw this.captureError; return this.fakeCapture; }
  async packets() { return this.fakePackets; }
  async firewall(): Promise<FirewallReader> { return { snapshot: async () => this.firewallSnapshot }; }
  async netfilter() { return this.netfilterReport; }
  async udpSockets() { return this.udp; }
  async links() { return this.fakeLinks.watch; }
  async files(): Promise<Files> {
    return {
      writeFileAtomic: async (f, d) => { this.written.set(f, d); },
      readListFile: async (f) => {
        const t = this.readable.get(f);
        if (t === undefined) throw new Error(`fake host: no file ${f}`);
        return t;
      },
      readInputFile: (f) => {
        const t = this.readable.get(f);
        if (t === undefined) throw new Error(`fake host: no file ${f}`);
        return t;
      },
      loadMeshSchemas: () => { throw new Error('fake host: no schemas'); },
      openFileSink: () => { throw new Error('fake host: no file sink'); },
      openStdoutSink: () => { throw new Error('fake host: no stdout sink'); },
      openCaptureSource: () => { throw new Error('fake host: no capture files'); },
    };
  }
  async privileges(): Promise<Privileges> {
    throw new Error('fake host: no privileges to drop');
  }
  async accounting(): Promise<AccountingPlatform> {
    throw new Error('fake host: no kernel accounting');
  }
}
