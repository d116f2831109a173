// The self-test's one packet socket (src/platform/capture/packet-socket.ts) on the real kernel:
// the kernel accepts the hand-written filter (bpf.ts) and applies it — UDP to the group and
// port arrives, with the interface it arrived on; another port, another group and the later
// fragments of a large datagram never reach the socket (PACKET_STATISTICS counts only what the
// filter passed); what the host itself sends (and its loopback copy) is not an arrival.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Lab, REPO, labSkipReason, waitFor } from '../helpers/lab.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping packet socket lab tests: ${skip}`);

const GROUP = '239.255.77.77';
const MODULE = path.join(REPO, 'dist', 'src', 'platform', 'capture', 'packet-socket.js');

/**
 * Listens in its namespace until SIGTERM (or 60 s), then prints what arrived (a tag from each
 * payload) and the counters. `ip netns exec` execs node in place: the child's pid is node's.
 */
const LISTENER = `
const { packetSockets } = await import(${JSON.stringify(MODULE)});
const got = [];
const l = packetSockets().listenUdp({ group: '${GROUP}', port: 5077 }, (p) => {
  const ihl = (p.data[0] & 15) * 4;
  got.push({ ifindex: p.ifindex, fragment: p.data.readUInt16BE(6), tag: p.data.toString('latin1', ihl + 8, ihl + 16).trim() });
}, (e) => console.error(String(e)));
console.log('ready');
const end = () => { l.drain(); const stats = l.stats(); l.close(); console.log(JSON.stringify({ got, stats })); };
const bound = setTimeout(end, 60000);
process.once('SIGTERM', () => { clearTimeout(bound); end(); });
`;

/** Sends tagged datagrams out of one interface (by its address): [group, port, tag, size]. */
const sender = (local: string, sends: Array<[string, number, string, number]>, loop = 0): string => `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('${local}'))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, ${loop})
if ${loop}:
    # A member on the sending interface: only then does the kernel loop a copy back.
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('${GROUP}') + socket.inet_aton('${local}'))
for g, p, tag, size in ${JSON.stringify(sends)}:
    s.sendto(tag.ljust(size).encode(), (g, p))
`;

describe('one packet socket for every interface', { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create();
    await lab.addNs('host');
    await lab.addNs('peer');
    for (const i of [0, 1]) {
      await lab.veth('host', `a${i}`, 'peer', `b${i}`);
      await lab.addr('host', `a${i}`, `198.18.4${i}.2/24`);
      await lab.addr('peer', `b${i}`, `198.18.4${i}.1/24`);
    }
  });
  after(async () => { await lab?.destroy(); });

  test('the group:port arrives with its interface; other ports, groups, later fragments and own sends do not', async () => {
    const index = async (dev: string): Promise<number> => JSON.parse(await lab.ip('host', '-j', 'link', 'show', dev))[0].ifindex;
    const [a0, a1] = [await index('a0'), await index('a1')];
    const child = lab.spawn('host', process.execPath, ['--input-type=module', '-e', LISTENER]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    assert.ok(await waitFor(async () => out.includes('ready'), 10_000, 50), `listener not ready: ${err}`);
    const peer = await lab.exec('peer', 'python3', ['-c', sender('198.18.40.1', [
      [GROUP, 5077, 'match-b0', 64], [GROUP, 5078, 'port', 64], ['239.255.77.78', 5077, 'group', 64],
      // 3000 bytes over a 1500-byte MTU: three fragments; only the first carries the UDP header.
      [GROUP, 5077, 'big', 3000],
    ])]);
    assert.equal(peer.code, 0, peer.stderr);
    assert.equal((await lab.exec('peer', 'python3', ['-c', sender('198.18.41.1', [[GROUP, 5077, 'match-b1', 64]])])).code, 0);
    // The host's own send out of a0, with its loopback copy (IP_MULTICAST_LOOP on, a member on a0).
    const own = await lab.exec('host', 'python3', ['-c', sender('198.18.40.2', [[GROUP, 5077, 'own', 64]], 1)]);
    assert.equal(own.code, 0, own.stderr);
    // Everything was sent by now (python has exited); the last datagram is queued at once on veth.
    child.kill('SIGTERM');
    await exited;
    const res = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as
      { got: Array<{ ifindex: number; fragment: number; tag: string }>; stats: { received: number; dropped: number } };
    const seen = res.got.map((g) => `${g.tag}@${g.ifindex}`).sort();
    assert.deepEqual(seen, [`big@${a0}`, `match-b0@${a0}`, `match-b1@${a1}`].sort(), `${out}\n${err}`);
    // The first fragment of the big one: more-fragments set, offset 0.
    assert.equal(res.got.find((g) => g.tag === 'big')!.fragment & 0x3fff, 0x2000);
    assert.deepEqual(res.stats, { received: 3, dropped: 0 });
  });
});
