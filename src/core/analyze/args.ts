// analyze's arguments: --prefix IFACE=CIDR (or CIDR for every interface) and the file list.
import { UsageError } from '../errors.js';
import { familyOf, networkOf } from '../kernel/ip.js';
import type { GivenPrefix } from './querier-findings.js';
import { defined } from '../defined.js';

export function parsePrefixes(args: readonly string[]): GivenPrefix[] {
  return args.map((raw) => {
    const eq = raw.lastIndexOf('=');
    const iface = eq > 0 ? raw.slice(0, eq) : undefined;
    const cidr = eq > 0 ? raw.slice(eq + 1) : raw;
    const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
    const fam = m ? familyOf(m[1] ?? '') : undefined;
    const len = Number(m?.[2]);
    if (!m || fam === undefined || len > (fam === 4 ? 32 : 128)) {
      throw new UsageError('USAGE', `--prefix ${raw}: expected IFACE=ADDR/LEN or ADDR/LEN (198.18.10.0/24)`);
    }
    const network = networkOf(m[1] ?? '', len);
    return { ...defined({ iface }), network, len, text: `${network}/${len}` };
  });
}

/** The files as given; standard input ("-") can be read once. */
export function checkFiles(files: readonly string[]): string[] {
  if (files.length === 0) throw new UsageError('USAGE', 'name at least one capture file (- for standard input)');
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('USAGE', 'standard input (-) can be read only once');
  return [...files];
}
