// The core never prints (STYLE.md): run fn with stdout/stderr writes trapped, fail on any.
import assert from 'node:assert/strict';

export async function assertSilent<T>(fn: () => Promise<T>): Promise<T> {
  const written: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  const trap = ((chunk: unknown) => { written.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stdout.write = trap;
  process.stderr.write = trap;
  try {
    return await fn();
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
    assert.deepEqual(written, [], 'the core printed something');
  }
}
