// --expect-receive IFACE:GROUP [--max-loss PCT]: join the groups for the listen window and
// fail unless each pair received, within the loss allowed (measured from probe sequences).
import { makeFinding } from '../../findings/catalog.js';
import type { Finding } from '../../findings/model.js';
import { parseGroupArg } from '../../group-args.js';
import { startJoinAll } from '../../join-all/run.js';
import { lossSentence } from '../../join-all/health.js';
import type { DoctorCheck } from '../types.js';
import { defined } from '../../defined.js';

/** Even with --querier-wait 0, an expectation gets this long to be met. */
const MIN_LISTEN_S = 5;

export const receiveCheck: DoctorCheck = {
  id: 'receive',
  title: 'Expected groups arrive (--expect-receive)',
  linuxOnly: true,
  async run(ctx) {
    const want = ctx.opts.expectReceive;
    if (want.length === 0) return { findings: [], skipped: 'no --expect-receive given' };
    const groups = want.map((w) => parseGroupArg(w.group, { defaultPort: 5000, allowRanges: false })[0]!);
    const listenS = Math.max(ctx.opts.querierWait, MIN_LISTEN_S);
    // capture + accounting: a pair that got nothing is explained (where the packets stopped).
    const { platform, clock, capture } = ctx.deps;
    const deps = { platform, sockets: await ctx.deps.sockets(), clock, capture, ...defined({ accounting: ctx.deps.accounting }) };
    const run = await startJoinAll(deps, {
      groups, selection: { include: [...new Set(want.map((w) => w.iface))] }, expect: want.map((w, i) => `${w.iface}:${groups[i]!.group}`),
      assumeSynced: false, intervalMs: 60_000, durationMs: listenS * 1000, stallWatch: false,
    }, { joined: () => {}, stats: () => {} });
    // A signal ends the listen: the pairs are judged on what arrived until then.
    if (ctx.abort?.aborted) run.stop();
    else ctx.abort?.addEventListener('abort', () => run.stop(), { once: true });
    const out = await run.done;
    const findings: Finding[] = [...out.findings];
    const pairs = want.map((w, i) => {
      const g = groups[i]!.group;
      const row = out.rows.find((r) => r.iface === w.iface && r.group === g);
      const lost = row?.lost ?? 0;
      const got = row ? row.packets - row.duplicates : 0;
      const split = out.loss.find((l) => l.iface === w.iface);
      const lossPct = got + lost > 0 ? (100 * lost) / (got + lost) : null;
      if (row && row.packets > 0 && lossPct !== null && lossPct > ctx.opts.maxLossPct) {
        findings.push(makeFinding('RECEIVE_LOSS', {
          iface: w.iface, group: g,
          // Our own socket's drops are said apart: they are this host's, not the network's.
          message:
            `${g} arrived on ${w.iface} with ${lossPct.toFixed(1)} % loss (${lost} of ${got + lost} probes), ` +
            `more than --max-loss ${ctx.opts.maxLossPct} %${split ? ` (${lossSentence(split)})` : ''}.`,
          evidence: {
            lost,
            received: got,
            lossPct,
            maxLossPct: ctx.opts.maxLossPct,
            socketDrops: split?.socket ?? 0,
            lostBeforeHost: split?.beforeHost ?? lost,
          },
        }));
      }
      return { iface: w.iface, group: g, packets: row?.packets ?? 0, lost, lossPct };
    });
    return { findings, details: { listenS, pairs } };
  },
};
