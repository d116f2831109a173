// Whether to colour human output, and at which level. chalk's own detection decides (its vendored
// supports-color: FORCE_COLOR, TERM=dumb, a TTY, CI variables), with the two rules chalk leaves to
// the program (docs/decisions.md, "Colour"):
// - NO_COLOR (no-color.org) turns colour off, unless FORCE_COLOR is set too: both are environment,
//   and the more specific one wins, as in Node's own tty.getColorDepth();
// - the command line beats the environment (no-color.org): --no-color is off, --color is on (at
//   least level 1) even with NO_COLOR, FORCE_COLOR=0, TERM=dumb or a pipe.
// chalk costs ~10 ms of CPU to load (issue 9, start-up), so it is loaded only where its answer can
// be anything but 0: supports-color returns 0 for a stream that is not a TTY unless FORCE_COLOR or a
// colour flag is given or Azure Pipelines is detected (TF_BUILD + AGENT_NAME), before anything else.
// test/unit/colour.test.ts checks that shortcut against chalk over a matrix of environments.
export type ColourLevel = 0 | 1 | 2 | 3;

type Env = Readonly<Record<string, string | undefined>>;

/** Whether chalk could answer anything but 0 for a stream (the shortcut above). */
export function chalkMightColour(isTTY: boolean, env: Env, flag: boolean | undefined): boolean {
  return isTTY || 'FORCE_COLOR' in env || flag === true || ('TF_BUILD' in env && 'AGENT_NAME' in env);
}

/** The level for stdout; chalk is imported only when it matters. */
export async function colourLevel(
  flag: boolean | undefined,
  isTTY = Boolean(process.stdout.isTTY),
  env: Env = process.env,
): Promise<ColourLevel> {
  if (flag === false) return 0;
  const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== '' && !('FORCE_COLOR' in env);
  if (noColour && flag !== true) return 0;
  if (!chalkMightColour(isTTY, env, flag)) return 0;
  const { supportsColor } = await import('chalk');
  const level = (supportsColor ? supportsColor.level : 0) as ColourLevel;
  return flag === true ? (Math.max(1, level) as ColourLevel) : level;
}
