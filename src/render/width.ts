// How many terminal columns a string takes, and how many rows a block of lines takes on a
// terminal `columns` wide (issue 21: the live view redraws exactly the rows it drew, wrapped
// lines included). Colour and other escape sequences take none; every other code point one
// column (the tool prints names, addresses and numbers: no double-width script in its tables).

// CSI sequences (colour, cursor) and OSC sequences (titles, hyperlinks).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

export function visibleWidth(s: string): number {
  return [...s.replace(ESCAPES, '')].length;
}

/** Rows the lines take when the terminal wraps them at `columns` (an empty line takes one). */
export function terminalRows(text: string, columns: number | undefined): number {
  const lines = text.split('\n');
  if (!columns || columns <= 0) return lines.length;
  return lines.reduce((n, l) => n + Math.max(1, Math.ceil(visibleWidth(l) / columns)), 0);
}

/**
 * `text` with every line at most `width` columns: a line that is wider loses its colour and is
 * broken after a space where there is one, else cut at the width (an address, a group list).
 */
export function wrapText(text: string, width: number): string {
  const w = Math.max(1, width);
  return text.split('\n').flatMap((line) => {
    if (visibleWidth(line) <= w) return [line];
    let rest = [...line.replace(ESCAPES, '')];
    const out: string[] = [];
    while (rest.length > w) {
      const space = rest.slice(0, w + 1).lastIndexOf(' ');
      const cut = space > 0 ? space : w;
      out.push(rest.slice(0, cut).join('').trimEnd());
      rest = rest.slice(space > 0 ? cut + 1 : cut);
    }
    if (rest.length > 0) out.push(rest.join(''));
    return out;
  }).join('\n');
}
