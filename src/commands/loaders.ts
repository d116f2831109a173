// Each command by name (and alias), imported alone. src/cli.ts uses this to build a parser with
// the one command the user named, so `mcast-doctor mac-map 239.1.2.3` does not load the other
// command modules (issue 9, start-up). The full list in ./index.ts stays the reference for
// --help, completion and unknown commands; test/unit/cli-fast-path.test.ts keeps both in step.
// A new command: add it to ./index.ts AND here (a command missing here still works, on the slow path).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from './context.js';

type Loader = () => Promise<{ default: CommandModule<GlobalArgs, never> }>;

export const commandLoaders: Readonly<Record<string, Loader>> = {
  interfaces: () => import('./interfaces.js') as never,
  ifaces: () => import('./interfaces.js') as never,
  doctor: () => import('./doctor.js') as never,
  'mac-map': () => import('./mac-map.js') as never,
  'querier-check': () => import('./querier-check.js') as never,
  sniff: () => import('./sniff.js') as never,
  'join-all': () => import('./join-all.js') as never,
  'send-all': () => import('./send-all.js') as never,
  'rpfilter-audit': () => import('./rpfilter-audit.js') as never,
  mesh: () => import('./mesh.js') as never,
  'mesh-report': () => import('./mesh-report.js') as never,
  trace: () => import('./trace.js') as never,
  analyze: () => import('./analyze.js') as never,
};

/** Flags that need every command in the parser (help lists them, completion names them). */
const NEEDS_ALL = new Set(['--help', '-h', '--version', 'completion', '--get-yargs-completions']);

/**
 * The loader of the command named by the first word that is not a flag, or undefined when the
 * full parser is needed (help, completion, no command, an unknown or misspelt command, or a
 * word that may be a flag's value). Options before the command take values (`--iface eth0`), so
 * only a command in first position, or after value-less global flags, takes the fast path.
 */
export function loaderFor(args: readonly string[]): Loader | undefined {
  if (args.some((a) => NEEDS_ALL.has(a))) return undefined;
  const first = args.find((a) => !a.startsWith('-'));
  if (first === undefined || !Object.hasOwn(commandLoaders, first)) return undefined;
  // A word after a flag that takes a value is that value, not the command.
  const i = args.indexOf(first);
  const prev = i > 0 ? args[i - 1] : undefined;
  if (prev !== undefined && /^(--?(iface|exclude-iface)|-i)$/.test(prev)) return undefined;
  return commandLoaders[first];
}
