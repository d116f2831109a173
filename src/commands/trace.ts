import { defineCommand, stopOnSignals } from './context.js';

interface TraceArgs {
  target: string;
  duration: number;
  join: boolean;
  'drop-reasons': boolean;
}

export default defineCommand<TraceArgs>({
  command: 'trace <target>',
  describe: 'Where an application\'s group goes inside this host: wire -> IP -> kernel drops (reason) -> which process\'s socket -> overflow; names the break',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'GROUP or GROUP:PORT ([ff05::1]:5001 for IPv6); without a port, the busiest port on the wire' })
      .option('duration', { type: 'number', default: 5, describe: 'seconds to watch (at most 3600)' })
      .option('join', { type: 'boolean', default: false, describe: 'hold memberships on every selected interface while watching (default: observe only, as the application left things)' })
      .option('drop-reasons', { type: 'boolean', default: true, describe: 'count the kernel\'s drop reasons (skb:kfree_skb in a private tracefs instance; root); --no-drop-reasons: counters only' })
      .example('$0 trace 239.1.2.3:5001', 'watch for 5 s: where do the packets of 239.1.2.3:5001 stop?')
      .example('$0 trace 239.1.2.3 --iface eth1 --duration 10 --json', 'one interface, 10 s, the path as JSON'),
  run: async (argv, ctx) => {
    const { parseGroupArg } = await import('../core/group-args.js');
    const { parseSeconds } = await import('../core/rpfilter/sources.js');
    const spec = parseGroupArg(argv.target, { defaultPort: 0, allowRanges: false, maxGroups: 1 })[0];
    const seconds = parseSeconds('duration', argv.duration);
    if (!spec) throw new Error('trace: no group parsed');
    const { runTrace } = await import('../core/accounting/run.js');
    const { platform } = await import('../platform/linux.js');
    const { linuxAccounting } = await import('../platform/accounting/linux.js');
    const { loadCaptureFactory } = await import('../platform/capture/index.js');
    const { renderTrace, traceStarted } = await import('../render/trace.js');
    const { exitFor } = await import('../core/exit.js');
    const p = platform();
    const target = `${spec.family === 6 ? `[${spec.group}]` : spec.group}${spec.port ? `:${spec.port}` : ''}`;
    const signals = stopOnSignals();
    try {
      const report = await runTrace({
        platform: p,
        accounting: linuxAccounting,
        capture: loadCaptureFactory,
        firewallRule: async (ifaces) => {
          const { checkFirewall } = await import('../core/firewall/check.js');
          const { LinuxFirewallReader } = await import('../platform/firewall.js');
          const fw = await checkFirewall(new LinuxFirewallReader(), ifaces);
          const r = fw.rules.find((x) => x.stops.includes('multicast'));
          return r ? `${r.source === 'nft' ? 'nft' : 'iptables'} rule '${r.family} ${r.table} ${r.chain}'${r.handle !== undefined ? ` handle ${r.handle}` : ''}: ${r.text}` : undefined;
        },
        ...(argv.join ? {
          join: async (ifaces) => {
            const { joinAll } = await import('../core/membership/join.js');
            const { openSocketsOrExplain } = await import('../core/transmit/setup.js');
            const m = await joinAll({ sockets: await openSocketsOrExplain(), platform: p }, { groups: [spec], interfaces: ifaces, receive: false });
            return { findings: m.findings, close: () => m.close() };
          },
        } : {}),
      }, {
        group: spec.group, family: spec.family, seconds, selection: ctx.selection, dropReasons: argv['drop-reasons'],
        ...(spec.port ? { port: spec.port } : {}),
        onStart: traceStarted(ctx.out, seconds, target),
        attachStop: (stop) => signals.attach(stop),
      });
      ctx.out.endProgress();
      renderTrace(report, ctx.out);
      return exitFor(report.findings);
    } finally {
      signals.release();
    }
  },
});
