// Light entry: types and a lazy loader. Importing this file never loads koffi.
export type { BatchOptions, BatchSender, Datagram, Fd, MembershipRequest, Receiver, RemoteInfo, SocketApi } from './types.js';
export { SocketError, isSocketError, errnoName } from './errno.js';

/** Loads the koffi binding on first use. Throws when not on Linux or koffi is missing. */
export async function loadSockets(): Promise<import('./types.js').SocketApi> {
  const { linuxSockets } = await import('./linux.js');
  return linuxSockets();
}
