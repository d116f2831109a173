// A group line of /proc/net/igmp read in place (net/ipv4/igmp.c prints
// "\t\t\t\t%08X %5d %d:%08lX\t\t%d\n"). At 300 interfaces x 200 groups the file has 60 000 of
// them: matched with a regular expression, each left a match array of six strings to collect,
// and the expression itself showed as 0.03-0.1 s in doctor's profiles (issue 19 item 8). This
// scanner accepts exactly what /^\s+([0-9A-Fa-f]{8})\s+(\d+)\s+(\d+):([0-9A-Fa-f]+)\s+(\d+)\s*$/
// accepts, without building a string (test/unit/procfs.test.ts compares the two on fuzzed lines).

import type { IgmpGroup } from './igmp.js';

/** JavaScript's \s: the characters a regular expression's \s matches. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Index of the first character at or after i in [i, end) that is not a space. */
function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function skipDigits(text: string, i: number, end: number): number {
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** One digit '1' in text[from, to): the timer and reporter flags as the callers read them. */
const isOne = (text: string, from: number, to: number): boolean => to - from === 1 && text.charCodeAt(from) === 0x31;

/**
 * The group line in text[start, end), or undefined when it is not one; `address` turns the u32
 * the 8 hex digits print into the group's text. The numbers are converted from their text, as
 * the regular expression's callers did.
 */
export function scanGroupLine(text: string, start: number, end: number, address: (hex: number) => string): IgmpGroup | undefined {
  let i = skipSpaces(text, start, end);
  if (i === start) return undefined;
  let hex = 0;
  for (let k = 0; k < 8; k++, i++) {
    const v = i < end ? hexValue(text.charCodeAt(i)) : -1;
    if (v < 0) return undefined;
    hex = hex * 16 + v;
  }
  let j = skipSpaces(text, i, end);
  if (j === i) return undefined;
  const usersFrom = j;
  const usersTo = skipDigits(text, j, end);
  i = skipSpaces(text, usersTo, end);
  if (usersTo === usersFrom || i === usersTo) return undefined;
  const runningFrom = i;
  i = skipDigits(text, i, end);
  if (i === runningFrom || i >= end || text.charCodeAt(i) !== 0x3a) return undefined;
  const ticksFrom = ++i;
  while (i < end && hexValue(text.charCodeAt(i)) >= 0) i++;
  const ticksTo = i;
  j = skipSpaces(text, i, end);
  if (ticksTo === ticksFrom || j === i) return undefined;
  const reporterTo = skipDigits(text, j, end);
  if (reporterTo === j || skipSpaces(text, reporterTo, end) !== end) return undefined;
  return {
    group: address(hex),
    users: Number(text.slice(usersFrom, usersTo)),
    timerRunning: isOne(text, runningFrom, ticksFrom - 1),
    timerTicks: parseInt(text.slice(ticksFrom, ticksTo), 16),
    reporter: isOne(text, j, reporterTo),
  };
}
