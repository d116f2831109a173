import { defineCommand } from './context.js';

interface QuerierArgs {
  planned?: string;
  expect?: string;
  timeout: number;
}

export default defineCommand<QuerierArgs>({
  command: 'querier-check',
  describe: 'Find, decode and validate the IGMP/MLD querier on every interface (or check a planned querier address)',
  builder: (y) =>
    y
      .option('timeout', { type: 'number', default: 130, describe: 'Seconds to listen (default 130: longer than one 125 s query interval)' })
      .option('expect', { type: 'string', describe: 'Exit 1 unless ADDR is the elected querier on the chosen interfaces (CI)', requiresArg: true })
      .option('planned', { type: 'string', describe: 'Validate a querier address before configuring it (needs --iface DEV); no listening', requiresArg: true })
      .conflicts('planned', 'expect')
      .example('$0 querier-check --timeout 30', 'listen 30 s on every interface')
      .example('$0 querier-check --iface eth0 --expect 10.0.0.1', 'CI: fail unless 10.0.0.1 is the querier on eth0')
      .example('$0 querier-check --planned 10.0.0.250 --iface eth0', 'would this host accept queries from 10.0.0.250 on eth0?'),
  run: async (argv, ctx) => {
    const { UsageError } = await import('../core/errors.js');
    const { platform } = await import('../platform/linux.js');
    if (argv.planned !== undefined) {
      const inc = ctx.selection.include ?? [];
      const dev = inc[0];
      if (inc.length !== 1 || dev === undefined || /[*?+[]/.test(dev)) {
        throw new UsageError('USAGE', '--planned ADDR needs exactly one interface: --iface DEV (no pattern)');
      }
      const { checkPlanned } = await import('../core/querier/planned.js');
      const { renderPlanned } = await import('../render/querier-planned.js');
      const r = await checkPlanned(platform(), argv.planned, dev);
      renderPlanned(r, ctx.out);
      return r.verdict === 'dropped' ? 1 : 0;
    }
    throw new UsageError('USAGE', 'listening for queriers is not in this build yet: use --planned ADDR --iface DEV');
  },
});
