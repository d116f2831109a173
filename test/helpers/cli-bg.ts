// A CLI run in the background inside a lab namespace: its NDJSON events as they arrive,
// waitFor an event, stop (SIGINT, by its own pid) and the exit.
import type { ChildProcess } from 'node:child_process';
import { CLI, waitFor, type Lab, type RunResult } from './lab.js';

export interface BackgroundCli {
  child: ChildProcess;
  events(): any[];
  waitForEvent(pred: (e: any) => boolean, timeoutMs: number): Promise<any>;
  exit(timeoutMs?: number): Promise<RunResult>;
  interrupt(): void;
}

/** WRAP: a command that runs the CLI and execs it (setpriv ... --), so the pid is still the CLI's. */
export function startCli(lab: Lab, role: string, args: readonly string[], wrap: readonly string[] = []): BackgroundCli {
  const [cmd, ...pre] = [...wrap, process.execPath];
  const child = lab.spawn(role, cmd ?? process.execPath, [...pre, CLI, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  const events = (): any[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return {
    child,
    events,
    waitForEvent: async (pred, timeoutMs) => {
      const hit = await waitFor(async () => events().find(pred), timeoutMs, 50);
      if (!hit) throw new Error(`no matching event within ${timeoutMs} ms; stdout: ${stdout.slice(-2000)} stderr: ${stderr}`);
      return hit;
    },
    exit: async (timeoutMs = 30_000) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, stdout, stderr };
    },
    // `ip netns exec` execs the command, so the pid is the CLI's own.
    interrupt: () => { child.kill('SIGINT'); },
  };
}

export function ndjson(stdout: string): any[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}
