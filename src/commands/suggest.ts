// "Did you mean --iface?" for a misspelt option (issue 21). yargs' strict mode names the unknown
// words without their dashes ("Unknown arguments: ifac, x"); a word the user typed as a flag gets
// the closest option the command knows, by edit distance (transpositions count one, as in yargs'
// own command suggestions), or the option it is the start of (`--dur` for --duration).

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The option closest to `word`, or undefined when none is close enough to be a guess. */
export function closestOption(word: string, options: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const long = options.filter((o) => o.length > 1);
  const prefixed = long.filter((o) => o.startsWith(w) && w.length >= 3);
  if (prefixed.length === 1) return prefixed[0];
  let best: { o: string; d: number } | undefined;
  for (const o of long) {
    const d = editDistance(w, o);
    if (!best || d < best.d) best = { o, d };
  }
  // One edit per three letters, at least one: `ifac` → iface, never `x` → anything.
  return best && best.d <= Math.max(1, Math.floor(w.length / 3)) ? best.o : undefined;
}

/**
 * yargs' unknown-argument message with a suggestion after each word that was typed as a flag
 * (`--ifac`, `-ifac`, `--ifac=lo`); a stray positional word gets none.
 */
export function suggestOptions(message: string, args: readonly string[], options: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m?.[1]) return message;
  const typedAsFlag = (w: string): boolean => args.some((a) => a === `--${w}` || a === `-${w}` || a.startsWith(`--${w}=`));
  const hints = m[1].split(', ').flatMap((w) => {
    const o = typedAsFlag(w) ? closestOption(w, options) : undefined;
    return o ? [`--${w}: did you mean --${o}?`] : [];
  });
  return hints.length > 0 ? `${message} (${hints.join('; ')})` : message;
}
