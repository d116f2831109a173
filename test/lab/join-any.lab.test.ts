// JOIN_ANY_INTERFACE before and after its own fix (issue 19 item 5). A receiver joins 239.1.9.9
// with INADDR_ANY on the laptop lab (default route via wired0); the stream comes from peer-b on
// wifi0. Before: the kernel holds the group on wired0, the receiver gets nothing, doctor names the
// join and advises `ip route add 239.1.9.9/32 dev wifi0`. After that route and a rejoin: the
// kernel holds it on wifi0, the receiver gets every datagram, and doctor is quiet (it used to
// advise routing the group back to wired0).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping join-any lab tests: ${skip}`);

const GROUP = '239.1.9.9';
const PORT = 5009;
// Joins with INADDR_ANY as careless programs do; prints "ready", then one line per datagram.
const RECEIVER = `import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.bind(('0.0.0.0',${PORT}))
s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,socket.inet_aton('${GROUP}')+socket.inet_aton('0.0.0.0'))
print('ready',flush=True)
while True:
    s.recv(2048); print('got',flush=True)`;
const SENDER = `import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b'x'*32,('${GROUP}',${PORT})); time.sleep(0.01)`;

describe('JOIN_ANY_INTERFACE is stable after its own fix', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  /** Starts the receiver; resolves once it has joined. `got()` counts datagrams so far. */
  async function receiver(): Promise<{ child: ChildProcess; got: () => number }> {
    const child = lp.lab.spawn('host', 'python3', ['-c', RECEIVER]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    assert.ok(await waitFor(async () => out.includes('ready'), 5000), 'receiver did not start');
    return { child, got: () => (out.match(/^got$/gm) ?? []).length };
  }
  const heldOn = async (): Promise<string[]> => {
    // /proc/net/igmp: device lines, then group lines; 239.1.9.9 reads 090901EF (little-endian).
    const text = (await lp.lab.exec('host', 'cat', ['/proc/net/igmp'])).stdout;
    const out: string[] = [];
    let dev = '';
    for (const line of text.split('\n')) {
      const d = /^\d+\s+(\S+)\s*:/.exec(line);
      if (d) dev = d[1] ?? '';
      else if (line.includes('090901EF')) out.push(dev);
    }
    return out;
  };
  const joinAny = async () => {
    const r = await lp.lab.cli('host', ['doctor', '--json', '--querier-wait', '0', '--no-self-test']);
    const doc = JSON.parse(r.stdout) as { findings: Array<{ id: string; iface?: string; fix: string; evidence: Record<string, unknown> }> };
    return { code: r.code, all: doc.findings, f: doc.findings.filter((x) => x.id === 'JOIN_ANY_INTERFACE') };
  };

  test('before: held on wired0 by the default route, nothing received, finding with the route advice; after: ' +
    'quiet while 20/20 arrive', async () => {
    let rx = await receiver();
    try {
      assert.deepEqual(await heldOn(), ['wired0'], 'the kernel put the INADDR_ANY join on the default route\'s interface');
      await lp.lab.must('peer-b', 'python3', ['-c', SENDER]);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(rx.got(), 0, 'the stream arrives on wifi0, where nothing joined it');
      const before = await joinAny();
      assert.equal(before.code, 0, 'a warning');
      assert.equal(before.f.length, 1, JSON.stringify(before.all.map((x) => x.id)));
      assert.equal(before.f[0]?.iface, 'wired0');
      assert.equal(before.f[0]?.evidence.route, 'default');
      assert.match(before.f[0]?.fix ?? '', /ip route add 239\.1\.9\.9\/32 dev wifi0/);
    } finally { rx.child.kill(); }

    // The advice, applied; the program joins again (as it would after a restart).
    await lp.lab.ip('host', 'route', 'add', `${GROUP}/32`, 'dev', 'wifi0');
    rx = await receiver();
    try {
      assert.deepEqual(await heldOn(), ['wifi0'], 'the route now picks wifi0 for the join');
      await lp.lab.must('peer-b', 'python3', ['-c', SENDER]);
      assert.ok(await waitFor(async () => rx.got() === 20, 3000), `received ${rx.got()}/20`);
      const afterFix = await joinAny();
      assert.equal(afterFix.code, 0);
      assert.deepEqual(afterFix.f, [], 'the route the user set is not a finding');
      assert.ok(!afterFix.all.some((x) => /239\.1\.9\.9\/32 dev wired0/.test(x.fix)), 'nothing advises routing it back');
    } finally { rx.child.kill(); }
  });
});
