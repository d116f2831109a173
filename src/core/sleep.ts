// A wait that a signal can end early: the AbortSignal a command hands the core (commands/signals.ts).
export function sleepUnless(ms: number, abort: AbortSignal | undefined): Promise<void> {
  if (abort?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(t); abort?.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    abort?.addEventListener('abort', done, { once: true });
  });
}
