// Run inside a lab namespace (`ip netns exec NS node dist/test/helpers/close-stress.js MODE IFACE ROUNDS`)
// while a peer sends multicast onto IFACE. It opens and closes libpcap captures the ways the commands
// do, in the orders that used to abort the process natively (no JS error, exit 134/139):
//   reentrant  the packet handler closes its own capture (the binding's dispatch is still walking the ring)
//   flap       the capture is closed while its interface is down, and the interface comes back
// It prints `rounds N` and exits 0 by itself when every round finished.
import { execFileSync } from 'node:child_process';
import { pcapFactory } from '../../src/platform/capture/pcap.js';
import type { CaptureHandle } from '../../src/platform/capture/types.js';

const [mode, iface, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const factory = pcapFactory();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function openUntil(packets: number, onEnough: (h: CaptureHandle) => void): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    let handle: CaptureHandle | undefined = undefined;
    const giveUp = setTimeout(() => { handle?.close(); resolve(); }, 1000);
    handle = factory.open({ iface: iface!, filter: 'udp', snaplen: 2048, bufferBytes: 1 << 20, timeoutMs: 10 }, () => {
      seen++;
      if (seen === packets && handle) { clearTimeout(giveUp); onEnough(handle); resolve(); }
    });
  });
}

let done = 0;
for (let i = 0; i < rounds; i++) {
  if (mode === 'reentrant') {
    await openUntil(2, (h) => h.close());
    await sleep(2);
  } else {
    let h: CaptureHandle | undefined;
    await openUntil(1, (x) => { h = x; });
    execFileSync('ip', ['link', 'set', iface!, 'down']);
    await sleep(20);
    h?.close();
    execFileSync('ip', ['link', 'set', iface!, 'up']);
    await sleep(50);
  }
  done++;
}
console.log(`rounds ${done}`);
