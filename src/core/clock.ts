// The wall clock the core reads (issue 15 item 1): given by the Host (src/host.ts: Date.now),
// a test's own in FakeHost. Packet times come from the packets (libpcap's stamp, observation/
// rules.ts); this clock stamps what has no packet: when a run joined, listened, ended. Timers
// (setTimeout) stay Node's: a wait is real time whoever reads the clock. eslint forbids
// Date.now() elsewhere in src/core.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

// eslint-disable-next-line no-restricted-properties -- the one place that reads the system clock
export const systemClock: Clock = { now: () => Date.now() };

/** ISO 8601 text of the clock's now (generatedAt, startedAt). */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
