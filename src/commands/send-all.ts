import { defineCommand, stopOnSignals } from './context.js';
import { UsageError } from '../core/errors.js';

function positiveInt(v: number | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw new UsageError('USAGE', `${flag} wants a whole number >= ${min}, got '${v}'`);
  return v;
}

export default defineCommand({
  command: 'send-all <group>',
  describe: 'Send probes to a group out of every interface, one socket per interface (IP_MULTICAST_IF)',
  builder: (y) =>
    y
      .positional('group', { type: 'string', demandOption: true, describe: 'G, G:PORT or [G6]:PORT' })
      .option('port', { type: 'number', default: 5000, describe: 'UDP port (when the group has none)' })
      .option('ttl', { type: 'number', default: 1, describe: 'IP_MULTICAST_TTL / hop limit, 0-255' })
      .option('loop', { type: 'boolean', default: true, describe: 'Local receivers get the packets too (--no-loop: IP_MULTICAST_LOOP off)' })
      .option('count', { alias: 'c', type: 'number', describe: 'Packets per interface, then stop' })
      .option('duration', { type: 'number', describe: 'Seconds, then stop (default: until Ctrl-C or --count)' })
      .option('rate', { type: 'number', default: 10, describe: 'Packets per second per interface; 0 = as fast as the interface takes' })
      .option('size', { type: 'number', describe: 'UDP payload bytes, probe header included (default 64 or the header)' })
      .option('fragment', { type: 'boolean', default: false, describe: 'Allow --size above the interface MTU (IP fragments)' })
      .option('interval', { type: 'number', default: 1, describe: 'Seconds between progress updates / stats events' })
      .example('$0 send-all 239.1.2.3 --count 100 --rate 50', '100 probes out of every interface')
      .example('$0 send-all [ff05::1]:5001 --ttl 8 --duration 30 --json', 'IPv6, routed, NDJSON events'),
  run: async (argv, ctx) => {
    const { parseGroupArgs, parsePort, parseTtl } = await import('../core/group-args.js');
    const port = parsePort(argv.port, '--port');
    const ttl = parseTtl(argv.ttl);
    const count = positiveInt(argv.count, '--count');
    if (argv.duration !== undefined && !(argv.duration > 0 && argv.duration <= 86400 * 365)) throw new UsageError('USAGE', `--duration wants seconds > 0, got '${argv.duration}'`);
    if (!(Number.isFinite(argv.rate) && argv.rate >= 0 && argv.rate <= 1e8)) throw new UsageError('USAGE', `--rate wants packets per second >= 0 (0 = as fast as possible), got '${argv.rate}'`);
    if (!(argv.interval > 0)) throw new UsageError('USAGE', `--interval wants seconds > 0, got '${argv.interval}'`);
    positiveInt(argv.size, '--size');
    const [group] = parseGroupArgs([String(argv.group)], { defaultPort: port, allowRanges: false });
    if (!group) throw new UsageError('BAD_GROUP', 'name a group');
    if (group.source !== undefined) throw new UsageError('BAD_GROUP', `'${argv.group}': a sender takes no source (S,G is for join-all)`);
    if (ctx.family && ctx.family !== group.family) throw new UsageError('USAGE', `-${ctx.family} given but ${group.group} is IPv${group.family}`);

    const { platform } = await import('../platform/linux.js');
    const { loadInterfaces, isEligible } = await import('../core/interfaces.js');
    const { openSocketsOrExplain, senderIdFor, checkSize } = await import('../core/transmit/setup.js');
    const { sendAll } = await import('../core/transmit/send-all.js');
    const { makeFinding } = await import('../core/findings/catalog.js');
    const { hasError } = await import('../core/findings/model.js');
    const { SendAllReporter } = await import('../render/send-all.js');
    const p = platform();
    const inv = await loadInterfaces(p, { selection: ctx.selection, family: group.family });
    const senderId = senderIdFor(p.hostname());
    const eligible = inv.interfaces.filter((i) => !i.loopback && isEligible(i, group.family));
    const size = checkSize(argv.size, eligible, group.family, senderId, argv.fragment);
    const sockets = await openSocketsOrExplain();
    const rep = new SendAllReporter(ctx.out, {
      group: group.group, port: group.port, family: group.family, ttl, loop: argv.loop, size, rate: argv.rate,
      count: count ?? null, durationMs: argv.duration !== undefined ? argv.duration * 1000 : null, senderId,
    });
    const started = Date.now();
    const run = await sendAll({ sockets, platform: p }, {
      group, interfaces: inv.interfaces, ttl, loop: argv.loop, size, rate: argv.rate, senderId,
      ...(count !== undefined ? { count } : {}),
      ...(argv.duration !== undefined ? { durationMs: argv.duration * 1000 } : {}),
    });
    rep.start(run.results, run.findings);
    const signals = stopOnSignals();
    signals.attach(() => run.stop());
    const tick = setInterval(() => rep.stats(run.results, Date.now() - started), argv.interval * 1000);
    const end = await run.done;
    clearInterval(tick);
    signals.release();
    const findings = [...inv.findings, ...run.findings, ...end.findings];
    if (eligible.length === 0) {
      findings.unshift(makeFinding('NO_ELIGIBLE_INTERFACE', {
        group: group.group,
        message: `No selected interface can send IPv${group.family} multicast (up, MULTICAST flag, an IPv${group.family} address).`,
        evidence: { interfaces: inv.interfaces.filter((i) => !i.loopback).map((i) => i.name) },
      }));
    }
    const failed = run.results.some((r) => r.status === 'failed');
    const exitCode = failed || hasError(findings) ? 1 : 0;
    rep.summary({ results: run.results, findings, elapsedMs: end.elapsedMs, exitCode });
    return exitCode;
  },
});
