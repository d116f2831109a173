import { defineCommand } from './context.js';
import { seconds } from './flags.js';
import { loaders, resolve } from '../host.js';

interface RpfArgs {
  source?: string[];
}

export const rpfilterFlags = {
  watch: seconds('Count reverse-path drops (TcpExt IPReversePathFilter) over this many seconds', { max: 3600 }),
  listen: seconds('Capture multicast for this many seconds and audit every source seen (needs libpcap and CAP_NET_RAW)', { max: 3600 }),
};

export default defineCommand<RpfArgs, typeof rpfilterFlags>({
  command: 'rpfilter-audit',
  describe: 'Reverse-path filter audit: rp_filter per interface, which sources the kernel would drop and why, drops counted over --watch',
  flags: rpfilterFlags,
  waits: true,
  builder: (y) =>
    y
      .option('source', { type: 'string', array: true, requiresArg: true,
        describe: 'Check this source (S or S,G; repeatable) on every selected interface, or those named by --iface' })
      .example('$0 rpfilter-audit', 'rp_filter of every interface, and whether strict mode bites on this multi-homed host')
      .example('$0 rpfilter-audit --source 198.19.5.5,239.1.1.1 --iface wlan0', 'would the kernel accept this source arriving on wlan0?')
      .example('$0 rpfilter-audit --watch 10 --json', 'reverse-path drops counted over 10 s, with the sources when capture is allowed')
      .example('$0 rpfilter-audit --listen 30', 'every multicast source seen in 30 s, and whether the kernel drops it'),
  run: async (argv, ctx) => {
    const { parseSourceSpecs } = await import('../core/rpfilter-audit/sources.js');
    const { UsageError } = await import('../core/errors.js');
    const sources = parseSourceSpecs(argv.source ?? []);
    const { watch: watchSeconds, listen: listenSeconds } = argv;
    if (ctx.family === 6 && (sources.length > 0 || watchSeconds !== undefined || listenSeconds !== undefined)) {
      throw new UsageError('IPV4_ONLY', '--source, --watch and --listen are about IPv4 rp_filter; IPv6 has none (drop -6)');
    }
    if (watchSeconds !== undefined && listenSeconds !== undefined) {
      throw new UsageError('WATCH_OR_LISTEN', 'give --watch or --listen, not both (--watch also names the dropped sources it captures)');
    }
    const { auditRpFilter } = await import('../core/rpfilter-audit/audit.js');
    const { renderRpfAudit, watchProgress, watchStarted, listenStarted } = await import('../render/rpfilter-audit.js');
    const { exitFor } = await import('../core/exit.js');
    const { cutShort, withInterruption } = await import('../core/coverage.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const { sleepUnless } = await import('../core/sleep.js');
    const windowS = watchSeconds ?? listenSeconds;
    const wait = windowS !== undefined ? ctx.waiting(
      watchSeconds !== undefined ? 'counting reverse-path drops' : 'listening for multicast sources', windowS * 1000) : undefined;
    // A signal ends the window's sleeps at once: the counters are read and the report printed.
    const sleep = (ms: number): Promise<void> => sleepUnless(ms, ctx.interrupt.abort);
    const audit = await auditRpFilter({ ...await resolve(ctx.host, 'platform'), ...loaders(ctx.host, 'capture', 'netfilter') }, {
      selection: ctx.selection,
      ...(ctx.family ? { family: ctx.family } : {}),
      sources,
      ...(watchSeconds !== undefined ? {
        watchSeconds,
        watchHooks: { sleep, onStart: watchStarted(ctx.out, watchSeconds), onTick: watchProgress(ctx.out) },
      } : {}),
      ...(listenSeconds !== undefined ? {
        listenSeconds,
        watchHooks: { sleep },
        onCaptureStart: listenStarted(ctx.out, listenSeconds),
      } : {}),
    });
    if (watchSeconds !== undefined || listenSeconds !== undefined) ctx.out.endProgress();
    const interrupted = wait?.done() ?? null;
    // No drop counted over a window shorter than asked proves nothing: incomplete.
    const flag = watchSeconds !== undefined ? '--watch' : '--listen';
    const coverage = withInterruption(audit.coverage, interrupted,
      (i) => cutShort(flag === '--watch' ? 'reverse-path drop count' : 'source listen', i, flag));
    ctx.out.setCoverage(coverage);
    renderRpfAudit(audit, ctx.out);
    renderCoverage(coverage, ctx.out);
    return exitFor(audit.findings, coverage);
  },
});
