import { defineCommand } from './context.js';
import { UsageError } from '../core/errors.js';
import { percent, ranged, seconds, whole } from './flags.js';
import { defined } from '../core/defined.js';
import { loaders, resolve } from '../host.js';

interface Args {
  group: string;
  soak: boolean;
  'assume-synced': boolean;
}

/** --soak: long enough to cross the default snooping membership interval (260 s). */
export const SOAK_S = 300;
const DEFAULT_DURATION_S = 30;

const flags = {
  port: whole('UDP port (when the group has none)', { default: 5000, max: 65535 }),
  rate: ranged('Probes per second out of each interface', 'probes per second', 0, 1000, { default: 2, minOpen: true }),
  ttl: whole('TTL / hop limit of the probes (raise it across multicast routers)', { default: 1, min: 0, max: 255 }),
  duration: seconds(`Seconds to run (default ${DEFAULT_DURATION_S}; --soak: ${SOAK_S})`, { max: 86400 }),
  'expect-peers': whole('Exit 1 unless at least this many peers were heard', { min: 0 }),
  'max-loss': percent('Loss percentage a pair may show before exit 1', { default: 0 }),
  'membership-interval':
    seconds('The switches\' snooping membership interval in seconds (default: from the queries heard, else 260)', { max: 86400 }),
  interval: seconds('Seconds between live matrix updates (TTY only)', { default: 1 }),
};

export default defineCommand<Args, typeof flags>({
  command: 'mesh <group>',
  describe:
    'Run on every host at once: send and join on every interface, ' +
    'and report an N x N reachability matrix with verdicts and stall diagnosis',
  waits: true,
  flags,
  builder: (y) =>
    y
      .positional('group', { type: 'string', demandOption: true, describe: 'G, G:PORT or [G6]:PORT' })
      .option('soak',
        { type: 'boolean', default: false, describe: `Run ${SOAK_S} s: past the default snooping membership interval (260 s)` })
      .option('assume-synced', { type: 'boolean', default: false, describe: 'Trust one-way delay across hosts (clocks synchronised)' })
      .example('$0 mesh 239.255.77.1 --duration 60 --expect-peers 4 --json > $(hostname).json',
        'on each host at once; then mesh-report *.json')
      .example('$0 mesh 239.255.77.1 --soak --membership-interval 260', 'run past the snooping timeout and diagnose a stop') as never,
  run: async (argv, ctx) => {
    const { parseGroupArgs } = await import('../core/group-args.js');
    const { port, ttl } = argv;
    if (argv.soak && argv.duration !== undefined) throw new UsageError('USAGE',
      '--soak is a preset duration: give --soak or --duration, not both');
    const durationS = argv.soak ? SOAK_S : argv.duration ?? DEFAULT_DURATION_S;
    const max = argv['max-loss'];
    const peers = argv['expect-peers'];
    const mi = argv['membership-interval'];
    const [group] = parseGroupArgs([String(argv.group)], { defaultPort: port, allowRanges: false });
    if (!group) throw new UsageError('BAD_GROUP', 'name a group');
    if (group.source !== undefined) throw new UsageError('BAD_GROUP',
      `'${argv.group}': mesh takes a group, not S,G (every host is a source)`);
    if (ctx.family && ctx.family !== group.family) throw new UsageError('USAGE',
      `-${ctx.family} given but ${group.group} is IPv${group.family}`);

    const { startMesh } = await import('../core/mesh/run.js');
    const { exitFor } = await import('../core/exit.js');
    const { withInterruption } = await import('../core/coverage.js');
    const { MeshReporter } = await import('../render/mesh.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const { carrierWaitNote } = await import('../render/carrier-wait.js');
    const { host } = ctx;
    const deps = { ...await resolve(host, 'platform', 'sockets', 'firewall'), ...loaders(host, 'capture'), clock: host.clock };
    const rep = new MeshReporter(ctx.out, { group: group.group, port: group.port, durationS, maxLossPct: max });
    const wait = ctx.waiting(`mesh on ${group.group}: sending and listening`, durationS * 1000);
    const run = await startMesh(deps, {
      group, selection: ctx.selection, rate: argv.rate, ttl, durationMs: durationS * 1000,
      expectPeers: peers ?? null, maxLossPct: max, assumeSynced: argv['assume-synced'], intervalMs: argv.interval * 1000,
      ...defined({ membershipIntervalS: mi }), abort: ctx.interrupt.abort,
    }, { started: (s) => rep.started(s), tick: (cells, ms) => rep.tick(cells, ms), waitingForCarrier: carrierWaitNote(ctx.out) });
    // A signal while the run starts (joins, libpcap, senders) stops it once it exists.
    ctx.interrupt.onStop(() => run.stop());
    const doc = await run.done;
    const coverage = withInterruption(doc.coverage, wait.done());
    doc.coverage = coverage;
    ctx.out.setCoverage(coverage);
    rep.summary(doc);
    renderCoverage(coverage, ctx.out);
    return exitFor(doc.findings, coverage);
  },
});
