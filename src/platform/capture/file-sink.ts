// The capture file on disk, through the one safe writer (../safe-file.ts): a temporary file with an
// unpredictable name created O_EXCL|O_NOFOLLOW, mode 0600 (captures hold other people's traffic),
// handed to --user by fchown, renamed into place once complete (rename(2) is atomic within a
// directory), so a reader never sees half a file. Writes are synchronous batches (1 MiB from the
// encoder): at Ctrl-C or SIGTERM everything handed over is on disk.
import { createSafeFile, type SafeFile } from '../safe-file.js';

export type FileSink = SafeFile;

/** Captures are readable by their owner only. */
export const CAPTURE_MODE = 0o600;

/**
 * `force`: replace an existing regular file (never a device, FIFO or symlink). Without it, a file
 * that appears at the name during the capture is kept and the capture stays beside it.
 * `owner`: the --user the process will run as; the file is theirs, as tcpdump -Z leaves it.
 */
export function openFileSink(target: string, force: boolean, owner?: { uid: number; gid: number }): FileSink {
  return createSafeFile(target, {
    replace: force ? 'always' : 'never', mode: CAPTURE_MODE, owner, what: '--write', forceHint: 'add --force to overwrite it',
  });
}
