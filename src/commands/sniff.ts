import { defineCommand, type CommandContext } from './context.js';

interface SniffArgs {
  group: string[];
  join: boolean;
  port?: number[];
  source?: string;
  filter?: string;
  count?: number;
  duration?: number;
  write?: string;
  format: 'pcapng' | 'pcap';
  force: boolean;
  snaplen: number;
  user?: string;
  read?: string;
}

export default defineCommand<SniffArgs>({
  command: 'sniff [group..]',
  describe: 'Join the groups on every interface and capture there (libpcap): per interface x group x source stats, IGMP/MLD decoded, pcapng',
  builder: (y) =>
    y
      .positional('group', { type: 'string', array: true, default: [], describe: 'G, S,G, G:PORT, G+N or G/LEN; none: all multicast' })
      .option('join', { type: 'boolean', default: true, describe: 'join the groups first (--no-join: capture only)' })
      .option('port', { type: 'number', array: true, describe: 'only these UDP destination ports' })
      .option('source', { type: 'string', describe: 'only this source (and join source-specific)' })
      .option('filter', { type: 'string', describe: 'BPF filter (pcap-filter(7)) instead of the one built from the groups' })
      .option('count', { alias: 'c', type: 'number', describe: 'stop after N packets in all' })
      .option('duration', { type: 'number', describe: 'stop after S seconds' })
      .option('write', { type: 'string', alias: 'w', describe: 'write the packets to FILE' })
      .option('format', { choices: ['pcapng', 'pcap'] as const, default: 'pcapng' as const, describe: 'file format (pcap: one interface only)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite an existing --write file' })
      .option('user', { type: 'string', describe: 'after opening the captures, run as this user (as tcpdump -Z; needs root); the --write directory must be writable by it' })
      .option('snaplen', { type: 'number', default: 262144, describe: 'bytes kept per packet' })
      .option('read', { type: 'string', alias: 'r', describe: 'read a capture file instead (as tcpdump -r; the same as: analyze FILE; - for stdin)' })
      .example('$0 sniff 239.1.2.3 --duration 10', 'join 239.1.2.3 everywhere, capture for 10 s')
      .example('$0 sniff 239.1.2.3:5001 --write cap.pcapng --count 1000', 'capture 1000 packets to a pcapng file')
      .example('$0 sniff --no-join --filter igmp --json', 'IGMP messages as NDJSON')
      .example('$0 sniff 239.1.2.3 --user nobody --write /var/tmp/cap.pcapng', 'open the captures as root, then run as nobody'),
  run: async (argv, ctx) => {
    if (argv.read !== undefined) return readFile(argv, ctx);
    const { runSniff } = await import('../core/capture/run.js');
    const { platform } = await import('../platform/linux.js');
    const { loadCaptureFactory } = await import('../platform/capture/index.js');
    const { openFileSink } = await import('../platform/capture/file-sink.js');
    const { SniffRenderer } = await import('../render/sniff.js');
    const renderer = new SniffRenderer(ctx.out);
    const privileges = argv.user !== undefined ? await import('../platform/privileges.js') : undefined;
    const runAs = privileges && argv.user !== undefined ? privileges.lookupUser(argv.user) : undefined;
    if (privileges && runAs) {
      privileges.checkCanDrop(runAs);
      if (argv.write !== undefined) privileges.checkDirWritableBy(argv.write, runAs);
    }
    return runSniff({
      platform: platform(),
      captureFactory: loadCaptureFactory,
      sockets: async () => (await import('../platform/sockets/index.js')).loadSockets(),
      openFile: (file, force) => openFileSink(file, force, runAs),
      watchLinks: (await import('../platform/link-watch.js')).watchLinks,
      ...(privileges && runAs ? { dropPrivileges: () => privileges.dropPrivileges(runAs) } : {}),
      onSignal: (stop, saveNow) => {
        // First SIGINT/SIGTERM: stop, drain what the kernel holds, write the summary. A second
        // one quits at once (as tcpdump does), but the file is still completed and renamed into
        // place: what was captured so far stays a valid file, never a stray .part.
        let signals = 0;
        const handler = (sig: NodeJS.Signals): void => {
          signals++;
          if (signals === 1) { stop(); return; }
          saveNow();
          process.exit(sig === 'SIGTERM' ? 143 : 130);
        };
        // A reader that went away (`sniff --write f | head`): the CLI exits at once on EPIPE, so
        // the file is completed first (this listener runs before the CLI's).
        const onOutError = (e: NodeJS.ErrnoException): void => { if (e.code === 'EPIPE') saveNow(); };
        process.on('SIGINT', handler);
        process.on('SIGTERM', handler);
        process.stdout.prependListener('error', onOutError);
        return () => {
          process.off('SIGINT', handler);
          process.off('SIGTERM', handler);
          process.stdout.off('error', onOutError);
        };
      },
    }, {
      groups: argv.group.map(String), join: argv.join, ports: argv.port ?? [], source: argv.source, filter: argv.filter,
      count: argv.count, durationS: argv.duration, write: argv.write, format: argv.format, force: argv.force, snaplen: argv.snaplen,
      selection: ctx.selection, family: ctx.family,
    }, renderer);
  },
});

/** `sniff -r FILE`: the tcpdump habit, served by analyze. Capture-only options make no sense there. */
async function readFile(argv: SniffArgs, ctx: CommandContext): Promise<number> {
  const live = [argv.group.length ? 'groups' : '', argv.write !== undefined ? '--write' : '', argv.filter !== undefined ? '--filter' : '',
    argv.count !== undefined ? '--count' : '', argv.duration !== undefined ? '--duration' : '', argv.user !== undefined ? '--user' : ''].filter(Boolean);
  if (live.length) {
    const { UsageError } = await import('../core/errors.js');
    throw new UsageError('USAGE', `sniff -r reads a file: ${live.join(', ')} apply to a live capture only (see mcast-doctor analyze --help)`);
  }
  const { runAnalyze } = await import('./analyze.js');
  return runAnalyze({ file: [argv.read ?? '-'] }, ctx);
}
