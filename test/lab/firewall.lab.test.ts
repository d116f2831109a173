// Firewall analysis against the kernel, table-driven over rule shapes as nft and iptables really
// load them. For each shape the host is sent an IGMPv3 and an MLDv2 query on wired0, and the
// kernel's answer is the oracle: a report captured on the peer means the query passed the
// filter. Beside it, the firewall check (the platform reader and the core walk, run inside the
// host namespace) must name the dropping rule with its handle (or position), or stay quiet.
// Both directions: dropped shapes, and the false-alarm shapes (an unhooked chain, an accept
// before the drop, `ip saddr != PREFIX drop`, a drop on another interface).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { labSkipReason, REPO, sleep, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { joinGroups, type Joiner } from '../helpers/group-joiner.js';
import { sendQueries } from '../helpers/igmp-query.js';

const skip = labSkipReason();

interface Shape {
  name: string;
  nft?: string;
  /** [command, ...args] run in the host namespace. */
  cmds?: string[][];
  igmpDropped: boolean;
  mldDropped: boolean;
  /** What the finding must say about the rule (table/chain and handle or position). */
  names?: RegExp;
}

const INPUT = 'type filter hook input priority filter; policy accept;';
const SHAPES: Shape[] = [
  { name: 'igmp drop in input', nft: `table inet s { chain in { ${INPUT} meta l4proto igmp drop; } }`, igmpDropped: true,
    mldDropped: false, names: /nft inet s in handle \d+ \(meta l4proto igmp drop\)/ },
  { name: 'unhooked chain', nft: 'table inet s { chain orphan { meta l4proto igmp drop; } }', igmpDropped: false, mldDropped: false },
  { name: 'accept before the drop',
    nft: `table inet s { chain in { ${INPUT} iifname "wired0" meta l4proto igmp accept; meta l4proto igmp drop; } }`,
    igmpDropped: false, mldDropped: false },
  { name: 'ip saddr != the querier\'s prefix', nft:
    `table inet s { chain in { ${INPUT} ip saddr != 198.18.1.0/24 meta l4proto igmp drop; } }`, igmpDropped: false, mldDropped: false },
  { name: 'drop on another interface', nft: `table inet s { chain in { ${INPUT} iifname "wifi0" meta l4proto igmp drop; } }`,
    igmpDropped: false, mldDropped: false },
  { name: 'set { igmp, 103 }', nft: `table inet s { chain in { ${INPUT} meta l4proto { igmp, 103 } drop; } }`, igmpDropped: true,
    mldDropped: false, names: /handle \d+ \(meta l4proto \{ igmp, pim \} drop\)/ },
  { name: 'verdict map', nft: `table inet s { chain in { ${INPUT} meta l4proto vmap { igmp : drop, udp : accept }; } }`, igmpDropped: true,
    mldDropped: false, names: /vmap/ },
  { name: 'jump to a dropping chain',
    nft: `table inet s { chain sub { meta l4proto igmp drop; } chain in { ${INPUT} iifname "wired0" jump sub; } }`,
    igmpDropped: true, mldDropped: false, names: /nft inet s sub handle \d+/ },
  { name: 'netdev ingress',
    nft: 'table netdev s { chain ing { type filter hook ingress device "wired0" priority -500; policy accept; ip protocol igmp drop; } }',
    igmpDropped: true, mldDropped: false, names: /nft netdev s ing handle \d+/ },
  { name: 'prerouting',
    nft: 'table ip s { chain pre { type filter hook prerouting priority -150; policy accept; ip protocol igmp drop; } }',
    igmpDropped: true, mldDropped: false, names: /nft ip s pre/ },
  { name: 'icmpv6 type mld-listener-query drop', nft: `table inet s { chain in { ${INPUT} icmpv6 type mld-listener-query drop; } }`,
    igmpDropped: false, mldDropped: true, names: /nft inet s in handle \d+ \(icmpv6 type mld-listener-query drop\)/ },
  {
    name: 'firewalld shape: final reject with icmpx admin-prohibited',
    nft: `table inet firewalld {
      chain filter_IN_public_allow { tcp dport 22 accept; }
      chain filter_IN_public { meta l4proto { icmp, ipv6-icmp } accept; jump filter_IN_public_allow; }
      chain filter_INPUT_ZONES { iifname "wired0" goto filter_IN_public; goto filter_IN_public; }
      chain filter_INPUT { ${INPUT.replace('filter;', 'filter + 10;')}
        ct state { established, related } accept; ct status dnat accept; iifname "lo" accept; ct state invalid drop;
        jump filter_INPUT_ZONES; reject with icmpx admin-prohibited; } }`,
    igmpDropped: true, mldDropped: false, names: /nft inet firewalld filter_INPUT handle \d+ \(reject with icmpx type admin-prohibited\)/,
  },
  { name: 'iptables-legacy INPUT -p igmp -j DROP', cmds: [['iptables-legacy', '-A', 'INPUT', '-p', 'igmp', '-j', 'DROP']],
    igmpDropped: true, mldDropped: false, names: /iptables -t filter INPUT rule 1/ },
  { name: 'ip6tables-nft --icmpv6-type 130 DROP', cmds: [['ip6tables-nft', '-A', 'INPUT', '-p', 'ipv6-icmp', '--icmpv6-type', '130', '-j',
    'DROP']], igmpDropped: false, mldDropped: true, names: /ip6tables -t filter INPUT rule 1/ },
  {
    name: 'iptables-nft accept on wired0 before a drop',
    cmds: [['iptables-nft', '-A', 'INPUT', '-i', 'wired0', '-p', 'igmp', '-j', 'ACCEPT'],
      ['iptables-nft', '-A', 'INPUT', '-p', 'igmp', '-j', 'DROP']],
    igmpDropped: false, mldDropped: false,
  },
  { name: 'ip6tables-legacy policy DROP', cmds: [['ip6tables-legacy', '-P', 'INPUT', 'DROP']], igmpDropped: false, mldDropped: true,
    names: /ip6tables -t filter INPUT \(policy drop\)/ },
];

/** One-line rulesets as nft -f wants them: a newline after each statement list and block. */
const nftText = (t: string): string => t.replace(/; \}/g, ';\n}').replace(/\} \}/g, '}\n}').replace(/\} chain/g, '}\nchain');

const CHECK = `
const { LinuxFirewallReader } = await import(${JSON.stringify(path.join(REPO, 'dist/src/platform/firewall.js'))});
const { checkFirewall } = await import(${JSON.stringify(path.join(REPO, 'dist/src/core/firewall/check.js'))});
console.log(JSON.stringify(await checkFirewall(new LinuxFirewallReader(), ['wired0', 'wifi0'])));
`;

interface Finding {
  id: string;
  iface?: string;
  severity: string;
  message: string;
  evidence: { interfaces: string[]; probe: string; packets?: number };
}

describe('firewall rule shapes: the kernel answers or not, the check names the rule or stays quiet', { skip, concurrency: false }, () => {
  let lp: Laptop;
  let joiner: Joiner;
  let peerLl = '';

  before(async () => {
    lp = await buildLaptop();
    joiner = await joinGroups(lp.lab, 'host', 'wired0', lp.addr.hostWired, ['239.1.2.3'], 600);
    // Link-local addresses are usable once duplicate address detection is over (no "tentative").
    const ll = async (role: string, dev: string): Promise<string | undefined> => {
      const text = await lp.lab.ip(role, '-6', 'addr', 'show', 'dev', dev, 'scope', 'link');
      return text.includes('tentative') ? undefined : /inet6 (fe80::[0-9a-f:]+)/.exec(text)?.[1];
    };
    peerLl = (await waitFor(() => ll('peer-a', 'eth0'), 10_000)) ?? '';
    assert.ok(peerLl, 'peer-a has a link-local address');
    await waitFor(() => ll('host', 'wired0'), 10_000);
    // The join's unsolicited reports (two, within a second) end before the first window.
    await sleep(2500);
  });
  after(async () => {
    await joiner?.stop();
    await lp?.lab.destroy();
  });

  /** Reports the host sends on wired0 in reply to one IGMPv3 and one MLDv2 query. */
  async function answers(): Promise<{ igmp: number; mld: number }> {
    // MLD sits behind a hop-by-hop header: BPF's `icmp6` would miss it, so every IPv6 packet.
    const cap = await lp.lab.tcpdump('peer-a', 'eth0', ['igmp or ip6']);
    await sendQueries(lp.lab, 'peer-a', { iface: 'eth0', source: lp.addr.peerA, version: 3, maxResp: 5 });
    await sendQueries(lp.lab, 'peer-a', { iface: 'eth0', source: peerLl, mld: true, version: 2, maxResp: 500 });
    await sleep(1200);
    const lines = await cap.stop();
    return {
      igmp: lines.filter((l) => l.includes(`${lp.addr.hostWired} > 224.0.0.22`)).length,
      mld: lines.filter((l) => /multicast listener report v2/.test(l) && !l.includes(`${peerLl} >`)).length,
    };
  }

  for (const s of SHAPES) {
    test(`${s.name}: IGMP ${s.igmpDropped ? 'dropped' : 'passes'}, MLD ${s.mldDropped ? 'dropped' : 'passes'}`, async () => {
      if (s.nft) await lp.lab.exec('host', 'nft', ['-f', '-'], 10_000, nftText(s.nft)).then((r) => assert.equal(r.code, 0, r.stderr));
      for (const [cmd, ...args] of s.cmds ?? []) await lp.lab.must('host', cmd as string, args);
      try {
        const kernel = await answers();
        const run = await lp.lab.exec('host', process.execPath, ['--input-type=module', '-e', CHECK]);
        assert.equal(run.code, 0, run.stderr);
        const rep = JSON.parse(run.stdout) as { findings: Finding[] };
        const onWired = (probe: string): Finding[] => rep.findings.filter(
          (f) => f.id === 'FIREWALL_DROPS_IGMP' && f.evidence.probe === probe && f.evidence.interfaces.includes('wired0'));
        const summary = JSON.stringify({ kernel, findings: rep.findings.map((f) => f.message) });
        // The kernel's verdict first: the shape does what the table says.
        assert.equal(kernel.igmp === 0, s.igmpDropped, `kernel IGMP answers: ${summary}`);
        assert.equal(kernel.mld === 0, s.mldDropped, `kernel MLD answers: ${summary}`);
        // Then the tool: named exactly when the kernel dropped.
        assert.equal(onWired('igmp-query').length > 0, s.igmpDropped, summary);
        assert.equal(onWired('mld-query').length > 0, s.mldDropped, summary);
        const named = [...onWired('igmp-query'), ...onWired('mld-query')];
        for (const f of named) {
          assert.equal(f.severity, 'error', summary);
          if (s.names) assert.match(f.message, s.names);
        }
        if (!s.igmpDropped && !s.mldDropped) assert.deepEqual(rep.findings.filter((f) => f.evidence.interfaces.includes('wired0')), [],
          summary);
      } finally {
        await lp.lab.exec('host', 'nft', ['flush', 'ruleset']);
        for (const t of ['iptables-legacy', 'ip6tables-legacy']) {
          await lp.lab.exec('host', t, ['-F']);
          await lp.lab.exec('host', t, ['-P', 'INPUT', 'ACCEPT']);
        }
      }
    });
  }

  test('counter evidence: the kernel counts the dropped queries on the rule the check names', async () => {
    await lp.lab.exec('host', 'nft', ['-f', '-'], 10_000,
      nftText(`table inet s { chain in { ${INPUT} meta l4proto igmp counter drop; } }`));
    try {
      const kernel = await answers();
      assert.equal(kernel.igmp, 0);
      const run = await lp.lab.exec('host', process.execPath, ['--input-type=module', '-e', CHECK]);
      const f = (JSON.parse(run.stdout) as { findings: Finding[] }).findings.find(
        (x) => x.evidence.interfaces.includes('wired0') && x.evidence.probe === 'igmp-query');
      assert.ok((f?.evidence.packets ?? 0) >= 1, JSON.stringify(f));
    } finally {
      await lp.lab.exec('host', 'nft', ['flush', 'ruleset']);
    }
  });
});
