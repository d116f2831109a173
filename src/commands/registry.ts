// The command set, in one place and loaded lazily (STYLE.md: an explicit list, no commandDir;
// issue 9: `mac-map 239.1.2.3` must not load the other command modules). src/cli.ts builds its
// parser with the one command the user named, or with all of them for --help, completion and
// unknown words.
//
// A new command is ONE line here: its names (the first is the command, the rest aliases, as its
// module's `command` declares them) and its module. test/unit/registry.test.ts checks that each
// line's names match what the module declares.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from './context.js';

type Module = { default: CommandModule<GlobalArgs, never> };
type Loader = () => Promise<Module>;

export interface CommandEntry {
  readonly names: readonly string[];
  readonly load: Loader;
}

export const registry: readonly CommandEntry[] = [
  { names: ['interfaces', 'ifaces'], load: () => import('./interfaces.js') as Promise<Module> },
  { names: ['doctor'], load: () => import('./doctor.js') as Promise<Module> },
  { names: ['mac-map'], load: () => import('./mac-map.js') as Promise<Module> },
  { names: ['querier-check'], load: () => import('./querier-check.js') as Promise<Module> },
  { names: ['sniff'], load: () => import('./sniff.js') as Promise<Module> },
  { names: ['join-all'], load: () => import('./join-all.js') as Promise<Module> },
  { names: ['send-all'], load: () => import('./send-all.js') as Promise<Module> },
  { names: ['rpfilter-audit'], load: () => import('./rpfilter-audit.js') as Promise<Module> },
  { names: ['mesh'], load: () => import('./mesh.js') as Promise<Module> },
  { names: ['mesh-report'], load: () => import('./mesh-report.js') as Promise<Module> },
  { names: ['trace'], load: () => import('./trace.js') as Promise<Module> },
  { names: ['analyze'], load: () => import('./analyze.js') as Promise<Module> },
];

/** Every command module, in the registry's order (help, completion, unknown commands). */
export async function loadAll(): Promise<CommandModule<GlobalArgs, never>[]> {
  return Promise.all(registry.map(async (e) => (await e.load()).default));
}

/** The entry a word names (command or alias), or undefined. */
export function entryNamed(word: string): CommandEntry | undefined {
  return registry.find((e) => e.names.includes(word));
}

/** Flags that need every command in the parser (help lists them, completion names them). */
const NEEDS_ALL = new Set(['--help', '-h', '--version', 'completion', '--get-yargs-completions']);

/** Global options that take a value: the word after one is that value, not a command. */
const VALUE_FLAGS = /^(--?(iface|exclude-iface)|-i)$/;

/**
 * The loader of the command named by the first word that is not a flag, or undefined when the
 * full parser is needed (help, completion, no command, an unknown or misspelt command, or a
 * word that may be a flag's value). Options before the command take values (`--iface eth0`), so
 * only a command in first position, or after value-less global flags, takes the fast path.
 */
export function loaderFor(args: readonly string[]): Loader | undefined {
  if (args.some((a) => NEEDS_ALL.has(a))) return undefined;
  const first = args.find((a) => !a.startsWith('-'));
  const entry = first === undefined ? undefined : entryNamed(first);
  if (first === undefined || entry === undefined) return undefined;
  const i = args.indexOf(first);
  const prev = i > 0 ? args[i - 1] : undefined;
  if (prev !== undefined && VALUE_FLAGS.test(prev)) return undefined;
  return entry.load;
}
