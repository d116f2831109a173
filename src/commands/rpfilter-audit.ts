import { defineCommand } from './context.js';

interface RpfArgs {
  source?: string[];
  watch?: string;
  listen?: string;
}

export default defineCommand<RpfArgs>({
  command: 'rpfilter-audit',
  describe: 'Reverse-path filter audit: rp_filter per interface, which sources the kernel would drop and why, drops counted over --watch',
  builder: (y) =>
    y
      .option('source', { type: 'string', array: true, requiresArg: true, describe: 'Check this source (S or S,G; repeatable) on every selected interface, or those named by --iface' })
      .option('watch', { type: 'string', requiresArg: true, describe: 'Count reverse-path drops (TcpExt IPReversePathFilter) over this many seconds' })
      .option('listen', { type: 'string', requiresArg: true, describe: 'Capture multicast for this many seconds and audit every source seen (needs libpcap and CAP_NET_RAW)' })
      .example('$0 rpfilter-audit', 'rp_filter of every interface, and whether strict mode bites on this multi-homed host')
      .example('$0 rpfilter-audit --source 198.19.5.5,239.1.1.1 --iface wlan0', 'would the kernel accept this source arriving on wlan0?')
      .example('$0 rpfilter-audit --watch 10 --json', 'reverse-path drops counted over 10 s, with the sources when capture is allowed')
      .example('$0 rpfilter-audit --listen 30', 'every multicast source seen in 30 s, and whether the kernel drops it'),
  run: async (argv, ctx) => {
    const { parseSourceSpecs, parseSeconds } = await import('../core/rpfilter/sources.js');
    const { UsageError } = await import('../core/errors.js');
    const sources = parseSourceSpecs(argv.source ?? []);
    const watchSeconds = argv.watch === undefined ? undefined : parseSeconds('watch', argv.watch);
    const listenSeconds = argv.listen === undefined ? undefined : parseSeconds('listen', argv.listen);
    if (ctx.family === 6 && (sources.length > 0 || watchSeconds !== undefined || listenSeconds !== undefined)) {
      throw new UsageError('IPV4_ONLY', '--source, --watch and --listen are about IPv4 rp_filter; IPv6 has none (drop -6)');
    }
    if (watchSeconds !== undefined && listenSeconds !== undefined) {
      throw new UsageError('WATCH_OR_LISTEN', 'give --watch or --listen, not both (--watch also names the dropped sources it captures)');
    }
    const { auditRpFilter } = await import('../core/rpfilter/audit.js');
    const { platform } = await import('../platform/linux.js');
    const { readNetfilterRpf } = await import('../platform/netfilter.js');
    const { loadCaptureFactory } = await import('../platform/capture/index.js');
    const { renderRpfAudit, watchProgress, watchStarted, listenStarted } = await import('../render/rpfilter-audit.js');
    const { exitFor } = await import('../core/exit.js');
    const audit = await auditRpFilter(platform(), {
      selection: ctx.selection,
      ...(ctx.family ? { family: ctx.family } : {}),
      sources,
      ...(watchSeconds !== undefined ? { watchSeconds, watchHooks: { onStart: watchStarted(ctx.out, watchSeconds), onTick: watchProgress(ctx.out) } } : {}),
      ...(listenSeconds !== undefined ? { listenSeconds, onCaptureStart: listenStarted(ctx.out, listenSeconds) } : {}),
      captureFactory: loadCaptureFactory,
      readNetfilter: readNetfilterRpf,
    });
    if (watchSeconds !== undefined || listenSeconds !== undefined) ctx.out.endProgress();
    renderRpfAudit(audit, ctx.out);
    return exitFor(audit.findings);
  },
});
