// Where a capture file's bytes come from: a file or standard input ("-"), gunzipped on the fly
// when the first two bytes are the gzip magic (tcpdump -w - | gzip, .pcap.gz from a ticket).
// Chunks of up to 1 MiB, read as they are consumed: memory does not grow with the file.
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { UsageError, errnoOf } from '../core/errors.js';

const CHUNK = 1 << 20;

export interface CaptureSource {
  /** As given ("-" for standard input). */
  name: string;
  chunks: AsyncIterable<Buffer>;
  /** Set once the first bytes were read: whether they were gzip. */
  compressed(): boolean;
}

/** Opens FILE or "-". Throws UsageError (exit 2) for a missing or unreadable file. */
export function openCaptureSource(name: string, stdin: Readable = process.stdin): CaptureSource {
  let raw: Readable;
  if (name === '-') raw = stdin;
  else {
    try {
      if (statSync(name).isDirectory()) throw new UsageError('BAD_FILE', `${name} is a directory, not a capture file`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const errno = errnoOf(e);
      throw new UsageError('BAD_FILE',
        `cannot read ${name}: ${errno === 'ENOENT' ? 'no such file' : errno === 'EACCES' ? 'permission denied' : (errno ?? String(e))}`);
    }
    raw = createReadStream(name, { highWaterMark: CHUNK });
  }
  let gz = false;
  return { name, chunks: chunksOf(raw, () => { gz = true; }), compressed: () => gz };
}

async function* chunksOf(raw: Readable, onGzip: () => void): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Two bytes decide: keep reading until there are two (a pipe may deliver one).
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const n = await it.next();
    if (n.done) { if (head.length) yield head; return; }
    head = head.length ? Buffer.concat([head, n.value]) : n.value;
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  onGzip();
  const gunzip = createGunzip({ chunkSize: CHUNK });
  // Feed the compressed chunks by hand (respecting the gunzip's buffer) while reading its output.
  let feedError: unknown;
  const feed = (async (): Promise<void> => {
    try {
      let chunk: Buffer | undefined = head;
      while (chunk) {
        if (!gunzip.write(chunk)) await new Promise<void>((r) => gunzip.once('drain', () => r()));
        const n = await it.next();
        chunk = n.done ? undefined : n.value;
      }
      gunzip.end();
    } catch (e) {
      feedError = e;
      gunzip.destroy(e as Error);
    }
  })();
  try {
    for await (const out of gunzip) yield out as Buffer;
  } catch (e) {
    throw new GzipError(gzipWords(e));
  } finally {
    if (!gunzip.destroyed) gunzip.destroy();
  }
  await feed;
  if (feedError !== undefined) throw feedError;
}

/** The gzip layer failed (truncated or corrupt compressed data): bad input, like a bad capture. */
export class GzipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GzipError';
  }
}

function gzipWords(e: unknown): string {
  const code = errnoOf(e);
  if (code === 'Z_BUF_ERROR') return 'gzip data truncated (unexpected end of file)';
  if (code === 'Z_DATA_ERROR') return `corrupt gzip data (${(e as Error).message})`;
  return `gzip: ${(e as Error).message ?? String(e)}`;
}
