// Reads a user-named list file (mac-map --file; `-` is standard input, as for tcpdump -r -).
// Its errors are the user's input errors: a missing file is bad input (exit 2), an unreadable
// one a permission problem (exit 3).
import { readFile } from 'node:fs/promises';
import { EnvironmentError, UsageError, errnoOf } from '../core/errors.js';

/** Standard input to its end, whatever it is (a pipe, a file, a socket: /dev/stdin is ENXIO there). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readListFile(path: string): Promise<string> {
  const name = path === '-' ? 'standard input' : path;
  try {
    return path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === 'EACCES' || errno === 'EPERM') {
      throw new EnvironmentError('PERMISSION', `cannot read ${name}: permission denied`, { errno, hint: `check its mode: ls -l ${path}` }, { cause: e });
    }
    const why = errno === 'ENOENT' ? 'no such file' : errno === 'EISDIR' ? 'it is a directory' : (errno ?? 'unreadable');
    throw new UsageError('BAD_FILE', `cannot read ${name}: ${why}`, errno ? { errno } : {}, { cause: e });
  }
}
