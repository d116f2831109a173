// The ONE function from a run's result to its exit code (DESIGN.md exit codes; issue 15 item 2,
// issue 16): 1 when any finding is an error, else 3 when a check could not run (the verdict is
// incomplete), else 0. Usage (2), environment errors that stop the whole command (3) and bugs (4)
// are thrown and turned into codes by src/cli.ts.
import type { Finding } from './findings/model.js';
import { hasError } from './findings/model.js';
import { ExitCode } from './errors.js';
import { isComplete, type Coverage } from './coverage.js';

export function exitFor(findings: readonly Finding[], coverage?: Coverage): number {
  if (hasError(findings)) return ExitCode.finding;
  if (coverage && !isComplete(coverage)) return ExitCode.environment;
  return ExitCode.ok;
}
