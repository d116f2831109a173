// The JSON Schemas we publish (docs/schemas, shipped in the package) loaded into the validator, so
// that what mesh-report accepts is exactly what docs/schemas/mesh.schema.json describes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry } from '../core/schema/validate.js';

/** dist/src/platform -> the package root. */
export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/schemas');

/**
 * These schema files (and the files their $refs name, which must be listed too) in one registry;
 * ids are `mcast-doctor/NAME`. Only what a command validates is loaded.
 */
export function loadSchemas(files: readonly string[], dir = SCHEMA_DIR): SchemaRegistry {
  const r = new SchemaRegistry();
  for (const f of files) r.add(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
  return r;
}

/** mesh-report's inputs: a mesh document and the findings it carries. */
export const MESH_SCHEMAS = ['mesh.schema.json', 'finding.schema.json', 'coverage.schema.json'] as const;
