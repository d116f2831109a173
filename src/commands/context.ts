// What every command receives: the global flags, parsed once, and the output context.
// Kept free of heavy imports: yargs loads every command file to build its parser.
import type { Argv, CommandModule } from 'yargs';
import { Output } from '../render/output.js';
import { colourLevel } from '../render/colour.js';
import { useColour } from '../render/style.js';
import type { IfaceSelection } from '../core/iface-filter.js';
import type { Family } from '../core/ip.js';

export interface GlobalArgs {
  json: boolean;
  iface?: string[];
  'exclude-iface'?: string[];
  '4'?: boolean;
  '6'?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface CommandContext {
  out: Output;
  selection: IfaceSelection;
  /** Set by -4 / -6; undefined means both families where the command supports them. */
  family?: Family;
}

/** `color`: whether human output is coloured (decided once by colourFor). */
export function contextFrom(argv: GlobalArgs, color = false): CommandContext {
  const out = new Output({
    json: argv.json,
    color: !argv.json && color,
    quiet: argv.quiet === true,
    verbose: argv.verbose === true,
  });
  const ctx: CommandContext = { out, selection: { include: argv.iface ?? [], exclude: argv['exclude-iface'] ?? [] } };
  if (argv['4'] && !argv['6']) ctx.family = 4;
  if (argv['6'] && !argv['4']) ctx.family = 6;
  return ctx;
}

/** Colour for this run: never in JSON; else chalk's level detection (render/colour.ts). */
export async function colourFor(argv: GlobalArgs): Promise<boolean> {
  return argv.json ? false : useColour(await colourLevel(argv.color));
}

/** The exit code of the command that ran; read by src/cli.ts after parsing. */
export const outcome = { exitCode: 0 };

export interface CommandSpec<A> {
  command: string | string[];
  describe: string;
  builder: (y: Argv<GlobalArgs>) => Argv<A>;
  /** Returns the exit code (0 or 1); throws typed errors for 2 and 3. */
  run: (argv: A & GlobalArgs, ctx: CommandContext) => Promise<number>;
}

/** Names of the positionals in `cmd <a> [b..]` forms. */
function positionalsOf(command: string | string[]): Set<string> {
  const forms = Array.isArray(command) ? command : [command];
  return new Set(forms.flatMap((f) => [...f.matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((m) => m[1] ?? '')));
}

/**
 * Every option that takes a value must have one: without requiresArg, yargs reads a bare
 * `--duration` as undefined (the command then runs with no bound) and lets an array option such
 * as `--port 5000 239.1.1.1` swallow the positionals after it. Applied here once, so a new option
 * cannot forget it (docs/reliability.md, "bad input").
 */
function withRequiredValues<A>(spec: CommandSpec<A>): CommandSpec<A>['builder'] {
  const positionals = positionalsOf(spec.command);
  return (y) => {
    const built = spec.builder(y);
    // getOptions() exists on the instance but not in @types/yargs.
    const o = (built as unknown as { getOptions(): { string: string[]; number: string[]; choices?: Record<string, unknown> } }).getOptions();
    const keys = [...o.string, ...o.number, ...Object.keys(o.choices ?? {})].filter((k) => !positionals.has(k));
    return keys.length > 0 ? built.requiresArg([...new Set(keys)]) : built;
  };
}

export function defineCommand<A>(spec: CommandSpec<A>): CommandModule<GlobalArgs, A> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: withRequiredValues(spec) as unknown as CommandModule<GlobalArgs, A>['builder'],
    handler: async (argv) => {
      const full = argv as unknown as A & GlobalArgs;
      outcome.exitCode = await spec.run(full, contextFrom(full, await colourFor(full)));
    },
  };
}

/**
 * SIGINT/SIGTERM stop a run from the moment this is called: a signal that comes while the run is
 * still starting (joins made, libpcap loading) stops it as soon as `attach` hands it over, rather
 * than killing the process with nothing reported (a join-all lab test caught that window).
 */
export function stopOnSignals(): { attach(stop: () => void): void; release(): void } {
  let stop: (() => void) | undefined;
  let asked = false;
  const onSig = (): void => { asked = true; stop?.(); };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  return {
    attach: (s) => { stop = s; if (asked) s(); },
    release: () => { process.off('SIGINT', onSig); process.off('SIGTERM', onSig); },
  };
}
