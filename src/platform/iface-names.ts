// The names of this host's interfaces, from /sys/class/net (every interface, with or without an
// address, unlike os.networkInterfaces()). Used for hints on bad input only: [] when unreadable.
import { readdirSync } from 'node:fs';

export function interfaceNames(): string[] {
  try {
    return readdirSync('/sys/class/net');
  } catch {
    return [];
  }
}
