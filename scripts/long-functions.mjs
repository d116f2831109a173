// Functions longer than a limit (lines from the declaration to its closing brace), longest first.
// Issue 15 item 5: "functions over ~60 lines split where the split names a step".
//   node scripts/long-functions.mjs [LIMIT=60] [DIR=src]          lists them (a measuring aid)
//   node scripts/long-functions.mjs --max 60 [--allow FILE] [DIR]  a check: exit 1 when a function
//        over the limit is not on the allow-list (default scripts/long-functions.allow, one
//        `path name` a line, # comments). The list names what is known to be long and not split
//        yet, so that nothing new joins it; an entry no longer over the limit is reported, to be
//        removed. Entries name the file and the function, not the line: lines move with every edit.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const DEFAULT_ALLOW = 'scripts/long-functions.allow';

function parseArgs(argv) {
  const o = { limit: 60, root: 'src', check: false, allow: DEFAULT_ALLOW };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--max') { o.check = true; o.limit = Number(argv[++i]); }
    else if (a === '--allow') o.allow = argv[++i];
    else positional.push(a);
  }
  // The listing form keeps its old positional arguments: LIMIT then DIR.
  if (!o.check && positional.length > 0 && /^\d+$/.test(positional[0])) o.limit = Number(positional.shift());
  if (positional.length > 0) o.root = positional[0];
  if (!Number.isInteger(o.limit) || o.limit < 1) {
    console.error(`long-functions: the limit must be a whole number of lines (got ${o.limit})`);
    process.exit(2);
  }
  return o;
}

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

function longFunctions(root, limit) {
  const out = [];
  for (const f of files(root)) {
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n) => {
      if (ts.isFunctionLike(n) && n.body) {
        const a = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
        const b = sf.getLineAndCharacterOfPosition(n.end).line;
        if (b - a + 1 > limit) out.push({ lines: b - a + 1, file: f, line: a + 1, name: nameOf(n) });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out.sort((x, y) => y.lines - x.lines);
}

/** `path name` pairs; a missing file is an empty list (nothing allowed). */
function readAllowList(file) {
  if (!existsSync(file)) return new Set();
  const keys = readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  return new Set(keys.map((l) => l.split(/\s+/).join(' ')));
}

const o = parseArgs(process.argv.slice(2));
const found = longFunctions(o.root, o.limit);
const show = (f) => `${String(f.lines).padStart(4)}  ${f.name}  ${f.file}:${f.line}`;
if (!o.check) {
  for (const f of found) console.log(show(f));
  console.log(`${found.length} function(s) over ${o.limit} lines under ${o.root}`);
  process.exit(0);
}
const allowed = readAllowList(o.allow);
const key = (f) => `${f.file} ${f.name}`;
const fresh = found.filter((f) => !allowed.has(key(f)));
const still = new Set(found.map(key));
const stale = [...allowed].filter((k) => k.startsWith(`${o.root}/`) && !still.has(k));
for (const k of stale) console.log(`no longer over ${o.limit} lines, remove from ${o.allow}: ${k}`);
if (fresh.length > 0) {
  console.error(`${fresh.length} function(s) over ${o.limit} lines under ${o.root} `
    + `(split them into named steps; ${o.allow} lists the known ones):`);
  for (const f of fresh) console.error(show(f));
  process.exit(1);
}
console.log(`no function over ${o.limit} lines under ${o.root} beyond the ${found.length} on ${o.allow}`);
