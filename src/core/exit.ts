import type { Finding } from './findings/model.js';
import { hasError } from './findings/model.js';
import { ExitCode } from './errors.js';

/** 1 when any finding is an error, else 0 (DESIGN.md exit codes). */
export function exitFor(findings: readonly Finding[]): number {
  return hasError(findings) ? ExitCode.finding : ExitCode.ok;
}
