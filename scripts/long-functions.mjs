// Lists functions longer than a limit (lines from the declaration to its closing brace), longest
// first: `node scripts/long-functions.mjs [limit=60] [dir=src]`. A measuring aid for issue 15
// item 5 ("functions over ~60 lines split where the split names a step"), not a gate.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const limit = Number(process.argv[2] ?? 60);
const root = process.argv[3] ?? 'src';

function* files(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

/** A name for a function node: its own, its variable's, its property's, or `<anonymous>`. */
function nameOf(n) {
  if (n.name && ts.isIdentifier(n.name)) return n.name.text;
  if (n.name) return n.name.getText();
  const p = n.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText();
  if (ts.isConstructorDeclaration(n)) return 'constructor';
  return '<anonymous>';
}

const out = [];
for (const f of files(root)) {
  const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if (ts.isFunctionLike(n) && n.body) {
      const a = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const b = sf.getLineAndCharacterOfPosition(n.end).line;
      if (b - a + 1 > limit) out.push({ lines: b - a + 1, where: `${f}:${a + 1}`, name: nameOf(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
out.sort((x, y) => y.lines - x.lines);
for (const o of out) console.log(`${String(o.lines).padStart(4)}  ${o.name}  ${o.where}`);
console.log(`${out.length} function(s) over ${limit} lines under ${root}`);
