import { defineCommand } from './context.js';
import { whole } from './flags.js';

interface MacMapArgs {
  addr?: string[];
  collisions?: boolean;
  file?: string[];
  host?: boolean;
}

const flags = {
  limit: whole('List at most N shared MACs and N flooded groups (counts stay complete)', { default: 10 }),
};

export default defineCommand<MacMapArgs, typeof flags>({
  command: 'mac-map [addr..]',
  describe: 'Group <-> Ethernet MAC (IPv4 and IPv6), scope and well-known names; --collisions over lists, ranges and files',
  flags,
  builder: (y) =>
    y
      .positional('addr', { type: 'string', array: true,
        describe: 'Groups (239.1.2.3, ff02::fb), MACs (01:00:5e:01:02:03), or with --collisions ranges (239.1.0.0/16, 239.1.2.0+100)' })
      .option('collisions', { type: 'boolean', describe: 'Report MACs shared by two or more of the groups, and groups on a 224.0.0.x MAC' })
      .option('file', { type: 'string', requiresArg: true, coerce: (v: unknown) => [v].flat().map(String),
        describe: 'Read groups and ranges from FILE, one a line (# comments; - for standard input); implies --collisions' })
      .option('host', { type: 'boolean',
        describe: 'Check the groups each interface of this host has joined (/proc/net/igmp, igmp6); implies --collisions' })
      .example('$0 mac-map 239.1.2.3 01:00:5e:01:02:03 ff02::fb', 'MAC, scope and name of each; the 32 groups of a MAC')
      .example('$0 mac-map --collisions 239.1.2.3 224.1.2.3 239.1.0.0/16', 'MACs shared by these groups')
      .example('$0 mac-map --host 239.129.2.3', 'would joining this group collide with what this host joined?'),
  run: async (argv, ctx) => {
    const { parseItem, parseListFile } = await import('../core/mac-map/input.js');
    const { macMap } = await import('../core/mac-map/index.js');
    const { renderMacMap } = await import('../render/mac-map.js');
    const { exitFor } = await import('../core/exit.js');
    const items = (argv.addr ?? []).map((a) => parseItem(String(a)));
    if (argv.file?.length) {
      const { readListFile } = await ctx.host.files();
      for (const f of argv.file) items.push(...parseListFile(await readListFile(f), f));
    }
    const platform = argv.host ? await ctx.host.platform() : undefined;
    const result = await macMap({
      items,
      collisions: argv.collisions === true || (argv.file?.length ?? 0) > 0,
      host: argv.host === true,
      limit: argv.limit,
      ...(platform ? { platform } : {}),
      selection: ctx.selection,
      ...(ctx.family ? { family: ctx.family } : {}),
    });
    renderMacMap(result, ctx.out);
    return exitFor(result.findings);
  },
});
