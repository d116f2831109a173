// Closing a libpcap capture must never abort the process natively. The pcap binding frees its
// handle inside dispatch (pcap_close on -2): a close from inside a packet handler, or a dispatch
// after the free, used to end in SIGSEGV / "free(): invalid pointer" (CI saw it once in the
// --user flap test). Platform code guards every call into the binding (src/platform/capture/pcap.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Lab, REPO, labSkipReason } from '../helpers/lab.js';
import { buildHostPeer } from '../helpers/topologies.js';

const skip = labSkipReason();
const STRESS = path.join(REPO, 'dist', 'test', 'helpers', 'close-stress.js');
let lab: Lab;

before(async () => {
  if (skip) return;
  lab = await Lab.create();
  await buildHostPeer(lab, '198.18.61', { hostIface: 'cap0' });
});
after(async () => { if (lab) await lab.destroy(); });

/** A bounded multicast stream from the peer (stops by itself after `seconds`). */
function stream(seconds: number): ReturnType<Lab['spawn']> {
  return lab.spawn('peer', 'python3', ['-c', `
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('198.18.61.1'))
end = time.time() + ${seconds}
while time.time() < end:
    for i in range(20):
        try: s.sendto(b'x' * 200, ('239.61.1.1', 5000))
        except OSError: pass
    time.sleep(0.001)
`]);
}

for (const [mode, rounds] of [['reentrant', 150], ['flap', 25]] as const) {
  test(`capture closed ${mode === 'reentrant' ? 'from inside its own packet handler' : 'while its interface is down'}: ` +
    `${rounds} rounds, no native abort`,
    { skip, timeout: 60_000 }, async () => {
      const sender = stream(20);
      try {
        const r = await lab.exec('host', process.execPath, [STRESS, mode, 'cap0', String(rounds)], 40_000);
        assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.slice(-400)}`);
        assert.match(r.stdout, new RegExp(`rounds ${rounds}`));
      } finally {
        sender.kill();
      }
    });
}
