// Validates JSON output against the schemas in docs/schemas (ajv, draft 2020-12).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO } from './lab.js';

const require = createRequire(import.meta.url);
// ajv ships CommonJS; its 2020 build understands the draft the schemas declare.
const Ajv2020 = require('ajv/dist/2020').default as new (o: object) => {
  addSchema(s: object): void;
  getSchema(id: string): ((d: unknown) => boolean) & { errors?: unknown };
};

const dir = path.join(REPO, 'docs', 'schemas');
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));

export function assertMatchesSchema(schemaFile: string, doc: unknown): void {
  const validate = ajv.getSchema(`mcast-doctor/${schemaFile}`);
  assert.ok(validate, `no schema ${schemaFile}`);
  const ok = validate(doc);
  assert.ok(ok, `${schemaFile}: ${JSON.stringify(validate.errors, null, 2)}`);
}
