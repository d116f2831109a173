import { defineCommand, type CommandContext } from './context.js';
import { seconds } from './flags.js';
import { defined } from '../core/defined.js';

export interface AnalyzeArgs {
  file: string[];
  prefix?: string[];
  'membership-interval'?: number;
  html?: string;
}

const flags = {
  'membership-interval':
    seconds('the snooping membership interval in seconds (default: from the queries heard, else 260)', { max: 86_400 }),
};

export default defineCommand<AnalyzeArgs, typeof flags>({
  command: 'analyze <file..>',
  describe:
    'Diagnose capture files (pcap, pcapng, gzip; - for stdin): streams, probe/RTP/MPEG-TS loss, IGMP/MLD timeline, snooping timeout',
  flags,
  builder: (y) =>
    y
      .positional('file', { type: 'string', array: true, demandOption: true,
        describe: 'pcap or pcapng files (tcpdump, tshark, Wireshark, sniff --write), optionally gzipped; - reads stdin' })
      .option('prefix', { type: 'string', array: true,
        describe: 'the subnet of a link, IFACE=CIDR (or CIDR for every interface); default: inferred from the hosts that report there' })
      .option('html', { type: 'string',
        describe: 'also write a self-contained HTML page: packet rate per group over time with IGMP/MLD events and findings' })
      .example('$0 analyze customer.pcapng', 'diagnose a capture')
      .example('tcpdump -i any -w - igmp or udp | $0 analyze -', 'diagnose what tcpdump captures, as it goes')
      .example('$0 analyze cap.pcap.gz --prefix eth0=10.1.2.0/24 --html cap.html',
        'judge queriers against a known subnet; draw the timeline'),
  run: (argv, ctx) => runAnalyze(argv, ctx),
});

/** Shared with `sniff -r FILE`. Returns the exit code: 2 when a file was bad (after the report). */
export async function runAnalyze(argv: AnalyzeArgs, ctx: CommandContext): Promise<number> {
  const { parsePrefixes, checkFiles } = await import('../core/analyze/args.js');
  const prefixes = parsePrefixes(argv.prefix ?? []);
  const files = checkFiles(argv.file.map(String));
  // Bounded where it is declared (flags); sniff -r reaches here without it.
  const mi = argv['membership-interval'];
  const { openCaptureSource, writeFileAtomic } = await ctx.host.files();
  const { analyzeFiles } = await import('../core/analyze/run.js');
  const { renderAnalyze } = await import('../render/analyze.js');
  const sources = files.map((f) => openCaptureSource(f));
  const report = await analyzeFiles(sources, { prefixes, ...defined({ membershipIntervalS: mi }) });
  if (argv.html !== undefined) {
    const { renderAnalyzeHtml } = await import('../render/analyze-html.js');
    await writeFileAtomic(argv.html, renderAnalyzeHtml(report), '--html');
  }
  renderAnalyze(report, ctx.out, argv.html);
  const bad = report.files.find((f) => f.error !== undefined);
  if (bad) {
    // One line, after the report of what was read (the exit code says bad input).
    ctx.out.note(`mcast-doctor: ${bad.file}: ${bad.error} (after ${bad.packets} packets)`);
    return 2;
  }
  // A file is the whole evidence: nothing of the environment can stop a check (no coverage gaps).
  const { exitFor } = await import('../core/exit.js');
  return exitFor(report.findings);
}
