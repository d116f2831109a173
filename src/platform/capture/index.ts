// Lazily loaded by commands that capture: importing this module does not load libpcap;
// calling loadCaptureFactory() does.
export type { CaptureFactory, CaptureHandle, CaptureOptions, CaptureStats, PacketHandler } from './types.js';

export async function loadCaptureFactory(): Promise<import('./types.js').CaptureFactory> {
  const { pcapFactory } = await import('./pcap.js');
  return pcapFactory();
}
