// The composition root (issue 15 item 1): the one place that builds the adapters over the real
// OS. Each getter loads its platform module on first use and keeps it, so `mac-map` never loads
// libpcap or koffi (DESIGN.md: lazy heavy modules). Commands receive a Host in their context and
// hand the core the narrow slice an entry point declares (src/core/deps.ts: `Uses<'platform' |
// 'sockets'>` built with resolve(), `Loads<'capture'>` with loaders()); unit tests
// pass test/helpers/fake-host.ts instead. Nothing else under src/commands or src/core imports a
// platform module's values (eslint no-restricted-imports).
import type { SocketApi } from './platform/sockets/types.js';
import type { PacketSockets } from './platform/capture/packet-types.js';
import type { FirewallReader } from './platform/firewall.js';
import type { FileSink } from './platform/capture/file-sink.js';
import type { RunAs } from './platform/privileges.js';
import type { SchemaRegistry } from './core/schema/validate.js';
import type { CaptureSource } from './platform/capture-file-source.js';
import { EnvironmentError } from './core/errors.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Loads, ServiceName, Uses } from './core/deps.js';

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

/**
 * The Host: a getter per service of src/core/deps.ts (each loads its module on first use), the
 * files and privileges only commands use, and the clock.
 */
export interface Host extends Loads<ServiceName> {
  files(): Promise<Files>;
  privileges(): Promise<Privileges>;
  readonly clock: Clock;
}

/**
 * Awaits the named getters once: the values a core entry point declares as `Uses<...>`
 * (`startMesh({ ...await resolve(host, 'platform', 'sockets', 'firewall'), ...loaders(host, 'capture'), clock })`).
 */
export async function resolve<K extends ServiceName>(host: Host, ...keys: K[]): Promise<Uses<K>> {
  const values = await Promise.all(keys.map((k) => host[k]()));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Uses<K>;
}

/** The named getters themselves, bound to the host: what an entry point declares as `Loads<...>`. */
export function loaders<K extends ServiceName>(host: Host, ...keys: K[]): Loads<K> {
  return Object.fromEntries(keys.map((k) => [k, () => host[k]()])) as unknown as Loads<K>;
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

async function loadPacketSocketsOrExplain(): Promise<PacketSockets> {
  try {
    return (await import('./platform/capture/packet-socket.js')).packetSockets();
  } catch (e) {
    throw new EnvironmentError('SOCKETS_UNAVAILABLE', `cannot load the packet socket binding (koffi): ${(e as Error).message}`, {
      hint: 'reinstall with npm install (koffi ships prebuilt binaries for Linux x64/arm64)',
    }, { cause: e });
  }
}

/** The real host: Linux behind src/platform/. */
export function realHost(): Host {
  const clock = systemClock;
  const firewall = once(async (): Promise<FirewallReader> => new (await import('./platform/firewall.js')).LinuxFirewallReader());
  return {
    platform: once(async () => (await import('./platform/linux.js')).platform()),
    sockets: once(loadSocketsOrExplain),
    capture: once(async () => (await import('./platform/capture/index.js')).loadCaptureFactory()),
    packets: once(loadPacketSocketsOrExplain),
    firewall,
    // The platform reads the rulesets; the core picks the reverse-path rules out of them.
    netfilter: async () => (await import('./core/firewall/rpfilter-rules.js')).readNetfilterRpf(await firewall()),
    udpSockets: async () => (await import('./platform/procfs/udp.js')).readUdpSockets(),
    // Stamps its events on the clock the core times outages with.
    links: once(async () => (await import('./platform/link-watch.js')).linkWatcher(clock)),
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
    clock,
  };
}
