// libpcap through the `pcap` package's native binding (an optional dependency, loaded lazily so
// every command that does not capture works without it). We drive the binding directly rather
// than pcap.js: its session object emits an event object per packet and its close() only calls
// pcap_breakloop(), leaving the poll handle running until another packet arrives
// (node_modules/pcap/pcap_session.cc: Close, Dispatch returns -2 -> FinalizeClose).
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { EnvironmentError, UsageError } from '../../core/errors.js';
import { holdUntilFinalized } from './release.js';
import { explainPcap, probePcap } from './pcap-missing.js';
import path from 'node:path';
import { PRIVILEGE_FIX } from '../../core/privilege-hint.js';
import type { CaptureFactory, CaptureHandle, CaptureOptions, CaptureStats, PacketHandler } from './types.js';

export const INSTALL_PCAP = 'apt-get install libpcap-dev && npm rebuild pcap';

interface NativeSession {
  open_live(dev: string, filter: string, bufSize: number, snaplen: number, outfile: string, onPacket: () => void,
    monitor: boolean, timeoutMs: number, warn: (msg: string) => void, promisc: boolean): string;
  dispatch(buf: Buffer, header: Buffer): number;
  start_polling(): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  read_callback?: () => void;
}

interface NativeBinding {
  PcapSession: new () => NativeSession;
  lib_version(): string;
}

/** Link type names the binding returns, to LINKTYPE_ numbers (it names five; others "Unknown linktype N"). */
const LINK_NAMES: Record<string, number> = {
  LINKTYPE_NULL: 0, LINKTYPE_ETHERNET: 1, LINKTYPE_IEEE802_11_RADIO: 127, LINKTYPE_RAW: 101, LINKTYPE_LINUX_SLL: 113,
};

/** DLT_ values that differ from their LINKTYPE_ (pcap-common.c dlt_to_linktype). */
const DLT_TO_LINKTYPE: Record<number, number> = { 12: 101, 14: 101 };

export function linkTypeFromName(name: string): number {
  const known = LINK_NAMES[name];
  if (known !== undefined) return known;
  const m = /(\d+)\s*$/.exec(name);
  const dlt = m ? Number(m[1]) : -1;
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}

/**
 * Loads the binding. `moduleName` is only for tests of the missing-module message.
 * Throws EnvironmentError naming the install line when the module is absent or not built.
 */
export function loadBinding(moduleName = 'pcap'): NativeBinding {
  const require = createRequire(import.meta.url);
  try {
    return require(`${moduleName}/build/Release/pcap_binding.node`) as NativeBinding;
  } catch (e) {
    // Which of the causes it is (dropped optional dependency, no headers, no compiler, no
    // runtime library), and the command for that one.
    const probe = probePcap(() => path.dirname(require.resolve(`${moduleName}/package.json`)), (e as Error).message ?? String(e));
    const { why, fix } = explainPcap(probe);
    throw new EnvironmentError('PCAP_MISSING',
      `packet capture needs libpcap and the pcap module, which did not load: ${why}; run: ${fix}`,
      { hint: `as root in the mcast-doctor directory: ${fix}; then: npm run check:native` }, { cause: e });
  }
}

/** libpcap's error text for a failed open, as a typed error with the fix. */
export function openError(iface: string, filter: string, message: string): Error {
  if (/permission|not permitted|EPERM|EACCES/i.test(message)) {
    return new EnvironmentError('PERMISSION',
      `capturing on ${iface} needs CAP_NET_RAW (libpcap: ${message})`,
      { iface, errno: 'EPERM', hint: PRIVILEGE_FIX });
  }
  if (/syntax error|can't parse filter|illegal|unknown host|expression rejects|bpf/i.test(message) && filter !== '') {
    return new UsageError('BAD_FILTER', `the BPF filter "${filter}" does not compile: ${message}`, { iface });
  }
  if (/no such device|doesn't exist/i.test(message)) {
    return new EnvironmentError('NO_SUCH_DEVICE', `cannot capture on ${iface}: no such interface (${message})`, { iface, errno: 'ENODEV' });
  }
  return new EnvironmentError('CAPTURE_OPEN', `cannot capture on ${iface}: ${message}`, { iface });
}

const LE = endianness() === 'LE';

class PcapHandle implements CaptureHandle {
  readonly linkType: number;
  readonly settleMs: number;
  private readonly session: NativeSession;
  private readonly buf: Buffer;
  private readonly header = Buffer.alloc(16);
  private closed = false;
  /** The binding ran FinalizeClose (pcap_close): never call into the session again. */
  private freed = false;
  private dispatching = false;
  private onFreed: (() => void) | undefined;
  private delivered = 0;
  failure: unknown = undefined;
  private lastStats: CaptureStats = { received: 0, dropped: 0, ifDropped: 0 };

  constructor(binding: NativeBinding, readonly iface: string, readonly filter: string, readonly snaplen: number,
    bufferBytes: number, timeoutMs: number, onPacket: PacketHandler) {
    this.buf = Buffer.alloc(snaplen);
    this.settleMs = timeoutMs + 20;
    const h = this.header;
    const buf = this.buf;
    // pcap_session.cc PacketReady copies ts.tv_sec, ts.tv_usec, caplen, len as 4 native-endian bytes each.
    // A throw inside the binding's callback is fatal to the process (Nan::FatalException), so
    // the handler's errors are caught here and handed back through `failure`.
    const ready = (): void => {
      if (this.failure !== undefined || this.closed) return;
      this.delivered++;
      try {
        if (LE) onPacket(buf, h.readUInt32LE(8), h.readUInt32LE(12), h.readUInt32LE(0), h.readUInt32LE(4));
        else onPacket(buf, h.readUInt32BE(8), h.readUInt32BE(12), h.readUInt32BE(0), h.readUInt32BE(4));
      } catch (e) {
        this.failure = e;
      }
    };
    this.session = new binding.PcapSession();
    let name: string;
    try {
      name = this.session.open_live(iface, filter, bufferBytes, snaplen, '', ready, false, timeoutMs, () => undefined, false);
    } catch (e) {
      throw openError(iface, filter, (e as Error).message ?? String(e));
    }
    this.linkType = linkTypeFromName(name);
    this.session.read_callback = () => { this.drain(); };
    this.session.start_polling();
  }

  drain(): number {
    if (this.closed) return 0;
    const before = this.delivered;
    this.dispatchOnce();
    return this.delivered - before;
  }

  /**
   * One call into the binding's dispatch, never re-entered and never after the binding freed the
   * handle. Its Dispatch loops pcap_dispatch() and, on -2 (after our close's breakloop), runs
   * FinalizeClose: pcap_close() frees the ring and the pcap_t and sets the pointer to NULL. Calling
   * dispatch again after that hands NULL to libpcap; calling it from inside a packet callback (a
   * handler that closes its own capture) frees the ring under the outer pcap_dispatch that is still
   * walking it: both end in a native abort ("free(): invalid pointer"), which no try/catch sees.
   */
  private dispatchOnce(): number {
    if (this.freed) return -2;
    if (this.dispatching) return 0;
    this.dispatching = true;
    let r: number;
    try {
      r = this.session.dispatch(this.buf, this.header);
    } finally {
      this.dispatching = false;
    }
    if (r === -2) {
      this.freed = true;
      this.onFreed?.();
    }
    return r;
  }

  stats(): CaptureStats {
    if (this.closed || this.freed) return this.lastStats;
    try {
      const s = this.session.stats();
      this.lastStats = { received: s.ps_recv >>> 0, dropped: s.ps_drop >>> 0, ifDropped: s.ps_ifdrop >>> 0 };
    } catch {
      // pcap_stats fails only on a closed handle; keep the last figures.
    }
    return this.lastStats;
  }

  close(): void {
    if (this.closed) return;
    this.stats();
    this.closed = true;
    if (this.freed) return;
    // Close sets break_loop; a dispatch that meets a packet then returns -2 and the binding frees
    // the handle and stops its poll watcher. Until then the watcher must keep reading (a
    // level-triggered poll that is not read would spin), and release.ts lets the process exit.
    this.session.close();
    const release = holdUntilFinalized();
    let retry: NodeJS.Timeout | undefined;
    this.onFreed = (): void => {
      release();
      this.session.read_callback = undefined;
      if (retry) clearInterval(retry);
    };
    const finalize = (): void => {
      try { this.dispatchOnce(); } catch { /* the binding threw: the next retry tries again */ }
    };
    this.session.read_callback = finalize;
    // Closed from inside one of our own packet callbacks: the outer dispatch is still walking the
    // ring (and will itself meet break_loop and free it); finalize from the event loop instead.
    if (this.dispatching) setImmediate(finalize);
    else finalize();
    // After an interface went down, libuv has stopped the watcher for good (POLLERR): only a
    // dispatch of ours meets the next packet once the link is back, and frees the ring
    // (interface churn, src/core/sniff/churn.ts). Unreferenced: it never holds the process.
    if (!this.freed) {
      retry = setInterval(finalize, 1000);
      retry.unref();
    }
  }
}

/** The libpcap-backed factory; throws EnvironmentError with the install line when pcap is missing. */
export function pcapFactory(moduleName?: string): CaptureFactory {
  const binding = loadBinding(moduleName);
  return {
    version: binding.lib_version(),
    open(opts: CaptureOptions, onPacket: PacketHandler): CaptureHandle {
      return new PcapHandle(binding, opts.iface, opts.filter, opts.snaplen ?? 262_144, opts.bufferBytes ?? 32 * 1024 * 1024,
        opts.timeoutMs ?? 50, onPacket);
    },
  };
}
