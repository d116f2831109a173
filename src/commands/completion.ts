// Shell completion (issue 21): `mcast-doctor completion [bash|zsh]` prints the script, and the
// script asks `mcast-doctor --get-yargs-completions WORDS...` for the words. yargs' own completion
// command picks its template from $SHELL and takes no shell name (`completion zsh` was exit 2), and
// its word list offers `--4`, `--6`, `--q`, `--v`, which no parser accepts: tidied here. After
// --iface/-i/--exclude-iface it offers this host's interface names and `any`.
// The scripts are yargs 17's templates; the zsh one sets SHELL=zsh so that yargs answers in zsh's
// `word:description` form whatever the login shell is.
import { UsageError } from '../core/errors.js';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

const NAME = 'mcast-doctor';
const FN = '_mcast_doctor_completions';

const BASH = `###-begin-${NAME}-completions-###
#
# ${NAME} completion for bash. Installation: ${NAME} completion bash >> ~/.bashrc
#
${FN}()
{
    local cur_word args type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]}")
    type_list=$(${NAME} --get-yargs-completions "\${args[@]}" 2>/dev/null)
    COMPREPLY=( $(compgen -W "\${type_list}" -- "\${cur_word}") )
    return 0
}
complete -o bashdefault -o default -F ${FN} ${NAME}
###-end-${NAME}-completions-###
`;

const ZSH = `#compdef ${NAME}
###-begin-${NAME}-completions-###
#
# ${NAME} completion for zsh. Installation: ${NAME} completion zsh >> ~/.zshrc
# (or save it as _${NAME} in a directory of $fpath)
#
${FN}()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(SHELL=zsh COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" \
${NAME} --get-yargs-completions "\${words[@]}" 2>/dev/null))
  IFS=$si
  _describe 'values' reply
}
compdef ${FN} ${NAME}
###-end-${NAME}-completions-###
`;

/** The script for a shell named on the command line, or for $SHELL when none is. */
export function completionScript(shell: string | undefined, envShell = process.env.SHELL ?? ''): string {
  const chosen = shell ?? (envShell.includes('zsh') ? 'zsh' : 'bash');
  if (chosen === 'bash') return BASH;
  if (chosen === 'zsh') return ZSH;
  throw new UsageError('USAGE', `no completion for shell '${chosen}' (choose: ${SHELLS.join(', ')})`);
}

/** Flags whose value is an interface name. */
const IFACE_FLAGS = new Set(['--iface', '-i', '--exclude-iface']);

/**
 * yargs' candidate words, tidied: a one-character option is `-4`, never `--4`; an alias that is a
 * single letter is not offered as `--q`. zsh candidates are `word:description` (`\\:` escapes).
 */
export function tidyCompletions(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    const m = /^(--?)((?:[^:\\]|\\.)*)(:.*)?$/s.exec(w);
    if (!m) { out.add(w); continue; }
    const [, dashes, name = '', desc = ''] = m;
    if (!dashes?.startsWith('-') || !/^(no-)?.$/.test(name)) { out.add(w); continue; }
    // `--no-4` and friends: negations of one-letter flags are not real options either.
    if (name.startsWith('no-')) continue;
    out.add(`-${name}${desc}`);
  }
  return [...out];
}

/** Interface names (and `any`) after an interface flag; undefined elsewhere. */
export function valueCompletions(prev: string | undefined, current: string, ifaceNames: () => string[]): string[] | undefined {
  if (prev === undefined || !IFACE_FLAGS.has(prev)) return undefined;
  return ['any', ...ifaceNames()].filter((n) => n.startsWith(current));
}
