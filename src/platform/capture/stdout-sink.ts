// `sniff --write -`: the capture goes to standard output (`| wireshark -k -i -`, `| tshark -r -`),
// written synchronously in the encoder's 1 MiB batches like the file sink. A pipe may be
// non-blocking (libuv sets that on some): EAGAIN waits 1 ms and retries. A reader that went
// away (EPIPE) ends the capture with one line and exit 3.
import { writeSync } from 'node:fs';
import { EnvironmentError, errnoOf } from '../../core/errors.js';
import type { FileSink } from './file-sink.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

export function openStdoutSink(fd = 1): FileSink {
  let size = 0;
  return {
    path: '-',
    write(chunk: Uint8Array): void {
      let off = 0;
      while (off < chunk.length) {
        try {
          off += writeSync(fd, chunk, off, chunk.length - off);
        } catch (e) {
          const errno = errnoOf(e);
          if (errno === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
          const message = errno === 'EPIPE'
            ? 'standard output was closed by its reader: the capture stopped'
            : `cannot write the capture to standard output: ${errno ?? String(e)}`;
          throw new EnvironmentError('WRITE_FAILED', message, errno ? { errno } : {}, { cause: e });
        }
      }
      size += chunk.length;
    },
    commit: () => size,
    abort: () => undefined,
  };
}
