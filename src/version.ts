// The tool's own version, read from the package.json that ships beside the build (dist/src/ ->
// ../../package.json), never from the current directory: `--version` from `/` or inside another
// project said "unknown" or that project's version (issue 16). Read once, on first use.
import { readFileSync } from 'node:fs';

export const TOOL_NAME = 'mcast-doctor';
/** Where an internal error (exit 4) asks to be reported. */
export const REPORT_TO = 'the issue tracker of the repository mcast-doctor was installed from';

let cached: { version: string; bugs: string | undefined } | undefined;

function read(): { version: string; bugs: string | undefined } {
  if (cached) return cached;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string;
      bugs?: string | { url?: string } };
    const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
    cached = { version: pkg.name === TOOL_NAME && typeof pkg.version === 'string' ? pkg.version : 'unknown', bugs };
  } catch {
    cached = { version: 'unknown', bugs: undefined };
  }
  return cached;
}

/** "0.1.0": carried by --version, every JSON document, JUnit files and pcapng section headers. */
export function toolVersion(): string {
  return read().version;
}

/** The place to report a bug: package.json "bugs" when set, else a sentence naming it. */
export function reportTo(): string {
  return read().bugs ?? REPORT_TO;
}
