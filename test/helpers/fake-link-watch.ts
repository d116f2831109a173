// A WatchLinks driven by the test: fire() hands an event to every watcher of that interface.
import type { LinkEvent, LinkWatchOptions, WatchLinks } from '../../src/platform/link-watch.js';

export class FakeLinkWatch {
  private readonly watchers = new Set<{ names: readonly string[]; onEvent: (e: LinkEvent) => void }>();
  readonly options: LinkWatchOptions[] = [];
  closed = 0;

  /** `now`: stamps the events (the real link watcher stamps with the Host's clock; FakeHost passes its own). */
  constructor(private readonly now: () => number = () => Date.now()) {}

  readonly watch: WatchLinks = (names, onEvent, opts = {}) => {
    const w = { names, onEvent };
    this.watchers.add(w);
    this.options.push(opts);
    return { close: () => { if (this.watchers.delete(w)) this.closed++; } };
  };

  get active(): number { return this.watchers.size; }

  down(iface: string, ifindex: number, reason: 'down' | 'gone' = 'down'): void {
    this.fire({ kind: 'down', iface, ifindex, reason, operstate: reason === 'gone' ? 'absent' : 'down', atMs: this.now() });
  }

  up(iface: string, ifindex: number, previousIfindex: number): void {
    this.fire({ kind: 'up', iface, ifindex, previousIfindex, atMs: this.now() });
  }

  fire(e: LinkEvent): void {
    for (const w of this.watchers) if (w.names.includes(e.iface)) w.onEvent(e);
  }
}
