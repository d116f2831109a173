// The output context: the only object that writes to stdout/stderr. Modes are chosen once
// (human, json) from the global flags; colour as render/colour.ts decides.
import type { Writable } from 'node:stream';

export const SCHEMA_VERSION = 1;

export interface OutputOptions {
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export class Output {
  readonly opts: OutputOptions;
  private readonly out: Writable & { isTTY?: boolean };
  private readonly err: Writable & { isTTY?: boolean };

  constructor(opts: OutputOptions, out: Writable = process.stdout, err: Writable = process.stderr) {
    this.opts = opts;
    this.out = out;
    this.err = err;
  }

  get json(): boolean { return this.opts.json; }
  get verbose(): boolean { return this.opts.verbose; }
  get quiet(): boolean { return this.opts.quiet; }
  /** Progress only goes to an interactive stderr, and never in JSON or quiet mode. */
  get progressAllowed(): boolean { return Boolean(this.err.isTTY) && !this.opts.quiet && !this.opts.json; }
  get stdoutIsTTY(): boolean { return Boolean(this.out.isTTY); }

  /** One JSON document (report commands). */
  document(command: string, body: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, ...body }, null, 2)}\n`);
  }

  /** One NDJSON event (streaming commands); every event carries type and schemaVersion. */
  event(type: string, body: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, type, ...body })}\n`);
  }

  /** A human line on stdout (suppressed by --quiet unless `important`). */
  line(text = '', important = false): void {
    if (this.opts.quiet && !important) return;
    this.out.write(`${text}\n`);
  }

  /** A diagnostic line on stderr. */
  note(text: string): void {
    this.err.write(`${text}\n`);
  }

  /** Transient progress on stderr (TTY only); rewritten in place. */
  progress(text: string): void {
    if (this.progressAllowed) this.err.write(`\r\x1b[2K${text}`);
  }

  endProgress(): void {
    if (this.progressAllowed) this.err.write('\r\x1b[2K');
  }
}
