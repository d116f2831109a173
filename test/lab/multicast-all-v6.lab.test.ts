// IPV6_MULTICAST_ALL leaks on the kernel (issue 19 item 4, IPv6 and the unprivileged path).
// IPV6_MULTICAST_ALL (Linux 4.20+) is on by default (net/ipv6/mcast.c inet6_mc_check: a socket
// with no membership of its own for the group returns np->mc_all), so a [::]:P socket gets every
// IPv6 group any socket on the host joined, on P. Each scene asserts the kernel's own evidence
// (IPV6_PKTINFO of what the wildcard socket was handed) beside doctor's verdict, as root, and
// then without the privileges that make a socket's memberships visible (CAP_SYS_PTRACE for
// /proc/PID/fd and pidfd_getfd, all capabilities, another user): doctor must then say what it
// could not see (a lower confidence, or a coverage gap with exit 3), never "healthy".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { CLI, Lab, labSkipReason, stopChild, waitFor, type RunResult } from '../helpers/lab.js';
import { buildHostPeer } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping multicast-all-v6 lab tests: ${skip}`);

/**
 * Binds [ADDR]:5000 with IPV6_MULTICAST_ALL = MCALL; joins GROUP on lan0 unless '-' (from SOURCE
 * with MCAST_JOIN_SOURCE_GROUP unless '-'); prints "ready PID", then "got DST" per datagram
 * (DST from IPV6_PKTINFO: the destination as the kernel delivered it).
 */
const RECEIVER = `import socket,struct,sys,os
addr,group,mcall,source=sys.argv[1],sys.argv[2],int(sys.argv[3]),sys.argv[4]
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.setsockopt(socket.IPPROTO_IPV6,29,mcall)
s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_RECVPKTINFO,1)
s.bind((addr,5000))
ifx=socket.if_nametoindex('lan0')
def ss(a):
    b=struct.pack('=HHI',socket.AF_INET6,0,0)+socket.inet_pton(socket.AF_INET6,a)+struct.pack('I',0)
    return b+bytes(128-len(b))
if group!='-' and source=='-':
    s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_JOIN_GROUP,socket.inet_pton(socket.AF_INET6,group)+struct.pack('I',ifx))
elif group!='-':
    s.setsockopt(socket.IPPROTO_IPV6,46,struct.pack('I',ifx)+bytes(4)+ss(group)+ss(source))
print('ready',os.getpid(),flush=True)
while True:
    d,anc,_,_=s.recvmsg(2048,64)
    for lvl,typ,data in anc:
        if lvl==socket.IPPROTO_IPV6 and typ==socket.IPV6_PKTINFO: print('got',socket.inet_ntop(socket.AF_INET6,data[0:16]),flush=True)`;
/** Five datagrams to GROUP:5000 from fd00:60::1 out of eth0. */
const SENDER = `import socket,sys,time
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_MULTICAST_IF,socket.if_nametoindex('eth0'))
s.bind(('fd00:60::1',0))
for i in range(5):
    s.sendto(b'x',(sys.argv[1],5000)); time.sleep(0.02)`;

interface Rx { child: ChildProcess; pid: number; got: () => string[] }
interface Finding { id: string; group?: string; message: string; fix: string; evidence: Record<string, any> }
interface Gap { check: string; reason: string; remedy: string }
interface Doc { verdict: string; coverage: { notRun: Gap[] }; findings: Finding[] }

const GAP = 'sockets: IP_MULTICAST_ALL leaks';
/** Root without CAP_SYS_PTRACE: /proc/PID/fd of a fully privileged process and pidfd_getfd are refused. */
const NO_PTRACE = ['--inh-caps=-sys_ptrace', '--bounding-set=-sys_ptrace', '--'];
/** Root without any capability (a container's root without NET_ADMIN/SYS_PTRACE, or worse). */
const NO_CAPS = ['--inh-caps=-all', '--bounding-set=-all', '--'];
/** Another user, without capabilities. */
const NOBODY = ['--reuid', '65534', '--regid', '65534', '--clear-groups', ...NO_CAPS];

describe('IPV6_MULTICAST_ALL leak, as root and without privileges', { skip }, () => {
  let lab: Lab;
  const running: Rx[] = [];
  before(async () => {
    lab = await Lab.create();
    await buildHostPeer(lab, '198.18.61', { subnet6: 'fd00:60::' });
  });
  after(async () => { await lab?.destroy(); });

  async function receiver(addr: string, group: string, mcAll: 0 | 1, source = '-'): Promise<Rx> {
    const child = lab.spawn('host', 'python3', ['-c', RECEIVER, addr, group, String(mcAll), source]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    assert.ok(await waitFor(async () => /ready \d+/.test(out), 5000), 'receiver did not start');
    const rx = { child, pid: Number(/ready (\d+)/.exec(out)?.[1]), got: () => [...out.matchAll(/^got (\S+)$/gm)].map((m) => m[1] ?? '') };
    running.push(rx);
    return rx;
  }
  /** Ends this scene's receivers and waits for their exit: their sockets must not be in the next scene. */
  const stopAll = async (): Promise<void> => { await Promise.all(running.splice(0).map((r) => stopChild(r.child))); };
  /** Sends five datagrams and waits until RX got them (the kernel's delivery is the oracle). */
  async function stream(group: string, rx: Rx): Promise<void> {
    await lab.must('peer', 'python3', ['-c', SENDER, group]);
    await waitFor(async () => rx.got().length === 5, 2000);
    assert.deepEqual(rx.got(), Array(5).fill(group), 'the receiver that joined gets the stream');
  }
  async function doctor(setpriv?: string[]): Promise<RunResult & { doc: Doc }> {
    const args = [CLI, 'doctor', '--json', '--querier-wait', '0', '--no-self-test'];
    const r =
      setpriv ? await lab.exec('host', 'setpriv', [...setpriv, process.execPath, ...args]) : await lab.exec('host', process.execPath, args);
    assert.ok([0, 1, 3].includes(r.code), `exit ${r.code}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as Doc;
    assertMatchesSchema('doctor.schema.json', doc);
    return { ...r, doc };
  }
  const leaks = (d: Doc): Finding[] => d.findings.filter((f) => f.id === 'MULTICAST_ALL_LEAK');

  test('leak: [::]:5000 beside a receiver bound to [ff15::1:1]:5000 gets the group; named with IPV6_MULTICAST_ALL; unprivileged: ' +
    'likely, saying what it did not see', async () => {
    try {
      const rx = await receiver('ff15::1:1', 'ff15::1:1', 1);
      const svc = await receiver('::', '-', 1);
      await stream('ff15::1:1', rx);
      await waitFor(async () => svc.got().length === 5, 1000);
      assert.deepEqual(svc.got(), Array(5).fill('ff15::1:1'), 'the kernel hands the wildcard socket the group it never joined');
      const { doc, code } = await doctor();
      const [f, ...rest] = leaks(doc);
      assert.equal(rest.length, 0, JSON.stringify(rest));
      assert.equal(f?.group, 'ff15::1:1');
      assert.deepEqual(f?.evidence.owners, [{ pid: svc.pid, comm: 'python3' }]);
      assert.equal(f?.evidence.confidence, 'certain');
      assert.equal(f?.evidence.option, 'IPV6_MULTICAST_ALL');
      assert.equal(f?.evidence.mcAllFrom, 'getsockopt');
      assert.deepEqual(f?.evidence.foreign[0].heldBy[0].owners, [{ pid: rx.pid, comm: 'python3' }]);
      assert.match(f?.message ?? '',
        new RegExp(`^python3 \\(pid ${svc.pid}\\) receives ff15::1:1 on \\[::\\]:5000 without having joined it: `
        + `.*with IPV6_MULTICAST_ALL on, and ff15::1:1 is joined on lan0 by python3 \\(pid ${rx.pid}\\)`));
      assert.match(f?.fix ?? '', /setsockopt\(IPV6_MULTICAST_ALL, 0\)/);
      assert.deepEqual(doc.coverage.notRun, []);
      assert.equal(code, 0, 'a warning, everything seen');
      // Without CAP_SYS_PTRACE neither the owner, the option nor the memberships are visible: the
      // finding stands on the receiver bound to the group, said as likely, with its conditions.
      const blind = await doctor(NO_PTRACE);
      const b = leaks(blind.doc);
      assert.equal(b.length, 1, JSON.stringify(b));
      assert.equal(b[0]?.evidence.confidence, 'likely');
      assert.equal(b[0]?.evidence.mcAllFrom, 'default');
      assert.match(b[0]?.message ?? '', new RegExp('^a socket \\(inode \\d+, owner not found\\) receives ff15::1:1 on \\[::\\]:5000 '
        + 'unless it joined it itself or turned IPV6_MULTICAST_ALL off \\(neither is visible without ptrace rights\\)'));
    } finally {
      await stopAll();
    }
  });

  test('control: IPV6_MULTICAST_ALL off on the wildcard socket: the kernel hands it nothing and doctor names nothing', async () => {
    try {
      const rx = await receiver('ff15::1:1', 'ff15::1:1', 1);
      const svc = await receiver('::', '-', 0);
      await stream('ff15::1:1', rx);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(svc.got(), []);
      const { doc, code } = await doctor();
      assert.deepEqual(leaks(doc), []);
      assert.deepEqual(doc.coverage.notRun, []);
      assert.equal(code, 0);
    } finally {
      await stopAll();
    }
  });

  test('SSM ff35::1:2 joined by one [::]:5000 socket leaks to another [::]:5000; ' +
    'without ptrace rights the question is a gap (exit 3), never healthy', async () => {
    try {
      const joiner = await receiver('::', 'ff35::1:2', 1, 'fd00:60::1');
      const svc = await receiver('::', '-', 1);
      await stream('ff35::1:2', joiner);
      await waitFor(async () => svc.got().length === 5, 1000);
      assert.deepEqual(svc.got(), Array(5).fill('ff35::1:2'));
      // Both sockets are bound to [::]: only their memberships (root) tell which one joined.
      const { doc, code } = await doctor();
      const [f, ...rest] = leaks(doc);
      assert.equal(rest.length, 0, `the joiner is not named: ${JSON.stringify(rest)}`);
      assert.equal(f?.group, 'ff35::1:2');
      assert.deepEqual(f?.evidence.owners, [{ pid: svc.pid, comm: 'python3' }]);
      assert.equal(f?.evidence.confidence, 'certain');
      assert.deepEqual(f?.evidence.foreign[0].heldBy[0].owners, [{ pid: joiner.pid, comm: 'python3' }]);
      assert.equal(code, 0);
      for (const who of [NO_PTRACE, NO_CAPS, NOBODY]) {
        const blind = await doctor(who);
        const what = who.join(' ');
        assert.equal(blind.code, 3, `${what}: ${blind.stderr}`);
        assert.equal(blind.doc.verdict, 'incomplete', what);
        assert.deepEqual(leaks(blind.doc), [], `${what}: nothing to name it on`);
        const gap = blind.doc.coverage.notRun.find((n) => n.check === GAP);
        assert.ok(gap, `${what}: ${JSON.stringify(blind.doc.coverage.notRun)}`);
        assert.match(gap.reason, new RegExp('^on UDP port 5000 a socket bound to the wildcard address may receive groups another socket '
          + 'there joined, but the memberships of 2 sockets could not be read: '));
        assert.match(gap.remedy, /root|CAP_SYS_PTRACE/);
        if (who === NO_PTRACE) assert.deepEqual(blind.doc.coverage.notRun.map((n) => n.check), [GAP], 'the firewall is still readable');
        // Root without CAP_NET_ADMIN: nft is refused, and an empty legacy ruleset is no clean bill.
        if (who === NO_CAPS) assert.ok(blind.doc.coverage.notRun.some((n) => n.check === 'firewall'),
          JSON.stringify(blind.doc.coverage.notRun));
      }
    } finally {
      await stopAll();
    }
  });

  test('control without privileges: one wildcard socket alone on its port leaves nothing open', async () => {
    try {
      const rx = await receiver('::', 'ff15::1:3', 1);
      await stream('ff15::1:3', rx);
      const blind = await doctor(NO_PTRACE);
      assert.deepEqual(leaks(blind.doc), []);
      assert.deepEqual(blind.doc.coverage.notRun, []);
      assert.equal(blind.code, 0, blind.stderr);
    } finally {
      await stopAll();
    }
  });
});
