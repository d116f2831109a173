// The pcap binding keeps its uv_poll watcher referenced after close until one more packet
// arrives: in non-blocking mode pcap_breakloop() only sets a flag that libpcap checks between
// packets (libpcap 1.10 pcap-linux.c closes the breakloop eventfd when non-blocking), and the
// binding frees the handle only when dispatch returns -2 (pcap_session.cc). On a quiet
// interface that would keep the process alive forever after the command is done.
// So, while such a closed-but-pending session exists, an unreferenced timer checks whether the
// event loop has anything left besides the standard streams; when it has not, the command is
// finished, and the process exits with the code the CLI already chose (process.exitCode).
const STDIO = new Set(['PipeWrap', 'TTYWrap']);
let pending = 0;
let timer: NodeJS.Timeout | undefined;

function idle(): boolean {
  const active = process.getActiveResourcesInfo();
  return active.length <= 3 && active.every((r) => STDIO.has(r));
}

/** A closed session whose watcher is still referenced; `done()` when the binding freed it. */
export function holdUntilFinalized(): () => void {
  pending++;
  if (!timer) {
    timer = setInterval(() => {
      if (pending > 0 && idle()) process.exit();
    }, 100);
    timer.unref();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    pending--;
    if (pending === 0 && timer) { clearInterval(timer); timer = undefined; }
  };
}
