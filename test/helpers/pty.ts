// A pseudo-terminal for tests of what a user's terminal shows (issue 21): runs a command on a
// pty of COLS columns (python3's pty module: the child sets the window size on its own terminal
// before exec, so the size is there from the first byte), and a small VT100 screen that replays
// the bytes it printed: autowrap at the last column, CR, LF, cursor up / previous line, erase
// below / line. What is left on the screen at the end is what the user sees.
import { spawn } from 'node:child_process';

const RUNNER = `
import fcntl, os, pty, struct, sys, termios
cols = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    os.execvp(sys.argv[2], sys.argv[2:])
out = sys.stdout.buffer
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out.write(b)
out.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 255)
`;

/** Runs `argv` (via `prefix`, e.g. `ip netns exec NS`) on a COLS-wide pty; its bytes and exit code. */
export function runOnPty(cols: number, argv: readonly string[], timeoutMs = 20_000): Promise<{ code: number | null; bytes: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', RUNNER, String(cols), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { bytes += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, bytes }); });
  });
}

/** The screen after `bytes`, as lines (trailing blanks trimmed); no scrolling limit. */
export function screen(bytes: string, cols: number): string[] {
  const rows: string[][] = [[]];
  let r = 0;
  let c = 0;
  const row = (i: number): string[] => { while (rows.length <= i) rows.push([]); return rows[i]!; };
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i]!;
    if (ch === '\x1b' && bytes[i + 1] === '[') {
      // eslint-disable-next-line no-control-regex
      const m = /^\x1b\[([0-9;?]*)([ -/]*)([@-~])/.exec(bytes.slice(i, i + 32));
      if (!m) continue;
      i += m[0].length - 1;
      const n = Number(m[1]?.split(';')[0] || '0');
      const cmd = m[3];
      if (cmd === 'F') { r = Math.max(0, r - (n || 1)); c = 0; }
      else if (cmd === 'A') r = Math.max(0, r - (n || 1));
      else if (cmd === 'J' && n === 0) { row(r).length = Math.min(row(r).length, c); rows.length = r + 1; }
      else if (cmd === 'K' && n === 2) row(r).length = 0;
      else if (cmd === 'K' && n === 0) row(r).length = Math.min(row(r).length, c);
      else if (cmd === 'G') c = Math.max(0, n - 1);
      continue; // SGR (colour) and the rest do not move text
    }
    if (ch === '\r') { c = 0; continue; }
    if (ch === '\n') { r++; row(r); continue; }
    if (ch < ' ') continue;
    if (c >= cols) { r++; c = 0; } // the deferred wrap of a VT100 at the last column
    const line = row(r);
    while (line.length < c) line.push(' ');
    line[c] = ch;
    c++;
  }
  return rows.map((l) => l.join('').trimEnd());
}
