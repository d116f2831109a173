// Writing result files: to a temporary file beside the target, renamed into place, so a reader
// never sees half a file. Failures become EnvironmentError (exit 3) with the path.
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../core/errors.js';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new EnvironmentError('WRITE_FAILED', `cannot write ${file}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code}`, {}, { cause: e });
  }
}
