// The composition root (issue 15 item 1): the one place that builds the adapters over the real
// OS. Each getter loads its platform module on first use and keeps it, so `mac-map` never loads
// libpcap or koffi (DESIGN.md: lazy heavy modules). Commands receive a Host in their context and
// hand the core the narrow slice an entry point declares (`{ platform, sockets }`...); unit tests
// pass test/helpers/fake-host.ts instead. Nothing else under src/commands or src/core imports a
// platform module's values (eslint no-restricted-imports).
import type { Platform } from './platform/types.js';
import type { SocketApi } from './platform/sockets/types.js';
import type { CaptureFactory } from './platform/capture/types.js';
import type { FirewallReader } from './platform/firewall.js';
import type { NetfilterRpfReport } from './core/firewall/rpfilter-rules.js';
import type { UdpSocket } from './platform/procfs/udp.js';
import type { WatchLinks } from './platform/link-watch.js';
import type { FileSink } from './platform/capture/file-sink.js';
import type { RunAs } from './platform/privileges.js';
import type { SchemaRegistry } from './core/schema/validate.js';
import type { AccountingPlatform } from './platform/accounting/types.js';
import type { CaptureSource } from './platform/capture-file-source.js';
import { EnvironmentError } from './core/errors.js';
import { systemClock, type Clock } from './core/clock.js';

/** Files the commands write and read (reports, capture files, lists of groups). */
export interface Files {
  /** `what` names the file in messages ('--junit'). */
  writeFileAtomic(file: string, data: string | Uint8Array, what?: string): Promise<void>;
  readListFile(file: string): Promise<string>;
  /** A document from another host: regular file, size-capped. */
  readInputFile(file: string): string;
  /** The published schemas mesh-report validates its inputs against. */
  loadMeshSchemas(): SchemaRegistry;
  openFileSink(target: string, force: boolean, owner?: RunAs): FileSink;
  /** sniff --write -: the capture to standard output. */
  openStdoutSink(): FileSink;
  /** A pcap/pcapng file (optionally gzipped) or `-` for stdin, as analyze reads it. */
  openCaptureSource(name: string): CaptureSource;
}

/** Dropping root after the captures are open (sniff --user). */
export interface Privileges {
  lookupUser(name: string): RunAs;
  checkCanDrop(u: RunAs): void;
  checkDirWritableBy(file: string, u: RunAs): void;
  dropPrivileges(u: RunAs): void;
}

export type { Clock } from './core/clock.js';

export interface Host {
  /** /proc, /sys and iproute2; exit 3 (NOT_LINUX) elsewhere. */
  platform(): Promise<Platform>;
  /** The koffi socket door; exit 3 with the reason when it cannot load. */
  sockets(): Promise<SocketApi>;
  /** libpcap; exit 3 naming the cause and the fix when it is missing. */
  capture(): Promise<CaptureFactory>;
  firewall(): Promise<FirewallReader>;
  /** nft/iptables rules that act as reverse-path filters. */
  netfilter(): Promise<NetfilterRpfReport>;
  /** /proc/net/udp and udp6. */
  udpSockets(): Promise<UdpSocket[]>;
  /** Follows link state (up/down, ifindex) of interfaces. */
  links(): Promise<WatchLinks>;
  files(): Promise<Files>;
  privileges(): Promise<Privileges>;
  /** Kernel counters, tracefs drop reasons, socket owners (trace). */
  accounting(): Promise<AccountingPlatform>;
  readonly clock: Clock;
}

/** Memoises a loader: the module is imported and the adapter built once, on first use. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= load();
    // A failed load is not kept: the error is the answer for this call, and the next may succeed.
    p.catch(() => { p = undefined; });
    return p;
  };
}

async function loadSocketsOrExplain(): Promise<SocketApi> {
  try {
    const { loadSockets } = await import('./platform/sockets/index.js');
    return await loadSockets();
  } catch (e) {
    throw new EnvironmentError('SOCKETS_UNAVAILABLE', `cannot load the socket binding (koffi): ${(e as Error).message}`, {
      hint: 'reinstall with npm install (koffi ships prebuilt binaries for Linux x64/arm64)',
    }, { cause: e });
  }
}

/** The real host: Linux behind src/platform/. */
export function realHost(): Host {
  const firewall = once(async (): Promise<FirewallReader> => new (await import('./platform/firewall.js')).LinuxFirewallReader());
  return {
    platform: once(async () => (await import('./platform/linux.js')).platform()),
    sockets: once(loadSocketsOrExplain),
    capture: once(async () => (await import('./platform/capture/index.js')).loadCaptureFactory()),
    firewall,
    // The platform reads the rulesets; the core picks the reverse-path rules out of them.
    netfilter: async () => (await import('./core/firewall/rpfilter-rules.js')).readNetfilterRpf(await firewall()),
    udpSockets: async () => (await import('./platform/procfs/udp.js')).readUdpSockets(),
    links: once(async () => (await import('./platform/link-watch.js')).watchLinks),
    files: once(async () => {
      const [files, list, input, schemas, sink, source, stdoutSink] = await Promise.all([
        import('./platform/files.js'), import('./platform/list-file.js'), import('./platform/input-file.js'),
        import('./platform/schemas.js'), import('./platform/capture/file-sink.js'), import('./platform/capture-file-source.js'),
        import('./platform/capture/stdout-sink.js'),
      ]);
      return {
        writeFileAtomic: files.writeFileAtomic,
        readListFile: (f) => list.readListFile(f),
        readInputFile: (f) => input.readInputFile(f),
        loadMeshSchemas: () => schemas.loadSchemas(schemas.MESH_SCHEMAS),
        openFileSink: sink.openFileSink,
        openStdoutSink: () => stdoutSink.openStdoutSink(),
        openCaptureSource: (name) => source.openCaptureSource(name),
      };
    }),
    privileges: once(async () => {
      const p = await import('./platform/privileges.js');
      return {
        lookupUser: (n) => p.lookupUser(n),
        checkCanDrop: p.checkCanDrop,
        checkDirWritableBy: p.checkDirWritableBy,
        dropPrivileges: p.dropPrivileges,
      };
    }),
    accounting: once(async () => (await import('./platform/accounting/linux.js')).linuxAccounting),
    clock: systemClock,
  };
}
