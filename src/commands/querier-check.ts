import { defineCommand } from './context.js';
import { seconds } from './flags.js';
import { defined } from '../core/defined.js';
import { resolve } from '../host.js';

interface QuerierArgs {
  planned?: string;
  expect?: string;
}

const flags = {
  timeout: seconds('Seconds to listen (default 130: longer than one 125 s query interval)', { default: 130, max: 86400 }),
};

export default defineCommand<QuerierArgs, typeof flags>({
  command: 'querier-check',
  describe: 'Find, decode and validate the IGMP/MLD querier on every interface (or check a planned querier address)',
  waits: true,
  flags,
  builder: (y) =>
    y
      .option('expect',
        { type: 'string', describe: 'Exit 1 unless ADDR is the elected querier on the chosen interfaces (CI)', requiresArg: true })
      .option('planned', { type: 'string', describe: 'Validate a querier address before configuring it (needs --iface DEV); no listening',
        requiresArg: true })
      .conflicts('planned', 'expect')
      .example('$0 querier-check --timeout 30', 'listen 30 s on every interface')
      .example('$0 querier-check --iface eth0 --expect 10.0.0.1', 'CI: fail unless 10.0.0.1 is the querier on eth0')
      .example('$0 querier-check --planned 10.0.0.250 --iface eth0', 'would this host accept queries from 10.0.0.250 on eth0?'),
  run: async (argv, ctx) => {
    const { UsageError } = await import('../core/errors.js');
    if (argv.planned !== undefined) {
      const inc = ctx.selection.include ?? [];
      const dev = inc[0];
      if (inc.length !== 1 || dev === undefined || /[*?+[]/.test(dev)) {
        throw new UsageError('USAGE', '--planned ADDR needs exactly one interface: --iface DEV (no pattern)');
      }
      const { checkPlanned } = await import('../core/querier-check/planned.js');
      const { renderPlanned } = await import('../render/querier-planned.js');
      const { exitFor } = await import('../core/exit.js');
      const r = await checkPlanned({ platform: await ctx.host.platform() }, argv.planned, dev);
      renderPlanned(r, ctx.out);
      // DROPPED comes with its error finding (QUERIER_RPF_DROP, MLD_QUERIER_NOT_LINK_LOCAL): the words and the code agree.
      return exitFor(r.findings);
    }
    if (argv.expect !== undefined) {
      const { familyOf } = await import('../core/kernel/ip.js');
      if (familyOf(argv.expect) === undefined) throw new UsageError('BAD_ADDRESS', `--expect ${argv.expect}: not an IPv4 or IPv6 address`);
    }
    const { listenForQueriers } = await import('../core/querier-check/listen.js');
    const { renderQuerierCheck, formatProgress } = await import('../render/querier-check.js');
    const { exitFor } = await import('../core/exit.js');
    const { cutShort, withInterruption } = await import('../core/coverage.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const wait = ctx.waiting('listening for IGMP/MLD queries', argv.timeout * 1000);
    const deps = { ...await resolve(ctx.host, 'platform', 'capture'), clock: ctx.host.clock };
    const report = await listenForQueriers(deps, {
      abort: ctx.interrupt.abort,
      selection: ctx.selection,
      timeoutMs: argv.timeout * 1000,
      ...(ctx.family ? { family: ctx.family } : {}),
      ...defined({ expect: argv.expect }),
      // One line on stderr once the captures are open (scripts and tests wait for it); a TTY gets the progress line instead.
      onListening: (ifaces) => {
        if (ctx.out.quiet || ctx.out.progressAllowed) return;
        ctx.out.note(`listening on ${ifaces.join(', ') || 'no interface'} for ${argv.timeout} s`);
      },
      ...(ctx.out.progressAllowed ? { onProgress: (p: Parameters<typeof formatProgress>[0]) => ctx.out.progress(formatProgress(p)) } : {}),
    });
    ctx.out.endProgress();
    const interrupted = wait.done();
    // "No querier heard" over a listen shorter than asked proves nothing: the verdict is incomplete.
    const coverage = withInterruption(report.coverage, interrupted, (i) => cutShort('querier listen', i, '--timeout'));
    ctx.out.setCoverage(coverage);
    renderQuerierCheck(report, ctx.out);
    renderCoverage(coverage, ctx.out);
    return exitFor(report.findings, coverage);
  },
});
