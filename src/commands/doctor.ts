import { defineCommand } from './context.js';
import { percent, seconds } from './flags.js';
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
  waits: true,
  flags: {
    'querier-wait': seconds('Seconds to listen for IGMP/MLD queriers (0 skips)', { default: 30, zero: true, max: 3600 }),
    'max-loss': percent('Loss percentage tolerated by --expect-receive', { default: 0 }),
  },
  builder: (y) =>
    y
      .option('self-test',
        { type: 'boolean', default: true, describe: 'Send the probe out of each interface and listen on the others (--no-self-test)' })
      .option('junit', { type: 'string', describe: 'Write a JUnit XML file, one testcase per check', requiresArg: true })
      .option('expect-querier',
        { type: 'string', array: true, describe: 'IFACE=ADDR: fail unless ADDR is the elected querier there', requiresArg: true })
      .option('expect-receive',
        { type: 'string', array: true, describe: 'IFACE:GROUP: fail unless the group arrives there during the listen', requiresArg: true })
      .example('$0 doctor', 'diagnose this host')
      .example('$0 doctor --querier-wait 130 --junit doctor.xml --expect-querier eth0=198.18.20.1',
        'CI: a full query interval, JUnit, an expected querier'),
  run: async (argv, ctx) => {
    const expectQuerier = pairs(argv['expect-querier'], '=', '--expect-querier').map(([iface, address]) => ({ iface, address }));
    const expectReceive = pairs(argv['expect-receive'], ':', '--expect-receive').map(([iface, group]) => ({ iface, group }));
    const { runDoctor } = await import('../core/doctor/run.js');
    const { defaultChecks, doctorDeps } = await import('../core/doctor/default.js');
    const { renderDoctor, doctorJUnit } = await import('../render/doctor.js');
    const { exitFor } = await import('../core/exit.js');
    const { cutShort, verdictOf } = await import('../core/coverage.js');
    const opts = {
      querierWait: argv['querier-wait'], selfTest: argv['self-test'], expectQuerier, expectReceive, maxLossPct: argv['max-loss'],
      ...(ctx.family ? { family: ctx.family } : {}),
    };
    const planned = Math.max(opts.querierWait, expectReceive.length ? 5 : 0) * 1000;
    const wait = ctx.waiting('doctor: listening for queriers and counting drops', planned || null);
    const rep = await runDoctor(
      await doctorDeps(ctx.host),
      defaultChecks(opts),
      opts,
      ctx.selection,
      (t) => ctx.out.progress(t),
      ctx.interrupt.abort,
    );
    ctx.out.endProgress();
    const interrupted = wait.done();
    if (interrupted) {
      // The listens a signal cut short prove nothing by what they did not hear.
      const cut = rep.checks.filter(
        (c) => c.status !== 'skipped' && (c.id === 'querier' || c.id === 'receive' || (c.id === 'rp_filter' && opts.querierWait > 0)));
      rep.coverage = { notRun: [...rep.coverage.notRun,
        ...cut.map((c) => cutShort(c.id, interrupted, c.id === 'receive' ? 'listen' : '--querier-wait'))], interrupted };
      rep.verdict = verdictOf(rep.findings, rep.coverage);
    }
    if (argv.junit) {
      await (await ctx.host.files()).writeFileAtomic(argv.junit, doctorJUnit(rep), '--junit');
    }
    renderDoctor(rep, ctx.out);
    return exitFor(rep.findings, rep.coverage);
  },
});
