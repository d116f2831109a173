// What every command receives: the global flags, parsed once, and the output context.
// Kept free of heavy imports: yargs loads every command file to build its parser.
import type { Argv, CommandModule } from 'yargs';
import { Output } from '../render/output.js';
import { colourLevel } from '../render/colour.js';
import { useColour } from '../render/style.js';
import type { IfaceSelection } from '../core/kernel/iface-filter.js';
import type { Family } from '../core/kernel/ip.js';
import { realHost, type Host } from '../host.js';
import { checkFlags, yargsOption, type FlagSet, type FlagValues } from './flags.js';
import { installSignals, type Interrupt } from './signals.js';
import type { Interruption } from '../core/coverage.js';

export interface GlobalArgs {
  json: boolean;
  iface?: string[];
  'exclude-iface'?: string[];
  '4'?: boolean;
  '6'?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  wide?: boolean;
}

export interface CommandContext {
  out: Output;
  /** The adapters over the OS, loaded on first use (src/host.ts). */
  host: Host;
  /** SIGINT/SIGTERM/SIGHUP...: the one stop of a waiting command (./signals.ts). */
  interrupt: Interrupt;
  /**
   * Marks a wait: a heartbeat on stderr without a TTY (what, time left), and at `done()` the
   * interruption, if a signal cut it short.
   */
  waiting(what: string, plannedMs: number | null): Wait;
  selection: IfaceSelection;
  /** Set by -4 / -6; undefined means both families where the command supports them. */
  family?: Family;
}

export interface Wait {
  readonly startMs: number;
  /** Stops the heartbeat; the signal that ended the wait early, or null. */
  done(): Interruption | null;
}

/** A command that does not wait: signals keep their default (the process ends at once). */
const NEVER: Interrupt = {
  abort: new AbortController().signal,
  caught: undefined,
  onStop: () => () => {},
  onForcedExit: () => () => {},
  interruption: () => null,
};

/** `color`: whether human output is coloured (decided once by colourFor). */
export function contextFrom(argv: GlobalArgs, host: Host, color = false, interrupt: Interrupt = NEVER): CommandContext {
  const out = new Output({
    json: argv.json,
    color: !argv.json && color,
    quiet: argv.quiet === true,
    verbose: argv.verbose === true,
    wide: argv.wide === true,
  });
  const waiting = (what: string, plannedMs: number | null): Wait => {
    const startMs = Date.now();
    const stopBeat = out.heartbeat(() => {
      const s = Math.round((Date.now() - startMs) / 1000);
      return plannedMs === null ? `${what}: ${s} s so far` : `${what}: ${Math.max(0, Math.round(plannedMs / 1000) - s)} s left`;
    });
    return { startMs, done: () => { stopBeat(); return interrupt.interruption(startMs, plannedMs); } };
  };
  const ctx: CommandContext =
    { out, host, interrupt, waiting, selection: { include: argv.iface ?? [], exclude: argv['exclude-iface'] ?? [] } };
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

export interface CommandSpec<A, F extends FlagSet = Record<never, never>> {
  command: string | string[];
  describe: string;
  /**
   * The command waits (listens, captures, sends over time): signals stop the wait and the report
   * of what was gathered is printed (./signals.ts). Without it a signal ends the process at once.
   */
  waits?: boolean;
  /** Valued options with their bounds, declared once (./flags.ts); checked before `run`. */
  flags?: F;
  /** Positionals, other options, conflicts and examples. */
  builder: (y: Argv<GlobalArgs>) => Argv<A>;
  /** Returns the exit code (0 or 1); throws typed errors for 2 and 3. */
  run: (argv: A & FlagValues<F> & GlobalArgs, ctx: CommandContext) => Promise<number>;
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
function withRequiredValues<A, F extends FlagSet>(spec: CommandSpec<A, F>): CommandSpec<A, F>['builder'] {
  const positionals = positionalsOf(spec.command);
  return (y) => {
    let withFlags = y;
    for (const [name, f] of Object.entries(spec.flags ?? {})) withFlags = withFlags.option(name, yargsOption(f));
    const built = spec.builder(withFlags);
    // getOptions() exists on the instance but not in @types/yargs.
    const o = (built as unknown as { getOptions(): {
      string: string[]; number: string[]; choices?: Record<string,
      unknown>,
    } }).getOptions();
    const keys = [...o.string, ...o.number, ...Object.keys(o.choices ?? {})].filter((k) => !positionals.has(k));
    return keys.length > 0 ? built.requiresArg([...new Set(keys)]) : built;
  };
}

export function defineCommand<A, F extends FlagSet = Record<never, never>>(spec: CommandSpec<A, F>): CommandModule<GlobalArgs, A> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: withRequiredValues(spec) as unknown as CommandModule<GlobalArgs, A>['builder'],
    handler: async (argv) => {
      const full = argv as unknown as A & FlagValues<F> & GlobalArgs;
      checkFlags(spec.flags ?? {}, full as unknown as Record<string, unknown>);
      const interrupt = spec.waits ? installSignals({ clearStatus: () => ctx.out.endProgress() }) : undefined;
      const ctx = contextFrom(full, realHost(), await colourFor(full), interrupt);
      try {
        outcome.exitCode = await spec.run(full, ctx);
      } finally {
        interrupt?.release();
      }
    },
  };
}
