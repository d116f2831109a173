import { defineCommand } from './context.js';
import { UsageError } from '../core/errors.js';
import { seconds, whole } from './flags.js';
import { defined } from '../core/defined.js';
import { loaders, resolve } from '../host.js';

export default defineCommand({
  command: 'join-all <groups..>',
  describe: 'Join groups on every interface (one membership per interface) and count what arrives on each',
  waits: true,
  flags: {
    port: whole('UDP port to receive on (groups without their own)', { default: 5000, max: 65535 }),
    duration: seconds('Seconds to hold the memberships and count (default: until Ctrl-C)'),
    count: whole('Stop after this many packets in total', { alias: 'c' }),
    interval: seconds('Seconds between live table updates / stats events', { default: 1 }),
    'membership-interval': seconds(
      'The switches\' snooping membership interval in seconds, to diagnose a stream that stops (default: from the queries heard, else 260)',
      { max: 86400 },
    ),
  },
  builder: (y) =>
    y
      .positional('groups',
        { type: 'string', array: true, demandOption: true, describe: 'G, S,G, G:PORT, G+N, G/LEN ([G6]:PORT for IPv6)' })
      .option('source', { type: 'string', describe: 'Source-specific join (SSM) for groups given without S', requiresArg: true })
      .option('expect',
        { type: 'string', array: true, describe: 'IFACE:GROUP: exit 1 unless that pair received something', requiresArg: true })
      .option('assume-synced', { type: 'boolean', default: false, describe: 'Trust one-way delay from other hosts (clocks synchronised)' })
      .option('fail-on-stop', { type: 'boolean', default: false,
        describe: 'A stream that stops before the end is an error (exit 1), not a warning: the senders run for longer than join-all' })
      .example('$0 join-all 239.1.2.3 --duration 10', 'join on every interface, count for 10 s')
      .example('$0 join-all 239.1.0.0+4096 --duration 5 --json', '4096 groups, NDJSON events')
      .example('$0 join-all 239.1.2.3 --duration 300 --fail-on-stop',
        'CI smoke test: exit 1 if the stream stops (e.g. at the snooping timeout)')
      .example('$0 join-all 198.18.1.1,232.1.1.1 --expect wired0:232.1.1.1 --duration 5', 'SSM, fail unless it arrives on wired0'),
  run: async (argv, ctx) => {
    const { parseGroupArgs } = await import('../core/group-args.js');
    const mi = argv['membership-interval'];
    const groups = parseGroupArgs((argv.groups ?? []).map(String), { defaultPort: argv.port, ...defined({ source: argv.source }) });
    const wrong = ctx.family ? groups.find((g) => g.family !== ctx.family) : undefined;
    if (wrong) throw new UsageError('USAGE', `-${ctx.family} given but ${wrong.group} is IPv${wrong.family}`);
    const { startJoinAll } = await import('../core/join-all/run.js');
    const { JoinAllReporter } = await import('../render/join-all.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const { carrierWaitNote } = await import('../render/carrier-wait.js');
    const { withInterruption } = await import('../core/coverage.js');
    const { exitFor } = await import('../core/exit.js');
    const rep = new JoinAllReporter(ctx.out);
    const families = new Set(groups.map((g) => g.family));
    const { host } = ctx;
    // Resolved once (the core never awaits them); libpcap loads on first use: its absence is a gap in one check.
    const deps = {
      ...await resolve(host, 'platform', 'sockets', 'firewall', 'links', 'accounting'),
      ...loaders(host, 'capture'),
      clock: host.clock,
    };
    const wait = ctx.waiting(`holding ${groups.length} group${groups.length === 1 ? '' : 's'} and counting what arrives`,
      argv.duration !== undefined ? argv.duration * 1000 : null);
    const run = await startJoinAll(deps, {
      groups, selection: ctx.selection, expect: argv.expect ?? [], assumeSynced: argv['assume-synced'], intervalMs: argv.interval * 1000,
      failOnStop: argv['fail-on-stop'], ...defined({ membershipIntervalS: mi }),
      ...(families.size === 1 && groups[0] ? { family: groups[0].family } : {}),
      ...(argv.duration !== undefined ? { durationMs: argv.duration * 1000 } : {}),
      ...defined({ count: argv.count }),
      abort: ctx.interrupt.abort,
    }, {
      joined: (results, findings) => rep.joined(results, findings),
      packet: ctx.out.json && ctx.out.verbose ? (p, probe) => rep.packet(p, probe) : undefined,
      stats: (tick) => rep.stats(tick),
      churn: (e) => rep.churn(e),
      waitingForCarrier: carrierWaitNote(ctx.out),
    });
    // A signal that came while the run was starting (the IGMP watch loads libpcap) stops it now.
    ctx.interrupt.onStop(() => run.stop());
    const r = await run.done;
    const coverage = withInterruption(r.coverage, wait.done());
    const code = exitFor(r.findings, coverage);
    ctx.out.setCoverage(coverage);
    rep.summary(r, code);
    renderCoverage(coverage, ctx.out);
    return code;
  },
});
