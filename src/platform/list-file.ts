// Reads a user-named list file (mac-map --file). Its errors are the user's input errors:
// a missing file is bad input (exit 2), an unreadable one a permission problem (exit 3).
import { readFile } from 'node:fs/promises';
import { EnvironmentError, UsageError, errnoOf } from '../core/errors.js';

export async function readListFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === 'EACCES' || errno === 'EPERM') {
      throw new EnvironmentError('PERMISSION', `cannot read ${path}: permission denied`, { errno, hint: `check its mode: ls -l ${path}` }, { cause: e });
    }
    const why = errno === 'ENOENT' ? 'no such file' : errno === 'EISDIR' ? 'it is a directory' : (errno ?? 'unreadable');
    throw new UsageError('BAD_FILE', `cannot read ${path}: ${why}`, errno ? { errno } : {}, { cause: e });
  }
}
