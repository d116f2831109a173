import { defineCommand, type CommandContext } from './context.js';
import { seconds, whole } from './flags.js';
import { toolVersion } from '../version.js';
import { loaders, resolve } from '../host.js';

interface SniffArgs {
  group: string[];
  join: boolean;
  port?: number[];
  source?: string;
  filter?: string;
  write?: string;
  format: 'pcapng' | 'pcap';
  force: boolean;
  user?: string;
  read?: string;
}

const flags = {
  count: whole('stop after N packets in all', { alias: 'c' }),
  duration: seconds('stop after S seconds'),
  snaplen: whole('bytes kept per packet', { default: 262144, min: 64, max: 262144 }),
};

export default defineCommand<SniffArgs, typeof flags>({
  command: 'sniff [group..]',
  describe:
    'Join the groups on every interface and capture there (libpcap): per interface x group x source stats, IGMP/MLD decoded, pcapng',
  waits: true,
  flags,
  builder: (y) =>
    y
      .positional('group', { type: 'string', array: true, default: [], describe: 'G, S,G, G:PORT, G+N or G/LEN; none: all multicast' })
      .option('join', { type: 'boolean', default: true, describe: 'join the groups first (--no-join: capture only)' })
      .option('port', { type: 'number', array: true, describe: 'only these UDP destination ports' })
      .option('source', { type: 'string', describe: 'only this source (and join source-specific)' })
      .option('filter', { type: 'string', describe: 'BPF filter (pcap-filter(7)) instead of the one built from the groups' })
      .option('write',
        { type: 'string', alias: 'w', describe: 'write the packets to FILE (- : pcapng to standard output, status on stderr)' })
      .option('format',
        { choices: ['pcapng', 'pcap'] as const, default: 'pcapng' as const, describe: 'file format (pcap: one interface only)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing --write file' })
      .option('user', { type: 'string', describe:
        'after opening the captures, run as this user (as tcpdump -Z; needs root); the --write directory must be writable by it' })
      .option('read',
        { type: 'string', alias: 'r', describe: 'read a capture file instead (as tcpdump -r; the same as: analyze FILE; - for stdin)' })
      .example('$0 sniff 239.1.2.3 --duration 10', 'join 239.1.2.3 everywhere, capture for 10 s')
      .example('$0 sniff 239.1.2.3:5001 --write cap.pcapng --count 1000', 'capture 1000 packets to a pcapng file')
      .example('$0 sniff --no-join --filter igmp --json', 'IGMP messages as NDJSON')
      .example('$0 sniff 239.1.2.3 --user nobody --write /var/tmp/cap.pcapng', 'open the captures as root, then run as nobody'),
  run: async (argv, ctx) => {
    if (argv.read !== undefined) return readFile(argv, ctx);
    const { runSniff } = await import('../core/sniff/run.js');
    const { SniffRenderer } = await import('../render/sniff.js');
    // --write -: the capture owns standard output; status, events and the summary go to stderr.
    const toStdout = argv.write === '-';
    if (toStdout && process.stdout.isTTY) {
      const { UsageError } = await import('../core/errors.js');
      throw new UsageError('USAGE', '--write - sends a binary capture to standard output, which is a terminal here: ' +
        'pipe it (| tshark -r -, | wireshark -k -i -) or name a file');
    }
    const { Output } = await import('../render/output.js');
    const renderer = new SniffRenderer(toStdout ? new Output(ctx.out.opts, process.stderr, process.stderr) : ctx.out);
    const { host } = ctx;
    const privileges = argv.user !== undefined ? await host.privileges() : undefined;
    const runAs = privileges && argv.user !== undefined ? privileges.lookupUser(argv.user) : undefined;
    if (privileges && runAs) {
      privileges.checkCanDrop(runAs);
      if (argv.write !== undefined && !toStdout) privileges.checkDirWritableBy(argv.write, runAs);
    }
    const { openFileSink, openStdoutSink } = await host.files();
    const { renderCoverage } = await import('../render/coverage.js');
    const { carrierWaitNote } = await import('../render/carrier-wait.js');
    const wait = ctx.waiting('capturing', argv.duration !== undefined ? argv.duration * 1000 : null);
    let interrupted: ReturnType<typeof wait.done> | undefined;
    const coverage = () => ({ notRun: [], interrupted: interrupted === undefined ? (interrupted = wait.done()) : interrupted });
    ctx.out.setCoverage(coverage);
    const code = await runSniff({
      ...await resolve(host, 'platform', 'links'),
      ...loaders(host, 'capture', 'sockets'),
      clock: host.clock,
      openFile: (file, force) => (file === '-' ? openStdoutSink() : openFileSink(file, force, runAs)),
      ...(privileges && runAs ? { dropPrivileges: () => privileges.dropPrivileges(runAs), runsAs: runAs.name } : {}),
      abort: ctx.interrupt.abort,
      waitingForCarrier: carrierWaitNote(ctx.out),
      onSignal: (stop, saveNow) => {
        // The one signal mechanism (./signals.ts): the first signal stops, drains what the kernel
        // holds and writes the summary; a second quits at once (as tcpdump does), but the file is
        // still completed and renamed into place: what was captured stays a valid file, never a
        // stray .part.
        const offStop = ctx.interrupt.onStop(stop);
        const offSave = ctx.interrupt.onForcedExit(saveNow);
        // A reader that went away (`sniff --write f | head`): the CLI exits at once on EPIPE, so
        // the file is completed first (this listener runs before the CLI's).
        const onOutError = (e: NodeJS.ErrnoException): void => { if (e.code === 'EPIPE') saveNow(); };
        process.stdout.prependListener('error', onOutError);
        return () => {
          offStop();
          offSave();
          process.stdout.off('error', onOutError);
        };
      },
    }, {
      groups: argv.group.map(String), join: argv.join, ports: argv.port ?? [], source: argv.source, filter: argv.filter,
      count: argv.count, durationS: argv.duration, write: argv.write, format: argv.format, force: argv.force, snaplen: argv.snaplen,
      selection: ctx.selection, family: ctx.family, appName: `mcast-doctor ${toolVersion()} sniff`,
    }, renderer);
    renderCoverage(coverage(), ctx.out);
    return code;
  },
});

/** `sniff -r FILE`: the tcpdump habit, served by analyze. Capture-only options make no sense there. */
async function readFile(argv: SniffArgs & { count?: number; duration?: number }, ctx: CommandContext): Promise<number> {
  const live = [argv.group.length ? 'groups' : '', argv.write !== undefined ? '--write' : '', argv.filter !== undefined ? '--filter' : '',
    argv.count !== undefined ? '--count' : '', argv.duration !== undefined ? '--duration' : '', argv.user !== undefined ? '--user' : '',
  ].filter(Boolean);
  if (live.length) {
    const { UsageError } = await import('../core/errors.js');
    throw new UsageError('USAGE',
      `sniff -r reads a file: ${live.join(', ')} apply to a live capture only (see mcast-doctor analyze --help)`);
  }
  const { runAnalyze } = await import('./analyze.js');
  return runAnalyze({ file: [argv.read ?? '-'] }, ctx);
}
