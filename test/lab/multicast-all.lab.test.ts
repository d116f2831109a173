// MULTICAST_ALL_LEAK on the kernel (issue 19 item 4). A unicast service binds 0.0.0.0:5000 beside
// a receiver bound to 239.1.1.1:5000 that joined the group on lan0. With IP_MULTICAST_ALL on (the
// default) the kernel hands the service the group's datagrams: its own IP_PKTINFO says so, and
// doctor must name that process, the group and the process that joined it. Control: the same
// service with IP_MULTICAST_ALL off receives nothing, and doctor is quiet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { Lab, labSkipReason, stopChild, waitFor } from '../helpers/lab.js';
import { buildHostPeer } from '../helpers/topologies.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping multicast-all lab tests: ${skip}`);

/**
 * Binds ADDR:5000, joins GROUP on lan0 unless '-', sets IP_MULTICAST_ALL; prints "ready PID",
 * then "got DST" per datagram (DST from IP_PKTINFO).
 */
const RECEIVER = `import socket,struct,sys
addr,group,mcall=sys.argv[1],sys.argv[2],int(sys.argv[3])
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.setsockopt(socket.IPPROTO_IP,49,mcall)
s.setsockopt(socket.IPPROTO_IP,8,1)
s.bind((addr,5000))
if group!='-':
    mreqn=socket.inet_aton(group)+socket.inet_aton('0.0.0.0')+struct.pack('i',socket.if_nametoindex('lan0'))
    s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,mreqn)
import os
print('ready',os.getpid(),flush=True)
while True:
    d,anc,_,_=s.recvmsg(2048,64)
    for lvl,typ,data in anc:
        if lvl==socket.IPPROTO_IP and typ==8: print('got',socket.inet_ntoa(data[8:12]),flush=True)`;
const SENDER = `import socket,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b'x',('239.1.1.1',5000)); time.sleep(0.02)`;

interface Rx { child: ChildProcess; pid: number; got: () => string[] }
interface Finding { id: string; group?: string; message: string; evidence: Record<string, any> }

describe('IP_MULTICAST_ALL leak: which process receives which foreign group', { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create();
    await buildHostPeer(lab, '198.18.60', { peerMulticastRoute: true });
  });
  after(async () => { await lab?.destroy(); });

  async function receiver(addr: string, group: string, mcAll: 0 | 1): Promise<Rx> {
    const child = lab.spawn('host', 'python3', ['-c', RECEIVER, addr, group, String(mcAll)]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    assert.ok(await waitFor(async () => /ready \d+/.test(out), 5000), 'receiver did not start');
    return { child, pid: Number(/ready (\d+)/.exec(out)?.[1]), got: () => [...out.matchAll(/^got (\S+)$/gm)].map((m) => m[1] ?? '') };
  }
  const leaks = async (): Promise<Finding[]> => {
    const r = await lab.cli('host', ['doctor', '--json', '--querier-wait', '0', '--no-self-test']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.id === 'MULTICAST_ALL_LEAK');
  };

  for (const mcAll of [1, 0] as const) {
    test(mcAll ? 'leak: the unicast service on 0.0.0.0:5000 gets 239.1.1.1 and is named, with the joiner'
      : 'control: IP_MULTICAST_ALL off on the service: it gets nothing and doctor is quiet', async () => {
      const rx = await receiver('239.1.1.1', '239.1.1.1', 1);
      const svc = await receiver('0.0.0.0', '-', mcAll);
      try {
        await lab.must('peer', 'python3', ['-c', SENDER]);
        await waitFor(async () => rx.got().length === 5, 2000);
        assert.equal(rx.got().length, 5, 'the receiver that joined gets the stream');
        // The kernel's evidence: what the service's own socket was handed (IP_PKTINFO destination).
        await waitFor(async () => svc.got().length === (mcAll ? 5 : 0), 1000);
        assert.deepEqual(svc.got(), mcAll ? Array(5).fill('239.1.1.1') : []);
        const f = await leaks();
        if (!mcAll) return assert.deepEqual(f, []);
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.equal(f[0]?.group, '239.1.1.1');
        assert.equal(f[0]?.evidence.port, 5000);
        assert.equal(f[0]?.evidence.localAddress, '0.0.0.0');
        assert.deepEqual(f[0]?.evidence.owners, [{ pid: svc.pid, comm: 'python3' }]);
        assert.equal(f[0]?.evidence.confidence, 'certain');
        assert.equal(f[0]?.evidence.mcAllFrom, 'getsockopt');
        assert.deepEqual(f[0]?.evidence.foreign[0].ifaces, ['lan0']);
        assert.deepEqual(f[0]?.evidence.foreign[0].heldBy[0].owners, [{ pid: rx.pid, comm: 'python3' }]);
        assert.match(f[0]?.message ?? '',
          new RegExp(`^python3 \\(pid ${svc.pid}\\) receives 239\\.1\\.1\\.1 on 0\\.0\\.0\\.0:5000 without having joined it`));
      } finally {
        // Awaited: the leak scene's sockets must be gone before the control's doctor reads the kernel.
        await Promise.all([stopChild(rx.child), stopChild(svc.child)]);
      }
    });
  }
});
