// Hostile mesh documents: every one is exit 2 with one line naming the file and the field (never
// exit 4, never the file's contents); the validator agrees with ajv on the published schema over a
// corpus and over random mutations of a real document; input files are regular files, size-capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { CLI } from '../helpers/lab.js';
import { simulateMesh } from '../helpers/mesh-sim.js';
import { loadSchemas, MESH_SCHEMAS, SCHEMA_DIR } from '../../src/platform/schemas.js';
import { parseMeshDocument, MESH_SCHEMA_ID } from '../../src/core/mesh/load.js';
import { SchemaRegistry, tooDeep } from '../../src/core/schema/validate.js';
import { readInputFile } from '../../src/platform/input-file.js';
import { UsageError } from '../../src/core/errors.js';

const require = createRequire(import.meta.url);
const Ajv2020 =
  require('ajv/dist/2020').default as new (o: object) => { addSchema(s: object): void; getSchema(id: string): (d: unknown) => boolean };

const schemas = loadSchemas(MESH_SCHEMAS);
const ajv = new Ajv2020({ strict: false, validateFormats: false });
for (const f of MESH_SCHEMAS) ajv.addSchema(require(path.join(SCHEMA_DIR, f)));
const ajvMesh = ajv.getSchema(MESH_SCHEMA_ID);

const [good] = simulateMesh({
  hosts: [{ name: 'a', ifaces: { eth0: 's' } }, { name: 'b', ifaces: { eth0: 's' } }], durationS: 20, rate: 2, membershipIntervalS: 8,
  darkAfterS: { 'a/eth0': 9 }, igmpDropRule: { 'a/eth0': 'meta l4proto igmp drop' },
});
assert.ok(good && good.cells.length > 0 && good.findings.length > 0, 'the base document has cells and findings');
const base = (): any => structuredClone(good);

/** Hostile variants: [what, mutate, the field the message must name]. */
const corpus: Array<[string, (d: any) => unknown, RegExp]> = [
  ['findings: [null]', (d) => { d.findings = [null]; }, /findings\[0\] must be an object \(got null\)/],
  ['cells: null', (d) => { d.cells = null; }, /cells must be an array \(got null\)/],
  ['a string where a number is', (d) => { d.cells[0].received = '5'; }, /cells\[0\]\.received must be an integer \(got a string\)/],
  ['state with markup', (d) => { d.cells[0].state = '<script>alert(1)</script>'; },
    /cells\[0\]\.state must be one of "ok", "loss", "stalled"/],
  ['stall finding with markup', (d) => { d.cells[0].stall = { atS: 1, finding: '"><img src=x onerror=alert(1)>' }; },
    /cells\[0\]\.stall\.finding must be one of/],
  ['severity with markup', (d) => { d.findings[0].severity = 'x" onmouseover="alert(1)'; },
    /findings\[0\]\.severity must be one of "error", "warning", "info"/],
  ['null host', (d) => { d.host = null; }, /host must be an object/],
  ['missing verdict', (d) => { delete d.verdict; }, /verdict is missing/],
  ['loss over 100', (d) => { d.cells[0].lossPct = 1e300; }, /cells\[0\]\.lossPct must be at most 100/],
  ['Infinity from 1e999', (d) => { d.elapsedS = '__INF__'; }, /elapsedS must be a number/],
  ['an extra field in a finding', (d) => { d.findings[0]['\x1b]0;x\x07'] = 1; }, /findings\[0\] has 1 field the schema does not allow/],
  ['peers: [1]', (d) => { d.peers = [1]; }, /peers\[0\] must be an object \(got an integer\)/],
  ['delay of the wrong shape', (d) => { d.cells[0].delayMs = { min: 1 }; }, /cells\[0\]\.delayMs\.avg is missing/],
  ['nested 100 000 deep', (d) => { d.findings[0].evidence = { x: '__DEEP__' }; },
    /findings\[0\]\.evidence\.x(\[0\])+: nested more than 32 levels deep/],
];

test('every hostile variant is refused with a message naming the field, and ajv refuses it too', () => {
  assert.equal(schemas.validate(MESH_SCHEMA_ID, base()), undefined, 'the real document conforms');
  assert.equal(ajvMesh(base()), true);
  for (const [what, mutate, says] of corpus) {
    const d = base();
    mutate(d);
    // Written as text: JSON.stringify cannot produce either (Infinity becomes null; 100 000 levels overflow its stack).
    const text = JSON.stringify(d).replace('"__INF__"', '1e999').replace('"__DEEP__"', '['.repeat(100_000) + ']'.repeat(100_000));
    assert.throws(() => parseMeshDocument('h.json', text, schemas), (e: unknown) => {
      assert.ok(e instanceof UsageError, `${what}: ${String(e)}`);
      assert.match(e.message, /^h\.json: /, what);
      assert.match(e.message, says, what);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(e.message, /script|onerror|onmouseover|\x1b/, `${what}: the value is not echoed`);
      return true;
    }, what);
    // Stricter than ajv on purpose: ajv takes Infinity for a number, and does not bound the depth.
    if (what !== 'nested 100 000 deep' && what !== 'Infinity from 1e999') assert.equal(ajvMesh(JSON.parse(text)), false,
      `${what}: ajv accepts it`);
  }
});

test('the validator and ajv agree on random mutations of a real document', () => {
  const paths: string[][] = [];
  const walk = (v: unknown, at: string[]): void => {
    paths.push(at);
    if (Array.isArray(v)) v.slice(0, 2).forEach((x, i) => walk(x, [...at, String(i)]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'evidence') walk(x, [...at, k]);
  };
  walk(good, []);
  const value = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 300 }), fc.double({
    noNaN: true,
    noDefaultInfinity: true,
  }),
    fc.constantFrom('ok', 'loss', 'stalled', 'pass', 'fail', 'no-data', 'error', 'warning', 'info', 'SNOOPING_TIMEOUT', 'STREAM_STOPPED',
      'X_Y', '', 'mesh'),
    fc.string(), fc.constant([]), fc.constant({}), fc.constant([null]));
  fc.assert(fc.property(fc.array(
    fc.tuple(fc.constantFrom(...paths.filter((p) => p.length > 0)), value, fc.boolean()),
    { minLength: 1, maxLength: 3 },
  ), (edits) => {
    const d = base();
    for (const [p, v, del] of edits) {
      let at = d;
      for (const k of p.slice(0, -1)) at = at?.[k];
      if (at && typeof at === 'object') {
        if (del) delete at[p.at(-1) as string];
        else at[p.at(-1) as string] = v;
      }
    }
    const ours = schemas.validate(MESH_SCHEMA_ID, d) === undefined;
    assert.equal(ours, ajvMesh(d), `disagree on ${JSON.stringify(edits)}`);
  }), { numRuns: 400, seed: 14 });
});

test('a schema keyword the validator does not know is refused when the schema is loaded', () => {
  const r = new SchemaRegistry();
  assert.throws(() => r.add({ $id: 'x', type: 'object', patternProperties: {} }), /keyword 'patternProperties' is not supported/);
  assert.equal(tooDeep({ a: [[[1]]] }, 3), 'a[0][0]');
  assert.equal(tooDeep({ a: [[[1]]] }, 4), undefined);
});

test('a parse error names the position, never the text', () => {
  for (const text of ['root:*:19000:0:99999:7:::\n', '{"a": 1,, "secret-token-123": 2}', '', '\x1b]0;owned\x07']) {
    assert.throws(() => parseMeshDocument('f.json', text, schemas), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^f\.json: (not valid JSON|the file is empty)/);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(e.message, /root:|secret-token|\x1b|owned/);
      return true;
    });
  }
  assert.throws(() => parseMeshDocument('f.json', JSON.stringify({ command: '\x1b[2J', schemaVersion: 1 }), schemas),
    /not a mesh document \(its "command" is not "mesh"\)/);
});

test('input files: a FIFO does not hang, a device is not read, a large file is refused, a missing one named', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-input-'));
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const t0 = Date.now();
  assert.throws(() => readInputFile(fifo), /it is a FIFO; name a regular file/);
  assert.throws(() => readInputFile('/dev/zero'), /it is a device; name a regular file/);
  assert.throws(() => readInputFile(dir), /it is a directory/);
  assert.ok(Date.now() - t0 < 2000, 'refused at once');
  const big = path.join(dir, 'big.json');
  writeFileSync(big, Buffer.alloc(2048, 0x20));
  assert.throws(() => readInputFile(big, 1024), /more than the 0\.0 MiB|more than the/);
  assert.equal(readInputFile(big, 4096).length, 2048);
  assert.throws(() => readInputFile(path.join(dir, 'nope')), /no such file/);
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
    });
  });
}

test('mesh-report CLI: hostile inputs are exit 2 with one line, within seconds, and never print the file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-mesh-in-'));
  const secret = path.join(dir, 'shadow');
  writeFileSync(secret, 'root:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n', { mode: 0o600 });
  const link = path.join(dir, 'link.json');
  symlinkSync(secret, link);
  const fifo = path.join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const nullFinding = path.join(dir, 'null.json');
  writeFileSync(nullFinding, JSON.stringify({ ...base(), findings: [null] }));
  const deep = path.join(dir, 'deep.json');
  writeFileSync(deep, JSON.stringify({ ...base(), findings: [] }).replace('"findings":[]',
    `"findings":[{"evidence":${'['.repeat(50_000)}${']'.repeat(50_000)}}]`));
  const cases: Array<[string, RegExp]> = [
    [link, /link\.json: not valid JSON\n/],
    [fifo, /fifo\.json: it is a FIFO/],
    ['/dev/zero', /\/dev\/zero: it is a device/],
    [nullFinding, /null\.json: findings\[0\] must be an object \(got null\)/],
    [deep, /deep\.json: findings\[0\]\.evidence(\[0\])+: nested more than 32 levels deep/],
  ];
  for (const [file, says] of cases) {
    const t0 = Date.now();
    const r = await cli(['mesh-report', file]);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, says);
    assert.doesNotMatch(r.stderr + r.stdout, /root:|bin:\*/);
  }
});
