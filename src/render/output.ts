// The output context: the only object that writes to stdout/stderr. Modes are chosen once
// (human, json) from the global flags; colour as render/colour.ts decides.
import type { Writable } from 'node:stream';
import type { Coverage } from '../core/coverage.js';
import { TOOL_NAME, toolVersion } from '../version.js';

export const SCHEMA_VERSION = 1;

function columnsOf(s: Writable & { isTTY?: boolean; columns?: number }): number | undefined {
  return s.isTTY && typeof s.columns === 'number' && s.columns > 0 ? s.columns : undefined;
}

export interface OutputOptions {
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
  /** --wide: tables keep every column whatever the terminal's width. */
  wide?: boolean;
}

export class Output {
  readonly opts: OutputOptions;
  private readonly out: Writable & { isTTY?: boolean; columns?: number };
  private readonly err: Writable & { isTTY?: boolean; columns?: number };

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
  /**
   * The width a table on stdout must fit: the terminal's columns; undefined (any width) for a
   * pipe or a file, as `ip` and `ss` do, and with --wide.
   */
  get tableWidth(): number | undefined { return this.opts.wide ? undefined : columnsOf(this.out); }
  /** The same for the live view on stderr. */
  get liveTableWidth(): number | undefined { return this.opts.wide ? undefined : columnsOf(this.err); }
  /** stderr's terminal width whatever --wide says: the live view counts the rows its lines wrap to. */
  get stderrColumns(): number | undefined { return columnsOf(this.err); }

  private coverageOf: (() => Coverage) | undefined;
  private firstEvent = true;

  /**
   * What the run covered (checks not run, a signal that cut it short): set by the command before
   * it renders, carried by the JSON document or the NDJSON summary event (docs/schemas/coverage).
   */
  setCoverage(c: Coverage | (() => Coverage)): void { this.coverageOf = typeof c === 'function' ? c : () => c; }

  private get coverage(): Coverage | undefined { return this.coverageOf?.(); }

  /** One JSON document (report commands); it carries the tool's version and the coverage. */
  document(command: string, body: Record<string, unknown>): void {
    const coverage = this.coverage;
    const extra = coverage ? { coverage } : {};
    this.out.write(
      `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, toolVersion: toolVersion(), ...body, ...extra }, null, 2)}\n`);
  }

  /**
   * One NDJSON event (streaming commands); every event carries type and schemaVersion, the first
   * and the summary also the tool's version (not every packet event: they can be thousands a second).
   */
  event(type: string, body: Record<string, unknown>): void {
    const head = this.firstEvent || type === 'summary' ? { toolVersion: toolVersion() } : {};
    const coverage = type === 'summary' ? this.coverage : undefined;
    const extra = coverage ? { coverage } : {};
    this.firstEvent = false;
    this.out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, type, ...head, ...body, ...extra })}\n`);
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

  /**
   * Without a TTY (a CI log), a line on stderr every `everyMs` while a wait lasts, saying what it
   * waits for and how long is left, so the log never sits silent (issue 16). A TTY has the
   * progress line instead; --quiet asks for silence. Returns the function that stops it.
   */
  heartbeat(text: () => string, everyMs = 10_000): () => void {
    if (this.err.isTTY || this.opts.quiet) return () => {};
    const t = setInterval(() => this.err.write(`${TOOL_NAME}: ${text()}\n`), everyMs);
    t.unref();
    return () => clearInterval(t);
  }
}
