// From captured frames to HeardPackets: decode each frame with the shared wire decoders and hand
// IGMP/MLD messages on, refused frames as their reason, anything else (probes, for mesh's TTL) as
// the decoded frame. The packet's timestamp travels with it (heard.ts).
import { decodeFrame, type DecodedFrame } from '../wire/frame.js';
import { toHeard, type HeardPacket } from './heard.js';
import type { SetPacketHandler } from './capture-set.js';

export interface ControlHandlers {
  heard(iface: string, p: HeardPacket): void;
  /** A frame the decoders refuse: counted, never believed (the kernel drops it too). */
  malformed?(iface: string, reason: string): void;
  /** Any other frame the filter let through. */
  other?(iface: string, f: DecodedFrame, buf: Buffer, caplen: number): void;
}

export function decodeControl(h: ControlHandlers): SetPacketHandler {
  return (iface, buf, caplen, wireLen, timeMs, linkType) => {
    const f = decodeFrame(buf.subarray(0, caplen), linkType, wireLen);
    if (f.malformed !== undefined) { h.malformed?.(iface, f.malformed); return; }
    const heard = toHeard(f, timeMs);
    if (heard) h.heard(iface, heard);
    else h.other?.(iface, f, buf, caplen);
  };
}
