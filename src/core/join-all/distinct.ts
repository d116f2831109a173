// How many distinct keys (source addresses, sender ids) a flood carried, in fixed memory and O(1)
// per packet: linear counting (Whang, Vander-Zanden, Taylor 1990) over a bitmap of 2^16 bits.
// Exact while small (every key also goes to a small set until it fills), an estimate beyond:
// a spoofed flood of 200 000 sources costs 8 KiB here, not a map of 200 000 entries.

const BITS = 1 << 16;
const EXACT = 256;

/**
 * murmur3's finaliser: FNV's low bits are poor for short similar strings, the bitmap uses them.
 * Cut to 30 bits so that the hash is a small integer to V8 (a Smi): a full 32-bit value is a
 * heap number, one allocation per packet on the receive path (scripts/bench/join-all-recv-path.mjs).
 */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** FNV-1a over a string's UTF-16 code units, finalised: cheap, and spreads addresses and ids. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** FNV-1a over bytes buf[from..to); `seed` replaces the offset basis (a keyed table's secret). */
export function hashBytes(buf: Uint8Array, from: number, to: number, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = from; i < to; i++) {
    h ^= buf[i] ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

export class DistinctCounter {
  private readonly bits = new Uint32Array(BITS / 32);
  private zeros = BITS;
  private readonly exact = new Set<number>();
  private overflowed = false;

  add(hash: number): void {
    if (!this.overflowed) {
      this.exact.add(hash);
      if (this.exact.size > EXACT) { this.overflowed = true; this.exact.clear(); }
    }
    const i = hash & (BITS - 1);
    const w = i >>> 5;
    const m = 1 << (i & 31);
    const v = this.bits[w] ?? 0;
    if ((v & m) === 0) {
      this.bits[w] = v | m;
      this.zeros--;
    }
  }

  /** Exact up to 256 keys; beyond, the linear-counting estimate (saturates near 700 000). */
  count(): number {
    if (!this.overflowed) return this.exact.size;
    const z = Math.max(1, this.zeros);
    return Math.round(-BITS * Math.log(z / BITS));
  }
}
