// querier-check's capture: the shared capture set (observation/capture-set.ts) with the IGMP/MLD
// decoding of observation/control-capture.ts, one interface at a time as listen.ts asks.
import type { CaptureFactory } from '../../platform/capture/types.js';
import { CaptureSet } from '../observation/capture-set.js';
import { decodeControl } from '../observation/control-capture.js';
import type { OpenControlCapture } from './listen.js';

/** The opener listen.ts needs, over the platform's capture factory. */
export function controlCaptureOver(factory: CaptureFactory): OpenControlCapture {
  return async (iface, filter, onPacket, onMalformed) => {
    // Immediate mode: control packets are few, and the interval between queries is measured.
    const set = new CaptureSet(factory, { filter, snaplen: 2048, bufferBytes: 1 << 20, timeoutMs: 0 }, decodeControl({
      heard: (_i, p) => onPacket(p),
      malformed: (_i, why) => onMalformed?.(why),
    }));
    set.openAll([iface]);
    return { close: () => set.stop() };
  };
}
