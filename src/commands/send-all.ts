import { defineCommand } from './context.js';
import { UsageError } from '../core/errors.js';
import { ranged, seconds, whole } from './flags.js';
import { defined } from '../core/defined.js';

export default defineCommand({
  command: 'send-all <group>',
  describe: 'Send probes to a group out of every interface, one socket per interface (IP_MULTICAST_IF)',
  waits: true,
  flags: {
    port: whole('UDP port (when the group has none)', { default: 5000, max: 65535 }),
    ttl: whole('IP_MULTICAST_TTL / hop limit, 0-255', { default: 1, min: 0, max: 255 }),
    count: whole('Packets per interface, then stop', { alias: 'c' }),
    duration: seconds('Seconds, then stop (default: until Ctrl-C or --count)'),
    rate: ranged('Packets per second per interface; 0 = as fast as the interface takes', 'packets per second', 0, 1e8, { default: 10 }),
    size: whole('UDP payload bytes, probe header included (default 64 or the header)'),
    interval: seconds('Seconds between progress updates / stats events', { default: 1 }),
  },
  builder: (y) =>
    y
      .positional('group', { type: 'string', demandOption: true, describe: 'G, G:PORT or [G6]:PORT' })
      .option('loop',
        { type: 'boolean', default: true, describe: 'Local receivers get the packets too (--no-loop: IP_MULTICAST_LOOP off)' })
      .option('fragment', { type: 'boolean', default: false, describe: 'Allow --size above the interface MTU (IP fragments)' })
      .example('$0 send-all 239.1.2.3 --count 100 --rate 50', '100 probes out of every interface')
      .example('$0 send-all [ff05::1]:5001 --ttl 8 --duration 30 --json', 'IPv6, routed, NDJSON events'),
  run: async (argv, ctx) => {
    const { parseGroupArgs } = await import('../core/group-args.js');
    const { port, ttl, count } = argv;
    const [group] = parseGroupArgs([String(argv.group)], { defaultPort: port, allowRanges: false });
    if (!group) throw new UsageError('BAD_GROUP', 'name a group');
    if (group.source !== undefined) throw new UsageError('BAD_GROUP', `'${argv.group}': a sender takes no source (S,G is for join-all)`);
    if (ctx.family && ctx.family !== group.family) throw new UsageError('USAGE',
      `-${ctx.family} given but ${group.group} is IPv${group.family}`);

    const { loadInterfaces } = await import('../core/kernel/interfaces.js');
    const { isEligible, noEligibleInterface } = await import('../core/kernel/eligibility.js');
    const { senderIdFor, checkSize } = await import('../core/send-all/setup.js');
    const { sendAll } = await import('../core/send-all/run.js');
    const { exitFor } = await import('../core/exit.js');
    const { SendAllReporter } = await import('../render/send-all.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const p = await ctx.host.platform();
    const inv = await loadInterfaces(p, { selection: ctx.selection, family: group.family });
    const senderId = senderIdFor(p.hostname());
    const eligible = inv.interfaces.filter((i) => isEligible(i, group.family));
    const size = checkSize(argv.size, eligible, group.family, senderId, argv.fragment);
    const sockets = await ctx.host.sockets();
    const rep = new SendAllReporter(ctx.out, {
      group: group.group, port: group.port, family: group.family, ttl, loop: argv.loop, size, rate: argv.rate,
      count: count ?? null, durationMs: argv.duration !== undefined ? argv.duration * 1000 : null, senderId,
    });
    const started = Date.now();
    const run = await sendAll({ platform: p, sockets }, {
      group, interfaces: inv.interfaces, ttl, loop: argv.loop, size, rate: argv.rate, senderId,
      ...defined({ count }),
      ...(argv.duration !== undefined ? { durationMs: argv.duration * 1000 } : {}),
    });
    rep.start(run.results, run.findings);
    const planned = argv.duration !== undefined ? argv.duration * 1000
      : count !== undefined && argv.rate > 0 ? (count / argv.rate) * 1000 : null;
    const wait = ctx.waiting(`sending to ${group.group} out of ${eligible.length} interface${eligible.length === 1 ? '' : 's'}`, planned);
    ctx.interrupt.onStop(() => run.stop());
    const tick = setInterval(() => rep.stats(run.results, Date.now() - started), argv.interval * 1000);
    const end = await run.done;
    clearInterval(tick);
    const coverage = { notRun: [], interrupted: wait.done() };
    ctx.out.setCoverage(coverage);
    const findings = [...inv.findings, ...run.findings, ...end.findings];
    if (eligible.length === 0) {
      findings.unshift(noEligibleInterface(inv.interfaces, [group.family], 'send to this group', { group: group.group }));
    }
    // A failed sender is a SEND_FAILED error finding (send-all/senders.ts): exitFor sees it there.
    const exitCode = exitFor(findings, coverage);
    rep.summary({ results: run.results, findings, elapsedMs: end.elapsedMs, exitCode });
    renderCoverage(coverage, ctx.out);
    return exitCode;
  },
});
