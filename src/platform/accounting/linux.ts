// The Linux AccountingPlatform: /proc/net counters and sockets, /proc/PID/fd, ss, tracefs.
import { readUdpSockets } from '../procfs/udp.js';
import { readKernelCounters } from './counters.js';
import { readSkmem } from './skmem.js';
import { readSockopts } from './sockopt.js';
import { peekSocket } from './peek.js';
import { findSocketOwners } from './socket-owners.js';
import { openDropReasonTrace } from './tracefs.js';
import type { AccountingPlatform } from './types.js';

export const linuxAccounting: AccountingPlatform = {
  counters: readKernelCounters,
  udpSockets: readUdpSockets,
  owners: (inodes) => findSocketOwners(inodes),
  skmem: readSkmem,
  sockopts: readSockopts,
  peek: peekSocket,
  openDropReasons: () => openDropReasonTrace(),
};
