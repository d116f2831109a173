import { defineCommand, stopOnSignals } from './context.js';
import { UsageError } from '../core/errors.js';

export default defineCommand({
  command: 'join-all <groups..>',
  describe: 'Join groups on every interface (one membership per interface) and count what arrives on each',
  builder: (y) =>
    y
      .positional('groups', { type: 'string', array: true, demandOption: true, describe: 'G, S,G, G:PORT, G+N, G/LEN ([G6]:PORT for IPv6)' })
      .option('port', { type: 'number', default: 5000, describe: 'UDP port to receive on (groups without their own)' })
      .option('source', { type: 'string', describe: 'Source-specific join (SSM) for groups given without S', requiresArg: true })
      .option('duration', { type: 'number', describe: 'Seconds to hold the memberships and count (default: until Ctrl-C)' })
      .option('count', { alias: 'c', type: 'number', describe: 'Stop after this many packets in total' })
      .option('expect', { type: 'string', array: true, describe: 'IFACE:GROUP: exit 1 unless that pair received something', requiresArg: true })
      .option('assume-synced', { type: 'boolean', default: false, describe: 'Trust one-way delay from other hosts (clocks synchronised)' })
      .option('interval', { type: 'number', default: 1, describe: 'Seconds between live table updates / stats events' })
      .option('membership-interval', { type: 'number', describe: 'The switches\' snooping membership interval in seconds, to diagnose a stream that stops (default: from the queries heard, else 260)' })
      .option('fail-on-stop', { type: 'boolean', default: false, describe: 'A stream that stops before the end is an error (exit 1), not a warning: the senders run for longer than join-all' })
      .example('$0 join-all 239.1.2.3 --duration 10', 'join on every interface, count for 10 s')
      .example('$0 join-all 239.1.0.0+4096 --duration 5 --json', '4096 groups, NDJSON events')
      .example('$0 join-all 239.1.2.3 --duration 300 --fail-on-stop', 'CI smoke test: exit 1 if the stream stops (e.g. at the snooping timeout)')
      .example('$0 join-all 198.18.1.1,232.1.1.1 --expect wired0:232.1.1.1 --duration 5', 'SSM, fail unless it arrives on wired0'),
  run: async (argv, ctx) => {
    const { parseGroupArgs, parsePort } = await import('../core/group-args.js');
    const port = parsePort(argv.port, '--port');
    if (argv.duration !== undefined && !(argv.duration > 0)) throw new UsageError('USAGE', `--duration wants seconds > 0, got '${argv.duration}'`);
    if (argv.count !== undefined && !(Number.isInteger(argv.count) && argv.count >= 1)) throw new UsageError('USAGE', `--count wants a whole number >= 1, got '${argv.count}'`);
    if (!(argv.interval > 0)) throw new UsageError('USAGE', `--interval wants seconds > 0, got '${argv.interval}'`);
    const mi = argv['membership-interval'];
    if (mi !== undefined && !(Number.isFinite(mi) && mi > 0 && mi <= 86400)) throw new UsageError('USAGE', `--membership-interval wants seconds > 0, got '${mi}'`);
    const groups = parseGroupArgs((argv.groups ?? []).map(String), { defaultPort: port, ...(argv.source !== undefined ? { source: argv.source } : {}) });
    const wrong = ctx.family ? groups.find((g) => g.family !== ctx.family) : undefined;
    if (wrong) throw new UsageError('USAGE', `-${ctx.family} given but ${wrong.group} is IPv${wrong.family}`);
    const { startJoinAll } = await import('../core/receive/run.js');
    const { openSocketsOrExplain } = await import('../core/transmit/setup.js');
    const { platform } = await import('../platform/linux.js');
    const { LinuxFirewallReader } = await import('../platform/firewall.js');
    const { loadCaptureFactory } = await import('../platform/capture/index.js');
    const { JoinAllReporter } = await import('../render/join-all.js');
    const { watchLinks } = await import('../platform/link-watch.js');
    const rep = new JoinAllReporter(ctx.out);
    const families = new Set(groups.map((g) => g.family));
    const sockets = await openSocketsOrExplain();
    // From the first 'joined' event on, Ctrl-C must stop the run, which is not returned yet while
    // the IGMP watch loads libpcap.
    const signals = stopOnSignals();
    const { linuxAccounting } = await import('../platform/accounting/linux.js');
    const run = await startJoinAll({ platform: platform(), sockets, firewall: new LinuxFirewallReader(), capture: loadCaptureFactory, watchLinks, accounting: { accounting: linuxAccounting, capture: loadCaptureFactory } }, {
      groups, selection: ctx.selection, expect: argv.expect ?? [], assumeSynced: argv['assume-synced'], intervalMs: argv.interval * 1000,
      failOnStop: argv['fail-on-stop'], ...(mi !== undefined ? { membershipIntervalS: mi } : {}),
      ...(families.size === 1 && groups[0] ? { family: groups[0].family } : {}),
      ...(argv.duration !== undefined ? { durationMs: argv.duration * 1000 } : {}),
      ...(argv.count !== undefined ? { count: argv.count } : {}),
    }, {
      joined: (results, findings) => rep.joined(results, findings),
      packet: ctx.out.json && ctx.out.verbose ? (p, probe) => rep.packet(p, probe) : undefined,
      stats: (rows, elapsedMs, total) => rep.stats(rows, elapsedMs, total),
      churn: (e) => rep.churn(e),
    });
    signals.attach(() => run.stop());
    const r = await run.done;
    signals.release();
    rep.summary(r);
    return r.exitCode;
  },
});
