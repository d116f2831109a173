import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { catalog, makeFinding } from '../../src/core/findings/catalog.js';
import { sortFindings } from '../../src/core/findings/model.js';
import { REPO } from '../helpers/lab.js';

test('every finding id is SCREAMING_SNAKE and has docs/findings/ID.md with a fix section', () => {
  for (const id of Object.keys(catalog)) {
    assert.match(id, /^[A-Z][A-Z0-9_]+$/);
    const doc = path.join(REPO, 'docs', 'findings', `${id}.md`);
    assert.ok(existsSync(doc), `missing ${doc}`);
    assert.match(readFileSync(doc, 'utf8'), /## Fix/i, `${id}.md has no "## Fix" section`);
  }
});

test('makeFinding fills defaults and keeps only given locations', () => {
  const f = makeFinding('TTL_ONE', { message: 'm', group: '239.1.1.1' });
  assert.equal(f.severity, 'warning');
  assert.equal(f.group, '239.1.1.1');
  assert.ok(!('iface' in f));
  assert.deepEqual(f.evidence, {});
});

test('findings sort by severity, stable inside one', () => {
  const a = makeFinding('NO_QUERIER', { message: 'a' });
  const b = makeFinding('QUERIER_RPF_DROP', { message: 'b' });
  const c = makeFinding('MULTIPLE_QUERIERS', { message: 'c' });
  const d = makeFinding('TTL_ONE', { message: 'd' });
  assert.deepEqual(sortFindings([c, a, b, d]).map((f) => f.message), ['b', 'a', 'd', 'c']);
});
