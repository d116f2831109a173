// Control characters made visible: the one definition shared by the renderers (render/sanitize.ts,
// before a terminal) and by the decoders of what other hosts send (a probe's sender id and
// interface name, sanitised once where they enter: src/core/probe/format.ts). The core may not
// import the renderers, so the rule lives here.

/**
 * C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), the bidi
 * embeddings/overrides/isolates, and the Unicode line/paragraph separators.
 */
// eslint-disable-next-line no-control-regex
export const TERM_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One unsafe character as a visible escape: ESC -> `\x1b`, RLO -> `\u202e`, LF -> `\n`. */
export function visibleEscape(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every unsafe character shown as its escape. */
export function escapeControls(s: string): string {
  return s.replace(TERM_UNSAFE, visibleEscape);
}

/**
 * A name that came from another host, fit to keep and print anywhere: controls escaped, then cut
 * to `max` UTF-16 units (the last one an ellipsis) without splitting a surrogate pair.
 */
export function safeName(s: string, max: number): string {
  const text = escapeControls(s);
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}\u2026`;
}
