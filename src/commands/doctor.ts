import { defineCommand } from './context.js';
import { UsageError } from '../core/errors.js';

function pairs(values: string[] | undefined, sep: string, what: string): Array<[string, string]> {
  return (values ?? []).map((v) => {
    const i = v.indexOf(sep);
    if (i <= 0 || i === v.length - 1) throw new UsageError('USAGE', `${what} wants IFACE${sep}VALUE, got '${v}'`);
    return [v.slice(0, i), v.slice(i + 1)];
  });
}

export default defineCommand({
  command: 'doctor',
  describe: 'Run the non-invasive checks together and print one diagnosis',
  builder: (y) =>
    y
      .option('querier-wait', { type: 'number', default: 30, describe: 'Seconds to listen for IGMP/MLD queriers (0 skips)' })
      .option('self-test', { type: 'boolean', default: true, describe: 'Send the probe out of each interface and listen on the others (--no-self-test)' })
      .option('junit', { type: 'string', describe: 'Write a JUnit XML file, one testcase per check', requiresArg: true })
      .option('expect-querier', { type: 'string', array: true, describe: 'IFACE=ADDR: fail unless ADDR is the elected querier there', requiresArg: true })
      .option('expect-receive', { type: 'string', array: true, describe: 'IFACE:GROUP: fail unless the group arrives there during the listen', requiresArg: true })
      .option('max-loss', { type: 'number', default: 0, describe: 'Loss percentage tolerated by --expect-receive' })
      .example('$0 doctor', 'diagnose this host')
      .example('$0 doctor --querier-wait 130 --junit doctor.xml --expect-querier eth0=198.18.20.1', 'CI: a full query interval, JUnit, an expected querier'),
  run: async (argv, ctx) => {
    if (!Number.isFinite(argv['querier-wait']) || argv['querier-wait'] < 0 || argv['querier-wait'] > 3600) throw new UsageError('USAGE', '--querier-wait must be between 0 and 3600 seconds');
    if (!Number.isFinite(argv['max-loss']) || argv['max-loss'] < 0 || argv['max-loss'] > 100) throw new UsageError('USAGE', '--max-loss must be a percentage between 0 and 100');
    const expectQuerier = pairs(argv['expect-querier'], '=', '--expect-querier').map(([iface, address]) => ({ iface, address }));
    const expectReceive = pairs(argv['expect-receive'], ':', '--expect-receive').map(([iface, group]) => ({ iface, group }));
    const { runDoctor } = await import('../core/doctor/run.js');
    const { defaultChecks, defaultDeps } = await import('../core/doctor/default.js');
    const { renderDoctor, doctorJUnit } = await import('../render/doctor.js');
    const { exitFor } = await import('../core/exit.js');
    const opts = {
      querierWait: argv['querier-wait'], selfTest: argv['self-test'], expectQuerier, expectReceive, maxLossPct: argv['max-loss'],
      ...(ctx.family ? { family: ctx.family } : {}),
    };
    const rep = await runDoctor(await defaultDeps(), defaultChecks(opts), opts, ctx.selection, (t) => ctx.out.progress(t));
    ctx.out.endProgress();
    if (argv.junit) {
      const { writeFileAtomic } = await import('../platform/files.js');
      await writeFileAtomic(argv.junit, doctorJUnit(rep), '--junit');
    }
    renderDoctor(rep, ctx.out);
    return exitFor(rep.findings);
  },
});
