// Reads a user-named list file (mac-map --file; `-` is standard input, as for tcpdump -r -, and so
// is /dev/stdin, which is ENXIO on a socket) through the bounded input reader: a missing file is
// bad input (exit 2), an unreadable one a permission problem (exit 3), a FIFO or a device is
// refused, and nothing above the size cap is read, from a file or from standard input.
import { UsageError } from '../core/errors.js';
import { INPUT_MAX_BYTES, readInputFile } from './input-file.js';

/** Standard input to its end, whatever it is (a pipe, a file, a socket), at most maxBytes. */
async function readStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      process.stdin.destroy();
      throw new UsageError('BAD_FILE', `standard input holds more than the ${maxBytes / (1024 * 1024)} MiB a list may hold`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readListFile(path: string, maxBytes = INPUT_MAX_BYTES): Promise<string> {
  if (path === '-' || path === '/dev/stdin') return readStdin(maxBytes);
  return readInputFile(path, maxBytes);
}
