// cli-table3's drawing, redone for the tables this program makes (render/table.ts: string cells,
// compact style, no border or head colours, no fixed widths), so that 300 rows take milliseconds.
// cli-table3 0.6.5 itself computes `utils.truncate(content, 10)` of every cell for a debug line on
// every line it draws, and truncation re-measures the string once per character removed, each
// measure building a new ansi-regex: a 300-row `interfaces` table took 0.3-0.4 s of CPU there
// (issue 19 item 8). The output is byte for byte cli-table3's: test/unit/table-draw.test.ts
// compares both on generated tables. Anything outside the cases handled here (a character other
// than printable ASCII, an escape other than SGR colour, rows of another length) returns
// undefined, and the caller draws with cli-table3.

/** cli-table3's default characters (utils.js defaultOptions). */
const C = {
  top: '─', topMid: '┬', topLeft: '┌', topRight: '┐',
  bottom: '─', bottomMid: '┴', bottomLeft: '└', bottomRight: '┘',
  left: '│', leftMid: '├', mid: '─', midMid: '┼', right: '│', rightMid: '┤', middle: '│',
} as const;

// The SGR sequences cli-table3 strips before measuring (utils.codeRegex).
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[(?:\d*;){0,5}\d*m/g;
// eslint-disable-next-line no-control-regex
const SGR_CAPTURE = /\u001b\[((?:\d*;){0,5}\d*)m/g;
/** What is left after SGR is stripped must be printable ASCII: each character one column. */
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * Width of one line as cli-table3 measures it, or -1 when this module cannot be sure of it
 * (string-width's rules for wide, combining and emoji characters are not redone here).
 */
function lineWidth(line: string): number {
  const plain = line.includes('\u001b') ? line.replace(SGR, '') : line;
  return PRINTABLE.test(plain) ? plain.length : -1;
}

// utils.colorizeLines: a style left open at the end of a line is closed there and reopened on
// the next, so that each drawn line stands alone. Only bold, italics, underline, inverse and
// strikethrough are tracked by name, and the last foreground and background colour.
const CODES: Record<string, { set: string; to: boolean }> = {};
const NAMED: Record<string, { on: string; off: string }> = {};
for (const [name, on, off] of [['bold', 1, 22], ['italics', 3, 23], ['underline', 4, 24], ['inverse', 7, 27],
  ['strikethrough', 9, 29]] as const) {
  CODES[`\u001b[${on}m`] = { set: name, to: true };
  CODES[`\u001b[${off}m`] = { set: name, to: false };
  NAMED[name] = { on: `\u001b[${on}m`, off: `\u001b[${off}m` };
}

type State = Record<string, string | boolean>;

function readState(line: string): State {
  const state: State = {};
  SGR_CAPTURE.lastIndex = 0;
  for (let m = SGR_CAPTURE.exec(line); m; m = SGR_CAPTURE.exec(line)) {
    const code = m[1] ? parseInt(m[1].split(';')[0] ?? '', 10) : 0;
    if ((code >= 30 && code <= 39) || (code >= 90 && code <= 97)) state.lastForegroundAdded = m[0];
    else if ((code >= 40 && code <= 49) || (code >= 100 && code <= 107)) state.lastBackgroundAdded = m[0];
    else if (code === 0) for (const k of Object.keys(state)) delete state[k];
    else {
      const info = CODES[m[0]];
      if (info) state[info.set] = info.to;
    }
  }
  return state;
}

function unwind(state: State, line: string): string {
  let out = line;
  const { lastBackgroundAdded: bg, lastForegroundAdded: fg, ...named } = state;
  for (const [k, v] of Object.entries(named)) if (v) out += NAMED[k]?.off ?? '';
  if (bg && bg !== '\u001b[49m') out += '\u001b[49m';
  if (fg && fg !== '\u001b[39m') out += '\u001b[39m';
  return out;
}

function rewind(state: State, line: string): string {
  let out = line;
  const { lastBackgroundAdded: bg, lastForegroundAdded: fg, ...named } = state;
  for (const [k, v] of Object.entries(named)) if (v) out = (NAMED[k]?.on ?? '') + out;
  if (bg && bg !== '\u001b[49m') out = String(bg) + out;
  if (fg && fg !== '\u001b[39m') out = String(fg) + out;
  return out;
}

function colorizeLines(lines: readonly string[]): string[] {
  // Without an escape anywhere there is no state to carry.
  if (!lines.some((l) => l.includes('\u001b'))) return [...lines];
  let state: State = {};
  return lines.map((l) => {
    const line = rewind(state, l);
    state = readState(line);
    return unwind(state, line);
  });
}

interface Laid {
  lines: string[];
  widths: number[];
}

function lay(cell: string): Laid | undefined {
  const lines = colorizeLines(cell.split('\n'));
  const widths = lines.map(lineWidth);
  return widths.includes(-1) ? undefined : { lines, widths };
}

/**
 * The table cli-table3 would draw for this head and these rows (compact, padding 1, left
 * aligned), or undefined when the cells are not ones this function can vouch for.
 */
export function drawTable(head: readonly string[], rows: readonly (readonly string[])[]): string | undefined {
  const n = head.length;
  if (n === 0 || rows.some((r) => r.length !== n)) return undefined;
  const laid: Laid[][] = [];
  for (const r of [head, ...rows]) {
    const row: Laid[] = [];
    for (const cell of r) {
      const l = lay(cell);
      if (!l) return undefined;
      row.push(l);
    }
    laid.push(row);
  }
  // A column is as wide as its widest line plus the padding (at least 1: layout-manager's forcedMin).
  const widths = head.map((_h, x) => Math.max(1, ...laid.map((row) => Math.max(0, ...row[x]!.widths) + 2)));
  const rule = (left: string, joint: string, right: string, fill: string): string =>
    left + widths.map((w) => fill.repeat(w)).join(joint) + right;
  const out: string[] = [rule(C.topLeft, C.topMid, C.topRight, C.top)];
  laid.forEach((row, y) => {
    if (y === 1) out.push(rule(C.leftMid, C.midMid, C.rightMid, C.mid));
    const height = Math.max(1, ...row.map((c) => c.lines.length));
    for (let k = 0; k < height; k++) {
      let line = C.left;
      row.forEach((c, x) => {
        const w = widths[x]!;
        const text = c.lines[k];
        line += text === undefined ? ' '.repeat(w) : ` ${text}${' '.repeat(w - 2 - c.widths[k]!)} `;
        line += x === n - 1 ? C.right : C.middle;
      });
      out.push(line);
    }
  });
  out.push(rule(C.bottomLeft, C.bottomMid, C.bottomRight, C.bottom));
  return out.join('\n');
}
