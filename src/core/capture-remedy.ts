// What lets a capture-based check run, when the environment stopped it: the typed error's own
// hint (libpcap missing: the install line; no CAP_NET_RAW: root or capabilities) or the general line.
import { isMcastError } from './errors.js';

export const CAPTURE_REMEDY =
  'run as root (or with CAP_NET_RAW and CAP_NET_ADMIN, see the README), with libpcap installed (npm run check:native)';

export function captureRemedy(e: unknown): string {
  return (isMcastError(e) ? e.context.hint : undefined) ?? CAPTURE_REMEDY;
}
