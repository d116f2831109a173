// Reading a file the user named as input (mesh-report's documents, mac-map --file). Such files
// may come from other hosts, or be anything a path can name: only a regular file is read, and at
// most `maxBytes` of it. A FIFO is opened O_NONBLOCK so that the open cannot hang, then refused
// like a device (/dev/zero would otherwise be read until memory runs out). Errors name the file
// and the reason, never its contents.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { EnvironmentError, UsageError, errnoOf } from '../core/errors.js';

/** Default cap: far above any document this tool writes (a 100-host mesh is well under 2 MiB). */
export const INPUT_MAX_BYTES = 16 * 1024 * 1024;

function kind(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const mib = (n: number): string => `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;

export function readInputFile(path: string, maxBytes = INPUT_MAX_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === 'EACCES' || errno === 'EPERM') {
      throw new EnvironmentError('PERMISSION', `cannot read ${path}: permission denied`, { errno, hint: `check its mode: ls -l ${path}` },
        { cause: e });
    }
    const why = errno === 'ENOENT' ? 'no such file'
      : errno === 'EISDIR' ? 'it is a directory' : errno === 'ELOOP' ? 'too many symbolic links' : (errno ?? 'unreadable');
    throw new UsageError('BAD_FILE', `cannot read ${path}: ${why}`, errno ? { errno } : {}, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError('BAD_FILE', `cannot read ${path}: it is ${kind(st)}; name a regular file`);
    if (st.size > maxBytes) throw new UsageError('BAD_FILE',
      `cannot read ${path}: ${mib(st.size)} is more than the ${mib(maxBytes)} an input may hold`);
    // Read until EOF, one byte past the cap at most: a file that grows while read is cut off too.
    let big = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 4096)));
    let used = 0;
    for (;;) {
      if (used === big.length) {
        if (big.length > maxBytes) break;
        const next = Buffer.allocUnsafe(Math.min(maxBytes + 1, big.length * 2));
        big.copy(next, 0, 0, used);
        big = next;
      }
      const n = readSync(fd, big, used, big.length - used, null);
      if (n === 0) break;
      used += n;
    }
    if (used > maxBytes) throw new UsageError('BAD_FILE', `cannot read ${path}: it holds more than the ${mib(maxBytes)} an input may hold`);
    return big.toString('utf8', 0, used);
  } catch (e) {
    if (e instanceof UsageError || e instanceof EnvironmentError) throw e;
    const errno = errnoOf(e);
    throw new UsageError('BAD_FILE', `cannot read ${path}: ${errno === 'EISDIR' ? 'it is a directory' : (errno ?? 'unreadable')}`,
      errno ? { errno } : {}, { cause: e });
  } finally {
    closeSync(fd);
  }
}
