// defined(): optional fields without one conditional spread per field (src/core/defined.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defined } from '../../src/core/defined.js';

test('drops undefined-valued keys only; 0, empty text, false and null stay', () => {
  const o = defined({ a: undefined, b: 0, c: '', d: false, e: null, f: 'x' });
  assert.deepEqual(o, { b: 0, c: '', d: false, e: null, f: 'x' });
  assert.equal('a' in o, false);
  assert.equal(JSON.stringify({ g: 1, ...defined({ source: undefined as string | undefined }) }), '{"g":1}');
  assert.deepEqual({ g: 1, ...defined({ source: '198.18.1.1' as string | undefined, port: undefined }) }, { g: 1, source: '198.18.1.1' });
});
