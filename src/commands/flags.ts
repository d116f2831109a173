// Flags declared once, with their bounds, and checked in one place (issue 15 item 2). A command
// lists its valued options in `flags`; defineCommand hands each to yargs (with requiresArg, so a
// bare `--duration` is an error) and checks every value against its bounds before the command
// runs. `checkFlags` is a plain function: the bounds are unit-tested without spawning the CLI.
//
// Habits (short flags, completion) add an alias where the flag is declared: `alias: 'c'`.
import type { InferredOptionType, Options } from 'yargs';
import { UsageError } from '../core/errors.js';
import { defined } from '../core/defined.js';

/**
 * Node's timers hold a signed 32-bit count of milliseconds: setTimeout(f, 2 ** 31) fires after
 * 1 ms with a TimeoutOverflowWarning (a `--duration 3e6` run stopped at once, issue 14). Every
 * flag that becomes a timer is bounded by this: 2147483 s, 24.8 days.
 */
export const TIMER_MAX_S = Math.floor((2 ** 31 - 1) / 1000);

export interface Bounds {
  /** What the value counts, for the message: "seconds", "a whole number", "a percentage". */
  what: string;
  min: number;
  /** min itself is not allowed (seconds > 0). */
  minOpen?: boolean;
  max: number;
  integer?: boolean;
}

export type FlagSpec = Options & { bounds?: Bounds };
export type FlagSet = Readonly<Record<string, FlagSpec>>;

/** A declared flag whose parsed value has type V (a phantom: only the type checker sees it). */
export type Flag<V> = FlagSpec & { readonly __value: V };
type ValueOf<S> = S extends { readonly __value: infer V } ? V : S extends Options ? InferredOptionType<S> : never;
/** The argv fields a FlagSet gives a command's `run`. */
export type FlagValues<F> = { -readonly [K in keyof F]: ValueOf<F[K]> };

interface Common { alias?: string | string[] }
interface WithDefault extends Common { default: number }
const common = (o: Common & { default?: number }): Partial<Options> => ({
  ...defined({ default: o.default, alias: o.alias }),
});

interface SecondsOpts extends Common { max?: number; zero?: boolean; default?: number }

/** A duration in seconds: > 0 (or >= 0 with `zero`), at most `max` (never past the timer range). */
export function seconds(describe: string, o: SecondsOpts & WithDefault): Flag<number>;
export function seconds(describe: string, o?: SecondsOpts): Flag<number | undefined>;
export function seconds(describe: string, o: SecondsOpts = {}): FlagSpec {
  const max = Math.min(o.max ?? TIMER_MAX_S, TIMER_MAX_S);
  return { type: 'number', describe, ...common(o), bounds: { what: 'seconds', min: 0, minOpen: o.zero !== true, max } };
}

interface WholeOpts extends Common { min?: number; max?: number; default?: number }

/** A whole number in [min (default 1), max]. */
export function whole(describe: string, o: WholeOpts & WithDefault): Flag<number>;
export function whole(describe: string, o?: WholeOpts): Flag<number | undefined>;
export function whole(describe: string, o: WholeOpts = {}): FlagSpec {
  return { type: 'number', describe, ...common(o),
    bounds: { what: 'a whole number', min: o.min ?? 1, max: o.max ?? Number.MAX_SAFE_INTEGER, integer: true } };
}

/** A percentage, 0-100. */
export function percent(describe: string, o: WithDefault): Flag<number>;
export function percent(describe: string, o?: Common): Flag<number | undefined>;
export function percent(describe: string, o: Common & { default?: number } = {}): FlagSpec {
  return { type: 'number', describe, ...common(o), bounds: { what: 'a percentage', min: 0, max: 100 } };
}

interface RangedOpts extends Common { default?: number; minOpen?: boolean }

/** A number in [min, max] of `what` ("probes per second"). */
export function ranged(describe: string, what: string, min: number, max: number, o: RangedOpts & WithDefault): Flag<number>;
export function ranged(describe: string, what: string, min: number, max: number, o?: RangedOpts): Flag<number | undefined>;
export function ranged(describe: string, what: string, min: number, max: number, o: RangedOpts = {}): FlagSpec {
  return { type: 'number', describe, ...common(o), bounds: { what, min, max, ...(o.minOpen ? { minOpen: true } : {}) } };
}

function rangeText(b: Bounds): string {
  const lo = `${b.minOpen ? '>' : '>='} ${b.min}`;
  return b.max >= Number.MAX_SAFE_INTEGER ? `${b.what} ${lo}` : `${b.what} ${lo} and <= ${b.max}`;
}

/** Throws the one-line usage error when `value` is outside `b`; undefined (not given) passes. */
export function checkValue(flag: string, value: unknown, b: Bounds): void {
  if (value === undefined) return;
  // A stable code per flag (BAD_DURATION, BAD_TTL), as JSON error documents carry it.
  const code = `BAD_${flag.toUpperCase().replace(/-/g, '_')}`;
  for (const v of Array.isArray(value) ? value : [value]) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new UsageError(code, `--${flag} is not a number: wants ${rangeText(b)}`);
    const ok = Number.isFinite(v)
      && (b.minOpen ? v > b.min : v >= b.min) && v <= b.max && (!b.integer || Number.isInteger(v));
    if (!ok) throw new UsageError(code, `--${flag} '${String(v)}' out of range: wants ${rangeText(b)}`);
  }
}

/** Every declared flag's value against its bounds (argv as yargs parsed it). */
export function checkFlags(flags: FlagSet, argv: Readonly<Record<string, unknown>>): void {
  for (const [name, spec] of Object.entries(flags)) if (spec.bounds) checkValue(name, argv[name], spec.bounds);
}

/** The yargs option of a declared flag (bounds are ours, not yargs'). */
export function yargsOption(spec: FlagSpec): Options {
  const { bounds: _bounds, ...opt } = spec;
  return opt;
}
