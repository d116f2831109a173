// Writes docs/findings/ID.md for every catalog id that has no page yet, from the catalog's
// title, explanation and fix. Existing pages are never overwritten: they are edited by hand
// with how the finding was reproduced and the commands that confirm it.
// Usage: npm run build && node scripts/gen-finding-docs.mjs
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { catalog } = await import(path.join(repo, 'dist/src/core/findings/catalog.js'));
let written = 0;
for (const [id, e] of Object.entries(catalog)) {
  const file = path.join(repo, 'docs', 'findings', `${id}.md`);
  if (existsSync(file)) continue;
  writeFileSync(file, `# ${id}: ${e.title}\n\nSeverity: **${e.severity}**\n\n## What happens\n\n${e.explanation}\n\n## Fix\n\n${e.fix}\n`);
  written++;
}
console.log(`${written} page(s) written`);
