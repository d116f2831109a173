// One `nft -j list ruleset` for the whole diagnosis: doctor's firewall check (IGMP drops) and its
// rp_filter check (fib saddr rules) both read the ruleset, at the same moment. A read younger
// than FRESH_MS is shared; an older one is read again (mesh and join-all read it at the end of a
// run, after rules may have changed).
import { run, type ExecResult } from './exec.js';

const FRESH_MS = 2_000;
let last: { at: number; result: Promise<ExecResult> } | undefined;

export function readNftRuleset(): Promise<ExecResult> {
  const now = Date.now();
  if (!last || now - last.at > FRESH_MS) last = { at: now, result: run('nft', ['-j', 'list', 'ruleset']) };
  return last.result;
}
