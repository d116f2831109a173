// Running iproute2 and friends: argument arrays only, never a shell.
import { execFile } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `input`, when given, is written to the command's stdin (ip -batch -). */
export function run(cmd: string, args: readonly string[], timeoutMs = 5000, input?: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      let code = 0;
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: unknown };
        // A missing binary reports ENOENT in err.code; an exit status is numeric.
        code = typeof e.code === 'number' ? e.code : 127;
        if (typeof e.code === 'string') stderr = `${stderr}${e.code}: ${cmd}`;
      }
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) {
      child.stdin?.on('error', () => { /* the command exited early: its status says why */ });
      child.stdin?.end(input);
    }
  });
}
