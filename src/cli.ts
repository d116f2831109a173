// The entry point: yargs, the global flags, and the one place that catches errors,
// prints them and sets the exit code (STYLE.md, citty runMain).
import { createRequire } from 'node:module';
import type { CommandModule } from 'yargs';
import type Yargs from 'yargs';
import type { hideBin as HideBin } from 'yargs/helpers';
import { loadAll, loaderFor } from './commands/registry.js';
import { outcome, type GlobalArgs } from './commands/context.js';
import { ExitCode, UsageError, isMcastError } from './core/errors.js';
import { termSafe } from './render/sanitize.js';
import { TOOL_NAME as NAME, reportTo, toolVersion } from './version.js';

// yargs' CommonJS build is one bundled file where its ESM entry is some 25 modules; the ESM
// loader's per-file cost dominated `mac-map 239.1.2.3` start-up (issue 9, docs/performance.md).
// Same package, same version, same API.
const require = createRequire(import.meta.url);
const yargs = require('yargs') as typeof Yargs;
const { hideBin } = require('yargs/helpers') as { hideBin: typeof HideBin };

function listOption(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

/** A reader that went away (`| head`) is not an error: stop quietly. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(outcome.exitCode);
    throw e;
  });
}

function buildParser(args: string[], commands: readonly CommandModule<GlobalArgs, never>[]) {
  // The fail handler reads the options the parser knows when it fails (the command's own too).
  const parser0 = yargs(args);
  let parser = parser0
    .scriptName(NAME)
    .usage(`${NAME} <command> [options]\n\nFinds why multicast does not arrive on a multi-homed host, and says how to fix it.`)
    .option('json',
      { alias: 'j', type: 'boolean', default: false, describe: 'Machine-readable output (JSON document or NDJSON events)', global: true })
    // Not `array: true`: an array option swallows the positionals after it (`--iface eth0 239.1.1.1`
    // would read the group as an interface). Repeat the flag, or separate names with commas.
    .option('iface', {
      alias: 'i', type: 'string', global: true, requiresArg: true, coerce: listOption,
      describe: 'Only these interfaces (repeatable or comma-separated; eth+ = names starting with eth; globs; any = all)',
    })
    .option('exclude-iface',
      { type: 'string', describe: 'Skip these interfaces (same patterns)', global: true, requiresArg: true, coerce: listOption })
    .option('4', { type: 'boolean', describe: 'IPv4 only', global: true })
    .option('6', { type: 'boolean', describe: 'IPv6 only', global: true })
    .option('color', { type: 'boolean',
      describe: 'Colour (default: chalk\'s detection: a terminal, FORCE_COLOR, TERM; off with NO_COLOR); --no-color', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only errors and the verdict', global: true })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'More detail: explanations, evidence, raw errno', global: true })
    .option('wide', { type: 'boolean', describe: 'Tables with every column, however wide (default: fit the terminal)', global: true })
    .conflicts('quiet', 'verbose')
    // Both families is the default: -4 -6 together asks for two contradicting restrictions.
    .conflicts('4', '6')
    // `completion [bash|zsh]` itself is answered in main(); this serves the scripts' word lists.
    .completion('completion', 'Print a shell completion script (completion bash, completion zsh)',
      (current: string, _argv: unknown, defaultCompletion: DefaultCompletion, done: CompletionDone) => {
      void completeWords(args, current, defaultCompletion, done);
    })
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    // Our own package.json, not the one yargs finds from the current directory (issue 16).
    .version(toolVersion())
    // COLUMNS when the output is not a terminal (the man page is generated at 72).
    .wrap(Math.min(110, process.stdout.columns || Number(process.env.COLUMNS) || 100))
    .epilogue('Exit codes: 0 nothing wrong, 1 a problem found, 2 bad usage or input, 3 the environment stops the command.')
    .fail((msg, err) => {
      // yargs' own validation errors (YError) are usage errors; anything else is ours.
      if (err && err.name !== 'YError') throw err;
      if (err) throw new UsageError('USAGE', err.message);
      knownOptions = optionNames(parser0);
      throw new UsageError('USAGE', msg ?? 'bad usage');
    });
  for (const c of commands) parser = parser.command(c as never);
  return parser;
}

type CompletionDone = (completions: string[]) => void;
type DefaultCompletion = (onCompleted?: (err: Error | null, completions: string[] | undefined) => void) => unknown;

/** The candidate words for the completion scripts (src/commands/completion.ts), loaded on demand. */
async function completeWords(
  args: readonly string[],
  current: string,
  defaultCompletion: DefaultCompletion,
  done: CompletionDone,
): Promise<void> {
  const { tidyCompletions, valueCompletions } = await import('./commands/completion.js');
  const { interfaceNames } = await import('./platform/iface-names.js');
  const values = valueCompletions(args[args.length - 2], current, interfaceNames);
  if (values) done(values);
  else defaultCompletion((_err, words) => done(tidyCompletions(words ?? [])));
}

/** The options the parser knew when it failed, for a misspelt option's suggestion. */
let knownOptions: string[] = [];

/** Every option the parser knows at the point it failed (the command's own included). */
function optionNames(y: unknown): string[] {
  // getOptions() exists on the instance but not in @types/yargs.
  const o = (y as { getOptions?: () => { key: Record<string, unknown> } }).getOptions?.();
  return o ? Object.keys(o.key).filter((k) => !/^\d$/.test(k)) : [];
}

/**
 * One line on stderr whatever the message holds (yargs' choices error, a JSON.parse message), with
 * any control character left shown as an escape: messages can carry names from outside (a host
 * name from a mesh document, an interface name).
 */
function oneLine(text: string): string {
  return termSafe(text.replace(/\s*\n\s*/g, ' ').trim());
}

/**
 * `join-all eth0 239.1.2.3` (smcroutectl's order): a group argument that is one of this host's
 * interface names gets a hint to name it with -i instead. Read only on that error.
 */
async function interfaceAsGroupHint(code: string, group: string | undefined): Promise<string | undefined> {
  if (code !== 'BAD_GROUP' || !group) return undefined;
  const { interfaceNames } = await import('./platform/iface-names.js');
  return interfaceNames().includes(group) ? `'${group}' is an interface: name it with -i ${group}` : undefined;
}

/** --json, -j, or -j among grouped short flags (`-qj`). */
function wantsJson(args: string[]): boolean {
  return args.some((a) => a === '--json' || /^-[a-zA-Z0-9]*j[a-zA-Z0-9]*$/.test(a));
}

export async function main(args: string[] = hideBin(process.argv)): Promise<number> {
  quietOnEpipe(process.stdout);
  quietOnEpipe(process.stderr);
  try {
    if (args[0] === 'completion') {
      if (args.length > 2) throw new UsageError('USAGE', 'completion takes one shell name: bash or zsh');
      process.stdout.write((await import('./commands/completion.js')).completionScript(args[1]));
      return 0;
    }
    // Fast path (issue 9): the named command alone; the full list for help, completion and the rest.
    const load = loaderFor(args);
    const commands = load ? [(await load()).default] : await loadAll();
    await buildParser(args, commands as readonly CommandModule<GlobalArgs, never>[]).parseAsync();
    return outcome.exitCode;
  } catch (e) {
    const verbose = args.includes('--verbose') || args.includes('-v');
    if (isMcastError(e)) {
      const h = e.context.hint ?? (await interfaceAsGroupHint(e.code, e.context.group));
      const hint = h ? ` (${h})` : '';
      // Loaded on this error only (start-up): "did you mean --iface?" after yargs' message.
      const message = e.code === 'USAGE' && e.message.startsWith('Unknown argument')
        ? (await import('./commands/suggest.js')).suggestOptions(e.message, args, knownOptions)
        : e.message;
      if (wantsJson(args)) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, error: e.toJSON(), exitCode: e.exitCode })}\n`);
      process.stderr.write(`${NAME}: ${oneLine(message + hint)}\n`);
      if (verbose && e.cause) process.stderr.write(`  cause: ${oneLine(String((e.cause as Error).message ?? e.cause))}\n`);
      return e.exitCode;
    }
    process.stderr.write(`${NAME}: internal error: ${oneLine((e as Error)?.message ?? String(e))}\n`);
    process.stderr.write(
      `  This is a bug in ${NAME} ${toolVersion()}; please report it to ${reportTo()}, with the command line and --verbose output.\n`);
    if (verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return ExitCode.internal;
  }
}

export type { GlobalArgs };

// Run when loaded as the program (bin/mcast-doctor imports this module).
const code = await main();
process.exitCode = code;
