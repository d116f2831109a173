// Typed errors: every expected failure is one of these, with a stable code and the context
// needed to say it in one line. Only src/cli.ts turns them into output and exit codes.

/** Exit codes of the contract (DESIGN.md): 0 ok, 1 error finding, 2 bad input, 3 environment. */
export const ExitCode = {
  ok: 0,
  finding: 1,
  usage: 2,
  environment: 3,
  /** Not an expected failure: a bug. Printed with a "please report" line. */
  internal: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorContext {
  iface?: string;
  group?: string;
  errno?: string;
  /** A hint printed on its own line after the message (the fix). */
  hint?: string;
}

export abstract class McastError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  readonly code: string;
  readonly context: ErrorContext;

  constructor(code: string, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.context = context;
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.context };
  }
}

/** Bad usage or bad input: exit 2. */
export class UsageError extends McastError {
  readonly exitCode = ExitCode.usage;
}

/** The environment stops the command (permission, missing library, not Linux): exit 3. */
export class EnvironmentError extends McastError {
  readonly exitCode = ExitCode.environment;
}

export function isMcastError(e: unknown): e is McastError {
  return e instanceof McastError;
}

/** The errno name of a Node system error (`ENOBUFS`), or undefined. */
export function errnoOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}
