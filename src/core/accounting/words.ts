// Small wording helpers for trace's sentences (no terminal colour: the renderer adds that).
import type { ReasonFacts, SocketFact } from './model.js';

export const kib = (bytes: number): string => `${Math.round(bytes / 1024)} KiB`;

export function mbps(bitsPerSecond: number): string {
  return bitsPerSecond >= 1e6 ? `${(bitsPerSecond / 1e6).toFixed(1)} Mbit/s` : `${Math.round(bitsPerSecond / 1e3)} kbit/s`;
}

export function socketName(s: SocketFact): string {
  return `${s.family === 6 ? `[${s.localAddress}]` : s.localAddress}:${s.localPort}`;
}

/** "vlc (pid 4242)", several owners joined, or the inode when no process could be found. */
export function owner(s: SocketFact): string {
  if (s.owners.length === 0) return `socket inode ${s.inode} (owner not found)`;
  return s.owners.slice(0, 3).map((o) => `${o.comm} (pid ${o.pid})`).join(', ');
}

/** "; kernel drop reasons seen host-wide: NETFILTER_DROP 40" for the relevant reasons, or ''. */
export function reasonSummary(r: ReasonFacts | undefined, relevant: readonly string[]): string {
  if (!r) return '';
  const seen = relevant.filter((k) => (r.reasons[k] ?? 0) > 0).map((k) => `${k} ${r.reasons[k]}`);
  return seen.length ? `; kernel drop reasons seen host-wide: ${seen.join(', ')}` : '';
}
