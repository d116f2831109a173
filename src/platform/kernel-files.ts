// Reading the kernel's small attribute files (/sys/class/net/IF/*, /proc/sys/net/...): read
// synchronously. They are generated in memory by the kernel and hold a few bytes, so a read never
// waits on a disk; a promise-based readFile costs four thread-pool round trips (open, fstat, read,
// close) and ~100 µs of JS each, which at 300 interfaces x 15 attributes was most of `interfaces`'
// and `doctor`'s file time (issue 19 item 8: 3 900 sync reads take ~70 ms here). The membership
// tables go through here too (linux.ts says why).
import { readFileSync, readdirSync } from 'node:fs';

/** The file's text, or undefined when it does not exist or cannot be read. */
export function readAttr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The names in a /sys directory, or [] when it cannot be listed. */
export function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
