// The three escaping helpers, byte by byte: what a terminal, an HTML page and an XML reader get
// for the strings an attacker would send (docs/security.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasTerminalControl, htmlEscape, termSafe, xmlEscape } from '../../src/render/sanitize.js';

test('termSafe shows every terminal control as a visible escape', () => {
  // OSC 0 (window title), clear screen, CR + fake PASS line, OSC 8 hyperlink, C1 CSI, bidi override.
  assert.equal(termSafe('a\x1b]0;owned\x07b'), 'a\\x1b]0;owned\\x07b');
  assert.equal(termSafe('\x1b[2J\x1b[H'), '\\x1b[2J\\x1b[H');
  assert.equal(termSafe('x\r\n\x1b[32mPASS\x1b[0m'), 'x\\r\\n\\x1b[32mPASS\\x1b[0m');
  assert.equal(termSafe('\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\'), '\\x1b]8;;http://evil/\\x1b\\click\\x1b]8;;\\x1b\\');
  assert.equal(termSafe('\u009b31m'), '\\x9b31m');
  assert.equal(termSafe('\u202egnp.exe'), '\\u202egnp.exe');
  assert.equal(termSafe('tab\there\x7f\x00'), 'tab\\there\\x7f\\x00');
  assert.equal(termSafe('\u2028'), '\\u2028');
});

test('termSafe leaves ordinary text, including non-ASCII, alone', () => {
  for (const s of ['eth0', 'wlp0s20f3', 'host-a.example', 'café', '239.1.2.3', 'ff02::1', '日本語', 'a b\\x1b']) {
    assert.equal(termSafe(s), s);
    assert.equal(hasTerminalControl(s), false);
  }
  assert.equal(termSafe(undefined), '');
  assert.equal(termSafe(null), '');
  assert.equal(termSafe(42), '42');
});

test('termSafe caps the length before escaping, and the output never holds a control byte', () => {
  assert.equal(termSafe('abcdefghij', 5), 'abcd\u2026');
  assert.equal(termSafe('abc', 5), 'abc');
  let all = '';
  for (let c = 0; c < 0x300; c++) all += String.fromCharCode(c);
  const out = termSafe(all);
  for (const ch of out) {
    const code = ch.charCodeAt(0);
    assert.ok(code >= 0x20 && !(code >= 0x7f && code <= 0x9f), `control U+${code.toString(16)} got through`);
  }
  assert.equal(hasTerminalControl(all), true);
  assert.equal(hasTerminalControl(out), false);
});

test('htmlEscape escapes every character that can end text or an attribute', () => {
  assert.equal(htmlEscape('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(htmlEscape('" onmouseover="x\' &amp;'), '&quot; onmouseover=&quot;x&#39; &amp;amp;');
  assert.equal(htmlEscape(3.5), '3.5');
  assert.equal(htmlEscape(true), 'true');
  assert.equal(htmlEscape(undefined), '');
});

test('xmlEscape escapes markup and replaces what XML 1.0 forbids', () => {
  assert.equal(xmlEscape('a<b>&"\''), 'a&lt;b&gt;&amp;&quot;&apos;');
  assert.equal(xmlEscape('x\x00\x01\x08\x0b\x0c\x1f\x1by'), 'x\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffdy');
  assert.equal(xmlEscape('tab\tlf\ncr\r'), 'tab\tlf\ncr\r');
  assert.equal(xmlEscape('\ufffe\uffff'), '\ufffd\ufffd');
  assert.equal(xmlEscape('lone \ud800 and \udc00 pair \ud83d\ude00'), 'lone \ufffd and \ufffd pair \ud83d\ude00');
});
