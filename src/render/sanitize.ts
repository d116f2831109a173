// The one place where strings that came from outside (the wire, another host's document, the
// kernel's interface names) are made safe for the medium they are written to. Every renderer
// uses these helpers; none escapes on its own (docs/security.md).
//
// - termSafe: before a terminal. A probe's sender id, an interface name carried in a probe, an
//   interface name itself can hold ESC, CSI, OSC (title, hyperlink), CR/LF (a fake "PASS" line),
//   bidi overrides (text that reads backwards). Each such character is shown as a visible escape
//   (\x1b, \r, \u202e), so the engineer sees that something odd arrived instead of the terminal
//   obeying it.
// - htmlEscape: before HTML text or a double- or single-quoted attribute value.
// - xmlEscape: before XML text or attribute values; also drops what XML 1.0 forbids outright
//   (most C0 controls, lone surrogates, U+FFFE/U+FFFF), which no escape can carry.

import { TERM_UNSAFE, visibleEscape as visible } from '../core/safe-text.js';

/**
 * A string from outside, safe to print on a terminal: every control character becomes a visible
 * escape (ESC -> `\x1b`). `max` caps the length (in UTF-16 units, before escaping) with an ellipsis,
 * so that one forged field cannot fill the screen. Non-strings (numbers, undefined) print as usual.
 */
export function termSafe(s: string | number | undefined | null, max?: number): string {
  if (s === undefined || s === null) return '';
  let text = String(s);
  if (max !== undefined && text.length > max) text = `${text.slice(0, Math.max(0, max - 1))}\u2026`;
  return text.replace(TERM_UNSAFE, visible);
}

// eslint-disable-next-line no-control-regex
const SGR_OR_UNSAFE = /\x1b\[[0-9;]*m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The safety net for text this program already styled (a table cell, a coloured line): colour
 * (SGR, `ESC [ ... m`) and line breaks stay, every other control is shown as an escape. Fields
 * from outside still go through termSafe first, which also escapes their line breaks and colours.
 */
export function termSafeStyled(s: string): string {
  return s.replace(SGR_OR_UNSAFE, (m) => (m.length > 1 ? m : visible(m)));
}

/** True when the string holds a character termSafe would escape (for tests and validation). */
export function hasTerminalControl(s: string): boolean {
  TERM_UNSAFE.lastIndex = 0;
  const found = TERM_UNSAFE.test(s);
  TERM_UNSAFE.lastIndex = 0;
  return found;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute value. */
export function htmlEscape(s: string | number | boolean | undefined | null): string {
  if (s === undefined || s === null) return '';
  return String(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Characters XML 1.0 does not allow at all (§2.2 Char): C0 controls except TAB, LF, CR; lone
 * surrogates; U+FFFE and U+FFFF. Each is replaced by U+FFFD so the reader sees that something was there.
 */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for XML element content or a quoted attribute value (JUnit). */
export function xmlEscape(s: string | number | undefined | null): string {
  if (s === undefined || s === null) return '';
  return String(s).replace(XML_FORBIDDEN, '\ufffd').replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}
