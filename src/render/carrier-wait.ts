// The line a following command (join-all, sniff, mesh) says before it waits for a first carrier
// (core/kernel/carrier-wait.ts): on stderr in every mode, so stdout stays the report, the NDJSON or
// the capture, and a silent wait does not look hung.
import type { Output } from './output.js';

/** The hook the core calls with the interfaces awaited and the bound (the --duration, or none). */
export function carrierWaitNote(out: Output): (names: string[], maxMs: number | undefined) => void {
  return (names, maxMs) => out.note(`mcast-doctor: waiting for carrier on ${names.join(', ')}`
    + `${maxMs !== undefined ? ` (up to ${(maxMs / 1000).toFixed(0)} s of the --duration)` : ' (until a carrier or Ctrl-C)'}`);
}
