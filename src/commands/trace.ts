import { defineCommand } from './context.js';
import { seconds as secondsFlag } from './flags.js';
import { loaders, resolve } from '../host.js';

interface TraceArgs {
  target: string;
  join: boolean;
  'drop-reasons': boolean;
}

const flags = {
  duration: secondsFlag('seconds to watch (at most 3600)', { default: 5, max: 3600 }),
};

export default defineCommand<TraceArgs, typeof flags>({
  command: 'trace <target>',
  describe:
    'Where an application\'s group goes inside this host: ' +
    'wire -> IP -> kernel drops (reason) -> which process\'s socket -> overflow; names the break',
  flags,
  waits: true,
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true,
        describe: 'GROUP or GROUP:PORT ([ff05::1]:5001 for IPv6); without a port, the busiest port on the wire' })
      .option('join', { type: 'boolean', default: false,
        describe: 'hold memberships on every selected interface while watching (default: observe only, as the application left things)' })
      .option('drop-reasons', { type: 'boolean', default: true, describe:
        'count the kernel\'s drop reasons (skb:kfree_skb in a private tracefs instance; root); --no-drop-reasons: counters only' })
      .example('$0 trace 239.1.2.3:5001', 'watch for 5 s: where do the packets of 239.1.2.3:5001 stop?')
      .example('$0 trace 239.1.2.3 --iface eth1 --duration 10 --json', 'one interface, 10 s, the path as JSON'),
  run: async (argv, ctx) => {
    const { parseGroupArg } = await import('../core/group-args.js');
    const spec = parseGroupArg(argv.target, { defaultPort: 0, allowRanges: false, maxGroups: 1 })[0];
    const seconds = argv.duration;
    if (!spec) throw new Error('trace: no group parsed');
    const { runTrace } = await import('../core/accounting/run.js');
    const { renderTrace, traceStarted } = await import('../render/trace.js');
    const { exitFor } = await import('../core/exit.js');
    const { cutShort, withInterruption } = await import('../core/coverage.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const { host } = ctx;
    const target = `${spec.family === 6 ? `[${spec.group}]` : spec.group}${spec.port ? `:${spec.port}` : ''}`;
    const wait = ctx.waiting(`tracing ${target}`, seconds * 1000);
    {
      const deps = { ...await resolve(host, 'platform', 'accounting'), ...loaders(host, 'capture'), clock: host.clock };
      const report = await runTrace({
        ...deps,
        firewallRule: async (ifaces) => {
          const { checkFirewall } = await import('../core/firewall/check.js');
          const fw = await checkFirewall(await host.firewall(), ifaces, { group: spec.group, ...(spec.port ? { port: spec.port } : {}) });
          const r = [...fw.rules, ...fw.conditional].find((x) => x.probe === 'data4' || x.probe === 'data6')?.rule;
          if (!r) return undefined;
          return `${r.iptables ? 'iptables' : 'nft'} rule '${r.family} ${r.table} ${r.chain}'` +
            `${r.handle !== undefined ? ` handle ${r.handle}` : ''}: ${r.text}`;
        },
        ...(argv.join ? {
          join: async (ifaces) => {
            const { joinAll } = await import('../core/membership/join.js');
            const m = await joinAll({ ...deps, ...await resolve(host, 'sockets') }, { groups: [spec], interfaces: ifaces, receive: false });
            return { findings: m.findings, close: () => m.close() };
          },
        } : {}),
      }, {
        group: spec.group, family: spec.family, seconds, selection: ctx.selection, dropReasons: argv['drop-reasons'],
        ...(spec.port ? { port: spec.port } : {}),
        onStart: traceStarted(ctx.out, seconds, target),
        attachStop: (stop) => { ctx.interrupt.onStop(stop); },
      });
      ctx.out.endProgress();
      const interrupted = wait.done();
      // What did not arrive in a window a signal shortened proves nothing: incomplete.
      const coverage = withInterruption(report.coverage, interrupted, (i) => cutShort('trace', i, '--duration'));
      ctx.out.setCoverage(coverage);
      renderTrace(report, ctx.out);
      renderCoverage(coverage, ctx.out);
      return exitFor(report.findings, coverage);
    }
  },
});
