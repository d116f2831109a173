import { defineCommand } from './context.js';

interface RpfArgs {
  source?: string[];
  watch?: string;
}

export default defineCommand<RpfArgs>({
  command: 'rpfilter-audit',
  describe: 'Reverse-path filter audit: rp_filter per interface, which sources the kernel would drop and why, drops counted over --watch',
  builder: (y) =>
    y
      .option('source', { type: 'string', array: true, requiresArg: true, describe: 'Check this source (S or S,G; repeatable) on every selected interface, or those named by --iface' })
      .option('watch', { type: 'string', requiresArg: true, describe: 'Count reverse-path drops (TcpExt IPReversePathFilter) over this many seconds' })
      .example('$0 rpfilter-audit', 'rp_filter of every interface, and whether strict mode bites on this multi-homed host')
      .example('$0 rpfilter-audit --source 198.19.5.5,239.1.1.1 --iface wlan0', 'would the kernel accept this source arriving on wlan0?')
      .example('$0 rpfilter-audit --watch 10 --json', 'reverse-path drops counted over 10 s'),
  run: async (argv, ctx) => {
    const { parseSourceSpecs, parseSeconds } = await import('../core/rpfilter/sources.js');
    const { UsageError } = await import('../core/errors.js');
    const sources = parseSourceSpecs(argv.source ?? []);
    const watchSeconds = argv.watch === undefined ? undefined : parseSeconds('watch', argv.watch);
    if (ctx.family === 6 && (sources.length > 0 || watchSeconds !== undefined)) {
      throw new UsageError('IPV4_ONLY', '--source and --watch are about IPv4 rp_filter; IPv6 has none (drop -6)');
    }
    const { auditRpFilter } = await import('../core/rpfilter/audit.js');
    const { platform } = await import('../platform/linux.js');
    const { readNetfilterRpf } = await import('../platform/netfilter.js');
    const { renderRpfAudit, watchProgress, watchStarted } = await import('../render/rpfilter-audit.js');
    const { exitFor } = await import('../core/exit.js');
    const audit = await auditRpFilter(platform(), {
      selection: ctx.selection,
      ...(ctx.family ? { family: ctx.family } : {}),
      sources,
      ...(watchSeconds !== undefined ? { watchSeconds, watchHooks: { onStart: watchStarted(ctx.out, watchSeconds), onTick: watchProgress(ctx.out) } } : {}),
      readNetfilter: readNetfilterRpf,
    });
    if (watchSeconds !== undefined) ctx.out.endProgress();
    renderRpfAudit(audit, ctx.out);
    return exitFor(audit.findings);
  },
});
