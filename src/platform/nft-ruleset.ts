// One `nft -j list ruleset` for the whole diagnosis: doctor's firewall check (IGMP drops) and its
// rp_filter check (fib saddr rules) both read the ruleset, at the same moment. A read younger
// than FRESH_MS is shared; an older one is read again (mesh and join-all read it at the end of a
// run, after rules may have changed).
import { run, type ExecResult } from './exec.js';

const FRESH_MS = 2_000;
const last = new Map<string, { at: number; result: Promise<ExecResult> }>();

function cached(args: string[]): Promise<ExecResult> {
  const key = args.join(' ');
  const now = Date.now();
  const hit = last.get(key);
  if (hit && now - hit.at <= FRESH_MS) return hit.result;
  const result = run('nft', args);
  last.set(key, { at: now, result });
  return result;
}

export const readNftRuleset = (): Promise<ExecResult> => cached(['-j', 'list', 'ruleset']);
/** The text form: nft 1.0's JSON leaves out netdev chains' devices. */
export const readNftText = (): Promise<ExecResult> => cached(['list', 'ruleset']);
