import { defineCommand, stopOnSignals } from './context.js';
import { UsageError } from '../core/errors.js';

interface Args {
  group: string;
  port: number;
  rate: number;
  ttl: number;
  duration?: number;
  soak: boolean;
  'expect-peers'?: number;
  'max-loss': number;
  'membership-interval'?: number;
  'assume-synced': boolean;
  interval: number;
}

/** --soak: long enough to cross the default snooping membership interval (260 s). */
export const SOAK_S = 300;
const DEFAULT_DURATION_S = 30;

export default defineCommand<Args>({
  command: 'mesh <group>',
  describe: 'Run on every host at once: send and join on every interface, and report an N x N reachability matrix with verdicts and stall diagnosis',
  builder: (y) =>
    y
      .positional('group', { type: 'string', demandOption: true, describe: 'G, G:PORT or [G6]:PORT' })
      .option('port', { type: 'number', default: 5000, describe: 'UDP port (when the group has none)' })
      .option('rate', { type: 'number', default: 2, describe: 'Probes per second out of each interface' })
      .option('ttl', { type: 'number', default: 1, describe: 'TTL / hop limit of the probes (raise it across multicast routers)' })
      .option('duration', { type: 'number', describe: `Seconds to run (default ${DEFAULT_DURATION_S}; --soak: ${SOAK_S})` })
      .option('soak', { type: 'boolean', default: false, describe: `Run ${SOAK_S} s: past the default snooping membership interval (260 s)` })
      .option('expect-peers', { type: 'number', describe: 'Exit 1 unless at least this many peers were heard' })
      .option('max-loss', { type: 'number', default: 0, describe: 'Loss percentage a pair may show before exit 1' })
      .option('membership-interval', { type: 'number', describe: 'The switches\' snooping membership interval in seconds (default: from the queries heard, else 260)' })
      .option('assume-synced', { type: 'boolean', default: false, describe: 'Trust one-way delay across hosts (clocks synchronised)' })
      .option('interval', { type: 'number', default: 1, describe: 'Seconds between live matrix updates (TTY only)' })
      .example('$0 mesh 239.255.77.1 --duration 60 --expect-peers 4 --json > $(hostname).json', 'on each host at once; then mesh-report *.json')
      .example('$0 mesh 239.255.77.1 --soak --membership-interval 260', 'run past the snooping timeout and diagnose a stop') as never,
  run: async (argv, ctx) => {
    const { parseGroupArgs, parsePort, parseTtl } = await import('../core/group-args.js');
    const port = parsePort(argv.port, '--port');
    const ttl = parseTtl(argv.ttl);
    if (argv.soak && argv.duration !== undefined) throw new UsageError('USAGE', '--soak is a preset duration: give --soak or --duration, not both');
    const durationS = argv.soak ? SOAK_S : argv.duration ?? DEFAULT_DURATION_S;
    if (!(Number.isFinite(durationS) && durationS > 0 && durationS <= 86400)) throw new UsageError('USAGE', `--duration wants seconds between 0 and 86400, got '${argv.duration}'`);
    if (!(Number.isFinite(argv.rate) && argv.rate > 0 && argv.rate <= 1000)) throw new UsageError('USAGE', `--rate wants probes per second between 0 and 1000, got '${argv.rate}'`);
    const max = argv['max-loss'];
    if (!(Number.isFinite(max) && max >= 0 && max <= 100)) throw new UsageError('USAGE', `--max-loss must be a percentage between 0 and 100, got '${max}'`);
    const peers = argv['expect-peers'];
    if (peers !== undefined && !(Number.isInteger(peers) && peers >= 0)) throw new UsageError('USAGE', `--expect-peers wants a whole number >= 0, got '${peers}'`);
    const mi = argv['membership-interval'];
    if (mi !== undefined && !(Number.isFinite(mi) && mi > 0 && mi <= 86400)) throw new UsageError('USAGE', `--membership-interval wants seconds > 0, got '${mi}'`);
    if (!(argv.interval > 0)) throw new UsageError('USAGE', `--interval wants seconds > 0, got '${argv.interval}'`);
    const [group] = parseGroupArgs([String(argv.group)], { defaultPort: port, allowRanges: false });
    if (!group) throw new UsageError('BAD_GROUP', 'name a group');
    if (group.source !== undefined) throw new UsageError('BAD_GROUP', `'${argv.group}': mesh takes a group, not S,G (every host is a source)`);
    if (ctx.family && ctx.family !== group.family) throw new UsageError('USAGE', `-${ctx.family} given but ${group.group} is IPv${group.family}`);

    const { platform } = await import('../platform/linux.js');
    const { LinuxFirewallReader } = await import('../platform/firewall.js');
    const { loadCaptureFactory } = await import('../platform/capture/index.js');
    const { openSocketsOrExplain } = await import('../core/transmit/setup.js');
    const { startMesh } = await import('../core/mesh/run.js');
    const { hasError } = await import('../core/findings/model.js');
    const { MeshReporter } = await import('../render/mesh.js');
    const sockets = await openSocketsOrExplain();
    const rep = new MeshReporter(ctx.out, { group: group.group, port: group.port, durationS, maxLossPct: max });
    // Ctrl-C while the run starts (joins, libpcap, senders) stops it once it exists.
    const signals = stopOnSignals();
    const run = await startMesh({ platform: platform(), sockets, firewall: new LinuxFirewallReader(), capture: loadCaptureFactory }, {
      group, selection: ctx.selection, rate: argv.rate, ttl, durationMs: durationS * 1000,
      expectPeers: peers ?? null, maxLossPct: max, assumeSynced: argv['assume-synced'], intervalMs: argv.interval * 1000,
      ...(mi !== undefined ? { membershipIntervalS: mi } : {}),
    }, { started: (s) => rep.started(s), tick: (cells, ms) => rep.tick(cells, ms) });
    signals.attach(() => run.stop());
    const doc = await run.done;
    signals.release();
    rep.summary(doc);
    return doc.verdict.pass && !hasError(doc.findings) ? 0 : 1;
  },
});
