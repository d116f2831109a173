// The doctor runs independent checks over one interface inventory; each returns findings and
// details, or says why it was skipped. Checks never print.
import type { Finding } from '../findings/model.js';
import type { Interface, InterfaceInventory } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import type { Coverage, NotRun, Verdict } from '../coverage.js';
import type { Loads, Uses } from '../deps.js';

/**
 * What the checks touch. Loaded on first use: /proc/net/udp (sockets check), the netfilter
 * rpfilter rules (IPv6 has no rp_filter sysctl), koffi (self-test, --expect-receive), the one
 * packet socket of the self-test and libpcap (querier listen; a load failure is that check
 * skipped, with its remedy). `accounting` is an extra: without it
 * a pair that got nothing is still reported, only not explained (issue 18).
 */
export type DoctorDeps = Uses<'platform' | 'firewall' | 'clock'> & Loads<'udpSockets' | 'netfilter' | 'sockets' | 'capture' | 'packets'>
  & Partial<Uses<'accounting'>>;

export interface DoctorOptions {
  family?: Family;
  /** Seconds to listen for queriers on each interface. */
  querierWait: number;
  /** Send the probe out of each interface and listen on the others. */
  selfTest: boolean;
  expectQuerier: Array<{ iface: string; address: string }>;
  expectReceive: Array<{ iface: string; group: string }>;
  maxLossPct: number;
}

export interface DoctorContext {
  deps: DoctorDeps;
  opts: DoctorOptions;
  inventory: InterfaceInventory;
  /** Every interface of the host (inventory is the selection's part of it): read once per run. */
  host: InterfaceInventory;
  /** Interfaces that can carry multicast of at least one family in scope. */
  eligible: Interface[];
  /** Reports progress (the command decides whether to show it). */
  progress: (text: string) => void;
  /** Aborted by a signal: the waiting checks (querier listen, drop count, receive) end early. */
  abort?: AbortSignal;
}

export interface CheckOutcome {
  findings: Finding[];
  details?: Record<string, unknown>;
  /** Set when the check could not run here, with the reason. */
  skipped?: string;
  /**
   * With `skipped`: what would let the check run (a privilege, a package). Set only when the
   * environment stopped it, which makes the verdict incomplete; a check the user turned off, or
   * one with nothing to do here, has none (issue 16).
   */
  remedy?: string;
  /**
   * A check that ran but could not see everything it judges (a fact behind a privilege): what it
   * left undecided, with what would let it decide. Makes the verdict incomplete like a skipped check.
   */
  gaps?: NotRun[];
}

export interface DoctorCheck {
  id: string;
  title: string;
  /** Reads Linux-only state (/proc, sysctls, netfilter): skipped elsewhere, saying so. */
  linuxOnly?: boolean;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skipped';
  durationMs: number;
}

export interface DoctorReport {
  host: string;
  os: string;
  generatedAt: string;
  /** 'incomplete' when a check could not run and no error was found (coverage.notRun says which). */
  verdict: Verdict;
  coverage: Coverage;
  interfaces: Interface[];
  checks: CheckResult[];
  /** Every finding, most severe first. */
  findings: Finding[];
}
