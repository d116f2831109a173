import { defineCommand } from './context.js';

export default defineCommand({
  command: ['interfaces', 'ifaces'],
  describe: 'List every interface: state, MULTICAST flag, addresses, default route, rp_filter, IGMP version, groups',
  builder: (y) =>
    y
      .example('$0 interfaces', 'table of every interface')
      .example('$0 interfaces --iface eth+ --json', 'JSON for every interface whose name starts with eth')
      .example('$0 interfaces -4', 'IPv4 addresses and groups only'),
  run: async (_argv, ctx) => {
    const { loadInterfaces, onlyFamily } = await import('../core/kernel/interfaces.js');
    const { renderInterfaces } = await import('../render/interfaces.js');
    const { exitFor } = await import('../core/exit.js');
    const inv = await loadInterfaces(
      await ctx.host.platform(),
      { selection: ctx.selection, details: true, ...(ctx.family ? { family: ctx.family } : {}) },
    );
    renderInterfaces(onlyFamily(inv, ctx.family), ctx.out);
    return exitFor(inv.findings);
  },
});
