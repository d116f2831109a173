// Writing result files (HTML and JUnit reports) through the one safe writer (./safe-file.ts):
// a temporary file created O_EXCL|O_NOFOLLOW under an unpredictable name, mode 0640, renamed into
// place. An existing regular file is replaced (CI re-runs write the same report path); a symlink,
// device or FIFO is refused. Failures are UsageError (exit 2, the path is wrong) or
// EnvironmentError (exit 3, the disk or permissions), with the path.
import { writeSafeFile } from './safe-file.js';

/** Reports: readable by the owner and the group, never by every local user. */
export const REPORT_MODE = 0o640;

export async function writeFileAtomic(file: string, data: string | Uint8Array, what = 'output file'): Promise<void> {
  writeSafeFile(file, data, { replace: 'always', mode: REPORT_MODE, what });
}
