// The per-interface "same flow as the last packet?" cache shared by sniff's session and analyze:
// packets of one stream come in runs, so the last flow's src+dst bytes (8 for IPv4, 32 for IPv6,
// adjacent in both headers) are compared first; only a change costs a string key and a map lookup.
export class LastFlow<T> {
  private flow: T | undefined;
  private readonly key = new Uint8Array(32);
  private len = 0;

  /** The last flow when buf[at, at+n) holds the same address bytes, else undefined. */
  hit(buf: Uint8Array, at: number, n: number): T | undefined {
    if (this.flow === undefined || this.len !== n) return undefined;
    const k = this.key;
    for (let i = 0; i < n; i++) if (k[i] !== buf[at + i]) return undefined;
    return this.flow;
  }

  /** After the flow table changed under it (a capture re-opened). */
  forget(): void {
    this.flow = undefined;
  }

  remember(flow: T, buf: Uint8Array, at: number, n: number): void {
    this.flow = flow;
    this.len = n;
    this.key.set(buf.subarray(at, at + n));
  }
}
