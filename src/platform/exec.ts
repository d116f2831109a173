// Running iproute2 and friends: argument arrays only, never a shell.
import { execFile } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: readonly string[], timeoutMs = 5000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      let code = 0;
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: unknown };
        // A missing binary reports ENOENT in err.code; an exit status is numeric.
        code = typeof e.code === 'number' ? e.code : 127;
        if (typeof e.code === 'string') stderr = `${stderr}${e.code}: ${cmd}`;
      }
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
